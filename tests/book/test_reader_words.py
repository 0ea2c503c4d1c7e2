"""Words for readers: no internal word of the course's code on a page a student reads.

A student reads the chapters, exercises, front pages, glossary, bibliography, source readers and
the checks page. Their shown text must not carry the course's internal word "seed(s)" (the
project's name for the five source texts), a file's SHA-256, a source text's file name
(``000_ddd02bc2ac0417d8.txt``) or a code name in snake_case (``date_basis``, ``source_id``).

What is not checked, and why (each is an exclusion of the page's HTML, nothing else):

* ``<script>``, ``<style>``, ``<noscript>``, ``<template>``: not shown (a chart's tooltips are read
  from its spec instead, see ``chart_tooltip_titles``);
* a ``<details>`` whose ``<summary>`` reads "Technical details": the folded block of a source reader
  page that names its file and SHA-256 for whoever checks the files;
* code: a code cell's input (``div.cell_input``) and every ``pre`` (code blocks, printed values);
  for code names only, inline code (``code``), which names what a student types;
* for code names only, table headers (``th``) of cell outputs: their wording is being changed
  separately (a cell output's body cells are checked: see ``CODE_COLUMNS``);
* for code names only, web addresses shown as text (``https://…/research_and_analysis/…``);
* the data page (``appendix/data.md``) documents the data files: its tables (cell outputs), which
  show the files with their columns and values, and its inline code (file and folder names) are
  not checked; its prose is;
* ``instructors.md``: a page for instructors, not students.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from alliance.paths import STUDENT_HTML_DIR
from alliance.book.site import toc_files
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
SOLUTION_HTML = ROOT / "_build" / "html"
STUDENT_HTML = STUDENT_HTML_DIR

SEED_WORD = re.compile(r"\bseeds?\b", re.IGNORECASE)
SHA256 = re.compile(r"\b[0-9a-f]{64}\b")
SOURCE_FILE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ADDRESS = re.compile(r"(?:https?://|www\.)\S+")
TECHNICAL_SUMMARY = "Technical details"
#: Pages that are not for students (see the module's docstring).
NOT_FOR_STUDENTS = {"instructors"}
DATA_PAGE = "appendix/data"
#: The course's data columns, the code names a cell output's table body might show: every column
#: of the course's tables, of its reference files and of the corpus and counting helpers.
CODE_COLUMN_FILES = ("data/*.csv", "data/lexicons/*.csv", "data/reference/*.csv")
HELPER_COLUMNS = {"source_id", "per_1000", "is_authors_text", "cited_as", "based_on", "furniture_segments"}


@dataclass(frozen=True)
class Finding:
    page: str
    kind: str
    word: str
    context: str

    def __str__(self) -> str:
        return f"{self.page}: {self.kind} {self.word!r} in …{self.context}…"


@lru_cache(maxsize=1)
def code_columns() -> frozenset[str]:
    """The snake_case column names of the course's data files and helpers."""
    names = set(HELPER_COLUMNS)
    for pattern in CODE_COLUMN_FILES:
        for path in ROOT.glob(pattern):
            header = path.read_text(encoding="utf-8").splitlines()[0]
            names.update(c.strip() for c in header.split(","))
    return frozenset(n for n in names if SNAKE_CASE.fullmatch(n))


def student_pages(html_dir: Path) -> list[str]:
    """The pages a student reads (without ``.html``): the book's TOC files and the source readers."""
    pages = [f for f in toc_files(ROOT) if f not in NOT_FOR_STUDENTS]
    readers = sorted(p.relative_to(html_dir).with_suffix("").as_posix()
                     for p in (html_dir / "appendix" / "sources").glob("*.html") if p.stem != "index")
    return pages + [p for p in readers if p not in pages]


def _remove(soup: Tag, selector: str) -> None:
    for tag in soup.select(selector):
        tag.decompose()


def shown_text(page_html: str, page: str = "", *, for_code_names: bool = False) -> str:
    """The text a reader sees on a page, without the exclusions of the module's docstring
    (``for_code_names``: also without inline code, table headers and shown addresses)."""
    soup = BeautifulSoup(page_html, "html.parser")
    body = soup.body or soup
    _remove(body, "script, style, noscript, template, div.cell_input, pre")
    for details in body.find_all("details"):
        summary = details.find("summary")
        if summary is not None and summary.get_text(" ", strip=True) == TECHNICAL_SUMMARY:
            details.decompose()
    if page == DATA_PAGE:
        _remove(body, "div.cell_output table, code")
    if for_code_names:
        _remove(body, "code, div.cell_output th")
        for cell in body.select("div.cell_output td"):
            # A body cell of an output table counts when it shows one of the course's column names.
            words = set(SNAKE_CASE.findall(cell.get_text(" ")))
            if not words & code_columns():
                cell.decompose()
    return " ".join(body.get_text(" ").split())


def chart_tooltip_titles(page_html: str) -> list[str]:
    """The titles a page's charts show in their tooltips, read from each chart's (compiled) spec."""
    titles: list[str] = []
    for match in re.finditer(r'"tooltip":\{"signal":"((?:[^"\\]|\\.)*)"', page_html):
        signal = json.loads(f'"{match[1]}"')
        titles += re.findall(r'"((?:[^"\\]|\\.)*)":', signal)
    return titles


