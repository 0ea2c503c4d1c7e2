"""The student edition of the exercises: the solution notebooks without their solutions.

The solution edition (``exercises/ex*.ipynb``) marks its cells with tags:

* ``solution``: solution code, model answers and rubrics. **Removed.**
* ``student``: placeholders (``answer_q1 = ...``, *Write your answer here.*). Kept; they carry
  ``remove-cell`` too so that the book, which shows the solution edition, hides them.
* ``check``: the ``check(...)`` calls that give instant feedback. Kept.

The stripping is done by nbconvert's stock preprocessors (``TagRemovePreprocessor``,
``ClearOutputPreprocessor``, ``ClearMetadataPreprocessor``); see ``instructors.md`` for why.

Command line (the Makefile's ``make student``)::

    python -m alliance.student                      # writes _build/student/*.ipynb
    python -m alliance.student --publish _build/html  # also copies them into the built site
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor, ClearOutputPreprocessor, TagRemovePreprocessor
from nbformat import NotebookNode

from alliance import paths
from alliance.exercises import EXERCISES_DIR, exercise_id, solution_notebooks

SOLUTION_TAG = "solution"
STUDENT_TAG = "student"
CHECK_TAG = "check"
DEFAULT_OUT: Path = paths.PROJECT_ROOT / "_build" / "student"
#: Notebook metadata kept in the student edition (the grader reads ``alliance.exercise``).
KEPT_NB_METADATA = {("kernelspec",), ("language_info",), ("alliance",)}
#: Book-only tags dropped from the cells kept (so a placeholder is not hidden anywhere).
BOOK_TAGS = frozenset({"remove-cell", "hide-cell", "hide-input", "remove-input", "remove-output"})


def _copy(nb: NotebookNode) -> NotebookNode:
    return nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))


def strip_solutions(nb: NotebookNode) -> NotebookNode:
    """The student edition of one solution notebook (a new notebook; the input is untouched).

    Removes the cells tagged ``solution``, clears every output and execution count, clears the
    cell metadata except the tags of the kept cells, and marks ``metadata.alliance.edition``.
    """
    student = _copy(nb)
    resources: dict = {}
    student, resources = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}).preprocess(student, resources)
    student, resources = ClearOutputPreprocessor().preprocess(student, resources)
    student, resources = ClearMetadataPreprocessor(
        preserve_nb_metadata_mask=KEPT_NB_METADATA, preserve_cell_metadata_mask={"tags"}
    ).preprocess(student, resources)
    for cell in student.cells:
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if t not in BOOK_TAGS]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    meta = dict(student.metadata.get("alliance") or {})
    meta["edition"] = "student"
    student.metadata["alliance"] = meta
    nbformat.validate(student)
    return student


def write_student_edition(out_dir: Path | None = None, src_dir: Path | None = None,
                          html_dir: Path | None = None) -> list[Path]:
    """Write the student edition of every ``ex*.ipynb`` of ``src_dir`` into ``out_dir``.

    Each is the notebook edition (``alliance.editions``: Markdown that reads as CommonMark, linked to
    the published book) of :func:`strip_solutions`; it needs the built book (``make book``, or
    ``html_dir``). File names are kept. Returns the paths written. Raises ``ValueError`` for a
    notebook without an exercise id in its metadata.
    """
    from alliance.editions import BookIndex, exercise_edition

    book = BookIndex.from_build(html_dir)
    out = Path(out_dir or DEFAULT_OUT)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in solution_notebooks(Path(src_dir or EXERCISES_DIR)):
        if not exercise_id(nbformat.read(path, as_version=4)):
            raise ValueError(f"{path}: notebook metadata has no alliance.exercise id; add one (see instructors.md).")
        target = out / path.name
        nbformat.write(exercise_edition(path, book, student=True), target)
        written.append(target)
    return written


def publish(html_dir: Path, student_dir: Path | None = None) -> list[Path]:
    """Copy the student notebooks into the built site as ``<html_dir>/student/*.ipynb``.

    The exercises index page links to ``../student/<name>.ipynb``. Writes the student edition
    first when ``student_dir`` has none. Call after ``jupyter-book build``. Returns the copies.
    """
    source = Path(student_dir or DEFAULT_OUT)
    notebooks = sorted(source.glob("ex*.ipynb")) or write_student_edition(source)
    target = Path(html_dir) / "student"
    target.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in notebooks:
        shutil.copyfile(path, target / path.name)
        copies.append(target / path.name)
    return copies


def main(argv: list[str] | None = None) -> int:
    """Write the student edition (and optionally publish it into a built site)."""
    parser = argparse.ArgumentParser(prog="python -m alliance.student", description=main.__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the student notebooks")
    parser.add_argument("--src", type=Path, default=EXERCISES_DIR, help="folder of the solution notebooks")
    parser.add_argument("--publish", type=Path, metavar="HTML_DIR",
                        help="also copy them to HTML_DIR/student/ (e.g. _build/html)")
    args = parser.parse_args(argv)
    written = write_student_edition(args.out, args.src)
    print(f"Student edition: {len(written)} notebook(s) in {args.out}")
    if args.publish:
        copies = publish(args.publish, args.out)
        print(f"Published {len(copies)} notebook(s) to {Path(args.publish) / 'student'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
