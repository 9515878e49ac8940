"""The calls of the notes' Process table, once each, on a child whose target would sleep for a while.

Prints one `call | result` line per call, in the order the calls are made; the first line is the start method.
"""
import multiprocessing as mp
import sys
import time


def nap(seconds):
    time.sleep(seconds)


if __name__ == "__main__":
    sleep_seconds = float(sys.argv[1])
    p = mp.Process(target=nap, args=(sleep_seconds,))
    print("start method |", mp.get_start_method())
    p.start()
    print("p.start() | pid", p.pid)
    print("p.is_alive() |", p.is_alive())
    t0 = time.perf_counter()
    answer = p.join(0.3)
    print("p.join(0.3) | returned %r after %.0f ms" % (answer, (time.perf_counter() - t0) * 1000))
    print("p.exitcode |", p.exitcode)
    p.kill()
    answer = p.join(5)
    print("p.kill(); p.join(5) | returned %r" % (answer,))
    print("p.is_alive() |", p.is_alive())
    print("p.exitcode |", p.exitcode)
