"""asyncio: n tasks alive at once, each waiting on one Event; memory read while all of them wait.

Argument: n. Prints: tasks alive at the peak, growth of resident memory (RSS) in kB after a
gc.collect(), ms until all had started, the Python version, tasks alive after the release.
"""
import asyncio
import gc
import sys
import time


def rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


async def main(n):
    release, all_started = asyncio.Event(), asyncio.Event()
    alive = 0

    async def waiter():
        nonlocal alive
        alive += 1
        if alive == n:
            all_started.set()
        try:
            await release.wait()
        finally:
            alive -= 1

    gc.collect()
    before = rss_kb()
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(waiter()) for _ in range(n)]
    await all_started.wait()
    ms = (time.perf_counter() - t0) * 1000
    gc.collect()
    at_peak, grew = alive, rss_kb() - before
    release.set()
    await asyncio.gather(*tasks)
    print(at_peak, grew, round(ms), sys.version.split()[0], alive)


asyncio.run(main(int(sys.argv[1])))
