"""``python -m alliance.editions --lab DIR | --out DIR | --binder``: write the notebook editions.
"""
from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from alliance.editions.links import BookIndex, link_base
from alliance.editions.publish import write_reader_editions
from alliance.paths import HTML_DIR


def main(argv: Iterable[str] | None = None) -> int:
    """Write the notebook editions (after ``make book``)."""
    parser = argparse.ArgumentParser(prog="python -m alliance.editions", description=main.__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="write DIR/chapters/*.ipynb and DIR/exercises/*.ipynb (student), "
                                                "linked to the built book through DIR/book")
    where.add_argument("--lab", type=Path, metavar="DIR",
                       help="like --out, but keep every notebook already in DIR (a student's work)")
    where.add_argument("--binder", action="store_true",
                       help="write chapters/*.ipynb and replace exercises/*.ipynb by the student edition")
    parser.add_argument("--html", type=Path, default=HTML_DIR, help="the built book (default _build/html)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    book = BookIndex.from_build(args.html, base_url=link_base("binder" if args.binder else "lab"))
    if args.binder:
        written, kept = write_reader_editions(book.root, book, mirror=True, html_dir=args.html)
    else:
        written, kept = write_reader_editions(args.out or args.lab, book, overwrite=args.lab is None,
                                              html_dir=args.html)
    folder = book.root if args.binder else (args.out or args.lab)
    print(f"Notebook editions: {len(written)} written to {folder}"
          + (f"; {len(kept)} kept as they were (your work: delete a file to get a fresh copy)" if kept else ""))
    return 0
