"""The student edition of the exercises: the solution notebooks without their solutions.

The cells tagged ``solution`` are removed (:func:`alliance.editions.solutions.strip_solutions`; the tags
are :mod:`alliance.editions.tags`), and each notebook is written as its notebook edition.

Command line (the Makefile's ``make student``)::

    python -m alliance.editions.student                      # writes _build/student/*.ipynb
    python -m alliance.editions.student --publish _build/html  # also copies them into the built site
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

from alliance import paths
from alliance.editions.links import BookIndex
from alliance.editions.notebooks import exercise_edition
from alliance.exercises import EXERCISES_DIR, exercise_id, solution_notebooks

#: Where ``make student`` writes the student notebooks (``_build/student``).
DEFAULT_OUT: Path = paths.STUDENT_NOTEBOOKS_DIR


def write_student_edition(out_dir: Path | None = None, src_dir: Path | None = None,
                          html_dir: Path | None = None) -> list[Path]:
    """Write the student edition of every ``ex*.ipynb`` of ``src_dir`` into ``out_dir``.

    Each is the notebook edition (``alliance.editions``: Markdown that reads as CommonMark, linked to
    the published book) of :func:`strip_solutions`; it needs the built book (``make book``, or
    ``html_dir``). File names are kept. Returns the paths written. Raises ``ValueError`` for a
    notebook without an exercise id in its metadata.
    """
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
    parser = argparse.ArgumentParser(prog="python -m alliance.editions.student", description=main.__doc__)
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
