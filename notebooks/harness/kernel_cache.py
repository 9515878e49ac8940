"""Makes the ahead-of-time cache the Java kernel's JVM starts from (JDK 25+, JEP 483).

Usage: kernel_cache.py SPEC_DIR CACHE JAR NOTEBOOKS_DIR

`./jcn` runs this once per JDK and kernel version. It starts the kernel of SPEC_DIR with its own
JVM options plus -XX:AOTMode=record, runs a few cells the way a notebook does (the helper JAR on
the classpath, a thread, a process pool, a table), ends the kernel's JVM with System.exit (the
JVM writes what it loaded as it exits), then assembles CACHE from that record with the same
options. The kernel spec names CACHE with -XX:AOTCache: a kernel then starts with JJava, JShell
and javac already loaded and linked (no method profiles: see NO_PROFILES). Here a kernel showed
its first HTML table 1.9 s after it was asked for, against 2.5-2.8 s without a cache. Without
one is how kernels mostly started before: the class-data archive they were to write as they
exited was written only by a JVM given about 30 s to exit after a shutdown request, and a
shutdown kills the kernel after 5 s. A missing or stale cache is ignored by the JVM: the kernel
still starts, only slower. Prints nothing when all goes well; otherwise one line saying what
failed, and exits 1 (the caller carries on without a cache).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CELLS = [
    "%classpath {jar}",
    """import java.util.*;
import java.util.concurrent.*;
import jcn.process.*;
import jcn.check.Claim;
import tech.tablesaw.api.*;
List<String[]> rows = new ArrayList<>();
Thread worker = new Thread(() -> rows.add(new String[] {"thread", Thread.currentThread().getName()}), "worker");
worker.start();
worker.join(5000);
Claim.that("the thread ran", rows.size() == 1);""",
    """int answered = 0;
try (ProcessPool pool = ProcessPool.create(1)) {
    for (int i = 0; i < 3000; i++) answered += pool.apply(() -> 1);
    Future<Integer> f = pool.submit(() -> 40 + 2);
    answered += f.get(30, TimeUnit.SECONDS);
}
ChildProcess<Integer> child = ChildProcess.start(() -> 7);
answered += child.result();
answered""",
    """Table t = Table.create("rows", StringColumn.create("what", rows.stream().map(r -> r[0]).toList()),
        IntColumn.create("answered", new int[] {answered}));
t""",
]


# Classes only, no method profiles: a kernel that replays the training's profiles has its JIT
# compile them all in its first seconds, and a child JVM started then (notebook 08's first cells)
# took 70-87 ms against 52-71 ms without the cache; without the profiles, 48-55 ms.
NO_PROFILES = ["-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTRecordTraining"]


def fail(message):
    print("the kernel's start-up cache was not made: " + message, file=sys.stderr)
    sys.exit(1)


def said(scratch):
    """The last words of the training kernel's log."""
    with open(os.path.join(scratch, "kernel.log")) as f:
        return " ".join(f.read().split()[-40:])


def jvm_options(argv):
    """The kernel's JVM options: what comes between java and -jar, less any class-data or
    ahead-of-time cache (the JVM refuses to record while it uses one) and the logging of them."""
    end = argv.index("-jar")
    caches = ("-XX:AOTCache=", "-XX:SharedArchiveFile=", "-XX:+AutoCreateSharedArchive", "-Xlog:aot", "-Xlog:cds")
    return [a for a in argv[1:end] if not a.startswith(caches)]


def main():
    spec_dir, cache, jar, notebooks = (os.path.abspath(a) for a in sys.argv[1:5])
    with open(os.path.join(spec_dir, "kernel.json")) as f:
        spec = json.load(f)
    argv = spec["argv"]
    java = argv[0]
    kernel_jar = os.path.join(spec_dir, "jjava.jar")
    options = jvm_options(argv)
    config = cache + ".config"
    for stale in (config, cache + ".tmp"):
        if os.path.exists(stale):
            os.remove(stale)

    scratch = tempfile.mkdtemp(prefix="jcn-kernel-cache-")
    try:
        # A kernel spec of its own for the training run: the same JVM, options and jar, recording.
        train_dir = os.path.join(scratch, "kernels", "jcn-train")
        os.makedirs(train_dir)
        train = dict(spec)
        train["argv"] = [java, *options, *NO_PROFILES, "-XX:AOTMode=record", "-XX:AOTConfiguration=" + config,
                         "-Xlog:aot=off", "-Xlog:cds=off", "-jar", kernel_jar, "{connection_file}"]
        with open(os.path.join(train_dir, "kernel.json"), "w") as f:
            json.dump(train, f)
        os.environ["JUPYTER_PATH"] = scratch
        try:
            from jupyter_client.manager import KernelManager
        except ImportError as e:
            fail("this Python has no jupyter_client (" + str(e) + ")")

        km = KernelManager(kernel_name="jcn-train")
        log = open(os.path.join(scratch, "kernel.log"), "w")
        km.start_kernel(cwd=notebooks, stdout=log, stderr=subprocess.STDOUT)
        kc = km.client()
        kc.start_channels()
        try:
            try:
                kc.wait_for_ready(timeout=120)
            except RuntimeError as e:
                fail("the training kernel did not start (" + str(e) + "); it said: " + said(scratch))
            for cell in CELLS:
                reply = kc.execute_interactive(cell.replace("{jar}", jar), timeout=120, output_hook=lambda msg: None)
                if reply["content"]["status"] != "ok":
                    fail("a training cell failed in the kernel: " + reply["content"].get("evalue", "?"))
            # The record is written as the JVM exits. JJava's JVM lingers about 30 s after a
            # shutdown request, so the last cell ends it at once; it never answers.
            kc.execute("System.exit(0);")
            deadline = time.monotonic() + 60
            while km.is_alive() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            log.close()
        if not os.path.exists(config):
            fail("the training kernel wrote no record (" + config + "); it said: " + said(scratch))

        made = subprocess.run([java, *options, "-XX:AOTMode=create", "-XX:AOTConfiguration=" + config,
                               "-XX:AOTCache=" + cache + ".tmp", "-cp", kernel_jar],
                              capture_output=True, text=True, timeout=300)
        if made.returncode != 0 or not os.path.exists(cache + ".tmp"):
            fail("java -XX:AOTMode=create exited " + str(made.returncode) + ": " + made.stdout[-300:] + made.stderr[-300:])
        os.replace(cache + ".tmp", cache)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if os.path.exists(config):
            os.remove(config)


if __name__ == "__main__":
    main()
