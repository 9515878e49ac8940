"""Execute notebooks through the real Java kernel and report what went wrong.

Each notebook runs in a fresh kernel, cell by cell, with a per-cell timeout. After the last
cell the kernel is asked which threads and child processes are still alive; anything the
notebook started and left running is a failure, because the kernel drops output printed
after a cell ends and a reader's next cell would inherit the mess.

A notebook that fails on a claim (a jcn.check.Claim that disagreed; the ones that waver are
about measured speed on a shared 2-core machine) runs once more in a fresh kernel; it passes
only if that run passes every claim, and the report says it needed a retry. A claim that does
not depend on timing fails the same way twice.

A claim that needs free cores (jcn.check.Claim.onCores) prints "○ not checked in this run"
where the machine cannot show it. --all-claims-checked (the full machine) fails a notebook
that printed such a line, with the same one retry; --expect-not-checked (one core, or a busy
one) fails a notebook that has such claims and printed none. The report lists the claims that
were not checked.

Executed copies go to notebooks/target/executed/ unless --in-place is given (the README's
refresh command), which rewrites the committed notebooks with the new outputs.

Exit status: 0 when every notebook passed, 1 otherwise; the report goes to stderr and a
JSON summary to --report if given.
"""

import argparse
import asyncio
import copy
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# One statement per line keeps the probe readable in a failure message. It prints a line per
# live thread and per live descendant process, tab-separated, and defines no variables.
PROBE = (
    "Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)"
    ".sorted(java.util.Comparator.comparingLong(Thread::threadId))"
    ".forEach(t -> System.out.println(\"T\\t\" + t.threadId() + \"\\t\" + t.isDaemon() + \"\\t\""
    " + t.getClass().getName() + \"\\t\" + t.getName()));\n"
    # The helper jar's standby JVMs (booted ahead, waiting for orders) are its own, not the notebook's.
    "{\n"
    "java.util.Set<Long> standbys = new java.util.HashSet<>();\n"
    "try {\n"
    "    for (Object pid : (java.util.List<?>) Class.forName(\"jcn.process.ChildProcess\").getMethod(\"standbyPids\").invoke(null))\n"
    "        standbys.add((Long) pid);\n"
    "} catch (ReflectiveOperationException | LinkageError e) {\n"
    "    // no helper jar in this kernel, so no standby either\n"
    "}\n"
    "ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).filter(p -> !standbys.contains(p.pid()))"
    ".forEach(p -> System.out.println(\"P\\t\" + p.pid() + \"\\t\" + p.info().commandLine().orElse(\"?\")));\n"
    "}\n"
)

# Threads the JDK or the kernel create and manage themselves; they idle out on their own.
JDK_THREAD_NAMES = re.compile(
    r"^(jjava-exec-.*|process reaper.*|ForkJoinPool\.commonPool-worker-.*|Java2D Disposer|"
    r"VirtualThread-unparker|Attach Listener|Common-Cleaner|Signal Dispatcher|Notification Thread|"
    r"Reference Handler|Finalizer|C[12] CompilerThread.*|Sweeper thread|Monitor Deflation Thread|"
    r"Service Thread|JFR .*|Timer-\d+ \(JDK\)|AWT-.*|"
    # the helper jar's standby JVMs: the thread that starts them and those reading an untaken one
    r"jcn-standby|jcn-(output|errors)-standby-\d+)$"
)
JDK_THREAD_CLASSES = {"jdk.internal.misc.CarrierThread", "jdk.internal.misc.InnocuousThread",
                      "java.util.concurrent.DelayScheduler"}


class NotebookFailure(Exception):
    """A notebook did not pass; the message is the whole report for a reader."""


# What a cell's error says when a notebook's claim (jcn.check.Claim) disagreed with a measurement.
CLAIM_FAILED = "jcn.check.ClaimFailedException"
# What jcn.check.Claim.onCores prints when the machine cannot show a claim right now.
NOT_CHECKED = "○ not checked in this run: "
NOT_CHECKED_FAILURE = "claims not checked on the full machine"


