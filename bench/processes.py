"""Child processes, process pools and inter-process queues: jcn.process against CPython.

Run with ./jcn bench processes. Both sides are measured in the same run on the same machine:

* start: a child process that does nothing, from start to join (Java: start to result, which
  includes the join), with each of CPython's start methods. The cold JVM and CPython's starts
  are timed in three alternating blocks (a block of each side, then again), so that both meet the
  machine in the same minute: this machine's speed drifts, and CPython's spawn took 56 ms in one
  run and 84 ms in another an hour apart;
* pooled round trip: Pool.apply of a trivial function on a pool of one worker, in the steady
  state: CPython after 500 calls, Java after 20 000 (until the JIT compilers of both JVMs are
  done with the path) and after any standby JVM still booting has finished;
* queue: small integers sent from a child to its parent through multiprocessing.Queue /
  ProcessQueue, counted from the first message the parent takes to the end mark;
* queue read by a child: the parent fills the queue, a child reads it to the end mark and
  times itself (ours asks the parent for each item, which is what keeps several readers fair);
* the kernel: the same child start and pooled round trip measured in cells of a real Java
  kernel, the figures a reader of the notebooks sees (the pooled round trip in five fresh
  kernels, each holding a 100 000-element list in a variable, as a notebook might, after only
  2000 warm-up calls).
"""

import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTS = int(os.environ.get("JCN_BENCH_STARTS", "15"))
BLOCKS = 3
TRIPS = int(os.environ.get("JCN_BENCH_TRIPS", "3000"))
KERNELS = int(os.environ.get("JCN_BENCH_KERNELS", "5"))
MESSAGES = int(os.environ.get("JCN_BENCH_MESSAGES", "200000"))


def nothing():
    pass


def one():
    return 1


def writer(queue, n):
    for i in range(n):
        queue.put(i)
    queue.put(None)


def start_samples(method, n):
    """n starts with this start method, in ms, after two that are not timed."""
    ctx = mp.get_context(method)
    samples = []
    for i in range(n + 2):
        t0 = time.perf_counter()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        if i >= 2:
            samples.append((time.perf_counter() - t0) * 1000)
    return samples


def benchmark_jvm(*args, timeout):
    """What a fresh JVM running jcn.bench.ProcessBenchmark with these arguments printed."""
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java"
    jar = ROOT / "lib" / "target" / "jcn-lib.jar"
    return subprocess.run([str(java), "-cp", str(jar), "jcn.bench.ProcessBenchmark", *map(str, args)],
                          check=True, capture_output=True, text=True, timeout=timeout).stdout


def java_cold_samples(n):
    """n cold child starts of a fresh benchmark JVM, in ms, after two that are not timed."""
    out = benchmark_jvm("cold", n, timeout=300)
    line = next(l for l in out.splitlines() if l.startswith("cold_samples "))
    return [float(x) for x in line.split(" ", 1)[1].split(",")]


