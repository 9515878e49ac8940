"""What Thread.join(timeout) returns, for a thread still running and for one that ended."""
import threading
import time

worker = threading.Thread(target=time.sleep, args=(0.3,))
worker.start()
timed = worker.join(0.05)
print("timed", repr(timed), worker.is_alive())
full = worker.join()
print("full", repr(full), worker.is_alive())
