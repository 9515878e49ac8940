"""The notes' endless reader: a writer puts a few values, a reader loops on get() forever, and the parent
stops the reader with terminate() once the queue is empty.

Arguments: how many values the writer puts, and its pause between them in milliseconds.
Prints `label | result` lines: one `reader` line per value the reader got (the reader prints it as it goes),
then, from the parent, the start method, what queue.empty() and pr.is_alive() said just before terminate(),
and pr.exitcode after it.
"""
import multiprocessing as mp
import sys
import time


def write(q, items, pause):
    for i in range(items):
        q.put(f"value {i}")
        time.sleep(pause)


def read(q):
    while True:  # no end mark: this reader never stops by itself
        print("reader | got", q.get(), flush=True)


if __name__ == "__main__":
    items, pause = int(sys.argv[1]), int(sys.argv[2]) / 1000
    q = mp.Queue()
    pw = mp.Process(target=write, args=(q, items, pause))
    pr = mp.Process(target=read, args=(q,))
    pw.start()
    pr.start()
    pw.join()
    deadline = time.monotonic() + 5
    while not q.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # as in the Java cell: let the reader print its last line
    empty, alive = q.empty(), pr.is_alive()
    pr.terminate()  # the notes test queue.empty() first; it is stopped here either way, so nothing outlives the program
    pr.join(5)
    # the parent prints only now, so no child inherits an unflushed line of its output
    print("start method |", mp.get_start_method())
    print("queue.empty() |", empty)
    print("pr.is_alive() |", alive)
    print("pr.exitcode |", pr.exitcode)