def starts_side_by_side():
    """Median ms of a cold JVM child and of each CPython start method, timed in alternating blocks."""
    per = max(1, STARTS // BLOCKS)
    java, py = [], {m: [] for m in ("spawn", "forkserver", "fork")}
    for _ in range(BLOCKS):
        java += java_cold_samples(per)
        for method in py:
            py[method] += start_samples(method, per)
    return statistics.median(java), {m: statistics.median(v) for m, v in py.items()}


def apply_us():
    with mp.get_context("spawn").Pool(1) as pool:
        for _ in range(500):
            pool.apply(one)
        rounds = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(TRIPS):
                pool.apply(one)
            rounds.append((time.perf_counter() - t0) / TRIPS * 1e6)
    return statistics.median(rounds)


def queue_per_s():
    ctx = mp.get_context("spawn")
    rates = []
    for _ in range(3):
        queue = ctx.Queue()
        p = ctx.Process(target=writer, args=(queue, MESSAGES))
        p.start()
        first = queue.get()
        t0 = time.perf_counter()
        count, total = 1, first
        while (item := queue.get()) is not None:
            count += 1
            total += item
        elapsed = time.perf_counter() - t0
        p.join()
        assert count == MESSAGES and total == MESSAGES * (MESSAGES - 1) // 2, "lost messages"
        rates.append(count / elapsed)
    return statistics.median(rates)


def reader(queue, rates):
    queue.get()
    count = 0
    t0 = time.perf_counter()
    while queue.get() is not None:
        count += 1
    rates.put(count / (time.perf_counter() - t0))


def queue_child_reads_per_s():
    """The parent fills a queue; a child reads it to the end mark and reports its own rate."""
    ctx = mp.get_context("spawn")
    rates = []
    n = max(1000, MESSAGES // 10)
    for _ in range(3):
        queue, back = ctx.Queue(), ctx.Queue()
        for i in range(n):
            queue.put(i)
        queue.put(None)
        p = ctx.Process(target=reader, args=(queue, back))
        p.start()
        rates.append(back.get(timeout=300))
        p.join()
    return statistics.median(rates)


def java_side():
    out = benchmark_jvm(STARTS, TRIPS, MESSAGES * 2, timeout=900)
    values = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        values[key] = float(value)
    return values


KERNEL_SETUP = """
import java.util.*;
import jcn.process.*;
List<Integer> data = new ArrayList<>();
for (int i = 0; i < 100_000; i++) data.add(i);
double median(List<Double> xs) { List<Double> s = new ArrayList<>(xs); Collections.sort(s); int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2; }
double startMs(boolean waitForStandby) throws Exception {
    if (waitForStandby && !ChildProcess.awaitStandby(java.time.Duration.ofSeconds(10))) throw new IllegalStateException("no standby");
    long t0 = System.nanoTime();
    ChildProcess.start(() -> 1).result();
    return (System.nanoTime() - t0) / 1e6;
}
"""

KERNEL_STARTS = """
ChildProcess.setStandby(0);
List<Double> cold = new ArrayList<>();
for (int i = 0; i < %(n)d; i++) cold.add(startMs(false));
ChildProcess.setStandby(1);
List<Double> ready = new ArrayList<>();
for (int i = 0; i < %(n)d; i++) ready.add(startMs(true));
System.out.println("kernel_cold_ms " + median(cold.subList(2, cold.size())));
System.out.println("kernel_standby_ms " + median(ready.subList(2, ready.size())));
"""

KERNEL_APPLY = """
List<Double> rounds = new ArrayList<>();
ChildProcess.awaitStandby(java.time.Duration.ofSeconds(10));   // a standby left booting by the starts above
try (ProcessPool pool = ProcessPool.create(1)) {
    for (int i = 0; i < 2000; i++) pool.apply(() -> 1);
    for (int r = 0; r < 5; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < %(trips)d; i++) pool.apply(() -> 1);
        rounds.add((System.nanoTime() - t0) / 1e3 / %(trips)d);
    }
}
System.out.println("kernel_apply_us " + median(rounds));
"""


def kernel_side():
    """Child starts and pooled round trips measured in cells of fresh Java kernels."""
    from jupyter_client.manager import start_new_kernel

    values = {"kernel_apply_us": []}
    for k in range(KERNELS):
        km, kc = start_new_kernel(kernel_name="java", cwd=str(ROOT / "notebooks"), startup_timeout=60)
        try:
            cells = ["%classpath ../lib/target/jcn-lib.jar", KERNEL_SETUP]
            if k == 0:
                cells.append(KERNEL_STARTS % {"n": STARTS + 2})
            cells.append(KERNEL_APPLY % {"trips": TRIPS})
            for cell in cells:
                said = []

                def hook(msg, said=said):
                    if msg["msg_type"] == "stream":
                        said.append(msg["content"]["text"])
                    elif msg["msg_type"] == "error":
                        said.append("ERROR " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])

                kc.execute_interactive(cell, timeout=600, output_hook=hook)
                for line in "".join(said).splitlines():
                    if line.startswith("ERROR"):
                        raise SystemExit("a benchmark cell failed in the kernel: " + line)
                    key, _, value = line.partition(" ")
                    if key == "kernel_apply_us":
                        values[key].append(float(value))
                    elif key.startswith("kernel_"):
                        values[key] = float(value)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    return values


def main():
    java_cold, py = starts_side_by_side()
    java = java_side()
    java["start_ms"] = java_cold
    kernel = kernel_side()
    py_apply = apply_us()
    py_queue = queue_per_s()
    py_reads = queue_child_reads_per_s()
    version = sys.version.split()[0]
    print(f"CPython {version} and JDK {os.path.basename(os.environ['JAVA_HOME'])}, {os.cpu_count()} cores")
    print("| what | jcn.process | CPython | ratio |")
    print("|---|---|---|---|")
    spawn, forkserver = py['spawn'], py['forkserver']
    cpython_starts = f"spawn {spawn:.1f} / forkserver {forkserver:.1f} / fork {py['fork']:.1f}"
    print(f"| child start to result, cold JVM, ms (median of {STARTS}, in blocks alternating with CPython's) |"
          f" {java['start_ms']:.1f} | {cpython_starts} |"
          f" {java['start_ms'] / spawn:.2f}x spawn |")
    print(f"| child start to result, standby JVM, ms (median of {STARTS}, each after the standby booted) |"
          f" {java['standby_ms']:.1f} | {cpython_starts} | {java['standby_ms'] / spawn:.2f}x spawn,"
          f" {java['standby_ms'] / forkserver:.2f}x forkserver |")
    print(f"| child start to result, standby JVM, 20 back to back, ms (median) | {java['standby_burst_ms']:.1f} |"
          f" {cpython_starts} | {java['standby_burst_ms'] / spawn:.2f}x spawn |")
    print(f"| kernel: child start, cold JVM, ms (median of {STARTS}) | {kernel['kernel_cold_ms']:.1f} | |"
          f" {kernel['kernel_cold_ms'] / java['start_ms']:.2f}x the benchmark's cold child |")
    print(f"| kernel: child start, standby JVM, ms (median of {STARTS}) | {kernel['kernel_standby_ms']:.1f} |"
          f" {cpython_starts} | {kernel['kernel_standby_ms'] / spawn:.2f}x spawn |")
    applies = kernel["kernel_apply_us"]
    print(f"| kernel: pooled round trip, µs, {len(applies)} fresh kernels | {' / '.join(f'{a:.1f}' for a in applies)} |"
          f" {py_apply:.1f} | worst {max(applies) / py_apply:.2f}x |")
    print(f"| pooled round trip of a trivial task, µs | {java['apply_us']:.1f} | {py_apply:.1f} |"
          f" {java['apply_us'] / py_apply:.2f}x |")
    print(f"| queue, small messages per second | {java['queue_per_s']:,.0f} | {py_queue:,.0f} |"
          f" {java['queue_per_s'] / py_queue:.1f}x |")
    print(f"| queue read by a child, items per second (one request per item) | {java['queue_child_reads_per_s']:,.0f} |"
          f" {py_reads:,.0f} | {java['queue_child_reads_per_s'] / py_reads:.2f}x |")
    print()
    print(f"standby start: {java['standby_ms'] / spawn:.2f}x CPython spawn (target <= 0.5x),"
          f" {java['standby_ms'] / forkserver:.2f}x forkserver (target <= 1.0x)")
    print(f"cold start: {java['start_ms'] / spawn:.2f}x CPython spawn (target <= 1.0x)")
    print(f"kernel cold start: {kernel['kernel_cold_ms'] / java['start_ms']:.2f}x the benchmark's cold child"
          " (target <= 1.3x)")
    print(f"kernel pooled round trip: worst of {len(applies)} fresh kernels {max(applies):.1f} µs (target <= 50 µs)")
    print(f"pooled round trip: {java['apply_us'] / py_apply:.2f}x Pool.apply (target <= 0.1x)")
    print(f"queue throughput: {java['queue_per_s'] / py_queue:.1f}x multiprocessing.Queue (target >= 5x)")
    print(f"queue read by a child: {java['queue_child_reads_per_s'] / py_reads:.2f}x multiprocessing.Queue (no target;"
          " fair hand-out, one request per item)")


if __name__ == "__main__":
    sys.exit(main())
