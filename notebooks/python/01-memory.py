"""What one more thread and one more process cost in memory, in this CPython on Linux.

Threads: the growth of this process's resident memory (RSS) while N extra threads wait.
Process: a child started by multiprocessing (fork, then spawn) waits while the parent
reads the child's RSS and its private memory (pages no other process shares) from /proc.
Prints lines of "name value" in KiB.
"""
import multiprocessing as mp
import sys
import threading


def rollup(pid):
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1])
    return fields["Rss"], fields["Private_Clean"] + fields["Private_Dirty"]


def wait_for(event, ready):
    ready.set()
    event.wait()


if __name__ == "__main__":
    n = int(sys.argv[1])
    release = threading.Event()
    before, _ = rollup("self")
    threads = []
    for _ in range(n):
        ready = threading.Event()
        t = threading.Thread(target=wait_for, args=(release, ready))
        t.start()
        ready.wait()
        threads.append(t)
    after, _ = rollup("self")
    release.set()
    for t in threads:
        t.join()
    print("thread_rss_kib", round((after - before) / n, 1))

    for method in ("fork", "spawn"):
        ctx = mp.get_context(method)
        release, ready = ctx.Event(), ctx.Event()
        child = ctx.Process(target=wait_for, args=(release, ready))
        child.start()
        ready.wait()
        rss, private = rollup(child.pid)
        release.set()
        child.join()
        print(method + "_rss_kib", rss)
        print(method + "_private_kib", private)
