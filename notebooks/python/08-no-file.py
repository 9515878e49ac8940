"""Why a spawn child cannot run a function typed into a console, and where `EOFError: Ran out of input` comes from.

Prints three lines, each `label | what happened`:
  typed   - a program given with `python -c` (its __main__ has no file) spawns a child to run one of its functions;
  posix   - what this platform's spawn does with a task that cannot be pickled (a lambda);
  windows - the same task, started in the order Windows' spawn uses: child first, then the task pickled into its pipe;
  order   - the line numbers, in this CPython's own sources, where each platform starts the child and pickles the task.
"""
import multiprocessing as mp
import os
import subprocess
import sys
from multiprocessing import reduction, spawn
from multiprocessing.context import set_spawning_popen

TYPED = """
import multiprocessing as mp
def square(x):
    print(x * x)
mp.set_start_method("spawn")
worker = mp.Process(target=square, args=(7,))
worker.start()
worker.join()
print("exit code", worker.exitcode)
"""


def last_error(text):
    errors = [line for line in text.splitlines() if "Error" in line]
    return errors[-1] if errors else "(no error)"


def typed_without_file():
    run = subprocess.run([sys.executable, "-c", TYPED], capture_output=True, text=True, timeout=60)
    return "child: " + last_error(run.stderr) + "; " + run.stdout.strip()


def posix_order(task):
    worker = mp.get_context("spawn").Process(target=task)
    try:
        worker.start()
        return "started"
    except Exception as e:
        return "parent: %s: %s; child started: %s" % (type(e).__name__, e, worker.pid is not None)


class Stand_in:
    """Marks the parent as spawning, which pickling a process's authkey requires."""


def windows_order(task):
    read_end, write_end = os.pipe()
    argv = spawn.get_command_line(pipe_handle=read_end)
    child = subprocess.Popen(argv, pass_fds=[read_end], stderr=subprocess.PIPE, text=True)
    os.close(read_end)
    parent = "(no error)"
    with open(write_end, "wb") as to_child:
        set_spawning_popen(Stand_in())
        try:
            reduction.dump(spawn.get_preparation_data("worker"), to_child)
            reduction.dump(mp.Process(target=task), to_child)
        except Exception as e:
            parent = "%s: %s" % (type(e).__name__, e)
        finally:
            set_spawning_popen(None)
    child_err = child.communicate(timeout=60)[1]
    return "parent: %s; child: %s; child exit code %d" % (parent, last_error(child_err), child.returncode)


def first_line(module, *words):
    path = os.path.join(os.path.dirname(mp.__file__), module + ".py")
    with open(path) as source:
        return next(n for n, line in enumerate(source, 1) if any(w in line for w in words))


def start_and_pickle_lines():
    return "windows: child started at line %d, task pickled at line %d; posix: task pickled at line %d, child started at line %d" % (
        first_line("popen_spawn_win32", "CreateProcess("), first_line("popen_spawn_win32", "reduction.dump("),
        first_line("popen_spawn_posix", "reduction.dump("), first_line("popen_spawn_posix", "spawnv_passfds("))


if __name__ == "__main__":
    print("typed |", typed_without_file())
    print("posix |", posix_order(lambda: 42))
    print("windows |", windows_order(lambda: 42))
    print("order |", start_and_pickle_lines())
