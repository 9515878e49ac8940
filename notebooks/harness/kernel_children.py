"""Child JVMs under the real JJava kernel: a task written in cells runs in a child, and no child
outlives its kernel when the kernel is restarted or killed.

Usage: kernel_children.py JAR. Prints one JSON object; ProcessKernelTest reads and checks it.
"""

import json
import sys
import time

from jupyter_client.manager import KernelManager


def run(kc, code, timeout=120):
    """Executes code; returns (stdout text, error text or None)."""
    msg_id = kc.execute(code)
    out, error = [], None
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            error = content["ename"] + ": " + content["evalue"]
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out), error


def running(pid):
    """True if the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def gone_within(pid, seconds):
    """Seconds until pid stopped running, or None if it still runs after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if not running(pid):
            return round(time.monotonic() - start, 3)
        time.sleep(0.01)
    return None


def start_sleeper(kc):
    out, error = run(kc, "var sleeper = jcn.process.ChildProcess.<Void>start(() -> { Thread.sleep(60_000); return null; });\n"
                         "Thread.sleep(300);\nSystem.out.println(\"pid \" + sleeper.pid());")
    if error:
        raise RuntimeError(error)
    return int(out.split("pid ")[1].split()[0])


def start_standby(kc):
    """Runs a child to its end, so the jar boots a standby JVM; returns the standby's pid."""
    out, error = run(kc, "jcn.process.ChildProcess.start(() -> 1).result();\n"
                         "jcn.process.ChildProcess.awaitStandby(java.time.Duration.ofSeconds(10));\n"
                         "System.out.println(\"standby \" + jcn.process.ChildProcess.standbyPids().get(0));")
    if error:
        raise RuntimeError(error)
    return int(out.split("standby ")[1].split()[0])


def main():
    jar = sys.argv[1]
    result = {}
    km = KernelManager(kernel_name="java")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=120)
    try:
        run(kc, f"%classpath {jar}")
        _, error = run(kc, "record Point(int x, int y) implements java.io.Serializable {}\n"
                           "int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n"
                           "int base = 1;")
        # Redeclared in another cell: JShell keeps the new value in a wrapper named like $JShell$12B.
        _, error2 = run(kc, "int base = 100;")
        error = error or error2
        result["define_error"] = error
        out, error = run(kc, "var child = jcn.process.ChildProcess.start(() -> {\n"
                             "    System.out.println(\"hello from \" + ProcessHandle.current().pid());\n"
                             "    return new Point(fib(20), base);\n"
                             "});\n"
                             "System.out.println(\"result \" + child.result() + \" from \" + child.pid()"
                             " + \", kernel \" + ProcessHandle.current().pid());")
        result["lambda_output"] = out
        result["lambda_error"] = error

        # A variable the task reads only through a method of another cell must travel too, and follow
        # assignments; a large list no task reads must not be needed for that.
        _, error = run(kc, "int offset = 7;\nint addOffset(int x) { return x + offset; }\n"
                           "java.util.List<Integer> unread = new java.util.ArrayList<>(java.util.Collections.nCopies(200_000, 1));")
        out, error2 = run(kc, "var pool = jcn.process.ProcessPool.create(1);\n"
                              "int first = pool.apply(() -> addOffset(1));\n"
                              "offset = 10;\n"
                              "int second = pool.apply(() -> addOffset(1));\n"
                              # One lambda object sent again: its task is encoded once, its variables each time.
                              "jcn.process.ProcessTask<Integer> again = () -> addOffset(1);\n"
                              "offset = 20;\n"
                              "int third = pool.apply(again);\n"
                              "offset = 30;\n"
                              "int fourth = pool.apply(again);\n"
                              "pool.close();\n"
                              "System.out.println(\"offsets \" + first + \" \" + second + \" \" + third + \" \" + fourth);")
        result["offset_output"] = out
        result["offset_error"] = error or error2

        pid = start_sleeper(kc)
        result["restart_child_running_before"] = running(pid)
        km.restart_kernel(now=False)
        result["restart_child_gone_after_s"] = gone_within(pid, 2.0)

        kc.wait_for_ready(timeout=120)
        run(kc, f"%classpath {jar}")
        standby = start_standby(kc)
        pid = start_sleeper(kc)
        result["kill_child_running_before"] = running(pid)
        result["kill_standby_running_before"] = running(standby)
        process = km.provisioner.process
        process.kill()
        process.wait(timeout=10)
        result["kill_child_gone_after_s"] = gone_within(pid, 2.0)
        result["kill_standby_gone_after_s"] = gone_within(standby, 2.0)
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
