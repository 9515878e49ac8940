"""Two reader processes share one multiprocessing.Queue of 100 numbers; each works 10 ms per item."""
import multiprocessing as mp
import queue
import time


def reader(work, counts, name):
    got = 0
    while True:
        try:
            work.get(timeout=2)
        except queue.Empty:
            break
        got += 1
        time.sleep(0.01)
    counts.put((name, got))


if __name__ == "__main__":
    work, counts = mp.Queue(), mp.Queue()
    readers = [mp.Process(target=reader, args=(work, counts, f"reader {i + 1}")) for i in range(2)]
    for r in readers:
        r.start()
    for i in range(100):
        work.put(i)
    got = dict(counts.get(timeout=30) for _ in readers)
    for r in readers:
        r.join()
    print(mp.get_start_method(), got["reader 1"], got["reader 2"])
