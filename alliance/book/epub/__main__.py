"""The EPUB's command line: ``python -m alliance.book.epub [--html DIR] [--out FILE] [--edition E] [--check]``
(``make epub``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alliance.book.epub.build import build_epub
from alliance.book.epub.epubcheck import run_epubcheck
from alliance.paths import EPUB_DIR, HTML_DIR

#: The command's description (the package's summary).
DESCRIPTION = "The EPUB edition of the book (``make epub``): an EPUB 3 written from the built HTML pages."


def main(argv: list[str] | None = None) -> int:
    """``python -m alliance.book.epub``: write the EPUB of a built book."""
    parser = argparse.ArgumentParser(prog="python -m alliance.book.epub", description=DESCRIPTION)
    parser.add_argument("--html", type=Path, default=HTML_DIR, help="the built book")
    parser.add_argument("--out", type=Path, default=EPUB_DIR / "course.epub")
    parser.add_argument("--edition", choices=("solution", "student"), default="solution")
    parser.add_argument("--check", action="store_true", help="then check it with epubcheck (fails on any error)")
    args = parser.parse_args(argv)
    report = build_epub(args.html, args.out, edition=args.edition)
    size = report.path.stat().st_size
    print(f"{report.path}: {report.pages} pages, {report.charts} charts as SVG, "
          f"{report.internal_links} internal and {report.external_links} external links, {size / 1e6:.2f} MB")
    if args.check:
        result = run_epubcheck(report.path)
        print(f"epubcheck: {result.fatals} fatals, {result.errors} errors, {result.warnings} warnings")
        if not result.valid:
            print(result.output, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