def _context(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 50): match.end() + 30]


def page_findings(page_html: str, page: str) -> list[Finding]:
    """Every internal word a student would see on one page."""
    found = []
    text = shown_text(page_html, page)
    for kind, pattern in (("seed", SEED_WORD), ("sha256", SHA256), ("source file name", SOURCE_FILE)):
        found += [Finding(page, kind, m[0], _context(text, m)) for m in pattern.finditer(text)]
    code_text = ADDRESS.sub(" ", shown_text(page_html, page, for_code_names=True))
    found += [Finding(page, "code name", m[0], _context(code_text, m)) for m in SNAKE_CASE.finditer(code_text)]
    for title in chart_tooltip_titles(page_html):
        for kind, pattern in (("seed in a tooltip", SEED_WORD), ("code name in a tooltip", SNAKE_CASE)):
            found += [Finding(page, kind, m[0], title) for m in pattern.finditer(title)]
    return found


def book_findings(html_dir: Path) -> list[Finding]:
    found = []
    for page in student_pages(html_dir):
        path = html_dir / f"{page}.html"
        assert path.is_file(), f"{path} is missing: build the book"
        found += page_findings(path.read_text(encoding="utf-8"), page)
    return found


@pytest.mark.build
@pytest.mark.parametrize("html_dir, command", [(SOLUTION_HTML, "make book"),
                                               (STUDENT_HTML, "make book EDITION=student")],
                         ids=["solution", "student"])
def test_student_pages_show_no_internal_words(html_dir: Path, command: str) -> None:
    assert (html_dir / "searchindex.js").is_file(), f"no build in {html_dir}: run `{command}`"
    pages = student_pages(html_dir)
    assert len(pages) >= 25 and "appendix/sources/su2017" in pages and "appendix/bibliography" in pages
    found = book_findings(html_dir)
    assert not found, f"{len(found)} internal word(s) on students' pages:\n" + "\n".join(map(str, found))


# The check itself, on small pages: what it catches and what it leaves out.

def _page(article: str) -> str:
    return f"<html><body><article>{article}</article><script>var seed = 1;</script></body></html>"


def _kinds(article: str, page: str = "chapters/x") -> list[tuple[str, str]]:
    return [(f.kind, f.word) for f in page_findings(_page(article), page)]


def test_the_check_finds_each_internal_word():
    sha = "4bfa772394dafe9245b0e7d3edb955c959f1c2f5809e66cac96fb69eb44e8796"
    assert _kinds("<p>Course seed 000_ddd02bc2ac0417d8.txt</p>") == [
        ("seed", "seed"), ("source file name", "000_ddd02bc2ac0417d8.txt")]
    assert _kinds(f"<dl><dt>Seeds</dt><dd>{sha}</dd></dl>") == [("seed", "Seeds"), ("sha256", sha)]
    assert _kinds("<p>rows by date_basis</p>") == [("code name", "date_basis")]
    assert _kinds("<p>seedling, seeded</p>") == []


def test_the_check_leaves_out_technical_details_code_and_addresses():
    technical = "<details><summary>Technical details</summary><dl><dd>seeds/000_ddd02bc2ac0417d8.txt</dd></dl></details>"
    assert _kinds(technical) == []
    other = "<details><summary>More</summary><p>a seed</p></details>"
    assert _kinds(other) == [("seed", "seed")]
    code = ('<div class="cell_input"><pre>provenance == "seed"</pre></div><p>the column <code>per_1000</code>, '
            'at <a href="https://x.org/research_and_analysis/">https://x.org/research_and_analysis/</a></p>')
    assert _kinds(code) == []
    assert _kinds("<p><code>seeds/</code></p>") == [("seed", "seeds")], "inline code is code only for code names"


def test_the_check_reads_cell_output_tables_and_chart_tooltips():
    table = ('<div class="cell_output"><table><thead><tr><th>source_id</th><th>provenance</th></tr></thead>'
             "<tbody><tr><td>su2017</td><td>seed</td></tr><tr><td>cited_as</td><td>quad_place</td></tr></tbody>"
             "</table></div>")
    assert _kinds(table) == [("seed", "seed"), ("code name", "cited_as")]
    chart = ('<script>var spec={"marks":[{"encode":{"update":{"tooltip":{"signal":"{\\"Date\\": datum[\\"date\\"], '
             '\\"per_1000\\": datum[\\"per_1000\\"], \\"provenance: seed\\": 1}"}}}}]};</script>')
    assert _kinds(chart) == [("code name in a tooltip", "per_1000"), ("seed in a tooltip", "seed")]


def test_the_data_page_is_checked_in_its_prose_only():
    page = ('<p>Files in <code>seeds/</code>.</p><div class="cell_output"><table><tr><th>end_date</th></tr>'
            "<tr><td>seed</td></tr></table></div>")
    assert _kinds(page, DATA_PAGE) == []
    assert _kinds("<p>computed from the seeds</p>", DATA_PAGE) == [("seed", "seeds")]
