"""Child processes, process pools and inter-process queues: jcn.process against CPython.

Run with ./jcn bench processes. Both sides are measured in the same run on the same machine:

* start: a child process that does nothing, from start to join (Java: start to result, which
  includes the join), with each of CPython's start methods;
* pooled round trip: Pool.apply of a trivial function on a pool of one worker;
* queue: small integers sent from a child to its parent through multiprocessing.Queue /
  ProcessQueue, counted from the first message the parent takes to the end mark;
* queue read by a child: the parent fills the queue, a child reads it to the end mark and
  times itself (ours asks the parent for each item, which is what keeps several readers fair).
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
TRIPS = int(os.environ.get("JCN_BENCH_TRIPS", "3000"))
MESSAGES = int(os.environ.get("JCN_BENCH_MESSAGES", "200000"))


def nothing():
    pass


def one():
    return 1


def writer(queue, n):
    for i in range(n):
        queue.put(i)
    queue.put(None)


def start_ms(method):
    ctx = mp.get_context(method)
    samples = []
    for i in range(STARTS + 2):
        t0 = time.perf_counter()
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
        if i >= 2:
            samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


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
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java"
    jar = ROOT / "lib" / "target" / "jcn-lib.jar"
    out = subprocess.run([str(java), "-cp", str(jar), "jcn.bench.ProcessBenchmark",
                          str(STARTS), str(TRIPS), str(MESSAGES * 2)],
                         check=True, capture_output=True, text=True, timeout=900).stdout
    values = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        values[key] = float(value)
    return values


def main():
    java = java_side()
    py = {m: start_ms(m) for m in ("spawn", "forkserver", "fork")}
    py_apply = apply_us()
    py_queue = queue_per_s()
    py_reads = queue_child_reads_per_s()
    version = sys.version.split()[0]
    print(f"CPython {version} and JDK {os.path.basename(os.environ['JAVA_HOME'])}, {os.cpu_count()} cores")
    print("| what | jcn.process | CPython | ratio |")
    print("|---|---|---|---|")
    print(f"| child start to result, ms (median of {STARTS}) | {java['start_ms']:.1f} | spawn {py['spawn']:.1f}"
          f" / forkserver {py['forkserver']:.1f} / fork {py['fork']:.1f} | {java['start_ms'] / py['spawn']:.2f}x spawn |")
    print(f"| pooled round trip of a trivial task, µs | {java['apply_us']:.1f} | {py_apply:.1f} |"
          f" {java['apply_us'] / py_apply:.2f}x |")
    print(f"| queue, small messages per second | {java['queue_per_s']:,.0f} | {py_queue:,.0f} |"
          f" {java['queue_per_s'] / py_queue:.1f}x |")
    print(f"| queue read by a child, items per second (one request per item) | {java['queue_child_reads_per_s']:,.0f} |"
          f" {py_reads:,.0f} | {java['queue_child_reads_per_s'] / py_reads:.2f}x |")
    print()
    print(f"start: {java['start_ms'] / py['spawn']:.2f}x CPython spawn (target <= 0.5x),"
          f" {java['start_ms'] / py['forkserver']:.2f}x forkserver")
    print(f"pooled round trip: {java['apply_us'] / py_apply:.2f}x Pool.apply (target <= 0.1x)")
    print(f"queue throughput: {java['queue_per_s'] / py_queue:.1f}x multiprocessing.Queue (target >= 5x)")
    print(f"queue read by a child: {java['queue_child_reads_per_s'] / py_reads:.2f}x multiprocessing.Queue (no target;"
          " fair hand-out, one request per item)")


if __name__ == "__main__":
    sys.exit(main())
