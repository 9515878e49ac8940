"""One thread of this process fails while another works through 10 steps of 50 ms.

mode "exception": the failing thread raises an exception nobody catches.
mode "exit": the failing thread ends the whole process with os._exit(42), as a crash would.
The main thread waits for the worker and prints "worker finished after N steps" if it gets that far
(counted by the worker itself: the failing thread's traceback can land in the middle of a printed line).
"""
import os
import sys
import threading
import time


done = []


def work():
    for step in range(1, 11):
        print("step", step, flush=True)
        done.append(step)
        time.sleep(0.05)


def fail(mode):
    time.sleep(0.1)
    if mode == "exit":
        os._exit(42)
    raise RuntimeError("the failing thread gave up")


if __name__ == "__main__":
    worker = threading.Thread(target=work)
    failing = threading.Thread(target=fail, args=(sys.argv[1],))
    worker.start()
    failing.start()
    worker.join()
    failing.join()
    print(f"worker finished after {len(done)} steps", flush=True)
