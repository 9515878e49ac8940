"""Build the course book: every committed notebook as a static site that works offline.

    python build_book.py [--out DIR] [--source DIR]   (the README's command is ./jcn site; default target/site)

Sphinx with myst-nb and sphinx-book-theme does the rendering (book/conf.py): pages from the
committed outputs (nothing is executed), a sidebar in course order, previous/next, a download
button for each .ipynb, and a search index that also knows Chinese words. This script adds only
what that stack does not do:

* a fresh build every time, into DIR, with Sphinx's working files and the theme's source maps
  left out;
* index.html, which sends the reader to the home page (00-index.html, the course's own index);
* the offline check: the build fails when any page or style sheet would load a script, style
  sheet, font or image from outside the site, because the site must work with no network.
"""

import argparse
import html
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sphinx.cmd.build import build_main

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent
ROOT = NOTEBOOKS.parent
CONF = HERE / "book"
HOME = "00-index.html"

# src=, href=, data=, srcset= on the tags that load something, and url(...) / @import in CSS.
LOADED = re.compile(
    r"<(script|img|link|iframe|source|video|audio|embed|object|input)\b[^>]*?\b(src|href|data|srcset)\s*=\s*[\"']([^\"']*)[\"']",
    re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)|@import\s+(?:url\(\s*)?[\"']([^\"']+)", re.IGNORECASE)


def is_outside(url):
    """True when loading url would leave the site (another host, or any scheme but data:)."""
    url = html.unescape(url.strip())
    if url == "" or url.startswith("data:") or url.startswith("#"):
        return False
    return url.startswith("//") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) is not None


def outside_loads(text, is_css=False):
    """The URLs a page or style sheet would fetch from outside the site (empty when offline-clean)."""
    found = []
    if not is_css:
        # Every <link href> counts: a style sheet, an icon, a preloaded font all load.
        found += [f"<{tag} {attr}={url[:100]}>" for tag, attr, url in LOADED.findall(text) if is_outside(url)]
    found += [f"css {(a or b)[:100]}" for a, b in CSS_URL.findall(text) if is_outside(a or b)]
    return found


def offline_problems(out):
    problems = []
    for path in sorted(out.rglob("*")):
        if path.suffix in (".html", ".css") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [f"{path.relative_to(out)}: {p}" for p in outside_loads(text, path.suffix == ".css")]
    return problems


def write_index(out):
    """index.html is where a reader opens the site; the course's index notebook is 00-index."""
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta http-equiv="refresh" content="0; url={HOME}" />
<title>Java concurrency notebooks</title>
</head>
<body>
<p><a href="{HOME}">Java concurrency notebooks: the index</a></p>
</body>
</html>
""", encoding="utf-8")


def build(out, source=NOTEBOOKS):
    started = time.monotonic()
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix="jcn-book-") as work:
        # -E: read every notebook again, so the sidebar follows the files on disk now.
        status = build_main(["-b", "html", "-q", "-E", "-c", str(CONF), "-d", str(Path(work) / "doctrees"),
                             str(source), str(out)])
    if status != 0:
        raise SystemExit(f"build_book: sphinx-build failed (exit {status}); its messages are above")
    if not (out / HOME).is_file():
        raise SystemExit(f"build_book: no {HOME}: 00-index.ipynb is the home page and must exist in {source}")
    write_index(out)
    # Sphinx's record of the build, of no use to a reader.
    (out / ".buildinfo").unlink(missing_ok=True)
    # The theme's source maps (about 3.5 of the site's 9 MB) serve only a browser's developer tools,
    # which fetch them on demand; a reader's page never does.
    for source_map in out.glob("_static/**/*.map"):
        source_map.unlink()
    problems = offline_problems(out)
    if problems:
        raise SystemExit("build_book: pages would load from outside the site (offline means offline):\n  "
                         + "\n  ".join(problems))
    files = [f for f in out.rglob("*") if f.is_file()]
    pages = sum(1 for f in out.glob("[0-9][0-9]-*.html"))
    size = sum(f.stat().st_size for f in files)
    print(f"site: {pages} notebook pages, {len(files)} files, {size / 1e6:.1f} MB in {out}, "
          f"built in {time.monotonic() - started:.1f}s", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "target" / "site"), help="where the site goes (default target/site)")
    parser.add_argument("--source", default=str(NOTEBOOKS),
                        help="the folder of NN-name.ipynb notebooks (default notebooks/; tests build a scratch copy)")
    args = parser.parse_args(argv)
    build(Path(args.out).resolve(), Path(args.source).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
