"""The notes' way of getting a value back from a Process, run with its two slips, then mended.

Prints `label | result` lines:
  args    - args=(results): parentheses without a comma are no tuple, so Process tries to make one from the queue;
  iterate - a list comprehension over a multiprocessing.Queue;
  mended  - args=(results,) and one get() per worker.
"""
import multiprocessing as mp


def give_back(results, value):
    results.put(value)


def attempt(label, action):
    try:
        print(label, "|", action())
    except TypeError as e:
        print(label, "|", "TypeError:", e)


if __name__ == "__main__":
    results = mp.Queue()
    attempt("args", lambda: mp.Process(target=give_back, args=(results)))
    results.put(5)
    attempt("iterate", lambda: [item for item in results])
    results.get()
    workers = [mp.Process(target=give_back, args=(results, 10 * w)) for w in range(3)]
    for w in workers:
        w.start()
    got = sorted(results.get(timeout=30) for _ in workers)
    for w in workers:
        w.join()
    print("mended |", got)
