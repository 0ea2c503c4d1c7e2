"""What a page offers for download and launch, and the files behind those buttons.

* Notebook pages offer ``.ipynb`` (the notebook edition, not the MyST ``.md``) for download and launch; an
  exercise page offers both editions of its notebook in the solution edition, only the student one in the
  student edition.
* The reader editions (``make pdf``, ``make epub``) join every page's download menu once they are made, and
  are copied into ``<outdir>/downloads/``.
* At the end of the build the notebooks offered are replaced by their notebook editions
  (``alliance.editions``).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from alliance import paths
from alliance.book.sphinxext.edition import is_student_edition
from alliance.book.sphinxext.publication import config_path

logger = sphinx_logging.getLogger(__name__)

#: The reader editions the download menu offers when they have been made (``make pdf``, ``make epub``):
#: kind, button text, tooltip.
READER_EDITIONS: tuple[tuple[str, str, str], ...] = (
    ("pdf", ".pdf (whole course)", "Download the whole course as one print-ready PDF"),
    ("epub", ".epub (whole course)", "Download the whole course for e-readers (EPUB)"),
)


def reader_edition_files(edition: str) -> dict[str, Path]:
    """The PDF and EPUB made for ``edition`` (``_build/pdf/course[-student].pdf``, ``_build/epub/...``)."""
    suffix = "-student" if edition == "student" else ""
    folders = {"pdf": paths.PDF_DIR, "epub": paths.EPUB_DIR}
    found = {kind: folders[kind] / f"course{suffix}.{kind}" for kind, _, _ in READER_EDITIONS}
    return {kind: path for kind, path in found.items() if path.is_file()}


def note_reader_editions(app: Sphinx, config: Any) -> None:
    """Record which reader editions exist (name, size, time) in a config value that rewrites every
    page when it changes, so the download menus offer a PDF or EPUB as soon as it is made."""
    config.alliance_reader_editions = tuple(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                                            for p in reader_edition_files(config.alliance_edition).values())


def copy_reader_editions(app: Sphinx, exception: Exception | None) -> None:
    """Copy the reader editions the menus link to into ``<outdir>/downloads/``."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "downloads"
    for path in reader_edition_files(app.config.alliance_edition).values():
        target.mkdir(exist_ok=True)
        shutil.copyfile(path, target / path.name)


def offer_notebook_download(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """A MyST notebook page offers its ``.ipynb`` (the notebook edition written at the end of the
    build) even without launch buttons: sphinx-book-theme names it only when it adds them."""
    from alliance.editions.notebooks import chapter_docnames

    source = str(context.get("sourcename") or "")
    if ("kernelspec" in app.env.metadata.get(pagename, {}) and source.endswith((".md", ".md.txt"))
            and pagename in chapter_docnames(Path(app.srcdir))):  # only the pages that have an edition
        context.setdefault("ipynb_source", pagename + ".ipynb")


def publish_editions(app: Sphinx, exception: Exception | None) -> None:
    """Replace the notebooks the book offers (download buttons, ``student/``) by their notebook
    editions, which read as CommonMark in any Jupyter front end (see ``alliance.editions``).
    Editions whose inputs and output are unchanged are not written again (its manifest)."""
    if exception is not None or app.builder.format != "html":
        return
    from alliance.editions.links import BookIndex
    from alliance.editions.publish import write_book_editions

    outdir = Path(app.outdir)
    # myst-nb writes the executed notebooks (and their .glue.json) beside the HTML, as jupyter_execute/.
    book = BookIndex.from_build(outdir, paths.glue_dir_of(outdir),
                                base_url=paths.published_url(config_path(app)) or "", root=Path(app.srcdir))
    student = is_student_edition(app)
    published = write_book_editions(outdir, book, student=student)
    logger.info(f"[alliance] notebook editions for download ({'student' if student else 'solution'} edition "
                f"of the book): {len(published.written)} written, "
                f"{len(published.editions) - len(published.written)} up to date")



#: The exercise pages, whose download menu offers both editions of their notebook.
EXERCISE_PAGE = re.compile(r"exercises/ex\d")
#: The text and tooltip of an exercise notebook's download button, by edition.
STUDENT_NOTEBOOK_BUTTON = (".ipynb (student)", "Download the student edition (no solutions)")
SOLUTION_NOTEBOOK_BUTTON = (".ipynb (solutions)", "Download the solution edition")


def adjust_header_buttons(app: Sphinx, pagename: str, context: dict[str, Any]) -> None:
    """The page's download menu (:func:`adjust_download_menu`) and launch menu (:func:`launch_notebooks`)."""
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            adjust_download_menu(app, pagename, context, group)
        if group.get("label") == "launch-buttons":
            launch_notebooks(group)


def adjust_download_menu(app: Sphinx, pagename: str, context: dict[str, Any], group: dict[str, Any]) -> None:
    """A notebook page's menu without its MyST source, every menu with the reader editions made, an
    exercise page's with its notebook's editions."""
    if context.get("ipynb_source"):
        group["buttons"] = [b for b in group["buttons"] if b.get("label") != "download-source-button"]
    add_reader_edition_buttons(app, context, group)
    if EXERCISE_PAGE.match(pagename):
        student = is_student_edition(app)
        label_notebook_downloads(group, student)
        if not student:  # the student edition's one notebook (_sources/) is the student edition
            add_student_notebook_button(pagename, context, group)


def add_reader_edition_buttons(app: Sphinx, context: dict[str, Any], group: dict[str, Any]) -> None:
    """One button per reader edition made for this edition of the book (``downloads/<file>``)."""
    for kind, path in reader_edition_files(app.config.alliance_edition).items():
        text, tooltip = next((t, tip) for k, t, tip in READER_EDITIONS if k == kind)
        group["buttons"].append({
            "type": "link", "url": context["pathto"](f"downloads/{path.name}", 1), "text": text,
            "tooltip": tooltip, "icon": "fas fa-file-pdf" if kind == "pdf" else "fas fa-book",
            "label": f"download-{kind}-button"})


def label_notebook_downloads(group: dict[str, Any], student: bool) -> None:
    """Name the edition an exercise page's notebook download holds (student or solutions)."""
    text, tooltip = STUDENT_NOTEBOOK_BUTTON if student else SOLUTION_NOTEBOOK_BUTTON
    for button in group["buttons"]:
        if button.get("label") in ("download-source-button", "download-notebook-button"):
            button["text"], button["tooltip"] = text, tooltip


def add_student_notebook_button(pagename: str, context: dict[str, Any], group: dict[str, Any]) -> None:
    """Solution edition: offer the exercise's student notebook (``student/<name>.ipynb``) first."""
    text, tooltip = STUDENT_NOTEBOOK_BUTTON
    group["buttons"].insert(0, {
        "type": "link", "url": f"{context['pathto']('student', 1)}/{pagename.split('/')[-1]}.ipynb",
        "text": text, "tooltip": tooltip, "icon": "fas fa-code", "label": "download-student-button"})


def launch_notebooks(group: dict[str, Any]) -> None:
    """The launch buttons open the page's ``.ipynb``, not its MyST ``.md``."""
    for button in group.get("buttons", []):
        url = button.get("url", "")
        if url.endswith(".md"):
            button["url"] = url[: -len(".md")] + ".ipynb"
