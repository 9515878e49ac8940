# Several threads append to one shared list; prints how many items it holds and the version.
import sys
import threading

thread_count, appends_each = int(sys.argv[1]), int(sys.argv[2])
collected = []


def fill():
    for n in range(appends_each):
        collected.append(n)


threads = [threading.Thread(target=fill) for _ in range(thread_count)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(collected), sys.version.split()[0])
