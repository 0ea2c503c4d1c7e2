"""Sphinx extension for the course book (loaded from ``_config.yml`` as ``alliance.book.sphinxext``).

:func:`setup` only registers; each job is a module of its own:

* ``sources``: before Sphinx reads, generates the source-reader pages (``appendix/sources/<id>.md``) and
  the glossary page from ``data/`` (a sixth source needs only a file and a row), sets
  ``ALLIANCE_CHART_MODE=book`` for the kernels that execute the chapters, and runs the notebooks
  about to be read in parallel.
* ``freshness``: when the package, ``data/`` or ``seeds/`` changed since the last build, the execution
  cache is emptied and every page read again, so chapters never show outputs of old code or data.
* ``edition``: which edition this build makes, from ``ALLIANCE_BOOK_EDITION`` (the config value
  ``alliance_edition``): ``solution`` (the default, ``make book``) or ``student``
  (``make book EDITION=student``). The student edition drops the in-chapter solutions
  (sphinx-exercise's solution nodes, once its gated directives are merged, so the chapters execute and
  cache exactly as in the solution edition) and, in the exercise pages, the cells tagged ``solution``
  (their source is rewritten before parsing), and shows the placeholders.
* ``roles``: the roles ``{q}`` (inline quotation), ``{para}`` (paragraph citation) and ``{absent}``
  (claim of absence, checked by a count) that the prose uses in the sentence itself, rendered per
  paragraph by the ``RenderEvidence`` transform, and ``{bg}``/``{inst}`` (a short named link to a
  reference row); a role that does not hold is an error, so the strict build fails on that line
  (see ``alliance.citations``).
* ``links``: keeps the addresses of Markdown links raw in the document tree (myst-parser, up to 5.0,
  its issue #760, HTML-escapes them, and every writer escapes them again).
* ``reading_time``: chapters and the background page open with their reading time.
* ``page``: the per-page fixes of the theme's output (``html-page-context``): scripts only where used,
  sphinx-thebe dropped (the course does not use Thebe, which loads from a CDN), accessibility, and the
  steps below.
* ``description``: every page's ``<meta name="description">``, its front matter's ``description`` or
  its first paragraph.
* ``chart_bundle``: the one vega bundle (vega from vl-convert-python and a small ``vegaEmbed``),
  ``_static/vega-bundle.js``, and the loader that fetches it only on pages that hold a chart, when a
  chart nears the screen (or the page is printed).
* ``charts``: each chart's spec compiled to Vega, drawn offline after the text is shown, in a space
  reserved from its spec's size.
* ``static_files``: the bundle and the citation popover's files written before the first page; the
  theme's stylesheets and icon fonts trimmed after the last.
* ``downloads``: notebook pages offer ``.ipynb`` (not the MyST ``.md``) for download and launch,
  exercise pages both editions of their notebook (the student edition only student notebooks), every
  page the PDF and EPUB once made; the notebooks offered are their notebook editions
  (``alliance.editions``).
* ``publication``: one setting says where the book is published, ``html.baseurl`` and
  ``repository.url`` of ``_config.yml``; the launch (Binder) and repository buttons are shown only
  when ``repository.url`` names a repository (empty, the default: none).
* The directive ``{selfcheck}`` (quick questions answered in the page) is ``alliance.book.selfcheck``'s.
"""
from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from alliance.book.selfcheck import setup_selfchecks
from alliance.book.sphinxext.chart_bundle import write_bundle
from alliance.book.sphinxext.downloads import (copy_reader_editions, note_reader_editions, offer_notebook_download,
                                               publish_editions)
from alliance.book.sphinxext.edition import DropSolutions, edition_from_environment, student_notebook_source
from alliance.book.sphinxext.freshness import reread_when_inputs_change
from alliance.book.sphinxext.links import keep_link_urls_raw_on_init
from alliance.book.sphinxext.page import tidy_page
from alliance.book.sphinxext.publication import apply_publication
from alliance.book.sphinxext.reading_time import insert_reading_time
from alliance.book.sphinxext.roles import (RenderEvidence, absent_role, background_role, institution_role, para_role,
                                           quote_role)
from alliance.book.sphinxext.sources import execute_ahead, generate_pages, set_book_chart_mode
from alliance.book.sphinxext.static_files import trim_theme_files, write_popovers

#: Priority of the ``config-inited`` handlers that prepare the sources: before every other extension's.
PREPARE_FIRST = 100


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension's config values, roles, directive, transforms and event handlers."""
    app.add_config_value("alliance_edition", edition_from_environment(), "env", types=[str])
    app.add_config_value("alliance_reader_editions", (), "html")
    app.connect("config-inited", keep_link_urls_raw_on_init, priority=PREPARE_FIRST)
    app.connect("config-inited", set_book_chart_mode, priority=PREPARE_FIRST)
    app.connect("config-inited", generate_pages, priority=PREPARE_FIRST)
    app.connect("config-inited", note_reader_editions)
    app.connect("config-inited", apply_publication)
    app.add_transform(DropSolutions)
    app.add_transform(RenderEvidence)
    app.connect("source-read", student_notebook_source)
    app.connect("doctree-read", insert_reading_time)
    app.add_role("q", quote_role)
    app.add_role("para", para_role)
    app.add_role("absent", absent_role)
    app.add_role("bg", background_role)
    app.add_role("inst", institution_role)
    setup_selfchecks(app)
    app.add_css_file("alliance.css")
    app.connect("env-get-outdated", reread_when_inputs_change)
    app.connect("env-before-read-docs", execute_ahead, priority=900)
    app.connect("html-page-context", offer_notebook_download, priority=500)
    app.connect("html-page-context", tidy_page, priority=900)
    app.connect("build-finished", copy_reader_editions)
    app.connect("build-finished", write_bundle)
    app.connect("build-finished", write_popovers)
    app.connect("build-finished", publish_editions, priority=900)
    app.connect("build-finished", trim_theme_files, priority=950)
    # env_version: raised when the document trees this extension shapes change, so Sphinx re-reads
    # every page instead of keeping stale ones (2: Markdown links' addresses are stored raw; 3: evidence
    # rendered per paragraph; 4: evidence links carry their paragraphs' classes, pages load the popover;
    # 5: chapters open with their reading time, background facts are links with their fact as title;
    # 6: self-checks; 7: the extension is a package, its transforms' module paths moved).
    return {"version": "1.0", "env_version": 7, "parallel_read_safe": True, "parallel_write_safe": True}
