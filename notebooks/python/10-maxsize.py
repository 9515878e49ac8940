"""What the size limit of a multiprocessing.Queue counts, and its default.

Prints `label | result` lines:
  default - Queue()'s limit and the largest value a POSIX semaphore may hold here;
  items   - a Queue(maxsize=2) given two items of 8 MiB each, then one of a single byte.
"""
import multiprocessing as mp
import queue
from multiprocessing.synchronize import SEM_VALUE_MAX

if __name__ == "__main__":
    print("default |", mp.Queue()._maxsize, SEM_VALUE_MAX)
    two = mp.Queue(maxsize=2)
    big = b"x" * (8 * 1024 * 1024)
    two.put(big)
    two.put(big)
    try:
        two.put_nowait(b"y")
        third = "accepted"
    except queue.Full:
        third = "queue.Full"
    print("items |", two.qsize(), two.full(), third)
    two.get()
    two.get()
