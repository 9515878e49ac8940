"""What a notebook reader does to child JVMs under the real JJava kernel: interrupts a cell that
waits on a busy ProcessPool (the toolbar's stop button), and makes a pool, a queue and a lock in
different cells, in any order, rerunning cells.

Usage: kernel_interrupt.py JAR. Prints one JSON object of scalars (lists are space-separated
strings); ProcessInterruptKernelTest reads and checks it.

Every cell is bounded (CELL_TIMEOUT), and so is the whole run (BUDGET, by SIGALRM). Each section
runs in a kernel of its own, so a section that leaves its kernel stuck does not spoil the next.
Whatever happens, every kernel is shut down and every child JVM it started (seen while it ran,
or found under it before shutdown) is killed, so a failing run leaves nothing behind; the pids
killed that way are reported as `<section>_stray_killed`.
"""

import json
import os
import signal
import sys
import time

from jupyter_client.manager import KernelManager

BUDGET = 150          # seconds for the whole script
CELL_TIMEOUT = 40     # seconds for one cell
END_AFTER_INTERRUPT = 5.0   # an interrupted cell must end within this
GONE_AFTER_INTERRUPT = 2.0  # and no worker it kept busy may still run (or spin) after this
CHILD_MAIN = b"jcn.process.ChildMain"
STANDBY = b"-Djcn.child.name=standby-"
TICK = os.sysconf("SC_CLK_TCK")

# ~30 s of CPU per task: nothing in it looks at interrupts, so only killing its worker stops it.
SPIN = ("x -> { long end = System.nanoTime() + 30_000_000_000L; long n = x;"
        " while (System.nanoTime() < end) { n = n * 31 + 7; } return n; }")

SPIN_TASK = ("() -> { long end = System.nanoTime() + 30_000_000_000L; long n = 1;"
             " while (System.nanoTime() < end) { n = n * 31 + 7; } return n; }")

START = time.monotonic()


class Budget(Exception):
    pass


def on_alarm(signum, frame):
    raise Budget(f"the whole run passed its budget of {BUDGET} s")


class CellTimeout(Exception):
    pass


# ------------------------------------------------------------------ processes

def stat(pid):
    """The fields of /proc/pid/stat after the command name, or None if pid is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2:].split()


def running(pid):
    """True if the process exists and is not a zombie."""
    fields = stat(pid)
    return fields is not None and fields[0] not in "ZX"


def cpu_ticks(pid):
    fields = stat(pid)
    return None if fields is None else int(fields[11]) + int(fields[12])


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def children_of(pid):
    """Pids whose parent is pid (by scanning /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = stat(entry)
            if fields is not None and fields[1] == str(pid) and fields[0] not in "ZX":
                found.append(int(entry))
    return sorted(found)


def child_jvms(kernel_pid):
    """The live child JVMs (ChildMain) of the kernel."""
    return [p for p in children_of(kernel_pid) if CHILD_MAIN in cmdline(p)]


def spinning(pids, window=0.5):
    """The pids among `pids` that used over a quarter of a core during the next `window` seconds
    (a quarter, not all of one: the machine may be busy with other work)."""
    before = {p: cpu_ticks(p) for p in pids}
    time.sleep(window)
    busy = []
    for p in pids:
        after = cpu_ticks(p)
        if before[p] is not None and after is not None and (after - before[p]) / TICK > window / 4:
            busy.append(p)
    return busy


def kill_all(pids):
    """SIGKILLs those of pids that still run a ChildMain; returns them."""
    killed = []
    for p in pids:
        if running(p) and CHILD_MAIN in cmdline(p):
            try:
                os.kill(p, signal.SIGKILL)
                killed.append(p)
            except ProcessLookupError:
                pass
    return killed


def spaced(pids):
    return " ".join(str(p) for p in pids)


# ------------------------------------------------------------------ kernel

class Kernel:
    """One JJava kernel, with the helper jar on its classpath; remembers every child JVM it saw."""

    def __init__(self, jar):
        self.km = KernelManager(kernel_name="java")
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=min(60, remaining()))
        self.pid = self.km.provisioner.process.pid
        self.seen = set()
        self.run(f"%classpath {jar}")
        out, error, _ = self.run("import jcn.process.*;\nimport java.util.*;\nimport java.time.Duration;")
        if error:
            raise RuntimeError("imports failed: " + error)

    def interrupt_mode(self):
        return self.km.kernel_spec.interrupt_mode

    def workers(self):
        pids = child_jvms(self.pid)
        self.seen.update(pids)
        return pids

    def send(self, code):
        return self.kc.execute(code)

    def collect(self, msg_id, timeout, label="cell"):
        """Reads iopub for msg_id until idle; returns (stdout, error or None, seconds) or raises CellTimeout."""
        out, error = [], None
        start = time.monotonic()
        deadline = start + min(timeout, remaining())
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CellTimeout(f"{label} still running after {round(time.monotonic() - start, 1)} s")
            try:
                msg = self.kc.get_iopub_msg(timeout=min(left, 0.2))
            except Exception:  # queue.Empty
                self.workers()
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                error = content["ename"] + ": " + content["evalue"]
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out), error, round(time.monotonic() - start, 3)

    def run(self, code, timeout=CELL_TIMEOUT, label="cell"):
        return self.collect(self.send(code), timeout, label)

    def close(self):
        """Shuts the kernel down and kills every child JVM it left; returns the pids killed."""
        try:
            self.workers()
        except Exception:
            pass
        try:
            self.kc.stop_channels()
        finally:
            if self.km.is_alive():
                self.km.shutdown_kernel(now=True)
        time.sleep(0.2)
        return kill_all(sorted(self.seen))