def first_lines(source, n=3):
    lines = [line for line in source.splitlines() if line.strip()]
    shown = "\n".join("    | " + line for line in lines[:n])
    return shown + ("\n    | ..." if len(lines) > n else "")


def clean(text):
    return ANSI.sub("", text)


def check_committed(nb, name):
    """Problems with the committed file itself: it must carry the outputs of one clean run."""
    problems = []
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    if not code_cells:
        return problems
    counts = [c.get("execution_count") for _, c in code_cells]
    for i, c in code_cells:
        if c.get("execution_count") is None:
            problems.append(f"cell {i} was never executed (no execution count): commit the notebook "
                            f"after a real run, e.g. ./jcn refresh {name}\n{first_lines(c.source)}")
        for out in c.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"cell {i} is committed with an error output: "
                                f"{out.get('ename')}: {clean(out.get('evalue', ''))}\n{first_lines(c.source)}")
    if all(count is not None for count in counts) and counts != sorted(counts):
        problems.append(f"execution counts {counts} are out of order: the outputs are not from one Run All")
    if not any(c.get("outputs") for _, c in code_cells):
        problems.append("no code cell has any output: commit the notebook with the outputs of a real run")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "java":
        problems.append(f"kernelspec is {kernel!r}, expected 'java'")
    return problems


async def probe(client, timeout=30):
    """Runs PROBE without touching the execution count and returns (threads, processes)."""
    msg_id = client.kc.execute(PROBE, store_history=False)
    deadline = time.monotonic() + timeout
    text, error = [], None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise NotebookFailure("the thread/process probe did not finish in %ds" % timeout)
        msg = await client.kc.get_iopub_msg(timeout=remaining)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "stream":
            text.append(msg["content"]["text"])
        elif kind == "error":
            error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            break
    if error:
        raise NotebookFailure("the thread/process probe failed: " + clean(error))
    threads, processes = {}, {}
    for line in "".join(text).splitlines():
        parts = line.split("\t")
        if parts[0] == "T" and len(parts) >= 5:
            threads[parts[1]] = {"daemon": parts[2] == "true", "class": parts[3], "name": parts[4]}
        elif parts[0] == "P" and len(parts) >= 3:
            processes[parts[1]] = parts[2]
    return threads, processes


# JJava's JVM lives on for about 30 s after it has answered a shutdown request, and a graceful
# shutdown waits 5 s of that before it kills the kernel anyway: 10 s of every harness run of a
# notebook (its kernel and the baseline's) went to waiting. The harness has judged the kernel's
# threads and children by then, and a child JVM ends by itself when its kernel is killed.
SHUTDOWN = "immediate"


def name_shape(name):
    return re.sub(r"\d+", "#", name)


async def kernel_threads(cell_timeout):
    """The thread names of an idle fresh kernel, digits folded.

    The probe cannot run inside the notebook's own kernel before its first cell: JJava counts
    every execution, so the committed cells would start at [2]. A throwaway kernel tells the
    same story at the cost of one more start per harness run.
    """
    nb = nbformat.v4.new_notebook()
    client = NotebookClient(nb, timeout=cell_timeout, kernel_name="java", startup_timeout=90,
                            shutdown_kernel=SHUTDOWN)
    async with client.async_setup_kernel():
        threads, _ = await probe(client)
    return {name_shape(t["name"]) for t in threads.values()}


def leaked(baseline, threads):
    out = []
    for tid, t in threads.items():
        if (name_shape(t["name"]) in baseline or t["class"] in JDK_THREAD_CLASSES
                or JDK_THREAD_NAMES.match(t["name"])):
            continue
        out.append(f"{t['name']} ({'daemon' if t['daemon'] else 'non-daemon'} {t['class']}, id {tid})")
    return out


