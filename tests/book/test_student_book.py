"""The student edition of the book (``make book EDITION=student``) holds no solution (marked `build`).

The leak test gathers every solution line of the book's sources: the source lines and shown
outputs of the exercise cells tagged ``solution`` (solution code, model answers, model
judgements, rubrics), and the body lines and outputs of the in-chapter solutions (between
``{solution-start}`` and ``{solution-end}``). Each is normalised to its words (markup, roles and
punctuation dropped, lower case; a line with MyST roles is checked by its longest plain piece).
Lines whose words also occur in the non-solution content of the book's sources are dropped:
computed, never listed by hand. Every remaining line must be absent from every file of the
student build that a reader can fetch (HTML, ``searchindex.js``, ``_sources``, ``.ipynb``,
``.txt``, ``.json``) and present in the solution build, so the test can fail.

The tests marked `build` need both builds: ``make book`` and ``make book EDITION=student``
(``make test`` runs both). The others test the two functions that make the student pages.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest

from alliance.editions.notebooks import drop_gated_solutions, student_page_notebook
from alliance.paths import STUDENT_HTML_DIR
from alliance.exercises import solution_notebooks
from alliance.book.site import toc_files
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
SOLUTION_HTML = ROOT / "_build" / "html"
SOLUTION_EXECUTED = ROOT / "_build" / "jupyter_execute"
EXECUTION_CACHE = ROOT / "_build" / ".jupyter_cache"
STUDENT_HTML = STUDENT_HTML_DIR
#: The files of a build a reader can fetch and that hold text.
READABLE_SUFFIXES = (".html", ".ipynb", ".txt", ".json", ".md")
#: Output mime types in the order the book shows them (the first one present is the one shown).
SHOWN_MIME = ("text/html", "text/markdown", "text/latex", "text/plain")

_WORD = re.compile(r"\w+")
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})")
_MARKUP_LINE = re.compile(r"^\s*(?::[\w-]+:(?:\s|$)|\([^()\s]+\)=\s*$|%)")
_SOLUTION_START = re.compile(r"^\s*(`{3,}|:{3,})\{solution-start\}")
_SOLUTION_END = re.compile(r"^\s*(`{3,}|:{3,})\{solution-end\}")


def words(text: str) -> str:
    """``text`` as its lower-case words, one space apart (what a search of rendered text compares)."""
    return " ".join(_WORD.findall(html.unescape(text).lower()))


def mask_markup(text: str) -> str:
    """``text`` with each MyST role and Markdown link target (which render as other text, and may
    run over a line break) replaced by a NUL, keeping the line breaks."""
    def mask(match: re.Match[str]) -> str:
        return "\0" + "\n" * match.group().count("\n")

    return _LINK_TARGET.sub(mask, _ROLE.sub(mask, text))


def probe(line: str) -> str:
    """The words of a masked source line to look for in a build: its longest piece between roles
    and link targets (see :func:`mask_markup`), or "" for a line that is only markup."""
    if _FENCE.match(line) or _MARKUP_LINE.match(line):
        return ""
    return max((words(_TAG.sub(" ", piece)) for piece in line.split("\0")), key=len, default="")


#: Scripts of HTML outputs: a chart's script holds its Vega-Lite spec, which the book compiles to Vega
#: when it writes the page (``alliance.book.sphinxext.charts.compile_charts``), so it is not shown as written; the
#: chart's description, in its caption, is.
_SCRIPT_BLOCK = re.compile(r"<script\b.*?</script>", re.S)


def shown_outputs(cell: dict) -> list[str]:
    """The text of a code cell's outputs as the book shows them (one mime type per output; the
    scripts of HTML outputs left out)."""
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(str(output.get("text", "")))
            continue
        data = output.get("data", {})
        mime = next((m for m in SHOWN_MIME if m in data), None)
        shown = data.get(mime, "") if mime else ""
        text = "".join(shown) if isinstance(shown, list) else str(shown)
        texts.append(_SCRIPT_BLOCK.sub(" ", text) if mime == "text/html" else text)
    return texts


def all_outputs(cell: dict) -> list[str]:
    """Every text of a code cell's outputs, in every mime type (what the book may show of it)."""
    texts = []
    for output in cell.get("outputs", []):
        texts.append(_notebook_text(json.dumps(output)))
    return texts