def remaining():
    return max(0.1, BUDGET - (time.monotonic() - START))


def section(result, name, jar, body):
    """Runs body(kernel, result) in a fresh kernel; records an exception as `<name>_error`."""
    kernel = None
    start = time.monotonic()
    if remaining() < 15:
        result[f"{name}_error"] = "skipped: the run's budget is spent"
        return
    try:
        kernel = Kernel(jar)
        body(kernel, result)
        result[f"{name}_error"] = None
    except Exception as e:  # also Budget, CellTimeout
        result[f"{name}_error"] = f"{type(e).__name__}: {e}"
    finally:
        if kernel is not None:
            try:
                result[f"{name}_stray_killed"] = spaced(kernel.close())
            except Exception as e:
                result[f"{name}_stray_killed"] = f"close failed: {type(e).__name__}: {e}"
        result[f"{name}_s"] = round(time.monotonic() - start, 1)


# ------------------------------------------------------------------ the cases

def await_busy_workers(kernel, msg_id, count, timeout=30):
    """Waits until `count` child JVMs of the kernel are spinning; returns their pids."""
    deadline = time.monotonic() + min(timeout, remaining())
    while time.monotonic() < deadline:
        pids = kernel.workers()
        if len(pids) >= count:
            busy = spinning(pids)
            if len(busy) >= count:
                return busy
        else:
            time.sleep(0.2)
    raise RuntimeError(f"not {count} busy workers within {timeout} s; children: {spaced(kernel.workers())}")


def interrupt_and_watch(kernel, msg_id, workers, prefix, result):
    """Interrupts the running cell as JupyterLab's stop button does; records when the cell ended
    and which of `workers` still ran (and spun) 2 s after the interrupt."""
    interrupted = time.monotonic()
    kernel.km.interrupt_kernel()
    ended = None
    try:
        out, error, _ = kernel.collect(msg_id, END_AFTER_INTERRUPT)
        ended = round(time.monotonic() - interrupted, 3)
        result[f"{prefix}_cell_error"] = error
    except CellTimeout:
        result[f"{prefix}_cell_error"] = None
    result[f"{prefix}_cell_ended_after_s"] = ended
    wait = GONE_AFTER_INTERRUPT - (time.monotonic() - interrupted)
    if wait > 0:
        time.sleep(wait)
    alive = [p for p in workers if running(p)]
    result[f"{prefix}_workers_alive_2s"] = spaced(alive)
    # A standby JVM (booted ahead, waiting for orders) is made when children end; it is not left-over
    # work unless it was one of the workers, which a taken standby is.
    later = kernel.workers()
    standbys = [p for p in later if p not in workers and STANDBY in cmdline(p)]
    result[f"{prefix}_child_jvms_2s"] = spaced([p for p in later if p not in standbys])
    result[f"{prefix}_standbys_2s"] = spaced(standbys)
    result[f"{prefix}_workers_spinning_2s"] = spaced(spinning(alive))
    if ended is None:
        # The cell never ended: wait a little more, so the next cell is not queued behind it.
        try:
            kernel.collect(msg_id, 10)
            result[f"{prefix}_cell_ended_late"] = True
        except CellTimeout:
            result[f"{prefix}_cell_ended_late"] = False
    return alive


