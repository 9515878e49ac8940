"""How many workers Pool() and ProcessPoolExecutor() start when given no size, and what they count.

Prints: os.cpu_count(), the cores this process may run on, Pool()'s size, ProcessPoolExecutor()'s size.
"""
import concurrent.futures as cf
import multiprocessing as mp
import os

if __name__ == "__main__":
    usable = len(os.sched_getaffinity(0))   # what taskset or a container allows
    with mp.Pool() as pool:
        pool_size = pool._processes          # private field: the size it chose
    with cf.ProcessPoolExecutor() as executor:
        executor_size = executor._max_workers
    print(os.cpu_count(), usable, pool_size, executor_size)
