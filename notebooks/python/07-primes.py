"""Count the primes below a limit with several CPython threads or processes, timing each part.

Usage: 07-primes.py threads|processes WORKERS LIMIT
Blocks of 1000 numbers are dealt round-robin, so every worker gets a fair share of the large numbers.
Prints: primes found, wall ms, start ms (creating the workers), compute ms (the slowest worker's own
time counting), stop ms (closing the pool or joining the threads after the results are in), and
cpu ms (CPU time of this process and of its finished child processes, all threads together).
"""
import multiprocessing as mp
import resource
import sys
import threading
import time

BLOCK = 1000


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count(worker, limit, workers):
    began = time.perf_counter()
    found = 0
    for b in range(worker * BLOCK, limit, workers * BLOCK):
        for n in range(b, min(b + BLOCK, limit)):
            if is_prime(n):
                found += 1
    return found, time.perf_counter() - began


if __name__ == "__main__":
    mode, workers, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    t0 = time.perf_counter()
    c0 = time.process_time()
    if mode == "threads":
        results = [None] * workers

        def run(i):
            results[i] = count(i, limit, workers)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
        for t in threads:
            t.start()
        t1 = time.perf_counter()
        for t in threads:
            t.join()
        t2 = t3 = time.perf_counter()
    else:
        pool = mp.Pool(workers)
        t1 = time.perf_counter()
        results = pool.starmap(count, [(i, limit, workers) for i in range(workers)])
        t2 = time.perf_counter()
        pool.close()
        pool.join()
        t3 = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + children.ru_utime + children.ru_stime

    def ms(seconds):
        return round(seconds * 1000, 1)

    print(sum(r[0] for r in results), ms(t3 - t0), ms(t1 - t0), ms(max(r[1] for r in results)), ms(t3 - t2), ms(cpu))
