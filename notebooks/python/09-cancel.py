"""ProcessPoolExecutor: cancel() of a task that still waits, and of one that runs."""
import concurrent.futures as cf
import time


def work(seconds, label):
    time.sleep(seconds)
    return label


if __name__ == "__main__":
    with cf.ProcessPoolExecutor(2) as pool:
        slow = pool.submit(work, 1.5, "slow")
        quick = pool.submit(work, 0.3, "quick")
        # The executor moves up to workers + 1 tasks into its call queue ahead of time, where they
        # count as running and can no longer be cancelled; the task after them really waits.
        extra = [pool.submit(work, 0, "extra") for _ in range(3)]
        waiting = pool.submit(work, 0, "waiting")
        time.sleep(0.2)
        t0 = time.perf_counter()
        waiting_cancelled = waiting.cancel()
        slow_cancelled = slow.cancel()
        slow_result = slow.result(timeout=30)
        waited = time.perf_counter() - t0
    print(waiting_cancelled, waiting.cancelled(), slow_cancelled, slow_result, round(waited * 1000))