async def run_cells(client, nb, name, cell_timeout, cell_seconds, second_pass=False):
    """Executes every code cell in order; raises NotebookFailure naming the first cell that fails."""
    prefix = "second Run All in the same kernel: " if second_pass else ""
    for index, original in enumerate(nb.cells):
        if original.cell_type != "code":
            continue
        # The second pass runs copies, so the saved notebook keeps the outputs of the first.
        cell = copy.deepcopy(original) if second_pass else original
        t0 = time.monotonic()
        try:
            await client.async_execute_cell(cell, index)
        except CellTimeoutError:
            raise NotebookFailure(f"{name}: {prefix}cell {index} did not finish within {cell_timeout}s "
                                  f"(the per-cell timeout)\n{first_lines(cell.source)}")
        except DeadKernelError as e:
            raise NotebookFailure(f"{name}: {prefix}the kernel died while running cell {index}: {e}\n"
                                  f"{first_lines(cell.source)}")
        except CellExecutionError:
            err = next((o for o in cell.outputs if o.get("output_type") == "error"), {})
            trace = clean("\n".join(err.get("traceback", [])))
            trace = "\n".join(trace.splitlines()[:25])
            raise NotebookFailure(
                f"{name}: {prefix}cell {index} failed with {err.get('ename', '?')}: {clean(err.get('evalue', ''))}\n"
                f"{first_lines(cell.source)}\n{trace}")
        if not second_pass:
            cell_seconds.append((index, round(time.monotonic() - t0, 2)))


async def execute(path, cell_timeout, out_path, baseline, twice=False, all_claims_checked=False,
                  expect_not_checked=False):
    nb = nbformat.read(path, as_version=4)
    name = path.name
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name="java",
        startup_timeout=90,
        shutdown_kernel=SHUTDOWN,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.monotonic()
    cell_seconds = []
    async with client.async_setup_kernel():
        info = await client.async_wait_for_reply(client.kc.kernel_info())
        nb.metadata["language_info"] = info["content"]["language_info"]
        kernel_ready = time.monotonic() - started
        await run_cells(client, nb, name, cell_timeout, cell_seconds)
        first_pass = time.monotonic() - started
        if twice:
            await run_cells(client, nb, name, cell_timeout, cell_seconds, second_pass=True)
        # Give threads and children a moment to finish exiting on their own before judging.
        deadline = time.monotonic() + 3
        while True:
            threads, processes = await probe(client)
            left = leaked(baseline, threads)
            if (not left and not processes) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.25)
    total = first_pass
    nbformat.write(nb, out_path)
    not_checked = unchecked_claims(nb)
    problems = []
    if all_claims_checked and not_checked:
        problems.append(f"{NOT_CHECKED_FAILURE} (each says what the machine gave; a busy moment, or fewer free"
                        " cores than the claim needs):\n" + "\n".join(not_checked))
    has_core_claims = any("Claim.onCores" in c.source for c in nb.cells if c.cell_type == "code")
    if expect_not_checked and has_core_claims and not not_checked:
        problems.append("no claim said it was not checked, on a machine that cannot show what the notebook's"
                        " hardware claims need: a claim was checked, or skipped, without saying so")
    if left:
        problems.append("threads left running after the last cell: " + "; ".join(left))
    if processes:
        # Report them, then end them: a leaked child must not outlive the test run either.
        for pid in processes:
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, PermissionError, ValueError):
                pass
        problems.append("child processes left running after the last cell: "
                        + "; ".join(f"pid {pid}: {cmd[:120]}" for pid, cmd in processes.items()))
    if problems:
        raise NotebookFailure(f"{name}: " + "\n".join(problems))
    return {"notebook": name, "seconds": round(total, 2), "kernel_start_seconds": round(kernel_ready, 2),
            "cells": cell_seconds, "not_checked": not_checked}


