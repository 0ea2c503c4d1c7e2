"""The files the book writes into ``_static/``: the vega bundle and the citation popover's files (before the
first page, so every page links the same versions), and the theme's stylesheets and icon fonts cut down to
what the pages use (after the last)."""
from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from alliance.book.sphinxext.chart_bundle import write_bundle

logger = sphinx_logging.getLogger(__name__)

#: Output folders whose vega bundle is already in place for this build.
_BUNDLE_READY: set[str] = set()
#: Output folders whose citation popover files (``alliance.book.popovers``) are already written for this build.
_PARAGRAPHS_READY: set[str] = set()


def write_popovers(app: Sphinx, exception: Exception | None) -> None:
    """Write the citation popover's script and paragraph text into ``_static/`` where they changed."""
    if exception is not None or app.builder.format != "html":
        return
    from alliance.corpus import load_corpus
    from alliance.book.popovers import write_popover_files

    write_popover_files(Path(app.outdir) / "_static", load_corpus())


def trim_theme_files(app: Sphinx, exception: Exception | None) -> None:
    """Cut the theme's stylesheets and icon fonts down to what the built pages use
    (``alliance.book.theme_assets``): a page then loads about 0.1 MB of them instead of 0.7 MB."""
    if exception is not None or app.builder.format != "html":
        return
    from alliance.book.theme_assets import trim_theme_assets

    report = trim_theme_assets(Path(app.outdir))
    logger.info(f"[alliance] theme stylesheets and icon fonts trimmed: {sum(report.sizes.values()) // 1024} KB in "
                f"{len(report.sizes)} files ({len(report.written)} written)")


def write_static_files_once(app: Sphinx) -> None:
    """Before the first page of an HTML build, write the vega bundle and the popover files, so that Sphinx
    gives every page the same ``vega-bundle.js?v=<checksum>`` URL (written only at build-finished, the
    bundle was missing when the pages were written: they linked it without ``?v=``, and after an
    incremental build some pages with and some without, so browsers downloaded it twice and could keep a
    stale copy after an upgrade)."""
    if app.builder.format == "html" and str(app.outdir) not in _BUNDLE_READY:
        write_bundle(app, None)
        _BUNDLE_READY.add(str(app.outdir))
    if app.builder.format == "html" and str(app.outdir) not in _PARAGRAPHS_READY:
        write_popovers(app, None)
        _PARAGRAPHS_READY.add(str(app.outdir))
