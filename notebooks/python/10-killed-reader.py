"""A reader is killed (SIGKILL) after it took 15 of 100 numbers; a second reader takes what is left."""
import multiprocessing as mp
import os
import queue
import sys
import time


def first_reader(work, log_path):
    with open(log_path, "a") as log:
        while True:
            item = work.get()
            log.write(f"{item}\n")  # written before the next get, so nothing taken goes unrecorded
            log.flush()
            time.sleep(0.02)


def second_reader(work, counts):
    got = 0
    while True:
        try:
            work.get(timeout=1)
        except queue.Empty:
            break
        got += 1
    counts.put(got)


if __name__ == "__main__":
    log_path = sys.argv[1]
    work, counts = mp.Queue(), mp.Queue()
    for i in range(100):
        work.put(i)
    victim = mp.Process(target=first_reader, args=(work, log_path))
    victim.start()
    while not os.path.exists(log_path) or sum(1 for _ in open(log_path)) < 15:
        time.sleep(0.005)
    victim.kill()
    victim.join()
    taken = sum(1 for _ in open(log_path))
    survivor = mp.Process(target=second_reader, args=(work, counts))
    survivor.start()
    rest = counts.get(timeout=30)
    survivor.join()
    print(mp.get_start_method(), taken, rest, 100 - taken - rest)
