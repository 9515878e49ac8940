"""A coroutine object runs only when awaited or scheduled; asyncio.create_task schedules it at once.

Prints what ran, one line per step; CPython's own RuntimeWarning about the coroutine that was
never awaited appears on standard error when that coroutine object is collected.
"""
import asyncio
import gc
import sys

ran = []


async def step(label):
    ran.append(label)
    return label


async def main():
    lazy = step("coroutine object")                    # nothing runs yet
    task = asyncio.create_task(step("create_task"))    # scheduled: runs at the next await
    await asyncio.sleep(0.1)                           # nobody awaits `task`, yet it ran
    print("after 0.1 s, ran:", ran, flush=True)
    del lazy                                           # dropped without ever being awaited
    gc.collect()
    sys.stderr.flush()
    await task


asyncio.run(main())
print("at the end, ran:", ran)
