"""Sphinx configuration of the course book (./jcn site runs build_book.py, which builds with it).

The source folder is notebooks/ itself (or build_book.py --source DIR): the committed notebooks are rendered with the outputs
they were committed with (a real run); nothing is executed here. Three things are added while
the notebooks are read, without touching the files (see on_source_read):

* 00-index gets a hidden toctree of every NN-*.ipynb on disk in file-name order, so the
  sidebar and previous/next follow the course and pick up a new notebook without a hand list;
* every page gets a short "Run it yourself" box under its first cell;
* nothing else: the downloadable .ipynb (the theme's download button) is the committed file.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDEX = "00-index"


def course(srcdir):
    """The notebooks of the course in reading order: the file names start with their number."""
    return sorted(p.stem for p in Path(srcdir).glob("[0-9][0-9]-*.ipynb"))


project = "Java concurrency notebooks"
author = "the course authors"
copyright = "the course authors"
root_doc = INDEX
# Only the numbered notebooks are pages; harness/, src/, python/ and target/ are not.
include_patterns = ["[0-9][0-9]-*.ipynb"]
exclude_patterns = ["**/.ipynb_checkpoints"]

extensions = ["myst_nb"]
nb_execution_mode = "off"  # show the committed outputs, never run a kernel
# A failed or missing output is the notebook's business (CourseCheckTest, NotebookTest), not the book's.
nb_execution_raise_on_error = False
myst_enable_extensions = ["colon_fence"]
# Headings become anchors (05-thread-pools.ipynb#some-heading links keep working).
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "misc.highlighting_failure"]

# The site must work with no network, and MathJax would come from a CDN: no math syntax is
# enabled ($ stays a dollar), so no page has math and Sphinx adds no MathJax script.
# build_book.py refuses any page that would still load from outside.

language = "en"
# The notes the course follows are Chinese, and pages quote them: index Chinese words with
# jieba. search-words.txt adds the course's own terms (进程池 ...) that jieba's dictionary
# splits, so a reader who types one whole still finds its page.
html_search_language = "zh"
# (jieba's user-dictionary format: one "word frequency part-of-speech" a line, no comments.)
html_search_options = {"dict": str(HERE / "search-words.txt")}

html_theme = "sphinx_book_theme"
html_title = "Java concurrency notebooks"
html_static_path = [str(HERE / "_static")]
html_css_files = ["jcn.css"]
html_copy_source = True  # the download button serves _sources/NN-name.ipynb
html_sourcelink_suffix = ""
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "use_source_button": False,
    "use_issues_button": False,
    "use_edit_page_button": False,
    "launch_buttons": {},
    "show_prev_next": True,
    "navigation_with_keys": False,
    "search_bar_text": "Search the course (English or 中文)…",
}

RUN_IT = """\
```{{admonition}} Run it yourself
:class: tip jcn-run-it
This page is `{name}.ipynb` with the outputs of a real run. To run it yourself, clone the course and type
`./jcn lab` in its folder: JupyterLab opens on `notebooks/`, where `{name}.ipynb` is. Or download this
notebook with the download button at the top of the page.
```
"""


def markdown_cell(cell_id, source):
    # nbformat 4.5 wants an id on every cell; these are unique within a notebook by name.
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source}


def on_source_read(app, docname, content):
    nb = json.loads(content[0])
    cells = nb.get("cells", [])
    first = next((i for i, c in enumerate(cells) if c.get("cell_type") == "markdown"), -1)
    cells.insert(first + 1, markdown_cell("jcn-run-it", RUN_IT.format(name=docname)))
    if docname == INDEX:
        pages = "\n".join(name for name in course(app.srcdir) if name != INDEX)
        cells.append(markdown_cell("jcn-toctree", "```{toctree}\n:hidden:\n:maxdepth: 1\n\n" + pages + "\n```\n"))
    nb["cells"] = cells
    content[0] = json.dumps(nb)


def setup(app):
    app.connect("source-read", on_source_read)
    return {"parallel_read_safe": True}
