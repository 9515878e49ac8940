"""Start-up figures: JupyterLab answering HTTP after ./jcn lab, and a fresh kernel's first table.

Run with ./jcn bench startup. Each figure is the median of a few runs, printed with the
individual runs so the spread is visible.
"""

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("JCN_BENCH_RUNS", "3"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_to_http():
    """Seconds from running ./jcn lab (already set up) to /api/status answering 200."""
    port, token = free_port(), "bench-" + os.urandom(8).hex()
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(ROOT / "jcn"), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/api/status?token={token}"
        while time.monotonic() - started < 60:
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.05)
        raise SystemExit("JupyterLab did not answer within 60 s")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def kernel_to_table():
    """Seconds from asking for a Java kernel to receiving the first rendered HTML table."""
    started = time.monotonic()
    km, kc = start_new_kernel(kernel_name="java", cwd=str(ROOT / "notebooks"), startup_timeout=60)
    try:
        kc.execute_interactive("%classpath ../lib/target/jcn-lib.jar", timeout=60)
        seen = {}

        def on_output(msg):
            if msg["msg_type"] == "execute_result" and "text/html" in msg["content"]["data"]:
                seen["at"] = time.monotonic()

        kc.execute_interactive('tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("n", 1, 2, 3))',
                               timeout=60, output_hook=on_output)
        if "at" not in seen:
            raise SystemExit("the kernel answered without an HTML table")
        return seen["at"] - started
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def row(name, runs, target):
    median = statistics.median(runs)
    verdict = "meets" if median <= target else "misses"
    print(f"| {name} | {median:.2f} s | {', '.join(f'{r:.2f}' for r in runs)} | {target:.0f} s ({verdict}) |")


def main():
    print("| figure | median | runs | target |")
    print("|---|---|---|---|")
    row("./jcn lab to HTTP 200 (set up already)", [lab_to_http() for _ in range(RUNS)], 10)
    row("kernel start to first HTML table", [kernel_to_table() for _ in range(RUNS)], 5)


if __name__ == "__main__":
    sys.exit(main())