@dataclass
class SourceLines:
    """The lines of the book's sources, split into solution and non-solution content."""

    solution: list[tuple[str, str]]  # (where, line)
    other: list[str]


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _gated_cells(cells: list[dict]) -> list[tuple[dict, list[str], list[str]]]:
    """Per cell of a MyST notebook: (cell, its lines inside solutions, its lines outside).

    Inside: from the line after a ``{solution-start}`` fence's closing line to the line before
    the ``{solution-end}`` fence; a code cell there is inside as a whole.
    """
    out, inside, in_fence = [], False, ""
    for cell in cells:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        lines = mask_markup(source).split("\n")
        if cell["cell_type"] != "markdown":
            out.append((cell, lines if inside else [], [] if inside else lines))
            continue
        kept_in, kept_out = [], []
        for line in lines:
            if in_fence:  # the gate's own fence: its options and closing line are markup
                if re.match(rf"^\s*{re.escape(in_fence)}\s*$", line):
                    in_fence = ""
                continue
            start, end = _SOLUTION_START.match(line), _SOLUTION_END.match(line)
            if start or end:
                inside, in_fence = bool(start), (start or end).group(1)
                continue
            (kept_in if inside else kept_out).append(line)
        out.append((cell, kept_in, kept_out))
    return out


def executed_cells(page: Path) -> list[dict]:
    """The cells of a MyST notebook page with their outputs from the execution cache (as the
    book shows them), or a plain page as one Markdown cell."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    text = page.read_text(encoding="utf-8")
    if not re.match(r"---\n.*?\bkernelspec:", text, re.S):
        return [{"cell_type": "markdown", "source": text}]
    notebook = read_myst_markdown_notebook(text, path=str(page))
    _, merged = get_cache(str(EXECUTION_CACHE)).merge_match_into_notebook(notebook)
    return merged.cells


@lru_cache(maxsize=1)
def source_lines() -> SourceLines:
    """Solution and other lines of the exercise notebooks, the chapters (with their outputs, from
    the execution cache both builds share) and every other page of the book."""
    solution: list[tuple[str, str]] = []
    other: list[str] = []
    for path in sorted((ROOT / "exercises").glob("ex*.ipynb")):
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if "solution" in _tags(cell):
                outputs = [t for text in shown_outputs(cell) for t in text.split("\n")]
                lines = mask_markup(cell.source).split("\n") + outputs
                solution += [(f"{path.name} cell {i}", line) for line in lines]
            else:
                other += cell.source.split("\n") + all_outputs(cell)
    pages = [ROOT / f"{d}.md" for d in toc_files(ROOT) if (ROOT / f"{d}.md").is_file()]
    pages += sorted((ROOT / "appendix" / "sources").glob("*.md"))  # generated at build: the readers
    for path in sorted(set(pages)):
        docname = path.relative_to(ROOT).with_suffix("").as_posix()
        cells = executed_cells(path)
        for i, (cell, inside, outside) in enumerate(_gated_cells(cells)):
            if inside and "remove-cell" in _tags(cell):
                continue  # a check inside a solution that neither book shows (its asserts, its glue)
            if inside:
                outputs = [t for text in shown_outputs(cell) for t in text.split("\n")]
                solution += [(f"{docname} cell {i}", line) for line in inside + outputs]
            other += outside + ([] if inside else all_outputs(cell))
    # Glued values are shown wherever the prose cites them (their cells are not solutions).
    other += [_notebook_text(p.read_text(encoding="utf-8")) for p in SOLUTION_EXECUTED.rglob("*.glue.json")]
    return SourceLines(solution, other)


@lru_cache(maxsize=1)
def solution_probes() -> dict[str, str]:
    """probe → where it comes from, for every solution line whose words occur nowhere else."""
    lines = source_lines()
    elsewhere = f" {' '.join(words(_TAG.sub(' ', line)) for line in lines.other)} "
    probes: dict[str, str] = {}
    for where, line in lines.solution:
        found = probe(line)
        if found and f" {found} " not in elsewhere:
            probes.setdefault(found, where)
    return probes


def _notebook_text(text: str) -> str:
    """Every string of a notebook (sources, outputs, metadata), one per line."""
    strings: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(json.loads(text))
    return "\n".join(strings)


def readable_files(html_dir: Path) -> list[Path]:
    """The files of a build a reader can fetch that hold text: pages, notebooks, sources, the index."""
    return sorted(p for p in html_dir.rglob("*") if p.is_file() and (
        p.suffix in READABLE_SUFFIXES or p.name == "searchindex.js" or "_sources" in p.relative_to(html_dir).parts))


def build_words(html_dir: Path) -> dict[str, str]:
    """Relative path → the words of each readable file of a build (tags stripped, notebooks parsed)."""
    found = {}
    for path in readable_files(html_dir):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text = _notebook_text(text)
        found[path.relative_to(html_dir).as_posix()] = f" {words(_TAG.sub(' ', text))} "
    return found


def _require(html_dir: Path, command: str) -> None:
    assert (html_dir / "searchindex.js").is_file(), f"no build in {html_dir}: run `{command}`"


@pytest.mark.build
def test_solution_lines_reach_no_file_of_the_student_book() -> None:
    _require(SOLUTION_HTML, "make book")
    _require(STUDENT_HTML, "make book EDITION=student")
    probes = solution_probes()
    files = build_words(STUDENT_HTML)
    assert len(files) > 50, f"only {len(files)} readable files in {STUDENT_HTML}"
    leaks = [f"{where}: {found!r} in {name}" for found, where in probes.items()
             for name, text in files.items() if f" {found} " in text]
    print(f"\n{len(probes)} solution lines checked against {len(files)} files of the student book")
    assert not leaks, f"{len(leaks)} solution line(s) in the student book:\n" + "\n".join(leaks[:40])


@pytest.mark.build
def test_the_same_check_finds_every_solution_line_in_the_solution_book() -> None:
    _require(SOLUTION_HTML, "make book")
    probes = solution_probes()
    everything = "".join(build_words(SOLUTION_HTML).values())
    missing = [f"{where}: {found!r}" for found, where in probes.items() if f" {found} " not in everything]
    print(f"\n{len(probes) - len(missing)} of {len(probes)} solution lines found in the solution book")
    assert len(probes) > 300, f"only {len(probes)} solution lines gathered: the sources changed shape?"
    assert not missing, f"{len(missing)} solution line(s) not found in the solution book:\n" + "\n".join(missing[:40])


# --------------------------------------------------------------------------- what the student book shows

EXERCISE_PAGES = [p.stem for p in solution_notebooks(ROOT / "exercises")]


def _page_text(html_dir: Path, page: str) -> str:
    """The words of a page's article (its content, without the theme's chrome)."""
    text = (html_dir / f"{page}.html").read_text(encoding="utf-8")
    article = text[text.find("<article"): text.rfind("</article>")]
    return f" {words(_TAG.sub(' ', article))} "


@pytest.mark.build
@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_student_exercise_pages_show_the_work_not_the_solutions(name: str) -> None:
    _require(STUDENT_HTML, "make book EDITION=student")
    nb = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)
    shown = _page_text(STUDENT_HTML, f"exercises/{name}")
    for cell in nb.cells:
        tags = _tags(cell)
        text = f" {words(mask_markup(cell.source).replace(chr(0), ' '))} "
        if cell.cell_type == "code" and {"student", "check", "identity"} & set(tags):
            assert text in shown, f"{name}: the {tags[0]} cell {cell.source[:60]!r} is not on the student page"
    html = (STUDENT_HTML / "exercises" / f"{name}.html").read_text(encoding="utf-8")
    assert 'class="admonition dropdown' not in html and "tag_solution" not in html
    titles = re.findall(r'class="admonition-title">([^<]*)<', html)
    assert not [t for t in titles if t.startswith(("Model", "Marking rubric"))], titles
    assert "alliance-feedback" in (ROOT / "exercises" / f"{name}.ipynb").read_text(encoding="utf-8")
    assert "alliance-feedback" not in html, "a check cell shows the solution's stored result under an empty placeholder"


@pytest.mark.build
@pytest.mark.parametrize("name", EXERCISE_PAGES)
def test_student_book_offers_only_student_notebooks(name: str) -> None:
    _require(STUDENT_HTML, "make book EDITION=student")
    html = (STUDENT_HTML / "exercises" / f"{name}.html").read_text(encoding="utf-8")
    assert "(solutions)" not in html and "solution edition" not in html.lower().split("<article", 1)[0]
    assert f"_sources/exercises/{name}.ipynb" in html
    for folder in ("_sources/exercises", "student"):
        notebook = STUDENT_HTML / folder / f"{name}.ipynb"
        nb = nbformat.read(notebook, as_version=4)
        assert nb.metadata["alliance"]["edition"] == "student", notebook
        assert not [c for c in nb.cells if "solution" in _tags(c)], notebook
        assert any("answer_q1 = ..." in c.source for c in nb.cells), notebook


@pytest.mark.build
def test_student_book_sources_are_notebook_editions_only() -> None:
    _require(STUDENT_HTML, "make book EDITION=student")
    sources = STUDENT_HTML / "_sources"
    chapters = sorted(p.name for p in (sources / "chapters").iterdir())
    assert chapters and all(n.endswith(".ipynb") for n in chapters), chapters
    solution_chapters = sorted(p.name for p in (SOLUTION_HTML / "_sources" / "chapters").iterdir())
    assert any(n.endswith(".md") for n in solution_chapters), "the solution book keeps its MyST sources"
    for path in (sources / "chapters").glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "Solution to Exercise" not in text and "solution-start" not in text, path.name


# --------------------------------------------------------------------------- the two functions


def test_drop_gated_solutions_keeps_the_exercise_and_drops_the_solution() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Intro.\n\n````{exercise}\n:label: ex-a\nQuestion?\n````\n\n"
                                      "````{solution-start} ex-a\n:class: dropdown\n````\nWorked answer."),
        nbformat.v4.new_code_cell("secret = 42"),
        nbformat.v4.new_markdown_cell("Explanation of the secret.\n\n````{solution-end}\n````\n\nAfter."),
        nbformat.v4.new_code_cell("shown = 1"),
    ])
    student = drop_gated_solutions(nb, "chapters/x")
    text = "\n".join(c.source for c in student.cells)
    assert "Question?" in text and "After." in text and "shown = 1" in text
    assert "Worked answer" not in text and "secret" not in text and "solution-" not in text
    assert "secret = 42" in nb.cells[1].source, "the input notebook is left as it was"


def test_drop_gated_solutions_refuses_an_unclosed_solution() -> None:
    from alliance.errors import EditionError

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("````{solution-start} ex-a\n````\nOpen.")])
    with pytest.raises(EditionError, match="solution-end"):
        drop_gated_solutions(nb, "chapters/x")


def test_student_page_notebook_shows_placeholders_and_clears_checks() -> None:
    nb = nbformat.read(ROOT / "exercises" / f"{EXERCISE_PAGES[0]}.ipynb", as_version=4)
    page = student_page_notebook(nb)
    assert not [c for c in page.cells if "solution" in _tags(c)]
    placeholders = [c for c in page.cells if {"student", "identity"} & set(_tags(c))]
    assert placeholders and all("remove-cell" not in _tags(c) for c in placeholders)
    checks = [c for c in page.cells if "check" in _tags(c)]
    assert checks and all(not c.outputs for c in checks)
    assert any(c.get("outputs") for c in page.cells), "the stored outputs of other cells (quotations) stay"
    assert any("solution" in _tags(c) for c in nb.cells), "the input notebook is left as it was"
