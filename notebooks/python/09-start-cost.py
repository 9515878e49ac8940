"""What a process pool costs to start and per task (fresh children: 08-start-methods.py).

Arguments: tasks per pooled timing, tasks run between the two pooled timings.
Prints: the default start method, a spawn pool's start + first task in ms, and the pooled task
cost in microseconds before and after the extra tasks.
"""
import multiprocessing as mp
import sys
import time


def trivial():
    return 1


def pooled_us(pool, count):
    t0 = time.perf_counter()
    for _ in range(count):
        pool.apply(trivial)
    return (time.perf_counter() - t0) / count * 1e6


if __name__ == "__main__":
    trips, extra = (int(a) for a in sys.argv[1:3])
    default_method = mp.get_start_method()
    ctx = mp.get_context("spawn")   # a fresh interpreter per child, as a JVM child is
    t0 = time.perf_counter()
    pool = ctx.Pool(2)
    pool.apply(trivial)
    start_ms = (time.perf_counter() - t0) * 1000
    first = pooled_us(pool, trips)
    for _ in range(extra):
        pool.apply(trivial)
    later = pooled_us(pool, trips)
    pool.close()
    pool.join()
    print(default_method, round(start_ms, 1), round(first, 1), round(later, 1))
