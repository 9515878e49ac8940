"""get_nowait() on an empty multiprocessing.Queue, and empty() right after a put.

Prints `label | result` lines:
  nowait - what get_nowait() and get(False) raise on an empty queue, and how long they took;
  same   - in how many of N rounds empty() said True right after this process's put returned (qsize() beside it);
  child  - the same when a child put the item and signalled, through an Event, that its put had returned.
"""
import multiprocessing as mp
import queue
import sys
import time


def put_and_tell(q, done):
    q.put("item")
    done.set()


def nowait(q):
    t0 = time.perf_counter()
    raised = []
    for call in (q.get_nowait, lambda: q.get(False)):
        try:
            call()
        except queue.Empty:
            raised.append("queue.Empty")
    return "%s in %.3f ms" % (" and ".join(raised), (time.perf_counter() - t0) * 1000)


if __name__ == "__main__":
    rounds = int(sys.argv[1])
    q = mp.Queue()
    print("nowait |", nowait(q))
    said_empty = sized = 0
    for _ in range(rounds):
        q.put("item")
        said_empty += q.empty()
        sized += q.qsize() == 1
        q.get(timeout=10)
    print("same |", said_empty, sized, rounds)
    said_empty = 0
    for _ in range(rounds):
        done = mp.Event()
        writer = mp.Process(target=put_and_tell, args=(q, done))
        writer.start()
        done.wait(10)
        said_empty += q.empty()
        q.get(timeout=10)
        writer.join()
    print("child |", said_empty, rounds)
