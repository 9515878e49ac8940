"""Two threads add 1 to a shared global counter N times each; prints how many additions were lost.

mode "bare": the loop body is only `counter += 1`.
mode "call": the loop body is `counter = counter + one()`, a Python function called between reading
the counter and writing it back.
"""
import sys
import threading

counter = 0


def one():
    return 1


def bare(n, start):
    global counter
    start.wait()  # both threads begin together, so their loops overlap
    for _ in range(n):
        counter += 1


def call(n, start):
    global counter
    start.wait()
    for _ in range(n):
        counter = counter + one()


if __name__ == "__main__":
    mode, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    body = bare if mode == "bare" else call
    lost = []
    for _ in range(runs):
        counter = 0
        start = threading.Barrier(2)
        threads = [threading.Thread(target=body, args=(n, start)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lost.append(2 * n - counter)
    print(*lost)
