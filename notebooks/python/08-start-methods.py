"""How long a child process takes with each of CPython's start methods, on this machine.

Argument: how many children to time per method. Each method first starts one child that is not
timed (forkserver starts its server then; every method loads what it needs once). Prints one
line per method: its name and the median milliseconds from Process.start() to the end of join().
"""
import multiprocessing as mp
import statistics
import sys
import time


def empty():
    pass


def start_to_join_ms(ctx):
    t0 = time.perf_counter()
    child = ctx.Process(target=empty)
    child.start()
    child.join()
    return (time.perf_counter() - t0) * 1000


if __name__ == "__main__":
    rounds = int(sys.argv[1])
    for method in ("spawn", "forkserver", "fork"):
        ctx = mp.get_context(method)
        start_to_join_ms(ctx)
        times = [start_to_join_ms(ctx) for _ in range(rounds)]
        print(method, round(statistics.median(times), 1))
