"""Notebook editions: the chapters and exercises as plain notebooks that read like the book.

The book's sources are written in MyST (roles such as ``{q}``, ``{para}``, ``{term}``, ``{glue:}``;
directives such as ``{admonition}`` and ``{exercise}``; ``(label)=`` targets). Jupyter front ends
(JupyterLab, VS Code, Colab, GitHub) render Markdown as CommonMark and would show that markup raw.
This package writes the ``.ipynb`` files readers get — from the book's download buttons, from the
Binder launch and from ``make lab`` — with every MyST construct turned into CommonMark:

* ``{q}`` → “words” (Su, [¶4](… "the paragraph")), verified verbatim as in the book; ``{para}`` →
  [Su ¶4](… "the paragraph"); ``{absent}`` → its checked count; the links go to the source reader,
  and each ¶ link's title is the cited paragraph's text (hover it to read the paragraph);
* ``{term}``, ``{ref}``, ``{numref}``, ``{doc}`` → links into the book, with the text the book
  shows (resolved through the built book's ``objects.inv``);
* ``{glue:}`` → the value the book shows (from the executed notebook's ``.glue.json``);
* ``{cite:p}`` → (Author, year), ``{cite:t}`` → Author (year), linked to the bibliography;
* admonitions, exercises and solutions → block-quoted callouts with a bold title;
* self-checks (``{selfcheck}``) → the question and its lettered options as a callout, then a code
  cell ``check("id", ...)`` the reader edits and runs (``alliance.selfcheck.check``);
  ``(label)=`` targets and ``%`` comments are dropped.

Anything else raises :class:`EditionError` naming the file and the construct, and every converted
cell is checked with :func:`raw_myst` (CommonMark rendering, then a search for MyST left over), so
a construct the converter does not handle cannot reach a reader unnoticed.

Where the links go (:attr:`BookIndex.base_url`, see :func:`link_base`):

* ``make lab`` (``--lab``/``--out DIR``): the book built on this computer, through the link
  ``DIR/book`` → ``_build/html`` that :func:`link_lab_book` makes (JupyterLab serves only the
  folder it was opened on). Clicking a link opens the page in JupyterLab's HTML viewer; the
  ``¶`` links' titles show the paragraph on hover without leaving the notebook.
* Binder (``--binder``): the book Binder built beside the notebooks (``../_build/html/``).
* The downloads of the built book (``_sources/``, ``student/``) and ``make student``: they are
  opened away from the book, so they link to the published book (``html.baseurl`` of
  ``_config.yml``) when it is set; while it is empty (not published) they have no links: a
  citation reads as plain text ("Su ¶4") with the paragraph's text as its hover title.

The package, by job (the book and the classroom both use it; it imports only the course's content):

* :mod:`~alliance.editions.tags`: the cell tags, in one place;
* :mod:`~alliance.editions.links`: where links go, the built book's index (:class:`BookIndex`);
* :mod:`~alliance.editions.myst`: the one MyST-to-CommonMark converter, and the check for raw MyST;
* :mod:`~alliance.editions.solutions`: removing the solutions (the student edition of a notebook);
* :mod:`~alliance.editions.notebooks`: one edition of a chapter, page or exercise;
* :mod:`~alliance.editions.publish`: writing them into the built book (with a manifest) or a folder;
* :mod:`~alliance.editions.student`: ``make student``; :mod:`~alliance.editions.__main__`: the command line.

Command line::

    python -m alliance.editions --out DIR    # DIR/chapters/*.ipynb, DIR/exercises/*.ipynb (student), DIR/book
    python -m alliance.editions --lab notebooks  # the same, never overwriting a notebook already there
    python -m alliance.editions --binder     # chapters/*.ipynb and the student exercises in place
"""
from __future__ import annotations

from alliance import lazy_exports

#: Each public name of the package and the module that defines it: ``from alliance.editions import BookIndex``
#: keeps working, and importing one module (``alliance.editions.tags``) does not import the others.
_EXPORTS: dict[str, str] = {
    "ANSWER_TAG": "alliance.editions.tags",
    "BOOK_EDITIONS": "alliance.editions.notebooks",
    "BOOK_TAGS": "alliance.editions.tags",
    "BookIndex": "alliance.editions.links",
    "CHECK_TAG": "alliance.editions.tags",
    "CODE_CELL_MARK": "alliance.editions.myst",
    "DEFAULT_OUT": "alliance.editions.student",
    "EDITION_LIBRARIES": "alliance.editions.publish",
    "EDITION_NOTE_TAG": "alliance.editions.tags",
    "EXTRA_NOTEBOOK_PAGES": "alliance.editions.notebooks",
    "EditionJob": "alliance.editions.publish",
    "IDENTITY_TAG": "alliance.editions.tags",
    "JUDGEMENT_TAG": "alliance.editions.tags",
    "KEPT_NB_METADATA": "alliance.editions.solutions",
    "MANIFEST_NAME": "alliance.editions.publish",
    "MANIFEST_VERSION": "alliance.editions.publish",
    "MISSING": "alliance.editions.publish",
    "PLACEHOLDER_TAG": "alliance.editions.tags",
    "PublishedEditions": "alliance.editions.publish",
    "RAW_MYST_PATTERNS": "alliance.editions.myst",
    "REMOVE_CELL_TAG": "alliance.editions.tags",
    "SELFCHECK_TAG": "alliance.editions.tags",
    "SOLUTION_TAG": "alliance.editions.tags",
    "STUDENT_TAG": "alliance.editions.tags",
    "book_digests": "alliance.editions.publish",
    "bytes_digest": "alliance.editions.publish",
    "cell_tags": "alliance.editions.tags",
    "chapter_docnames": "alliance.editions.notebooks",
    "cited_paragraphs": "alliance.editions.links",
    "code_digest": "alliance.editions.publish",
    "commonmark_html": "alliance.editions.myst",
    "convert_notebook": "alliance.editions.notebooks",
    "corpus_files": "alliance.editions.publish",
    "drop_gated_solutions": "alliance.editions.notebooks",
    "edition_jobs": "alliance.editions.publish",
    "exercise_edition": "alliance.editions.notebooks",
    "file_digest": "alliance.editions.publish",
    "is_up_to_date": "alliance.editions.publish",
    "json_digest": "alliance.editions.publish",
    "library_versions": "alliance.editions.publish",
    "link_base": "alliance.editions.links",
    "link_lab_book": "alliance.editions.links",
    "load_manifest": "alliance.editions.publish",
    "manifest_key": "alliance.editions.publish",
    "notebook_raw_myst": "alliance.editions.myst",
    "package_modules": "alliance.paths",
    "page_edition": "alliance.editions.notebooks",
    "publish": "alliance.editions.student",
    "publish_editions": "alliance.editions.publish",
    "raw_myst": "alliance.editions.myst",
    "remove_raw_sources": "alliance.editions.publish",
    "save_manifest": "alliance.editions.publish",
    "split_at_code_marks": "alliance.editions.myst",
    "strip_solutions": "alliance.editions.solutions",
    "student_page_notebook": "alliance.editions.notebooks",
    "unlinked_commonmark": "alliance.editions.myst",
    "write_book_editions": "alliance.editions.publish",
    "write_reader_editions": "alliance.editions.publish",
    "write_student_edition": "alliance.editions.student",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
