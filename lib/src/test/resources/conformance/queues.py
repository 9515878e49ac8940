"""Queue scenarios of the conformance suite: python3 queues.py SCENARIO [TMPDIR] prints one JSON line."""
import json
import multiprocessing as mp
import os
import queue
import signal
import sys
import time


def writer(q, n):
    for i in range(n):
        q.put(i)


def tagged_writer(q, w, n):
    for i in range(n):
        q.put("%d:%d" % (w, i))


def end_reader(q, results):
    n = 0
    while True:
        item = q.get(timeout=20)
        if item is None:
            break
        n += 1
    results.put(n)


def sharing_reader(q, results, name):
    got = 0
    while True:
        try:
            q.get(timeout=2)
        except queue.Empty:
            break
        got += 1
        time.sleep(0.01)
    results.put((name, got))


def logging_reader(q, path, stall_after):
    n = 0
    while True:
        try:
            item = q.get(timeout=2)
        except queue.Empty:
            return
        with open(path, "a") as f:
            f.write("%d\n" % item)
        n += 1
        if n == stall_after:
            time.sleep(60)  # killed here by the parent
        time.sleep(0.01)


def put_one_and_stay(q, signal_q):
    q.put("child")
    signal_q.put("put")
    time.sleep(60)


def blocked_putter(q, returned):
    q.put("third")
    returned.put("returned")


def waiting_getter(q, ready, results):
    ready.put("waiting")
    try:
        q.get(timeout=3)
        results.put("got")
    except queue.Empty:
        results.put("Empty")
    except Exception as e:
        results.put(type(e).__name__)


def fifo(tmp=None):
    q = mp.Queue()
    p = mp.Process(target=writer, args=(q, 1000))
    p.start()
    got = [q.get(timeout=20) for _ in range(1000)]
    p.join(20)
    return {"inOrder": got == list(range(1000)), "count": len(got)}


def many_writers(tmp=None):
    q = mp.Queue()
    ps = [mp.Process(target=tagged_writer, args=(q, w, 50)) for w in range(4)]
    for p in ps:
        p.start()
    got = [q.get(timeout=20) for _ in range(200)]
    for p in ps:
        p.join(20)
    per = {}
    for item in got:
        w, i = item.split(":")
        per.setdefault(w, []).append(int(i))
    return {"count": len(got), "perWriterInOrder": all(v == list(range(50)) for v in per.values()), "writers": len(per)}


def end_marks(tmp=None):
    q, results = mp.Queue(), mp.Queue()
    ps = [mp.Process(target=end_reader, args=(q, results)) for _ in range(3)]
    for p in ps:
        p.start()
    for i in range(100):
        q.put(i)
    for _ in ps:
        q.put(None)
    counts = [results.get(timeout=20) for _ in ps]
    for p in ps:
        p.join(20)
    return {"total": sum(counts), "readersEnded": len(counts)}


def get_timeout(tmp=None):
    q = mp.Queue()
    start = time.monotonic()
    try:
        q.get(timeout=0.5)
        outcome = "item"
    except queue.Empty:
        outcome = "timeout"
    return {"outcome": outcome, "elapsedMs": int((time.monotonic() - start) * 1000)}


def closed_by_owner(tmp=None):
    q, ready, results = mp.Queue(), mp.Queue(), mp.Queue()
    p = mp.Process(target=waiting_getter, args=(q, ready, results))
    p.start()
    ready.get(timeout=20)
    time.sleep(0.2)
    q.close()
    outcome = results.get(timeout=20)
    p.join(20)
    return {"childGet": outcome}


def writer_returns(tmp=None):
    q = mp.Queue()
    p = mp.Process(target=writer, args=(q, 1000))
    p.start()
    p.join(20)  # 1000 small ints fit the pipe, so the child's feeder thread can flush and the child exit
    got = []
    try:
        while True:
            got.append(q.get(timeout=2 if len(got) < 1000 else 0.2))
    except queue.Empty:
        pass
    return {"exited": p.exitcode == 0, "count": len(got), "inOrder": got == list(range(1000))}


def two_readers_share(tmp=None):
    q, results = mp.Queue(), mp.Queue()
    ps = [mp.Process(target=sharing_reader, args=(q, results, name)) for name in ("a", "b")]
    for p in ps:
        p.start()
    for i in range(100):
        q.put(i)
    got = dict(results.get(timeout=30) for _ in ps)
    for p in ps:
        p.join(20)
    return {"a": got["a"], "b": got["b"]}


def killed_reader(tmp):
    q = mp.Queue()
    a, b = os.path.join(tmp, "a.txt"), os.path.join(tmp, "b.txt")
    pa = mp.Process(target=logging_reader, args=(q, a, 5))
    pb = mp.Process(target=logging_reader, args=(q, b, -1))
    for i in range(100):
        q.put(i)
    pa.start()
    pb.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if os.path.exists(a) and len(open(a).read().split()) >= 5:
            break
        time.sleep(0.01)
    os.kill(pa.pid, signal.SIGKILL)
    pa.join(20)
    pb.join(30)
    seen = []
    for path in (a, b):
        if os.path.exists(path):
            seen += [int(x) for x in open(path).read().split()]
    return {"killedReaderRead": len(open(a).read().split()), "distinct": len(set(seen)), "duplicates": len(seen) - len(set(seen))}


def bounded_counts_items(tmp=None):
    q, sig = mp.Queue(10), mp.Queue()
    p = mp.Process(target=put_one_and_stay, args=(q, sig))
    p.start()
    sig.get(timeout=20)
    ok = 0
    for i in range(9):
        try:
            q.put(i, timeout=1)
            ok += 1
        except queue.Full:
            break
    start = time.monotonic()
    try:
        q.put("one too many", timeout=1)
        last = "ok"
    except queue.Full:
        last = "timeout"
    elapsed = int((time.monotonic() - start) * 1000)
    p.kill()
    p.join(20)
    return {"putsOk": ok, "tenthPut": last, "elapsedMs": elapsed}


def bounded_blocks(tmp=None):
    q, returned = mp.Queue(2), mp.Queue()
    q.put("first")
    q.put("second")
    p = mp.Process(target=blocked_putter, args=(q, returned))
    p.start()
    try:
        returned.get(timeout=0.5)
        before = "returned"
    except queue.Empty:
        before = "blocked"
    taken = q.get(timeout=5)
    after = returned.get(timeout=20)
    rest = [q.get(timeout=5), q.get(timeout=5)]
    p.join(20)
    return {"beforeTake": before, "afterTake": after, "taken": taken, "rest": rest}


SCENARIOS = {
    "fifo": fifo, "many_writers": many_writers, "end_marks": end_marks, "get_timeout": get_timeout,
    "closed_by_owner": closed_by_owner, "writer_returns": writer_returns, "two_readers_share": two_readers_share,
    "killed_reader": killed_reader, "bounded_counts_items": bounded_counts_items, "bounded_blocks": bounded_blocks,
}

if __name__ == "__main__":
    mp.set_start_method("spawn")
    fn = SCENARIOS[sys.argv[1]]
    out = fn(*sys.argv[2:])
    print(json.dumps(out), flush=True)
