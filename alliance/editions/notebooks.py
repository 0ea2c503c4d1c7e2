"""One notebook edition: a chapter, page or exercise converted, with its first cell saying what it is,
the gated solutions dropped and, for students, the solutions removed.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode

from alliance import paths
from alliance.editions.links import BookIndex, markdown_link
from alliance.editions.myst import CODE_CELL_MARK, DIRECTIVE, FENCE, MystPage, fence_end, split_at_code_marks
from alliance.editions.solutions import strip_solutions
from alliance.editions.tags import (CHECK_TAG, EDITION_NOTE_TAG, IDENTITY_TAG, REMOVE_CELL_TAG, SOLUTION_TAG, STUDENT_TAG,
                                    cell_tags)
from alliance.errors import EditionError


#: Notebook pages whose editions are written beside the chapters (besides ``chapters/*``).
EXTRA_NOTEBOOK_PAGES: tuple[str, ...] = ("appendix/data",)
#: The two editions of the book: ``solution`` (``make book``, ``_build/html``) and ``student``
#: (``make book EDITION=student``: jupyter-book's ``--path-output`` puts it in ``<dir>/_build/html``).
BOOK_EDITIONS: tuple[str, ...] = ("solution", "student")


# ---------------------------------------------------------------------------------------------
# Editions of whole notebooks


def convert_notebook(nb: NotebookNode, docname: str, book: BookIndex) -> NotebookNode:
    """A copy of ``nb`` whose Markdown cells read as CommonMark; outputs cleared, code untouched."""
    page = MystPage(docname, book, book.glue(docname))
    edition = nbformat.reads(nbformat.writes(nb), as_version=4)
    edition.metadata.pop("jupytext", None)
    edition.cells = [c for c in edition.cells if c.cell_type != "code" or c.source.strip()]  # Run All skips them
    cells: list[NotebookNode] = []
    for cell in edition.cells:
        if cell.cell_type == "markdown":
            cell.source = page.markdown(cell.source)
            cells += split_at_code_marks(cell, page.pending_code) if CODE_CELL_MARK in cell.source else [cell]
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    edition.cells = cells
    nbformat.validate(edition)
    return edition


#: What each kind of edition says, after naming its page, about how to use it.
_NOTE_USE = {
    "page": "run all cells from the top, and the tables, quotations and charts appear.",
    "solution": "this is the solution edition, with model solutions, model answers and rubrics.",
    "student": "replace each `...` with your answer, run the `check(...)` cell under it, and save your "
               "work in this file. Before you hand it in, fill in your name and student id, as on the "
               "course roster, in the code cell near the top that sets `student_name` and `student_id`: the "
               "grader reads them from that cell. Keep the notebook's metadata: the grader reads the "
               "exercise from it.",
}


#: What the first cell says of the edition's links, by :attr:`BookIndex.links`.
_LINKS_NOTE = {
    "local": "Its links open the book built on this computer, in JupyterLab; hover over a ¶ link to "
             "read the cited paragraph without leaving the notebook.",
    "published": "Its links go to the published book; hover over a ¶ link to read the cited paragraph.",
    "none": "The book has no published address yet, so citations and cross-references are plain text; "
            "hover over a ¶ citation to read the cited paragraph.",
}


#: Said only when the book has launch buttons (``repository.url`` set).
_BINDER_NOTE = ", or the book's Binder launch button"


def _page_note(docname: str, book: BookIndex, kind: str = "page") -> NotebookNode:
    """A first cell saying which page of the book this notebook is, and how to run it."""
    address, title = book.lookup("std:doc", docname, docname)
    number = book.chapter_numbers.get(docname)
    linked = markdown_link(title, book.url(address))
    page = f"chapter {number}, {linked}" if number else f"the page {linked}"
    edition = {"page": "notebook edition", "solution": "solution edition", "student": "student edition"}[kind]
    return nbformat.v4.new_markdown_cell(
        f"> This is the {edition} of {page}, of the course *The US-Japan Alliance in the Trump "
        f"Years*. {_LINKS_NOTE[book.links]} It runs where the course's Python package is "
        f"installed (`make lab` on your computer{_BINDER_NOTE if paths.repository_url() else ''}): {_NOTE_USE[kind]}",
        metadata={"tags": [EDITION_NOTE_TAG]})


def _directive_fence(line: str) -> tuple[str, str] | None:
    """(directive name, fence) when ``line`` opens a fenced directive, such as ````{solution-start}``."""
    fence = FENCE.match(line)
    directive = DIRECTIVE.match(fence["info"].strip()) if fence else None
    return (directive["name"], fence["fence"]) if directive else None


def _fence_end(lines: list[str], start: int, fence: str, docname: str) -> int:
    """Index of the line closing the fence ``fence`` opened at ``lines[start]``."""
    end = fence_end(lines, start, fence)
    if end is None:
        raise EditionError(f"{docname}: unclosed fence {lines[start].strip()!r}.")
    return end


def drop_gated_solutions(nb: NotebookNode, docname: str) -> NotebookNode:
    """A copy of a MyST notebook without its in-chapter solutions (the student edition).

    Everything from a ``{solution-start}`` fence to the end of its ``{solution-end}`` fence is
    left out: the Markdown lines and the code cells between them. Cells left empty are dropped.
    """
    copy = nbformat.reads(nbformat.writes(nb), as_version=4)
    kept_cells, inside = [], False
    for cell in copy.cells:
        if cell.cell_type != "markdown":
            if not inside:
                kept_cells.append(cell)
            continue
        lines, kept_lines, i = cell.source.split("\n"), [], 0
        while i < len(lines):
            opened = _directive_fence(lines[i])
            if opened and opened[0] in ("solution-start", "solution-end"):
                inside = opened[0] == "solution-start"
                i = _fence_end(lines, i, opened[1], docname) + 1
                continue
            if not inside:
                kept_lines.append(lines[i])
            i += 1
        cell.source = "\n".join(kept_lines).strip("\n")
        if cell.source.strip():
            kept_cells.append(cell)
    if inside:
        raise EditionError(f"{docname}: a {{solution-start}} without its {{solution-end}}.")
    copy.cells = kept_cells
    return copy


def student_page_notebook(nb: NotebookNode) -> NotebookNode:
    """An exercise notebook as the student edition of the book shows it (a new notebook).

    The cells tagged ``solution`` (solution code, model answers and judgements, rubrics) are
    dropped; the placeholders and the identity cell are shown (their ``remove-cell`` tag
    dropped); the ``check`` cells lose their stored outputs (a solution's *correct* under an
    empty placeholder). Other outputs stay: the book shows the stored outputs of exercise pages
    (quotations, tables), which it does not execute.
    """
    shown = nbformat.reads(nbformat.writes(nb), as_version=4)
    shown.cells = [c for c in shown.cells if SOLUTION_TAG not in cell_tags(c)]
    for cell in shown.cells:
        tags = cell_tags(cell)
        if STUDENT_TAG in tags or IDENTITY_TAG in tags:
            cell.metadata["tags"] = [t for t in tags if t != REMOVE_CELL_TAG]
        if CHECK_TAG in tags and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return shown


def page_edition(docname: str, book: BookIndex, student: bool = False) -> NotebookNode:
    """The notebook edition of a MyST notebook page (a chapter, the data page); with
    ``student=True`` without its in-chapter solutions (:func:`drop_gated_solutions`)."""
    import jupytext

    nb = jupytext.read(book.root / f"{docname}.md")
    if student:
        nb = drop_gated_solutions(nb, docname)
    edition = convert_notebook(nb, docname, book)
    edition.cells.insert(0, _page_note(docname, book))
    return edition


def exercise_edition(path: Path, book: BookIndex, student: bool) -> NotebookNode:
    """The solution edition (``student=False``) or student edition of an exercise notebook.

    The solution edition leaves out the placeholders the book hides (cells tagged ``student``);
    the student edition is :func:`alliance.editions.solutions.strip_solutions`, metadata kept for grading.
    """
    nb = nbformat.read(path, as_version=4)
    if student:
        nb = strip_solutions(nb)
    else:
        nb.cells = [c for c in nb.cells if STUDENT_TAG not in cell_tags(c)]
    docname = f"exercises/{path.stem}"
    edition = convert_notebook(nb, docname, book)
    edition.cells.insert(0, _page_note(docname, book, "student" if student else "solution"))
    return edition


def chapter_docnames(root: Path | None = None) -> list[str]:
    """The notebook pages with an edition: the chapters, then the data page."""
    root = Path(root or paths.PROJECT_ROOT)
    return [*(f"chapters/{p.stem}" for p in sorted((root / "chapters").glob("*.md"))), *EXTRA_NOTEBOOK_PAGES]


def write_notebook(nb: NotebookNode, target: Path, overwrite: bool = True) -> bool:
    """Write ``nb`` to ``target`` (its folder made); ``False`` when ``target`` exists and not ``overwrite``."""
    if target.exists() and not overwrite:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return True
