"""Compare two builds of the book page for page: what a reader reads, and every chart.

    python tools/compare_builds.py BEFORE_HTML AFTER_HTML [--code] [--rename OLD=NEW ...]

For each HTML page of either build (search and index pages aside), the article's text as a reader
sees it, block by block, and the article's inline scripts (each chart's Vega-Lite spec, its
``altair-viz-<id>`` element ids blanked); and each notebook edition the book offers for download
(``_sources/**/*.ipynb``, ``student/*.ipynb``), cell by cell (kind and text).

Code is left out unless ``--code``: code cells' inputs, the "Show code cell source" toggles that fold them,
and the notebooks' code cells. A refactoring may change the code a page shows without changing what it
says. ``--rename OLD=NEW`` reads OLD in the first build as NEW (a module path the refactoring moved,
named in a page's prose).

Prints one line per page that differs, with the first lines of its difference, and a summary line;
exits 1 when a page differs or exists in one build only.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

#: Pages made by Sphinx itself, whose contents follow from the others.
SKIPPED = frozenset({"search.html", "genindex.html", "py-modindex.html"})
BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "figcaption", "dt", "dd",
                    "blockquote", "caption", "summary", "legend", "label"})
_CHART_ID = re.compile(r"altair-viz-[0-9a-f]+")


@dataclass(frozen=True)
class PageReading:
    """What one page gives a reader: its text blocks and its inline scripts (chart specs)."""

    blocks: tuple[str, ...]
    scripts: tuple[str, ...]


def _text_blocks(node: Tag, code: bool) -> list[str]:
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
        current.clear()

    def walk(element: Tag | NavigableString) -> None:
        if isinstance(element, NavigableString):
            current.append(str(element))
            return
        if not isinstance(element, Tag):
            return
        classes = element.get("class") or []
        if element.name in ("script", "style", "svg", "noscript") or "headerlink" in classes:
            return
        if not code and ("cell_input" in classes or "above-input" in classes):
            return  # a code cell's input, or the "Show code cell source" toggle folding it
        block = element.name in BLOCKS
        if block:
            flush()
        for child in element.children:
            walk(child)
        if block:
            flush()

    walk(node)
    flush()
    return blocks


def read_page(html: str, code: bool = False, renames: dict[str, str] | None = None) -> PageReading:
    """The article of a built page as :class:`PageReading` (the whole body when it has no article)."""
    for old, new in (renames or {}).items():
        html = html.replace(old, new)
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup.body or soup
    scripts = tuple(_CHART_ID.sub("altair-viz-ID", s.get_text()) for s in article.find_all("script"))
    return PageReading(tuple(_text_blocks(article, code)), scripts)


def pages(html_dir: Path) -> dict[str, Path]:
    """The built pages, by path relative to ``html_dir`` (``_static``, ``_sources`` and Sphinx's own pages aside)."""
    return {p.relative_to(html_dir).as_posix(): p for p in sorted(html_dir.rglob("*.html"))
            if not p.relative_to(html_dir).parts[0].startswith("_") and p.name not in SKIPPED}


def notebooks(html_dir: Path) -> dict[str, Path]:
    """The notebook editions in a built book, by path relative to ``html_dir``."""
    return {p.relative_to(html_dir).as_posix(): p for p in sorted(html_dir.rglob("*.ipynb"))}


def read_notebook(text: str, code: bool = False, renames: dict[str, str] | None = None) -> list[str]:
    """A notebook's cells as lines to compare: each cell's kind, then its text (code cells only with ``code``)."""
    for old, new in (renames or {}).items():
        text = text.replace(old, new)
    lines = []
    for cell in json.loads(text)["cells"]:
        if cell["cell_type"] == "code" and not code:
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        lines += [f"[{cell['cell_type']} cell]", *source.split("\n")]
    return lines


def compare(before: Path, after: Path, code: bool = False,
            renames: dict[str, str] | None = None) -> tuple[int, dict[str, list[str]]]:
    """(pages and notebooks compared, {page: difference lines}) between two built books."""
    old, new = pages(before), pages(after)
    differences: dict[str, list[str]] = {}
    for name in sorted(set(old) | set(new)):
        if name not in new or name not in old:
            differences[name] = [f"only in {'the first' if name in old else 'the second'} build"]
            continue
        a = read_page(old[name].read_text(encoding="utf-8"), code, renames)
        b = read_page(new[name].read_text(encoding="utf-8"), code, renames)
        lines = list(difflib.unified_diff(a.blocks, b.blocks, "before", "after", lineterm="", n=0))
        if a.scripts != b.scripts:
            lines.append(f"charts and inline scripts differ ({len(a.scripts)} before, {len(b.scripts)} after)")
        if lines:
            differences[name] = lines
    old_nb, new_nb = notebooks(before), notebooks(after)
    for name in sorted(set(old_nb) | set(new_nb)):
        if name not in new_nb or name not in old_nb:
            differences[name] = [f"only in {'the first' if name in old_nb else 'the second'} build"]
            continue
        lines = list(difflib.unified_diff(read_notebook(old_nb[name].read_text(encoding="utf-8"), code, renames),
                                          read_notebook(new_nb[name].read_text(encoding="utf-8"), code, renames),
                                          "before", "after", lineterm="", n=0))
        if lines:
            differences[name] = lines
    return len(set(old) | set(new) | set(old_nb) | set(new_nb)), differences


def main(argv: list[str] | None = None) -> int:
    """Compare two built books; exit 1 when any page differs."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--code", action="store_true", help="compare the code cells' inputs too")
    parser.add_argument("--rename", action="append", default=[], metavar="OLD=NEW",
                        help="read OLD in the first build as NEW")
    parser.add_argument("--lines", type=int, default=12, help="difference lines shown per page")
    args = parser.parse_args(argv)
    renames = dict(r.split("=", 1) for r in args.rename)
    count, differences = compare(args.before, args.after, args.code, renames)
    for name, lines in differences.items():
        print(f"{name}: differs")
        for line in lines[:args.lines]:
            print(f"    {line}")
    print(f"{count} pages and notebooks compared, {count - len(differences)} identical, {len(differences)} differ"
          + ("" if args.code else " (code cells' inputs left out)"))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
