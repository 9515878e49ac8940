"""Pool scenarios of the conformance suite: python3 pools.py SCENARIO TMPDIR prints one JSON line."""
import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import signal
import sys
import time


def square_slowly(x):
    time.sleep((6 - x) * 0.02)
    return x * x


def divide(x):
    return 10 // x


def raise_value_error():
    raise ValueError("bad input")


def kill_self():
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(5)


def slow_pid(_=None):
    time.sleep(0.1)
    return os.getpid()


def sleep_ms(ms):
    time.sleep(ms / 1000)
    return ms


def touch(path):
    with open(path, "a") as f:
        f.write("ran\n")
    return "ran"


def tick(path):
    for i in range(30):
        with open(path, "a") as f:
            f.write("%d\n" % i)
        time.sleep(0.05)
    return "finished"


def put_into(q, x):
    q.put(x)
    return x


def fail_init():
    raise RuntimeError("cannot start")


def lines(path):
    return len(open(path).read().split()) if os.path.exists(path) else 0


def map_order(tmp):
    with mp.Pool(2) as pool:
        pool_map = pool.map(square_slowly, range(6))
    with cf.ProcessPoolExecutor(2) as ex:
        ex_map = list(ex.map(square_slowly, range(6)))
    return {"poolMap": pool_map, "executorMap": ex_map}


def task_throws(tmp):
    with mp.Pool(2) as pool:
        try:
            pool.map(divide, [5, 2, 0, 1])
            pool_map = "ok"
        except Exception as e:
            pool_map = type(e).__name__
        try:
            pool.apply(raise_value_error)
            apply = "ok"
        except Exception as e:
            apply = type(e).__name__ + ": " + str(e)
        after = pool.apply(divide, (5,))
    with cf.ProcessPoolExecutor(2) as ex:
        exc = ex.submit(raise_value_error).exception(timeout=20)
    return {"poolMap": pool_map, "poolApply": apply, "poolAfter": after, "executorSubmit": type(exc).__name__}


def killed_worker(tmp):
    ex_out = []
    with cf.ProcessPoolExecutor(2) as ex:
        futures = [ex.submit(kill_self)] + [ex.submit(slow_pid) for _ in range(6)]
        for f in futures:
            try:
                f.result(timeout=20)
                ex_out.append("ok")
            except Exception as e:
                ex_out.append(type(e).__name__)
    pool_out = []
    with mp.Pool(2) as pool:
        results = [pool.apply_async(kill_self)] + [pool.apply_async(slow_pid) for _ in range(6)]
        for r in results:
            try:
                r.get(timeout=3 if r is results[0] else 20)
                pool_out.append("ok")
            except mp.TimeoutError:
                pool_out.append("lost")
            except Exception as e:
                pool_out.append(type(e).__name__)
    return {"executor": ex_out, "pool": pool_out}


def cancel_queued(tmp):
    path = os.path.join(tmp, "cancelled-ran.txt")
    with cf.ProcessPoolExecutor(1) as ex:
        blocker = ex.submit(sleep_ms, 500)
        fillers = [ex.submit(sleep_ms, 1) for _ in range(3)]  # the executor moves max_workers + 1 calls ahead
        victim = ex.submit(touch, path)
        cancelled = victim.cancel()
        after = ex.submit(sleep_ms, 1).result(timeout=20)
        blocker.result(timeout=20)
    return {"cancelReturned": cancelled, "ran": os.path.exists(path), "laterTask": after}


def cancel_running(tmp):
    path = os.path.join(tmp, "ticks.txt")
    with cf.ProcessPoolExecutor(1) as ex:
        f = ex.submit(tick, path)
        deadline = time.monotonic() + 20
        while lines(path) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        cancelled = f.cancel()
        at_cancel = lines(path)
        result = f.result(timeout=20)
        later = ex.submit(sleep_ms, 1).result(timeout=20)
    return {"cancelReturned": cancelled, "taskResult": result, "ticksGrewAfterCancel": lines(path) > at_cancel + 1,
            "laterTask": later}


def submit_after_shutdown(tmp):
    ex = cf.ProcessPoolExecutor(1)
    ex.shutdown()
    try:
        ex.submit(sleep_ms, 1)
        executor = "ok"
    except Exception as e:
        executor = type(e).__name__
    pool = mp.Pool(1)
    pool.close()
    try:
        pool.apply_async(sleep_ms, (1,))
        p = "ok"
    except Exception as e:
        p = type(e).__name__
    pool.join()
    return {"executor": executor, "pool": p}


