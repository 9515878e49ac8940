"""Several processes add 1 to a counter file and append a line in two pieces, first without a lock, then with
a Manager().Lock(); then a process takes a Manager lock and exits without releasing it.

Arguments: processes, jobs each. Prints RESULT, the free round's counter and whole lines, the locked round's
counter and whole lines, whether acquire(timeout=1) got the dead holder's lock, and how long it waited in ms.
"""
import multiprocessing as mp, os, re, shutil, struct, sys, tempfile, time

LINE = re.compile(r"child \d+ op \d+ done")

def work(me, ops, counter, log, lock, ready, go):
    cfd = os.open(counter, os.O_RDWR)
    lfd = os.open(log, os.O_WRONLY | os.O_APPEND)
    ready.put(me)
    go.wait(30)
    for op in range(ops):
        if lock is not None:
            lock.acquire()
        try:
            n = struct.unpack("q", os.pread(cfd, 8, 0))[0]
            os.pwrite(cfd, struct.pack("q", n + 1), 0)
            os.write(lfd, ("child %d op %d" % (me, op)).encode())
            os.write(lfd, b" done\n")
        finally:
            if lock is not None:
                lock.release()
    os.close(cfd)
    os.close(lfd)

def one_round(lock, n, ops):
    folder = tempfile.mkdtemp()
    counter, log = os.path.join(folder, "counter"), os.path.join(folder, "log.txt")
    with open(counter, "wb") as f:
        f.write(struct.pack("q", 0))
    open(log, "wb").close()
    ready, go = mp.Queue(), mp.Event()
    procs = [mp.Process(target=work, args=(i, ops, counter, log, lock, ready, go)) for i in range(n)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=30)
    go.set()
    for p in procs:
        p.join(60)
    with open(counter, "rb") as f:
        final = struct.unpack("q", f.read(8))[0]
    with open(log, "rb") as f:
        lines = f.read().decode("utf-8", "replace").splitlines()
    shutil.rmtree(folder)
    return final, sum(1 for line in lines if LINE.fullmatch(line))

def hold_and_die(lock):
    lock.acquire()
    os._exit(3)

if __name__ == "__main__":
    n, ops = int(sys.argv[1]), int(sys.argv[2])
    with mp.Manager() as manager:
        free = one_round(None, n, ops)
        locked = one_round(manager.Lock(), n, ops)
        lock = manager.Lock()
        holder = mp.Process(target=hold_and_die, args=(lock,))
        holder.start()
        holder.join(10)
        t0 = time.perf_counter()
        got = lock.acquire(timeout=1)
        waited = (time.perf_counter() - t0) * 1000
    print("RESULT", free[0], free[1], locked[0], locked[1], got, round(waited))
