"""multiprocessing.Pool: terminate() while tasks run, and what leaving `with Pool() as pool:` does.

Prints five fields:
  ms from terminate() until join() returned, workers still alive after it,
  unfinished results that ever became ready (out of 4), ms to leave a `with` block whose task
  still slept, and whether that task's result was ready.
"""
import multiprocessing as mp
import time


def nap(seconds):
    time.sleep(seconds)
    return seconds


if __name__ == "__main__":
    pool = mp.Pool(2)
    results = [pool.apply_async(nap, (30,)) for _ in range(4)]   # two run, two wait
    time.sleep(0.5)
    t0 = time.perf_counter()
    pool.terminate()   # kills the workers now; nothing finishes
    pool.join()
    terminate_ms = (time.perf_counter() - t0) * 1000
    alive = len(mp.active_children())
    time.sleep(0.5)
    ready = sum(r.ready() for r in results)

    t0 = time.perf_counter()
    with mp.Pool(2) as scoped:
        unfinished = scoped.apply_async(nap, (30,))
        time.sleep(0.3)
    with_ms = (time.perf_counter() - t0) * 1000 - 300   # __exit__ calls terminate(), not close() + join()
    print(round(terminate_ms), alive, ready, round(with_ms), unfinished.ready())
