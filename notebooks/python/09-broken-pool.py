"""ProcessPoolExecutor: one worker killed with SIGKILL while six tasks are queued or running.

Prints: how many tasks finished, how many failed, and the exception types seen.
"""
import concurrent.futures as cf
import os
import signal
import time


def nap(seconds):
    time.sleep(seconds)
    return os.getpid()


if __name__ == "__main__":
    finished = failed = 0
    kinds = set()
    with cf.ProcessPoolExecutor(2) as pool:
        futures = [pool.submit(nap, 0.3) for _ in range(6)]
        time.sleep(0.15)
        victim = next(iter(pool._processes))   # the pid of one worker (a private field)
        os.kill(victim, signal.SIGKILL)
        for f in futures:
            try:
                f.result(timeout=30)
                finished += 1
            except Exception as e:
                failed += 1
                kinds.add(type(e).__name__)
    print(finished, failed, "/".join(sorted(kinds)))
