"""The EPUB edition of the book (``make epub``): an EPUB 3 written from the built HTML pages.

The book's HTML (``make book``) already holds everything the e-book needs: the verified quotations
with their attribution, the paragraph citations linked to the source reader, the glued values and
the charts' specs. This package takes each page of ``_toc.yml`` from the built site, keeps its
article, and writes it as an XHTML content document: every chart becomes an SVG image
(:func:`alliance.book.static_charts.replace_charts`, alternative text = title and description), links
between pages become links between the EPUB's documents, links to anything outside the book keep
(and show) their full address, and what an e-reader cannot use (scripts, styles, buttons, toggles,
permalink anchors) is dropped; self-checks become numbered questions with their answers at the end
of the chapter (:func:`alliance.book.selfcheck.print_selfchecks`).
Then come a cover (a PNG drawn from the course's title, declared as
the ``cover-image``, and its page), a title page, the table of contents (``nav.xhtml``), the package
document and the zip, with ``mimetype`` first and stored, as EPUB 3 requires.

The package, by job:

* :mod:`~alliance.book.epub.toc`: the pages in reading order;
* :mod:`~alliance.book.epub.page`: one page's article, cleaned for an e-reader;
* :mod:`~alliance.book.epub.links`: its links, rewritten (:class:`LinkMap`);
* :mod:`~alliance.book.epub.cover`: the cover image;
* :mod:`~alliance.book.epub.documents`: the XHTML, navigation, title, package and container documents;
* :mod:`~alliance.book.epub.build`: the EPUB written (:func:`build_epub`);
* :mod:`~alliance.book.epub.epubcheck`: checking it (:func:`run_epubcheck`);
* :mod:`~alliance.book.epub.__main__`: the command line.

>>> build_epub(Path("_build/html"), Path("_build/epub/course.epub"))   # doctest: +SKIP
python -m alliance.book.epub [--html _build/html] [--out _build/epub/course.epub] [--edition solution]
"""
from __future__ import annotations

from alliance import lazy_exports

#: Each public name of the package and the module that defines it: ``from alliance.book.epub import
#: build_epub`` keeps working, and importing one module does not import the others.
_EXPORTS: dict[str, str] = {
    "CHARTS_DIR": "alliance.book.epub.build",
    "CONTAINER": "alliance.book.epub.documents",
    "CONTENT_DIR": "alliance.book.epub.documents",
    "COVER_COLOURS": "alliance.book.epub.cover",
    "COVER_FONT": "alliance.book.epub.cover",
    "COVER_IMAGE": "alliance.book.epub.documents",
    "COVER_PAGE": "alliance.book.epub.documents",
    "COVER_SIZE": "alliance.book.epub.cover",
    "DROPPED_ATTRIBUTES": "alliance.book.epub.page",
    "DROPPED_ELEMENTS": "alliance.book.epub.page",
    "EPUBCHECK_JAR": "alliance.book.epub.epubcheck",
    "EpubReport": "alliance.book.epub.build",
    "EpubcheckResult": "alliance.book.epub.epubcheck",
    "KNOWN_ELEMENTS": "alliance.book.epub.page",
    "LinkMap": "alliance.book.epub.links",
    "STYLE": "alliance.book.epub.documents",
    "STYLESHEET": "alliance.book.epub.documents",
    "TocEntry": "alliance.book.epub.toc",
    "article_html": "alliance.book.epub.page",
    "build_epub": "alliance.book.epub.build",
    "clean_article": "alliance.book.epub.page",
    "cover_document": "alliance.book.epub.documents",
    "cover_png": "alliance.book.epub.cover",
    "cover_svg": "alliance.book.epub.cover",
    "main": "alliance.book.epub.__main__",
    "nav_document": "alliance.book.epub.documents",
    "package_document": "alliance.book.epub.documents",
    "page_sections": "alliance.book.epub.page",
    "page_title": "alliance.book.epub.page",
    "renumber_ids": "alliance.book.epub.page",
    "run_epubcheck": "alliance.book.epub.epubcheck",
    "safe_id": "alliance.book.epub.toc",
    "title_document": "alliance.book.epub.documents",
    "toc_entries": "alliance.book.epub.toc",
    "wrap_title": "alliance.book.epub.cover",
    "xhtml_document": "alliance.book.epub.documents",
    "xhtml_name": "alliance.book.epub.toc",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
