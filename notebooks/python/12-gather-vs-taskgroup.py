"""One of three tasks fails after 0.1 s: asyncio.gather lets the other two run on, TaskGroup cancels them.

Prints: ms until gather raised, how many of the other two finished anyway, ms until the
TaskGroup raised, how many of its other two finished.
"""
import asyncio
import time


async def fail_after(seconds):
    await asyncio.sleep(seconds)
    raise ValueError("one task failed")


async def finish_after(seconds, finished):
    await asyncio.sleep(seconds)
    finished.append(seconds)


async def main():
    finished = []
    t0 = time.perf_counter()
    try:
        await asyncio.gather(fail_after(0.1), finish_after(0.5, finished), finish_after(0.5, finished))
    except ValueError:
        gather_ms = (time.perf_counter() - t0) * 1000
    await asyncio.sleep(0.6)   # time for the others to finish, if they still run
    gather_finished = len(finished)

    finished = []
    t0 = time.perf_counter()
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(fail_after(0.1))
            group.create_task(finish_after(0.5, finished))
            group.create_task(finish_after(0.5, finished))
    except* ValueError:
        group_ms = (time.perf_counter() - t0) * 1000
    await asyncio.sleep(0.6)
    print(round(gather_ms), gather_finished, round(group_ms), len(finished))


asyncio.run(main())
