"""One thread of this process fails while another works through 10 steps of 50 ms.

mode "exception": the failing thread raises an exception nobody catches.
mode "exit": the failing thread ends the whole process with os._exit(42), as a crash would.
The main thread waits for the worker and prints "worker finished" if it gets that far.
"""
import os
import sys
import threading
import time


def work():
    for step in range(1, 11):
        print("step", step, flush=True)
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
    print("worker finished", flush=True)
