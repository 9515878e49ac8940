"""ThreadPoolExecutor's default number of workers on this machine, beside the core count."""
import os
from concurrent.futures import ThreadPoolExecutor

with ThreadPoolExecutor() as pool:
    print(os.cpu_count(), pool._max_workers)
