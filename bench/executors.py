"""Per-task cost of ThreadPool.map vs a raw ExecutorService vs CPython's ThreadPoolExecutor.

Run with ./jcn bench executors. All three apply a trivial function to 100 000 inputs with the
same number of workers (Python's default, min(32, cores + 4)) and report the median cost per
task over several rounds; the ratios are the figures the helper jar is held to.
"""

import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASKS = int(os.environ.get("JCN_BENCH_TASKS", "100000"))
ROUNDS = 5


def python_per_task_us(workers):
    def inc(i):
        return i + 1

    samples = []
    for r in range(ROUNDS + 1):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            t0 = time.perf_counter()
            out = list(pool.map(inc, range(TASKS)))
            elapsed = time.perf_counter() - t0
        assert len(out) == TASKS
        if r > 0:  # the first round warms up
            samples.append(elapsed / TASKS * 1e6)
    return statistics.median(samples)


def main():
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java"
    jar = ROOT / "lib" / "target" / "jcn-lib.jar"
    out = subprocess.run([str(java), "-cp", str(jar), "jcn.bench.ExecutorBenchmark", str(TASKS)],
                         check=True, capture_output=True, text=True, timeout=600).stdout.split()
    tasks, workers, pool_us, raw_us, ratio = int(out[0]), int(out[1]), float(out[2]), float(out[3]), float(out[4])
    py_us = python_per_task_us(workers)
    print(f"{tasks} trivial tasks, {workers} workers, median per task:")
    print("| what | µs per task |")
    print("|---|---|")
    print(f"| jcn ThreadPool.map | {pool_us:.3f} |")
    print(f"| raw ExecutorService submit + get | {raw_us:.3f} |")
    print(f"| CPython {sys.version.split()[0]} ThreadPoolExecutor.map | {py_us:.3f} |")
    print()
    print(f"ThreadPool.map / raw ExecutorService = {ratio:.2f}x, median of paired rounds (target <= 1.2x)")
    print(f"ThreadPool.map / CPython ThreadPoolExecutor = {pool_us / py_us:.3f}x (target <= 0.1x)")


if __name__ == "__main__":
    sys.exit(main())