def interrupt_busy_cell(kernel, code, busy, prefix, result, kill=lambda alive: kill_all(spinning(alive))):
    """Runs `code`, waits until `busy` child JVMs spin, presses Interrupt half a second later and
    records what happened under `prefix`; then kills what `kill` picks of the workers still alive
    (by default those still spinning, which would slow the rest of the run down; idle ones are
    left to their pool)."""
    msg_id = kernel.send(code)
    workers = await_busy_workers(kernel, msg_id, busy)
    result[f"{prefix}_workers"] = spaced(workers)
    time.sleep(0.5)
    alive = interrupt_and_watch(kernel, msg_id, workers, prefix, result)
    result[f"{prefix}_workers_killed_by_harness"] = spaced(kill(alive))


def interrupt_try_with_resources(kernel, result):
    result["interrupt_mode"] = kernel.interrupt_mode()
    # Leave no worker of the closed pool to slow the rest of the run down (the test has seen them already).
    interrupt_busy_cell(kernel, "try (ProcessPool pool = ProcessPool.create(2)) {\n"
                                f"    pool.map({SPIN}, List.of(1, 2, 3, 4));\n"
                                "}", 2, "twr", result, kill=kill_all)
    out, error, seconds = kernel.run("System.out.println(\"next \" + (6 * 7));", timeout=20,
                                     label="the next cell after the interrupt")
    result["twr_next_output"] = out.strip()
    result["twr_next_error"] = error
    result["twr_next_s"] = seconds


def interrupt_pool_in_variable(kernel, result):
    out, error, _ = kernel.run("var pool = ProcessPool.create(2);\nSystem.out.println(\"pids \" + pool.workerPids());")
    if error:
        raise RuntimeError("creating the pool failed: " + error)
    # Today the interrupted map's queued tasks then start on the replacement workers, and the
    # next map waits behind them.
    interrupt_busy_cell(kernel, f"pool.map({SPIN}, List.of(1, 2, 3, 4));", 2, "var", result)
    out, error, seconds = kernel.run("System.out.println(\"doubled \" + pool.map(x -> x * 2, List.of(1, 2, 3))"
                                     " + \" pids \" + pool.workerPids());", timeout=20,
                                     label="pool.map(x -> x * 2, ...) after the interrupt")
    result["var_next_output"] = out.strip()
    result["var_next_error"] = error
    result["var_next_s"] = seconds
    # An apply reads its worker's answer on the cell's own thread: Interrupt must still end it.
    interrupt_busy_cell(kernel, f"pool.apply({SPIN_TASK});", 1, "varapply", result)
    out, error, seconds = kernel.run("System.out.println(\"applied \" + pool.apply(() -> 6 * 7));", timeout=20,
                                     label="pool.apply(() -> 6 * 7) after the interrupted apply")
    result["varapply_next_output"] = out.strip()
    result["varapply_next_error"] = error
    out, error, seconds = kernel.run("pool.close();\nSystem.out.println(\"closed\");", timeout=30,
                                     label="pool.close() after the interrupt")
    result["var_close_output"] = out.strip()
    result["var_close_error"] = error
    result["var_close_s"] = seconds


CELL_B = "var q = ProcessQueue.<Integer>create();\nvar lock = ProcessLock.create();"
CELL_C = ("var got = pool.map(x -> { try (var h = lock.acquire()) { q.put(x); } return x; }, List.of(1, 2, 3, 4));\n"
          "var items = new ArrayList<Integer>();\n"
          "for (int i = 0; i < 4; i++) { items.add(q.get(Duration.ofSeconds(10))); }\n"
          "Collections.sort(items);\n"
          "System.out.println(\"got \" + got + \" items \" + items);")


def creation_order(kernel, result):
    steps = [("a", "var pool = ProcessPool.create(2);"),
             ("b", CELL_B),
             ("c", CELL_C),
             ("c_rerun", CELL_C),
             ("b_rerun", CELL_B),
             ("c_after_b_rerun", CELL_C),
             ("close", "pool.close();\nq.close();\nlock.close();\nSystem.out.println(\"closed\");")]
    for name, code in steps:
        out, error, seconds = kernel.run(code, timeout=30, label=f"cell {name}")
        result[f"order_{name}_output"] = out.strip()
        result[f"order_{name}_error"] = error
        result[f"order_{name}_s"] = seconds


def main():
    jar = sys.argv[1]
    result = {}
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(BUDGET)
    try:
        section(result, "twr", jar, interrupt_try_with_resources)
        section(result, "var", jar, interrupt_pool_in_variable)
        section(result, "order", jar, creation_order)
    finally:
        signal.alarm(0)
        result["total_s"] = round(time.monotonic() - START, 1)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
