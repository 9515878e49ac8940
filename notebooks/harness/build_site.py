"""Render every committed notebook to a static HTML site that works offline.

    python build_site.py [--out DIR]        (the README's command is ./jcn site)

The pages show the outputs the notebooks were committed with (a real run; nothing is executed here):
tables as HTML, charts as inline SVG/PNG images. The site is:

    index.html           00-index.ipynb rendered, or, while that notebook does not exist, a generated
                         list of the notebooks
    NN-name.html         one page per notebook, with Index / Previous / Next links at top and bottom

Links between notebooks (`[Next](06-thread-local.ipynb)`) are rewritten to the pages. The template
(site_templates/jcn-site) drops JupyterLab's CDN scripts (require.js, MathJax, mermaid, widgets), and
the build refuses to finish if a page would still load a script, style sheet, font or image from
outside the site.
"""

import argparse
import html
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent
ROOT = NOTEBOOKS.parent
TEMPLATES = HERE / "site_templates"
INDEX = "00-index.ipynb"

# src=, href= on the tags that load something, and url(...) / @import in CSS.
LOADED = re.compile(
    r"<(script|img|link|iframe|source|video|audio|embed|object)\b[^>]*?\b(src|href|data)\s*=\s*[\"']([^\"']*)[\"']",
    re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)|@import\s+[\"']([^\"']+)", re.IGNORECASE)
NOTEBOOK_LINK = re.compile(r"(href=[\"'])(\d\d-[A-Za-z0-9_.-]+)\.ipynb(#[^\"']*)?([\"'])")


def is_outside(url):
    """True when loading url would leave the site (another host, or any scheme but data:)."""
    url = html.unescape(url.strip())
    if url.startswith("data:") or url.startswith("#") or url == "":
        return False
    return url.startswith("//") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) is not None


def outside_loads(page):
    """The URLs a page would fetch from outside the site (empty when it is offline-clean)."""
    found = []
    for tag, attr, url in LOADED.findall(page):
        # Every <link href> counts: a style sheet, an icon, a preloaded font all load.
        if is_outside(url):
            found.append(f"<{tag} {attr}={url[:100]}>")
    for a, b in CSS_URL.findall(page):
        url = a or b
        if is_outside(url):
            found.append(f"css {url[:100]}")
    return found


def title_of(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def page_name(notebook_name):
    return "index.html" if notebook_name == INDEX else notebook_name[:-len(".ipynb")] + ".html"


def rewrite_links(page, known):
    """[x](NN-name.ipynb) links become links to the pages; a link to a notebook not in the site stays."""
    def repl(m):
        name = m.group(2) + ".ipynb"
        # index.html always exists (generated while 00-index.ipynb does not).
        if name not in known and name != INDEX:
            return m.group(0)
        return m.group(1) + page_name(name) + (m.group(3) or "") + m.group(4)
    return NOTEBOOK_LINK.sub(repl, page)


def generated_index(pages):
    """The index page while 00-index.ipynb does not exist: the list of notebooks and their titles."""
    items = "\n".join(f'  <li><a href="{html.escape(p["href"])}">{html.escape(p["title"])}</a></li>' for p in pages)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>Java concurrency notebooks</title>
<style type="text/css">
  body {{ font-family: sans-serif; max-width: 50em; margin: 2em auto; line-height: 1.5; }}
</style>
</head>
<body>
<h1>Java concurrency notebooks</h1>
<p>Java notebooks that retell study notes on Python threads, processes, pools, locks and async.
Each page shows a notebook with the outputs of a real run.</p>
<ol class="jcn-notebooks">
{items}
</ol>
</body>
</html>
"""


def build(out, notebook_paths):
    started = time.monotonic()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    exporter = HTMLExporter(template_name="jcn-site", extra_template_basedirs=[str(TEMPLATES)],
                            embed_images=True)
    books = []
    for path in notebook_paths:
        nb = nbformat.read(path, as_version=4)
        books.append({"path": path, "nb": nb, "name": path.name, "href": page_name(path.name),
                      "title": title_of(nb, path.stem)})
    known = {b["name"] for b in books}
    course = [b for b in books if b["name"] != INDEX]
    index = next((b for b in books if b["name"] == INDEX), None)
    # The reading order: the index first (when it is a notebook), then the course.
    order = ([index] if index else []) + course
    problems = []
    for i, book in enumerate(order):
        nav = {}
        if book is not index:
            previous = order[i - 1] if i > 0 else None
            nav["previous"] = ({"href": previous["href"], "title": previous["title"]} if previous
                               else {"href": "index.html", "title": "Index"})
            if i + 1 < len(order):
                nav["next"] = {"href": order[i + 1]["href"], "title": order[i + 1]["title"]}
        elif course:
            nav["next"] = {"href": course[0]["href"], "title": course[0]["title"]}
        resources = {"metadata": {"name": book["title"], "path": str(book["path"].parent)}, "jcn_nav": nav}
        page, _ = exporter.from_notebook_node(book["nb"], resources=resources)
        page = rewrite_links(page, known)
        problems += [f"{book['href']}: {p}" for p in outside_loads(page)]
        (out / book["href"]).write_text(page, encoding="utf-8")
    if index is None:
        (out / "index.html").write_text(generated_index(course), encoding="utf-8")
    # The CPython programs the pages link to (python/NN-name.py) travel with them.
    programs = {p.parent / "python" for p in notebook_paths if (p.parent / "python").is_dir()}
    for folder in programs:
        shutil.copytree(folder, out / "python", dirs_exist_ok=True)
    if problems:
        raise SystemExit("build_site: pages would load from outside the site (offline means offline):\n  "
                         + "\n  ".join(problems))
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    files = sum(1 for f in out.rglob("*") if f.is_file())
    print(f"site: {files} pages, {size / 1e6:.1f} MB in {out}, built in {time.monotonic() - started:.1f}s "
          f"(index from {INDEX if index else 'the notebook list'})", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "target" / "site"), help="where the site goes (default target/site)")
    parser.add_argument("notebooks", nargs="*", help="notebooks to render (default: notebooks/NN-*.ipynb)")
    args = parser.parse_args(argv)
    paths = [Path(p).resolve() if Path(p).exists() else (NOTEBOOKS / p).resolve() for p in args.notebooks]
    if not paths:
        paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print("no such notebook: " + ", ".join(missing), file=sys.stderr)
        return 2
    build(Path(args.out).resolve(), paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
