"""Messages per second from a child to its parent through a multiprocessing.Queue.

Arguments: messages per round, rounds. Prints the start method and the best rate in messages per second,
counted from the first message the parent takes to the end mark (None), so the child's start is left out.
"""
import multiprocessing as mp
import sys
import time


def send(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)


def one_round(n):
    q = mp.Queue()
    sender = mp.Process(target=send, args=(q, n))
    sender.start()
    total, count = q.get(), 1
    t0 = time.perf_counter()
    while (x := q.get()) is not None:
        total += x
        count += 1
    seconds = time.perf_counter() - t0
    sender.join()
    if count != n or total != n * (n - 1) // 2:
        raise SystemExit("messages were lost: %d of %d arrived" % (count, n))
    return (n - 1) / seconds


if __name__ == "__main__":
    n, rounds = int(sys.argv[1]), int(sys.argv[2])
    print(mp.get_start_method(), round(max(one_round(n) for _ in range(rounds))))