def as_completed(tmp):
    with cf.ProcessPoolExecutor(2) as ex:
        futures = {ex.submit(sleep_ms, ms): ms for ms in (600, 50, 250)}
        order = [futures[f] for f in cf.as_completed(futures, timeout=20)]
    with mp.Pool(2) as pool:
        unordered = list(pool.imap_unordered(sleep_ms, (600, 50, 250)))
    return {"asCompleted": order, "imapUnordered": unordered}


def unreplaceable(tmp):
    # CPython has no bound on live children; the nearest case is workers that cannot start: the executor
    # breaks (a clear exception), while multiprocessing.Pool would restart failing workers for ever.
    with cf.ProcessPoolExecutor(1, initializer=fail_init) as ex:
        try:
            list(ex.map(sleep_ms, [1, 2, 3], timeout=20))
            out = "ok"
        except Exception as e:
            out = type(e).__name__
    return {"executorMap": out}


def pool_then_queue(tmp):
    with mp.Pool(2) as pool:
        q = mp.Queue()
        try:
            pool.apply(put_into, (q, 1))
            plain = "ok"
        except Exception as e:
            plain = type(e).__name__ + ": " + str(e)
        with mp.Manager() as m:
            mq = m.Queue()
            done = pool.starmap(put_into, [(mq, i) for i in range(5)])
            got = sorted(mq.get(timeout=5) for _ in range(5))
    return {"plainQueue": plain, "managerQueue": got, "results": done}


def lock_worker(lock, path, n):
    for _ in range(n):
        with lock:
            v = int(open(path).read())
            with open(path, "w") as f:
                f.write(str(v + 1))
    return n


def pool_then_lock(tmp):
    path = os.path.join(tmp, "pool-counter.txt")
    with open(path, "w") as f:
        f.write("0")
    with mp.Pool(2) as pool:
        lock = mp.Lock()
        try:
            pool.apply(lock_worker, (lock, path, 1))
            plain = "ok"
        except Exception as e:
            plain = type(e).__name__ + ": " + str(e)
        with mp.Manager() as m:
            ml = m.Lock()
            pool.starmap(lock_worker, [(ml, path, 25)] * 4)
    return {"plainLock": plain, "counter": int(open(path).read())}


def replacement_worker(tmp):
    with mp.Pool(1) as pool, mp.Manager() as m:
        q = m.Queue()
        killer = pool.apply_async(kill_self)
        try:
            killer.get(timeout=3)
            first = "ok"
        except mp.TimeoutError:
            first = "lost"
        pool.apply(put_into, (q, "from the new worker"), )
        got = q.get(timeout=5)
    return {"killedTask": first, "got": got}


def grandchild_put(q, lock):
    with lock:
        q.put("grandchild %d" % os.getpid())


def child_starts_grandchild(q, lock):
    g = mp.Process(target=grandchild_put, args=(q, lock))
    g.start()
    g.join(20)
    q.put("child")


def grandchild(tmp):
    q, lock = mp.Queue(), mp.Lock()
    p = mp.Process(target=child_starts_grandchild, args=(q, lock))
    p.start()
    got = [q.get(timeout=20), q.get(timeout=20)]
    p.join(20)
    return {"first": got[0].split()[0], "second": got[1]}


def start_grandchild(q):
    g = mp.Process(target=put_into, args=(q, "grandchild"))
    g.start()
    g.join(20)
    return "child"


def pool_task_grandchild(tmp):
    with mp.Pool(1) as pool, mp.Manager() as m:
        q = m.Queue()
        try:
            pool.apply(start_grandchild, (q,))
            out = "ok"
        except Exception as e:
            out = type(e).__name__ + ": " + str(e)
    return {"poolTask": out}


SCENARIOS = {f.__name__: f for f in (map_order, task_throws, killed_worker, cancel_queued, cancel_running,
                                     submit_after_shutdown, as_completed, unreplaceable, pool_then_queue,
                                     pool_then_lock, replacement_worker, grandchild, pool_task_grandchild)}

if __name__ == "__main__":
    mp.set_start_method("spawn")
    print(json.dumps(SCENARIOS[sys.argv[1]](sys.argv[2] if len(sys.argv) > 2 else None)), flush=True)