def unchecked_claims(nb):
    """The lines in which a hardware claim said it was not checked in this run, with their cell."""
    lines = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            lines += [f"cell {index}: {line.strip()}" for line in text.splitlines() if line.startswith(NOT_CHECKED)]
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: notebooks/[0-9]*.ipynb)")
    parser.add_argument("--in-place", action="store_true", help="write outputs back into the notebooks")
    parser.add_argument("--out", default=str(NOTEBOOKS / "target" / "executed"), help="where executed copies go")
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("JCN_CELL_TIMEOUT", "120")),
                        help="per-cell timeout in seconds")
    parser.add_argument("--check-committed", action="store_true",
                        help="also fail if the committed file lacks outputs or holds errors")
    parser.add_argument("--twice", action="store_true",
                        help="after Run All, run every cell again in the same kernel (reruns must work too)")
    parser.add_argument("--all-claims-checked", action="store_true",
                        help="fail a notebook in which a hardware claim said it was not checked (the full machine)")
    parser.add_argument("--expect-not-checked", action="store_true",
                        help="fail a notebook with claims that need free cores (Claim.onCores) in which none said it"
                             " was not checked (one core, or a busy one)")
    parser.add_argument("--report", help="write a JSON summary here")
    parser.add_argument("--report-dir", help="write one <notebook>.result file per notebook here: "
                        "first line 'passed' or 'failed', then the report")
    args = parser.parse_args(argv)

    paths = [Path(p).resolve() if Path(p).exists() else (NOTEBOOKS / p).resolve() for p in args.notebooks]
    if not paths:
        paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print("no such notebook: " + ", ".join(missing), file=sys.stderr)
        return 2

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    results, failures = [], []
    try:
        baseline = asyncio.run(kernel_threads(args.timeout))
    except Exception as e:
        print(f"FAILED the Java kernel did not start: {type(e).__name__}: {e}\n"
              "Run ./jcn setup to (re)install the kernelspec; ./jcn env shows what is in use.", file=sys.stderr)
        return 1
    for path in paths:
        problems = check_committed(nbformat.read(path, as_version=4), path.name) if args.check_committed else []
        target = path if args.in_place else out_dir / path.name
        try:
            try:
                result = asyncio.run(execute(path, args.timeout, target, baseline, args.twice,
                                             args.all_claims_checked, args.expect_not_checked))
            except NotebookFailure as first:
                # A claim about measured speed can meet a moment when something else holds a core of
                # this shared machine; one fresh run decides. Any other failure stands at once.
                if CLAIM_FAILED not in str(first) and NOT_CHECKED_FAILURE not in str(first):
                    raise
                print(f"{path.name}: a measured claim failed; running the notebook once more in a fresh kernel\n"
                      f"{first}", file=sys.stderr)
                try:
                    result = asyncio.run(execute(path, args.timeout, target, baseline, args.twice,
                                                 args.all_claims_checked, args.expect_not_checked))
                except NotebookFailure as second:
                    first_line = str(first).splitlines()[0]
                    raise NotebookFailure(f"{second}\n(the first attempt had failed too: {first_line})")
                result["retried_after"] = str(first)
            result["committed_problems"] = problems
            results.append(result)
            print(f"ran {path.name} in {result['seconds']}s (kernel ready in {result['kernel_start_seconds']}s)"
                  + (" after one retry" if "retried_after" in result else ""), file=sys.stderr)
        except NotebookFailure as e:
            failures.append(str(e))
            results.append({"notebook": path.name, "failure": str(e), "committed_problems": problems})
        except Exception as e:  # the kernel would not start, a timeout in set-up, ...
            failures.append(f"{path.name}: {type(e).__name__}: {e}")
            results.append({"notebook": path.name, "failure": str(e), "committed_problems": problems})
        for p in problems:
            failures.append(f"{path.name} (as committed): {p}")
    if args.report:
        Path(args.report).write_text(json.dumps(results, indent=2))
    if args.report_dir:
        report_dir = Path(args.report_dir)
        report_dir.mkdir(parents=True, exist_ok=True)
        for r in results:
            lines = ([r["failure"]] if "failure" in r else []) + \
                    [f"(as committed) {p}" for p in r["committed_problems"]]
            status = "failed" if lines else "passed"
            body = "\n".join(lines) if lines else f"ran in {r['seconds']}s (kernel ready in {r['kernel_start_seconds']}s)"
            if not lines and "retried_after" in r:
                body += "\nafter one retry; the first attempt failed: " + r["retried_after"]
            if not lines and r.get("not_checked"):
                body += "\nnot checked in this run:\n" + "\n".join(r["not_checked"])
            (report_dir / (r["notebook"] + ".result")).write_text(status + "\n" + body + "\n")
    for f in failures:
        print("FAILED " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
