"""The ``html-page-context`` handler: per-page fixes of the theme's output (:func:`tidy_page`), one step each.

* the page's scripts, each only where it is used: self-checks, citation popovers, the chart loader;
* its ``<meta name="description">`` (``description``);
* sphinx-thebe dropped (scripts, stylesheet and per-page config: the course does not use Thebe, which would
  load from a CDN and declares ``THEBE_JS_URL`` twice), and duplicate scripts and stylesheets;
* the theme's colour mode "auto" when unset (else pydata-sphinx-theme logs "Got invalid theme mode" to the
  console on a first visit);
* accessibility: the sidebar's expand/collapse toggles named, myst-nb's "Show code cell" toggles named by
  their visible text, the bibliography's entries given the ``listitem`` role their ``role="list"``
  container requires (the search field and colour-mode button are fixed by template overrides in
  ``_templates/``);
* the charts with room reserved and their specs compiled (``charts``), the quotations' links classified
  for the popover;
* the download and launch menus (``downloads``).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from sphinx.application import Sphinx

from alliance.book.popovers import PARAGRAPHS_JS, POPOVER_JS, classify_quote_links, has_citation_links
from alliance.book.selfcheck import SELFCHECK_JS, page_has_selfchecks
from alliance.book.selfcheck import write_script as write_selfcheck_script
from alliance.book.sphinxext.chart_bundle import bundle_loader, bundle_url
from alliance.book.sphinxext.charts import compile_charts, has_charts, reserve_chart_space
from alliance.book.sphinxext.description import add_meta_description
from alliance.book.sphinxext.downloads import adjust_header_buttons
from alliance.book.sphinxext.static_files import write_static_files_once

#: sphinx-thebe's per-page config script and the kernel name it sets.
THEBE_BODY = re.compile(
    r'\s*<script type="text/x-thebe-config">.*?</script>\s*<script>kernelName = [^<]*</script>', re.S)


def tidy_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Per-page fixes of the theme's output (runs after the themes' own handlers), in this order."""
    write_static_files_once(app)
    add_page_scripts(app, context)
    add_meta_description(app, pagename, context, doctree)
    drop_thebe_and_duplicates(context)
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    if isinstance(context.get("body"), str):
        context["body"] = tidy_body(context["body"])
    label_toctree(context)
    adjust_header_buttons(app, pagename, context)


def add_page_scripts(app: Sphinx, context: dict[str, Any]) -> None:
    """Per page, deferred, only where used (the builder restores its list before the next page): the
    self-checks' script (``alliance.book.selfcheck``); the paragraphs' text, then the popover that shows
    it (``alliance.book.popovers``); for charts, a small loader, not the bundle, which is fetched when a
    chart comes near the screen (or before printing)."""
    if not hasattr(app.builder, "add_js_file"):
        return
    body = context.get("body")
    if page_has_selfchecks(body):
        write_selfcheck_script(Path(app.outdir) / "_static")
        app.builder.add_js_file(SELFCHECK_JS, defer="defer")
    if has_citation_links(body):
        for name in (PARAGRAPHS_JS, POPOVER_JS):
            app.builder.add_js_file(name, defer="defer")
    if has_charts(body):
        app.builder.add_js_file(None, body=bundle_loader(bundle_url(app, context)))


def drop_thebe_and_duplicates(context: dict[str, Any]) -> None:
    """The page's scripts and stylesheets without sphinx-thebe's and without repeats."""
    if context.get("script_files") is not None:
        context["script_files"] = kept_scripts(context["script_files"])
    if context.get("css_files") is not None:
        context["css_files"] = kept_styles(context["css_files"])


def kept_scripts(scripts: list[Any]) -> list[Any]:
    """``scripts`` without Thebe's (by file name or inline ``THEBE_JS_URL``), each once."""
    kept, seen = [], set()
    for script in scripts:
        name = str(getattr(script, "filename", "") or "")
        body = getattr(script, "attributes", {}).get("body", "") if hasattr(script, "attributes") else ""
        if "thebe" in name.lower() or "THEBE_JS_URL" in body:
            continue
        key = (name, body) if name or body else str(script)
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    return kept


def kept_styles(styles: list[Any]) -> list[Any]:
    """``styles`` without Thebe's, each file once."""
    kept, seen = [], set()
    for style in styles:
        name = str(getattr(style, "filename", style))
        if "thebe" in name.lower() or name in seen:
            continue
        seen.add(name)
        kept.append(style)
    return kept


def tidy_body(body: str) -> str:
    """The page's HTML body without Thebe's config, with accessible toggles and bibliography entries,
    its quotations' links classified for the popover, and its charts sized and compiled."""
    body = THEBE_BODY.sub("\n", body)
    # myst-nb's hide-input/hide-cell toggles: the aria-label "Toggle hidden content" hid their
    # visible text ("Show code cell content"), which then names them (label-content-name-mismatch).
    body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
    if 'class="citation-list"' in body:
        body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    return compile_charts(reserve_chart_space(classify_quote_links(body)))


def label_toctree(context: dict[str, Any]) -> None:
    """Wrap the theme's ``generate_toctree_html`` so the sidebar it draws has named toggles (once)."""
    toctree = context.get("generate_toctree_html")
    if callable(toctree) and not getattr(toctree, "alliance_labelled", False):
        context["generate_toctree_html"] = labelled_toctree(toctree)


def labelled_toctree(toctree: Callable[..., Any]) -> Callable[..., Any]:
    """``toctree`` whose result has its toggles named (:func:`label_toc_summaries`)."""
    def labelled(*args: Any, **kwargs: Any) -> Any:
        return label_toc_summaries(toctree(*args, **kwargs))

    labelled.alliance_labelled = True  # type: ignore[attr-defined]
    return labelled


def label_toc_summaries(toc: Any) -> Any:
    """Name the sidebar's expand/collapse toggles (``<summary>`` holding only an icon).

    ``toc`` is what pydata-sphinx-theme's ``generate_toctree_html`` returns: a BeautifulSoup
    tree (cached per page, so this must be idempotent) or, in other versions, a string.
    """
    as_text = isinstance(toc, str)
    if as_text:
        from bs4 import BeautifulSoup

        toc = BeautifulSoup(toc, "html.parser")
    if not callable(getattr(toc, "select", None)):
        return toc
    for summary in toc.select("details > summary"):
        if summary.get("aria-label") or summary.get_text(strip=True):
            continue
        item = summary.find_parent("li")
        link = item.find("a") if item is not None else None
        name = link.get_text(" ", strip=True) if link is not None else ""
        summary["aria-label"] = f"Show or hide the pages under {name}" if name else "Show or hide these pages"
    return str(toc) if as_text else toc

