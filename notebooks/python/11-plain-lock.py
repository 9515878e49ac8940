"""multiprocessing.Lock() with a Pool and with a Process: passed as a task argument, inherited, or given to a
Pool initializer. Each working way adds 1 to a counter file `jobs` times under the lock.

Argument: jobs. Prints `label | result` lines: argument, process, initializer.
"""
import multiprocessing as mp
import os
import sys
import tempfile

lock = None   # set in each pool worker by remember()


def bump(path, times, the_lock):
    for _ in range(times):
        with the_lock:
            with open(path, "r+") as f:
                n = int(f.read() or 0)
                f.seek(0)
                f.write(str(n + 1))


def task_with_lock(path, times, the_lock):
    bump(path, times, the_lock)


def remember(the_lock):
    global lock
    lock = the_lock


def task_using_inherited(path, times):
    bump(path, times, lock)


def counted(path):
    with open(path) as f:
        return int(f.read())


if __name__ == "__main__":
    jobs = int(sys.argv[1])
    path = tempfile.mkstemp()[1]
    shared = mp.Lock()
    with mp.Pool(2) as pool:
        try:
            pool.apply_async(task_with_lock, (path, jobs, shared)).get(30)
            print("argument | accepted")
        except RuntimeError as e:
            print("argument | RuntimeError:", e)
    workers = [mp.Process(target=bump, args=(path, jobs // 2, shared)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print("process |", counted(path), jobs)
    with open(path, "w") as f:
        f.write("0")
    with mp.Pool(2, initializer=remember, initargs=(shared,)) as pool:
        pool.starmap(task_using_inherited, [(path, jobs // 4)] * 4)
    print("initializer |", counted(path), jobs)
    os.remove(path)
