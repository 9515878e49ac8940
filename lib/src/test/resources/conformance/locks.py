"""Lock scenarios of the conformance suite: python3 locks.py SCENARIO TMPDIR prints one JSON line."""
import json
import multiprocessing as mp
import os
import queue
import sys
import time


def count(lock, path, n):
    for _ in range(n):
        with lock:
            v = int(open(path).read())
            with open(path, "w") as f:
                f.write(str(v + 1))


def mutual_exclusion(tmp):
    path = os.path.join(tmp, "counter.txt")
    with open(path, "w") as f:
        f.write("0")
    lock = mp.Lock()
    ps = [mp.Process(target=count, args=(lock, path, 25)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join(60)
    return {"counter": int(open(path).read())}


def hold(lock, signal_q):
    lock.acquire()
    signal_q.put("holding")
    time.sleep(60)


def killed_holder(tmp):
    lock, sig = mp.Lock(), mp.Queue()
    p = mp.Process(target=hold, args=(lock, sig))
    p.start()
    sig.get(timeout=20)
    p.kill()
    p.join(20)
    got = lock.acquire(timeout=1)
    return {"acquiredAfterKill": got}


def timed_waiter(lock, events, go):
    start = time.monotonic()
    got = lock.acquire(timeout=0.5)
    events.put(("first", got, int((time.monotonic() - start) * 1000)))
    go.get(timeout=20)  # the parent has released
    start = time.monotonic()
    got = lock.acquire(timeout=5)
    events.put(("second", got, int((time.monotonic() - start) * 1000)))
    if got:
        lock.release()


def third(lock, events):
    got = lock.acquire(timeout=5)
    if got:
        lock.release()
    events.put(("third", got, 0))


def timeout_no_stale_state(tmp):
    lock, events, go = mp.Lock(), mp.Queue(), mp.Queue()
    lock.acquire()
    p = mp.Process(target=timed_waiter, args=(lock, events, go))
    p.start()
    first = events.get(timeout=20)
    lock.release()
    go.put("released")
    second = events.get(timeout=20)
    p.join(20)
    t = mp.Process(target=third, args=(lock, events))
    t.start()
    third_out = events.get(timeout=20)
    t.join(20)
    return {"firstAcquired": first[1], "firstMs": first[2], "secondAcquired": second[1], "secondMs": second[2],
            "thirdAcquired": third_out[1]}


def not_reentrant(tmp):
    lock = mp.Lock()
    lock.acquire()
    start = time.monotonic()
    again = lock.acquire(timeout=0.3)
    return {"secondAcquire": again, "elapsedMs": int((time.monotonic() - start) * 1000)}


def owner_timeout(tmp):
    lock, sig = mp.Lock(), mp.Queue()
    p = mp.Process(target=hold, args=(lock, sig))
    p.start()
    sig.get(timeout=20)
    start = time.monotonic()
    got = lock.acquire(timeout=0.5)
    elapsed = int((time.monotonic() - start) * 1000)
    p.kill()
    p.join(20)
    return {"acquired": got, "elapsedMs": elapsed}


def increment(path):
    v = int(open(path).read())
    time.sleep(0.001)
    with open(path, "w") as f:
        f.write(str(v + 1))


def racing_waiter(lock, path, results):
    holds = 0
    for _ in range(30):
        if lock.acquire(timeout=0.05):
            try:
                increment(path)
                holds += 1
            finally:
                lock.release()
    last = lock.acquire(timeout=5)
    if last:
        increment(path)
        holds += 1
        lock.release()
    results.put((holds, last))


def racing_third(lock, path, results):
    got = lock.acquire(timeout=5)
    if got:
        increment(path)
        lock.release()
    results.put(got)


def timeouts_racing_releases(tmp):
    path = os.path.join(tmp, "racing.txt")
    with open(path, "w") as f:
        f.write("0")
    lock, results = mp.Lock(), mp.Queue()
    p = mp.Process(target=racing_waiter, args=(lock, path, results))
    p.start()
    mine = 0
    for i in range(30):
        if lock.acquire(timeout=5):
            increment(path)
            mine += 1
            time.sleep(i % 3 * 0.025)
            lock.release()
        time.sleep(i % 4 * 0.015)
    holds, last = results.get(timeout=30)
    p.join(20)
    t = mp.Process(target=racing_third, args=(lock, path, results))
    t.start()
    third_got = results.get(timeout=20)
    t.join(20)
    counter = int(open(path).read())
    return {"noLostUpdate": counter == mine + holds + (1 if third_got else 0), "waiterLastAcquire": last,
            "thirdAcquired": third_got}


SCENARIOS = {f.__name__: f for f in (mutual_exclusion, killed_holder, timeout_no_stale_state, not_reentrant, owner_timeout,
                                     timeouts_racing_releases)}

if __name__ == "__main__":
    mp.set_start_method("spawn")
    print(json.dumps(SCENARIOS[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else None)), flush=True)
