# One worker, three tasks that each sleep: the first runs, two wait in the queue. Then
# shutdown(wait=True, cancel_futures=True) (Python 3.9+). Prints one line per task and how long
# the shutdown call took, as key=value words.
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sleep_s = float(sys.argv[1])
first_started = threading.Event()


def nap(n):
    first_started.set()
    time.sleep(sleep_s)
    return n


pool = ThreadPoolExecutor(max_workers=1)
futures = [pool.submit(nap, n) for n in range(3)]
first_started.wait(5)              # task 0 is running, tasks 1 and 2 are queued
t0 = time.perf_counter()
pool.shutdown(wait=True, cancel_futures=True)
took_ms = (time.perf_counter() - t0) * 1000
for n, f in enumerate(futures):
    print("task=%d %s" % (n, "cancelled" if f.cancelled() else "finished,result=%s" % f.result()))
print("shutdown_ms=%.0f python=%s" % (took_ms, sys.version.split()[0]))
