"""Checks of the committed course that need no kernel: what a reader sees must hold together.

* no code cell is longer than 40 lines (one idea per cell);
* 00-index links every numbered notebook on disk, and names every package of the helper jar
  (lib/src/main/java/jcn/*) and every benchmark (bench/NAME.py as `./jcn bench NAME`);
* every CPython program a notebook links (python/NN-name.py) exists, and a code cell of that
  notebook reads it, so the program shown is the program run; every program there is linked.

Prints one line per problem, prefixed with the check's name; exit status 1 if there is any.
"""

import re
import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent
ROOT = NOTEBOOKS.parent
MAX_LINES = 40
PROGRAM = re.compile(r"\]\((python/[\w.-]+\.py)\)")


def course():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def long_cells(problems):
    for path in course():
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            lines = len(cell.source.splitlines())
            if cell.cell_type == "code" and lines > MAX_LINES:
                problems.append(f"long-cells: {path.name} cell {i} has {lines} lines of code (at most {MAX_LINES}):"
                                f" split it, one idea per cell")


def index(problems):
    nb = nbformat.read(NOTEBOOKS / "00-index.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for path in course():
        if path.name != "00-index.ipynb" and f"({path.name})" not in text:
            problems.append(f"index: 00-index does not link {path.name}")
    for package in sorted(p.name for p in (ROOT / "lib/src/main/java/jcn").iterdir() if p.is_dir()):
        if f"`jcn.{package}`" not in text:
            problems.append(f"index: 00-index does not name the package jcn.{package}")
    for bench in sorted((ROOT / "bench").glob("*.py")):
        if f"`./jcn bench {bench.stem}`" not in text:
            problems.append(f"index: 00-index does not name `./jcn bench {bench.stem}`")


def programs(problems):
    linked = set()
    for path in course():
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for program in PROGRAM.findall(cell.source):
                linked.add(program)
                if not (NOTEBOOKS / program).is_file():
                    problems.append(f"programs: {path.name} links {program}, which does not exist")
                elif f'"{program}"' not in code and f'"{Path(program).name}"' not in code:
                    problems.append(f"programs: {path.name} links {program} but no code cell of it runs that file")
    for program in sorted((NOTEBOOKS / "python").glob("*.py")):
        name = f"python/{program.name}"
        if name not in linked:
            problems.append(f"programs: {name} is linked from no notebook")


def main():
    problems = []
    long_cells(problems)
    index(problems)
    programs(problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
