"""Sphinx extension for the course book (loaded from ``_config.yml``).

* Generates the source-reader pages (``appendix/sources/<id>.md``) and the glossary page
  from ``data/`` before Sphinx reads the sources, so a sixth source needs only a file and a row.
* Ships the one vega bundle (vega + vega-lite from vl-convert-python, and a small ``vegaEmbed``) as
  ``_static/vega-bundle.js`` and loads it only on the pages that hold a chart, and there only when a
  chart nears the screen (or the page is printed: ``bundle_loader``); charts
  draw offline from it, after the text is shown, in a space reserved from their spec's size.
* Gives every page a ``<meta name="description">``: its front matter's ``description`` or its
  first paragraph (``page_description``).
* Sets ``ALLIANCE_CHART_MODE=book`` for the kernels that execute the chapters.
* Removes sphinx-thebe's scripts (the course does not use Thebe, which loads from a CDN, and
  whose config script is declared twice on some pages: ``THEBE_JS_URL`` already declared).
* Notebook pages offer ``.ipynb`` (not the MyST ``.md``) for download and launch.
* One setting says where the book is published (``publication_settings``): ``html.baseurl`` and
  ``repository.url`` of ``_config.yml``. The launch (Binder) and repository buttons are shown only
  when ``repository.url`` names a repository; empty (the default, not published), there are none.
* Keeps the addresses of Markdown links raw in the document tree (``keep_link_urls_raw``): myst-parser
  (up to 5.0, its issue #760) HTML-escapes a link's URL before storing it as ``refuri``, which every
  writer escapes again, so ``?a=1&b=2`` was published as ``href="?a=1&amp;amp;b=2"``.
* Adds the directive ``{selfcheck}`` (quick questions answered in the page, ``alliance.selfcheck``),
  and loads its script only on the pages that hold one.
* Adds the roles ``{q}`` (inline quotation), ``{para}`` (paragraph citation) and ``{absent}``
  (claim of absence, checked by a count) that the prose uses in the sentence itself; a role
  that does not hold is an error, so the strict build fails on that line (see ``citations``).
* Builds one of two editions, chosen by the environment variable ``ALLIANCE_BOOK_EDITION``
  (the config value ``alliance_edition``): ``solution`` (the default, what ``make book`` builds)
  or ``student`` (``make book EDITION=student``). The student edition drops the in-chapter
  solutions (sphinx-exercise's solution nodes, once its gated directives are merged, so the
  chapters execute and cache exactly as in the solution edition) and, in the exercise pages, the
  cells tagged ``solution`` (their source is rewritten before parsing), shows the placeholders,
  and offers only student notebooks for download (``alliance.editions``).
"""
from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, Callable

from sphinx.application import Sphinx

from alliance import paths
from sphinx.transforms import SphinxTransform
from sphinx.util import logging as sphinx_logging

from alliance.paths import BUNDLE_NAME
from alliance.book.pages import write_generated_pages
from alliance.book.popovers import PARAGRAPHS_JS, POPOVER_JS, classify_quote_links, has_citation_links
from alliance.book.selfcheck import SELFCHECK_JS, page_has_selfchecks, setup_selfchecks
from alliance.book.selfcheck import write_script as write_selfcheck_script


#: The environment variable that selects the edition of the book (``make book EDITION=...``).
EDITION_VARIABLE = "ALLIANCE_BOOK_EDITION"


def edition_from_environment() -> str:
    """The edition named by ``ALLIANCE_BOOK_EDITION`` (``solution`` when unset)."""
    from alliance.editions.notebooks import BOOK_EDITIONS

    edition = os.environ.get(EDITION_VARIABLE, "").strip() or "solution"
    if edition not in BOOK_EDITIONS:
        raise ValueError(f"{EDITION_VARIABLE}={edition!r}: the book's editions are {', '.join(BOOK_EDITIONS)}.")
    return edition


def is_student_edition(app: Sphinx) -> bool:
    """Whether this build is the student edition of the book."""
    return app.config.alliance_edition == "student"


#: The reader editions the download menu offers when they have been made (``make pdf``, ``make epub``):
#: kind, button text, tooltip.
READER_EDITIONS: tuple[tuple[str, str, str], ...] = (
    ("pdf", ".pdf (whole course)", "Download the whole course as one print-ready PDF"),
    ("epub", ".epub (whole course)", "Download the whole course for e-readers (EPUB)"),
)


def reader_edition_files(edition: str) -> dict[str, Path]:
    """The PDF and EPUB made for ``edition`` (``_build/pdf/course[-student].pdf``, ``_build/epub/...``)."""
    suffix = "-student" if edition == "student" else ""
    found = {kind: paths.PROJECT_ROOT / "_build" / kind / f"course{suffix}.{kind}" for kind, _, _ in READER_EDITIONS}
    return {kind: path for kind, path in found.items() if path.is_file()}


def _note_reader_editions(app: Sphinx, config: Any) -> None:
    """Record which reader editions exist (name, size, time) in a config value that rewrites every
    page when it changes, so the download menus offer a PDF or EPUB as soon as it is made."""
    config.alliance_reader_editions = tuple(
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in reader_edition_files(config.alliance_edition).values())


def _copy_reader_editions(app: Sphinx, exception: Exception | None) -> None:
    """Copy the reader editions the menus link to into ``<outdir>/downloads/``."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "downloads"
    for path in reader_edition_files(app.config.alliance_edition).values():
        target.mkdir(exist_ok=True)
        shutil.copyfile(path, target / path.name)


class DropSolutions(SphinxTransform):
    """Student edition: remove every solution from the document before Sphinx records it.

    Runs after sphinx-exercise merges the gated ``solution-start``/``solution-end`` pairs into
    solution nodes (its ``MergeGatedSolutions``, priority 10), and before ``doctree-read``, so the
    solutions' labels, images and words reach neither the HTML nor the search index. Removes the
    solution nodes and any notebook cell tagged ``solution`` (myst-nb's ``tag_solution`` class).
    (sphinx-exercise's own ``hide_solutions`` cannot be used: with gated solutions it crashes.)
    """

    default_priority = 11

    def apply(self, **kwargs: Any) -> None:
        if not is_student_edition(self.app):
            return
        from sphinx_exercise.nodes import solution_node

        from docutils import nodes

        solutions = list(self.document.findall(solution_node))
        solutions += [n for n in self.document.findall(nodes.container) if "tag_solution" in n.get("classes", [])]
        for node in solutions:
            if node.parent is not None:
                node.parent.remove(node)


def _student_notebook_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """Student edition: an ``.ipynb`` page is read as :func:`alliance.editions.student_page_notebook`
    (no solution cells, placeholders shown, check outputs cleared)."""
    if not is_student_edition(app) or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    import nbformat

    from alliance.editions.notebooks import student_page_notebook

    source[0] = nbformat.writes(student_page_notebook(nbformat.reads(source[0], as_version=4)))


#: First line of the bundle this version of the course writes; a bundle without it is rewritten.
BUNDLE_HEADER = "/* alliance chart bundle 3: the parts of vega the course's charts use (vl-convert-python) */"

#: Where vl-convert-python's bundler finds vega's packages (offline: vl-convert ships them under these
#: addresses). The versions are those vega 6.2.0 depends on, in the vl-convert-python pinned in
#: requirements.txt; after an upgrade of vl-convert, ``make book`` stops at the bundle until they are
#: updated (the error names this constant).
VEGA_MODULES = {
    "dataflow": "https://cdn.jsdelivr.net/npm/vega-dataflow@6.1.0/+esm",
    "transforms": "https://cdn.jsdelivr.net/npm/vega-transforms@5.1.0/+esm",
    "view_transforms": "https://cdn.jsdelivr.net/npm/vega-view-transforms@5.1.0/+esm",
    "encode": "https://cdn.jsdelivr.net/npm/vega-encode@5.1.0/+esm",
    "view": "https://cdn.jsdelivr.net/npm/vega-view@6.1.0/+esm",
    "parser": "https://cdn.jsdelivr.net/npm/vega-parser@7.1.0/+esm",
}

#: The Vega transforms the bundle registers (those of vega-transforms, vega-view-transforms and
#: vega-encode, by the names Vega specs use). Vega-Lite's compiled specs use a few of them; a chart
#: whose compiled spec needs another (geographic, hierarchy, force, label, regression, Voronoi, word
#: cloud, cross-filter) stops the build (``compile_chart``) rather than fail in the reader's browser.
CHART_TRANSFORMS = frozenset({
    "aggregate", "bin", "collect", "compare", "countpattern", "cross", "density", "dotbin", "expression",
    "extent", "facet", "field", "filter", "flatten", "fold", "formula", "generate", "impute",
    "joinaggregate", "kde", "key", "load", "lookup", "multiextent", "multivalues", "params", "pivot",
    "prefacet", "project", "proxy", "quantile", "relay", "sample", "sequence", "sieve", "subflow",
    "timeunit", "tupleindex", "values", "window",
    "bound", "identifier", "mark", "overlap", "render", "viewlayout",
    "axisticks", "datajoin", "encode", "legendentries", "linkpath", "pie", "scale", "sortitems", "stack",
})

#: The ES module vl-convert bundles for the book (``vl_convert.javascript_bundle``). The book compiles
#: every chart's Vega-Lite spec to Vega when it writes the page (``compile_charts``), so the browser
#: needs neither vega-lite nor vega-embed (themes, tooltip plug-in, action menu), nor vega's
#: transforms outside ``CHART_TRANSFORMS``: 439 KB instead of the 898 KB of vl-convert's default
#: bundle. ``vegaEmbed(el, spec, {renderer})`` draws a Vega spec as SVG in ``el``, as vega-embed
#: would; the tooltip is a ``role="tooltip"`` box that follows the pointer and holds the mark's
#: fields as a table (text only, never HTML).
EMBED_SNIPPET = """
import {transforms} from "__dataflow__";
import * as coreTransforms from "__transforms__";
import * as viewTransforms from "__view_transforms__";
import * as encodeTransforms from "__encode__";
import {View} from "__view__";
import {parse} from "__parser__";
Object.assign(transforms, coreTransforms, viewTransforms, encodeTransforms);
function allianceFormat(v) {
  if (v === null || v === undefined) { return ''; }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
function allianceTooltip(handler, event, item, value) {
  var tip = document.getElementById('alliance-tooltip');
  if (value === null || value === undefined || value === '') { if (tip) { tip.hidden = true; } return; }
  if (!tip) {
    tip = document.createElement('div');
    tip.id = 'alliance-tooltip'; tip.className = 'alliance-tooltip'; tip.setAttribute('role', 'tooltip');
    document.body.appendChild(tip);
  }
  tip.textContent = '';
  if (typeof value === 'object' && !Array.isArray(value)) {
    var table = document.createElement('table');
    Object.keys(value).forEach(function (key) {
      var row = table.insertRow(), head = document.createElement('th');
      head.textContent = key; row.appendChild(head); row.insertCell().textContent = allianceFormat(value[key]);
    });
    tip.appendChild(table);
  } else {
    tip.textContent = allianceFormat(value);
  }
  tip.hidden = false;
  var x = event.clientX + 14, y = event.clientY + 14;
  tip.style.left = Math.max(4, Math.min(x, window.innerWidth - tip.offsetWidth - 8)) + 'px';
  tip.style.top = (y + tip.offsetHeight > window.innerHeight ? event.clientY - tip.offsetHeight - 14 : y) + 'px';
}
function allianceEmbed(el, spec, opts) {
  return new Promise(function (resolve) {
    var view = new View(parse(spec), {renderer: (opts && opts.renderer) || 'svg', container: el, hover: true});
    view.tooltip(allianceTooltip);
    el.classList.add('vega-embed');
    resolve(view.runAsync().then(function () { return {view: view, spec: spec}; }));
  });
}
window.vegaEmbed = allianceEmbed;
"""


def vega_bundle() -> str:
    """The book's chart library: ``EMBED_SNIPPET`` with the parts of vega it imports, offline from
    vl-convert, in a function scope (the bundle's top-level ``const _`` would otherwise clash with
    Sphinx's global ``_`` from doctools.js: "Identifier '_' has already been declared")."""
    import vl_convert

    snippet = EMBED_SNIPPET
    for name, url in VEGA_MODULES.items():
        snippet = snippet.replace(f'"__{name}__"', json.dumps(url))
    try:
        code = vl_convert.javascript_bundle(snippet)
    except Exception as error:  # vl-convert raises RuntimeError; keep its message
        raise RuntimeError(f"vl-convert could not bundle vega's packages: {error!s:.300}. If vl-convert-python "
                           "was upgraded, update alliance.book.sphinxext.VEGA_MODULES to the vega packages it ships.") \
            from error
    return f"{BUNDLE_HEADER}\n(function(){{\n{code}\n}})();\n"


def _write_bundle(app: Sphinx, exception: Exception | None) -> None:
    """Write ``_static/vega-bundle.js`` unless this version's bundle is already there."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / BUNDLE_NAME
    if target.exists():
        with target.open(encoding="utf-8") as existing:
            if existing.readline().rstrip("\n") == BUNDLE_HEADER:
                return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(vega_bundle(), encoding="utf-8")


logger = sphinx_logging.getLogger(__name__)
_THEBE_BODY = re.compile(
    r'\s*<script type="text/x-thebe-config">.*?</script>\s*<script>kernelName = [^<]*</script>', re.S)


def _label_toc_summaries(toc: Any) -> Any:
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


_VIS_CLASS = re.compile(r'class="alliance-vis"')

#: Stands in for ``vegaEmbed`` until a chart comes within half a screen of the viewport (or the page is
#: printed); then loads the bundle once and hands it every chart queued. The charts' own scripts
#: (``alliance.charts.chart_html``) call ``vegaEmbed`` as before. The bundle's parse (0.6 MB)
#: no longer blocks a page whose reader has not reached a chart.
_LOADER = """(function(){var src=__SRC__,queue=[],started=false,failed=false,seen=null;
function flush(){var real=window.vegaEmbed;queue.splice(0).forEach(function(q){
if(failed||real===stub){q[4](new Error('chart library not loaded'));}else{real(q[0],q[1],q[2]).then(q[3],q[4]);}});}
function load(){if(started){return;}started=true;if(seen){seen.disconnect();}
var s=document.createElement('script');s.src=src;s.async=true;s.onload=flush;
s.onerror=function(){failed=true;flush();};document.head.appendChild(s);}
if('IntersectionObserver' in window){seen=new IntersectionObserver(function(entries){
for(var i=0;i<entries.length;i++){if(entries[i].isIntersecting){load();return;}}},{rootMargin:'50% 0px'});}
function stub(el,spec,opts){return new Promise(function(resolve,reject){queue.push([el,spec,opts,resolve,reject]);
if(failed){flush();}else if(!started){if(seen){seen.observe(el);}else{load();}}});}
window.vegaEmbed=stub;window.addEventListener('beforeprint',load);})();"""


def bundle_loader(url: str) -> str:
    """The inline script that loads the vega bundle from ``url`` when a chart nears the screen."""
    return _LOADER.replace("__SRC__", json.dumps(url))


def _bundle_url(app: Sphinx, context: dict[str, Any]) -> str:
    """The bundle's URL from this page, with Sphinx's ``?v=<checksum>`` (one URL for every page)."""
    from sphinx.builders.html import _file_checksum

    checksum = _file_checksum(app.outdir, f"_static/{BUNDLE_NAME}")
    url = context["pathto"](f"_static/{BUNDLE_NAME}", 1)
    return f"{url}?v={checksum}" if checksum else url
#: A chart as ``alliance.charts.chart_html`` writes it: its ``<div>`` and, after its caption, the
#: inline script holding its spec.
_CHART = re.compile(r'<div id="(?P<id>alliance-vis-[0-9a-f]+)" class="alliance-vis"(?P<attrs>[^>]*)>'
                    r'(?P<between>.*?<script>\(function\(\)\{var spec=)(?P<spec>.*?);var el=', re.S)
#: Room a chart needs beyond its plot's height: title, subtitle, axis labels and titles, legend.
CHART_FURNITURE_PX = 110
#: Meta descriptions are cut to this length (what search engines show).
DESCRIPTION_CHARS = 160


def has_charts(body: Any) -> bool:
    """Whether a page's HTML body holds a chart (an ``alliance-vis`` element) and so needs the bundle."""
    return isinstance(body, str) and bool(_VIS_CLASS.search(body))


def chart_height(spec: dict[str, Any]) -> int | None:
    """The height in px a Vega-Lite ``spec`` will be drawn at (plot plus titles, axes and legend):
    its ``height``, or for a discrete ``y`` without one, its number of categories in the spec's
    inline data times the step (Vega-Lite's default, 20 px), else the config's ``continuousHeight``;
    summed over ``vconcat``, the tallest of ``hconcat``/``layer``. ``None`` when it cannot tell."""
    config = spec.get("config") or {}
    view = config.get("view") or {}
    step = (view.get("discreteHeight") or {}).get("step") if isinstance(view.get("discreteHeight"), dict) \
        else view.get("step", 20)
    datasets = spec.get("datasets") or {}

    def rows(data: Any) -> list[dict] | None:
        if not isinstance(data, dict):
            return None
        if isinstance(data.get("values"), list):
            return data["values"]
        return datasets.get(data.get("name")) if data.get("name") else None

    def plot(part: dict[str, Any], data: Any) -> int | None:
        data = part.get("data", data)
        height = part.get("height")
        if isinstance(height, (int, float)):
            return int(height)
        if part.get("vconcat"):
            heights = [plot(p, data) for p in part["vconcat"]]
            return None if None in heights else sum(heights) + 20 * (len(heights) - 1)
        for key in ("hconcat", "layer", "concat"):
            if part.get(key):
                heights = [h for h in (plot(p, data) for p in part[key]) if h is not None]
                return max(heights) if heights else None
        if any(k in part for k in ("facet", "repeat", "spec")):
            return None
        y = (part.get("encoding") or {}).get("y")
        if isinstance(y, dict) and y.get("type") in ("nominal", "ordinal") and y.get("field"):
            values = rows(data)
            if values is None:
                return None
            per = height.get("step", step) if isinstance(height, dict) else step
            return len({str(v.get(y["field"])) for v in values if isinstance(v, dict)}) * int(per or 20)
        return view.get("continuousHeight", 300)

    height = plot(spec, None)
    return None if height is None else int(height) + CHART_FURNITURE_PX


#: Encoding channels whose bands chart_height cannot size from the spec (grouped bars, facets).
_DRAWN_CHANNELS = ("xOffset", "yOffset", "row", "column", "facet")


def needs_drawing(spec: dict[str, Any]) -> bool:
    """Whether ``spec``'s height must be measured by drawing it: grouped bars (``yOffset``), facets."""
    parts = [spec, *(spec.get(k) or [] for k in ("layer", "vconcat", "hconcat", "concat"))]
    flat = [p for part in parts for p in (part if isinstance(part, list) else [part]) if isinstance(p, dict)]
    return any("facet" in p or any(c in (p.get("encoding") or {}) for c in _DRAWN_CHANNELS) for p in flat)


@functools.lru_cache(maxsize=256)
def drawn_height(spec_json: str) -> int | None:
    """The height in px of the SVG that vl-convert draws for a Vega-Lite spec (offline, as the book's
    bundle draws it); ``None`` if it cannot be drawn."""
    import vl_convert

    try:
        svg = vl_convert.vegalite_to_svg(json.loads(spec_json))
    except Exception:  # noqa: BLE001 - an undrawable spec keeps no reservation
        return None
    found = re.search(r'<svg[^>]*\bheight="([0-9.]+)"', svg)
    return int(float(found.group(1))) + 4 if found else None


def reserve_chart_space(body: str) -> str:
    """Give each chart's ``<div class="alliance-vis">`` a ``min-height`` from its spec, so the text
    below does not move when the chart is drawn (after the deferred bundle has run)."""
    def reserve(match: re.Match) -> str:
        if "style=" in match["attrs"]:
            return match[0]
        text = match["spec"].replace("<\\/", "</")
        try:
            spec = json.loads(text)
        except ValueError:
            return match[0]
        height = drawn_height(text) if needs_drawing(spec) else chart_height(spec)
        if height is None:
            return match[0]
        return (f'<div id="{match["id"]}" class="alliance-vis"{match["attrs"]} style="min-height:{height}px">'
                f'{match["between"]}{match["spec"]};var el=')

    return _CHART.sub(reserve, body)


def _transforms_used(spec: Any) -> set[str]:
    """The ``type`` of every transform anywhere in a Vega spec (data, marks, nested groups)."""
    found: set[str] = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "transform" and isinstance(value, list):
                found.update(str(step.get("type", "")).lower() for step in value if isinstance(step, dict))
            found |= _transforms_used(value)
    elif isinstance(spec, list):
        for item in spec:
            found |= _transforms_used(item)
    return found


@functools.lru_cache(maxsize=512)
def _compiled(spec_json: str) -> str:
    """``spec_json`` (Vega-Lite) compiled to Vega by vl-convert, as compact JSON safe in ``<script>``.
    Every tooltip field is given a title in words first (``alliance.charts.readable_tooltips``)."""
    import vl_convert

    from alliance.charts import readable_tooltips
    from alliance.book.static_charts import is_vega_spec

    spec = json.loads(spec_json)
    if is_vega_spec(spec):
        vega_spec = spec
    else:
        spec = readable_tooltips(spec)
        version = re.search(r"/vega-lite/v(\d+\.\d+)", str(spec.get("$schema", "")))
        vega_spec = vl_convert.vegalite_to_vega(spec, version[1]) if version else vl_convert.vegalite_to_vega(spec)
    missing = sorted(_transforms_used(vega_spec) - CHART_TRANSFORMS)
    if missing or vega_spec.get("projections"):
        needs = ", ".join(missing) or "a projection"
        raise ValueError(f"this chart needs {needs}, which the book's chart bundle leaves out: add the vega package "
                         "to alliance.book.sphinxext.VEGA_MODULES and EMBED_SNIPPET, and to CHART_TRANSFORMS")
    return json.dumps(vega_spec, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def compile_charts(body: str) -> str:
    """Every chart of a page's body with its Vega-Lite spec compiled to Vega (vl-convert, offline),
    which the book's chart bundle draws without vega-lite (``EMBED_SNIPPET``)."""
    def compile_one(match: re.Match) -> str:
        spec = _compiled(match["spec"].replace("<\\/", "</"))
        return f'<div id="{match["id"]}" class="alliance-vis"{match["attrs"]}>{match["between"]}{spec};var el='

    return _CHART.sub(compile_one, body)


def _shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters (with "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def first_paragraph(doctree: Any, minimum: int = 40) -> str:
    """The text of the page's first paragraph of running text: not in an admonition, sidebar,
    figure, table, list, cell output or the like (the first with ``minimum`` characters, else the
    first of any length)."""
    from docutils import nodes

    asides = (nodes.Admonition, nodes.sidebar, nodes.topic, nodes.figure, nodes.table, nodes.list_item,
              nodes.footnote, nodes.citation, nodes.container, nodes.field_list, nodes.definition_list)
    found = []
    for paragraph in doctree.findall(nodes.paragraph):
        parent, aside = paragraph.parent, False
        while isinstance(parent, nodes.Element) and not aside:
            aside = isinstance(parent, asides)
            parent = parent.parent
        text = " ".join(paragraph.astext().split())
        if aside or not text:
            continue
        if len(text) >= minimum:
            return text
        found.append(text)
    return found[0] if found else ""


def page_description(metadata: dict[str, Any], doctree: Any, title: str, project: str) -> str:
    """A page's meta description (at most ``DESCRIPTION_CHARS``, plain text): its front matter's
    ``description``, else its first paragraph, else "<title> – <project>" (generated pages)."""
    given = metadata.get("description") if isinstance(metadata, dict) else None
    if isinstance(given, str) and given.strip():
        return _shorten(given)
    text = first_paragraph(doctree) if doctree is not None else ""
    if text:
        return _shorten(text)
    plain = re.sub(r"<[^>]+>", "", html.unescape(title or "")).strip()
    return _shorten(f"{plain} – {project}" if plain and plain != project else project)


#: Output folders whose vega bundle is already in place for this build.
_BUNDLE_READY: set[str] = set()
#: Output folders whose citation popover files (``alliance.book.popovers``) are already written for this build.
_PARAGRAPHS_READY: set[str] = set()


def _write_popover_files(app: Sphinx, exception: Exception | None) -> None:
    """Write the citation popover's script and paragraph text into ``_static/`` where they changed."""
    if exception is not None or app.builder.format != "html":
        return
    from alliance.corpus import load_corpus
    from alliance.book.popovers import write_popover_files

    write_popover_files(Path(app.outdir) / "_static", load_corpus())


def _tidy_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Per-page fixes of the theme's output (runs after the themes' own handlers).

    * drops sphinx-thebe (scripts, stylesheet and per-page config: the course does not use
      Thebe, which would load from a CDN and declares ``THEBE_JS_URL`` twice) and duplicate
      scripts and stylesheets;
    * sets the theme's colour mode to "auto" when unset (else pydata-sphinx-theme logs
      "Got invalid theme mode" to the console on a first visit);
    * accessibility: names the sidebar's expand/collapse toggles, lets myst-nb's "Show code cell"
      toggles be named by their visible text, gives the bibliography's
      entries the ``listitem`` role their ``role="list"`` container requires (the search
      field and colour-mode button are fixed by template overrides in ``_templates/``);
    * writes the vega bundle before the first page, so that Sphinx gives every page the same
      ``vega-bundle.js?v=<checksum>`` URL (written only at build-finished, the bundle was missing
      when the pages were written: they linked it without ``?v=``, and after an incremental
      build some pages with and some without, so browsers downloaded it twice and could keep a
      stale copy after an upgrade);
    * notebook pages offer ``.ipynb`` (not the MyST ``.md``) for download and launch.
    """
    if app.builder.format == "html" and str(app.outdir) not in _BUNDLE_READY:
        _write_bundle(app, None)
        _BUNDLE_READY.add(str(app.outdir))
    if app.builder.format == "html" and str(app.outdir) not in _PARAGRAPHS_READY:
        _write_popover_files(app, None)
        _PARAGRAPHS_READY.add(str(app.outdir))
    if page_has_selfchecks(context.get("body")) and hasattr(app.builder, "add_js_file"):
        # Per page, deferred: the self-checks' script (alliance.selfcheck), only where a self-check is.
        write_selfcheck_script(Path(app.outdir) / "_static")
        app.builder.add_js_file(SELFCHECK_JS, defer="defer")
    if has_citation_links(context.get("body")) and hasattr(app.builder, "add_js_file"):
        # Per page, deferred: the paragraphs' text, then the popover that shows it (alliance.book.popovers).
        for name in (PARAGRAPHS_JS, POPOVER_JS):
            app.builder.add_js_file(name, defer="defer")
    if has_charts(context.get("body")) and hasattr(app.builder, "add_js_file"):
        # Per page (the builder restores its list before the next page): a small loader, not the
        # bundle; the bundle is fetched when a chart comes near the screen (or before printing).
        app.builder.add_js_file(None, body=bundle_loader(_bundle_url(app, context)))
    description = page_description(app.env.metadata.get(pagename, {}) if doctree is not None else {},
                                   doctree, context.get("title", ""), app.config.html_title or app.config.project)
    if description:
        context["metatags"] = (context.get("metatags") or "") + \
            f'\n<meta name="description" content="{html.escape(description, quote=True)}" />'
    scripts = context.get("script_files")
    if scripts is not None:
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
        context["script_files"] = kept
    styles = context.get("css_files")
    if styles is not None:
        kept, seen = [], set()
        for style in styles:
            name = str(getattr(style, "filename", style))
            if "thebe" in name.lower() or name in seen:
                continue
            seen.add(name)
            kept.append(style)
        context["css_files"] = kept
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    body = context.get("body")
    if isinstance(body, str):
        body = _THEBE_BODY.sub("\n", body)
        # myst-nb's hide-input/hide-cell toggles: the aria-label "Toggle hidden content" hid their
        # visible text ("Show code cell content"), which then names them (label-content-name-mismatch).
        body = body.replace('<summary aria-label="Toggle hidden content">', "<summary>")
        if 'class="citation-list"' in body:
            body = body.replace('role="doc-biblioentry"', 'role="listitem"')
        body = compile_charts(reserve_chart_space(classify_quote_links(body)))
        context["body"] = body
    toctree = context.get("generate_toctree_html")
    if callable(toctree) and not getattr(toctree, "alliance_labelled", False):
        def labelled_toctree(*args: Any, **kwargs: Any) -> Any:
            return _label_toc_summaries(toctree(*args, **kwargs))

        labelled_toctree.alliance_labelled = True  # type: ignore[attr-defined]
        context["generate_toctree_html"] = labelled_toctree
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons" and context.get("ipynb_source"):
            group["buttons"] = [b for b in group["buttons"] if b.get("label") != "download-source-button"]
        if group.get("label") == "download-buttons":
            for kind, path in reader_edition_files(app.config.alliance_edition).items():
                text, tooltip = next((t, tip) for k, t, tip in READER_EDITIONS if k == kind)
                group["buttons"].append({
                    "type": "link", "url": context["pathto"](f"downloads/{path.name}", 1), "text": text,
                    "tooltip": tooltip, "icon": "fas fa-file-pdf" if kind == "pdf" else "fas fa-book",
                    "label": f"download-{kind}-button"})
        if group.get("label") == "download-buttons" and re.match(r"exercises/ex\d", pagename):
            student = is_student_edition(app)
            for button in group["buttons"]:
                if button.get("label") in ("download-source-button", "download-notebook-button"):
                    button["text"], button["tooltip"] = (
                        (".ipynb (student)", "Download the student edition (no solutions)") if student
                        else (".ipynb (solutions)", "Download the solution edition"))
            if student:
                continue  # its one notebook (_sources/) is the student edition
            group["buttons"].insert(0, {
                "type": "link", "url": f"{context['pathto']('student', 1)}/{pagename.split('/')[-1]}.ipynb",
                "text": ".ipynb (student)", "tooltip": "Download the student edition (no solutions)",
                "icon": "fas fa-code", "label": "download-student-button"})
        if group.get("label") == "launch-buttons":
            for button in group.get("buttons", []):
                url = button.get("url", "")
                if url.endswith(".md"):
                    button["url"] = url[: -len(".md")] + ".ipynb"


def _config_path(app: Sphinx) -> Path:
    """The book's ``_config.yml`` (jupyter-book builds from the folder that holds it)."""
    return Path(app.srcdir) / "_config.yml"


def publication_settings(theme_options: dict[str, Any], repository: dict[str, Any] | None,
                         launch_buttons: dict[str, Any] | None, repository_url: str | None) -> dict[str, Any]:
    """``html_theme_options`` with the repository and launch buttons set from the one setting:
    with a ``repository_url``, the repository button and the launch buttons of ``launch_buttons``
    (``_config.yml``'s ``launch_buttons:``), on the branch and path of ``repository``; without,
    neither (sphinx-book-theme would otherwise link placeholders, or fail without a repository)."""
    options = {k: v for k, v in theme_options.items()
               if k not in ("repository_url", "repository_branch", "path_to_docs", "launch_buttons",
                            "use_repository_button", "use_issues_button", "use_edit_page_button")}
    if not repository_url:
        return {**options, "use_repository_button": False, "use_issues_button": False,
                "use_edit_page_button": False, "launch_buttons": {}}
    repository = repository or {}
    return {**options, "repository_url": repository_url, "repository_branch": repository.get("branch") or "main",
            "path_to_docs": repository.get("path_to_book") or "", "use_repository_button": True,
            "launch_buttons": dict(launch_buttons or {})}


def _apply_publication(app: Sphinx, config: Any) -> None:
    """Set the published address (``html_baseurl``: canonical links) and the repository and launch
    buttons from ``html.baseurl`` and ``repository.url`` of ``_config.yml`` (see
    :func:`publication_settings`): the ``sphinx.config`` of ``_config.yml`` replaces the theme options
    jupyter-book derives from them, so this extension derives them once, here."""
    import yaml

    path = _config_path(app)
    if not path.is_file():
        return
    book = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    config.html_baseurl = paths.published_url(path) or ""
    config.html_theme_options = publication_settings(dict(config.html_theme_options or {}), book.get("repository"),
                                                     book.get("launch_buttons"), paths.repository_url(path))


def _offer_notebook_download(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """A MyST notebook page offers its ``.ipynb`` (the notebook edition written at the end of the
    build) even without launch buttons: sphinx-book-theme names it only when it adds them."""
    from alliance.editions.notebooks import chapter_docnames

    source = str(context.get("sourcename") or "")
    if ("kernelspec" in app.env.metadata.get(pagename, {}) and source.endswith((".md", ".md.txt"))
            and pagename in chapter_docnames(Path(app.srcdir))):  # only the pages that have an edition
        context.setdefault("ipynb_source", pagename + ".ipynb")


def _publish_editions(app: Sphinx, exception: Exception | None) -> None:
    """Replace the notebooks the book offers (download buttons, ``student/``) by their notebook
    editions, which read as CommonMark in any Jupyter front end (see ``alliance.editions``).
    Editions whose inputs and output are unchanged are not written again (its manifest)."""
    if exception is not None or app.builder.format != "html":
        return
    from alliance.editions.links import BookIndex
    from alliance.editions.publish import write_book_editions

    outdir = Path(app.outdir)
    # myst-nb writes the executed notebooks (and their .glue.json) beside the HTML, as jupyter_execute/.
    book = BookIndex.from_build(outdir, outdir.parent / "jupyter_execute",
                                base_url=paths.published_url(_config_path(app)) or "", root=Path(app.srcdir))
    student = is_student_edition(app)
    published = write_book_editions(outdir, book, student=student)
    logger.info(f"[alliance] notebook editions for download ({'student' if student else 'solution'} edition "
                f"of the book): {len(published.written)} written, "
                f"{len(published.editions) - len(published.written)} up to date")


def _trim_theme_assets(app: Sphinx, exception: Exception | None) -> None:
    """Cut the theme's stylesheets and icon fonts down to what the built pages use
    (``alliance.book.theme_assets``): a page then loads about 0.1 MB of them instead of 0.7 MB."""
    if exception is not None or app.builder.format != "html":
        return
    from alliance.book.theme_assets import trim_theme_assets

    report = trim_theme_assets(Path(app.outdir))
    logger.info(f"[alliance] theme stylesheets and icon fonts trimmed: {sum(report.sizes.values()) // 1024} KB in "
                f"{len(report.sizes)} files ({len(report.written)} written)")


def _execute_ahead(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """Run the notebooks Sphinx is about to read in parallel, filling myst-nb's cache."""
    if app.config.nb_execution_mode != "cache":
        return
    from alliance.book.execute import execute_in_parallel, select_notebooks

    root = Path(app.srcdir)
    paths = select_notebooks([Path(env.doc2path(doc)) for doc in docnames], root,
                             list(app.config.nb_execution_excludepatterns))
    if len(paths) < 2:
        return  # one notebook gains nothing from a pool
    outcome = execute_in_parallel(paths, app.config.nb_execution_cache_path, app.config.nb_execution_timeout)
    logger.info(f"[alliance] executed {len(outcome['succeeded'])} notebook(s) in parallel; "
                f"{len(outcome['failed'])} left for myst-nb to execute and report")


#: markdown-it's ``escapeHtml`` replacements, in the order that undoes them (``&amp;`` last).
_HTML_ESCAPES: tuple[tuple[str, str], ...] = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&"))


def unescape_link_url(escaped: str) -> str:
    """The URL that markdown-it's ``escapeHtml`` turned into ``escaped`` (its exact inverse: only
    ``&amp; &lt; &gt; &quot;`` are replaced, so ``&amp;amp;`` in the escaped text gives ``&amp;``)."""
    raw = escaped
    for entity, character in _HTML_ESCAPES:
        raw = raw.replace(entity, character)
    return raw


def myst_escapes_link_urls() -> bool:
    """Whether the installed myst-parser stores a Markdown link's URL HTML-escaped in ``refuri``
    (parsed from a probe link with ``&`` in its query)."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from myst_parser.parsers.docutils_ import Parser

    probe = "[probe](https://example.org/?a=1&b=2)"
    tree = publish_doctree(probe, parser=Parser(), settings_overrides={"report_level": 5})
    return any(ref.get("refuri") == "https://example.org/?a=1&amp;b=2" for ref in tree.findall(nodes.reference))


def keep_link_urls_raw() -> bool:
    """Make myst-parser store Markdown links' URLs raw (as docutils expects: the HTML, LaTeX or EPUB
    writer escapes them), when the installed version escapes them; returns whether it had to.

    Wraps ``DocutilsRenderer.render_link_url`` (which myst-nb's notebook renderer inherits): after
    it has appended its reference node, that node's ``refuri`` is unescaped. Idempotent, and a
    no-op once myst-parser stores raw URLs itself."""
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer

    current = DocutilsRenderer.render_link_url
    if getattr(current, "alliance_raw_urls", False) or not myst_escapes_link_urls():
        return False

    def render_link_url(self: Any, token: Any, conversion: Any = None) -> None:
        current(self, token, conversion)
        from docutils import nodes

        added = self.current_node.children[-1] if self.current_node.children else None
        if isinstance(added, nodes.reference) and "refuri" in added:
            added["refuri"] = unescape_link_url(added["refuri"])

    render_link_url.alliance_raw_urls = True  # type: ignore[attr-defined]
    DocutilsRenderer.render_link_url = render_link_url  # type: ignore[method-assign]
    return True


def _reader_prefix(inliner: Any) -> str:
    """Relative path from the page being read to the source reader's folder."""
    docname = inliner.document.settings.env.docname
    return "../" * docname.count("/") + "appendix/sources/"


def _checked_role(parse: Callable[[str], Any], render: Callable[[Any, str, str], Any]) -> Callable[..., tuple[list, list]]:
    """A role that parses its text with ``parse`` (a ``citations`` parser) and renders the result
    with ``render(found, rawtext, reader_prefix)``; a parser's ``CourseError`` becomes a build error
    at the role's line, with the parser's message."""
    def role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
             options: dict | None = None, content: list | None = None) -> tuple[list, list]:
        from alliance.errors import CourseError

        try:
            found = parse(text)
        except CourseError as error:
            message = inliner.reporter.error(str(error), line=lineno)
            return [inliner.problematic(rawtext, rawtext, message)], [message]
        return [render(found, rawtext, _reader_prefix(inliner))], []

    role.__doc__ = render.__doc__
    return role


def _parser(role: str) -> Callable[[str], Any]:
    """The ``citations`` parser of ``role``, imported on first use (keeps this module light)."""
    def parse(text: str) -> Any:
        from alliance.citations import ROLE_PARSERS

        return ROLE_PARSERS[role](text)
    return parse


def _placeholder(role: str) -> Callable[[Any, str, str], Any]:
    """Leave ``role``'s parsed text in the page, for :class:`RenderEvidence` to render with its paragraph."""
    def render(found: Any, rawtext: str, prefix: str) -> Any:
        from alliance.book.citation_style import placeholder

        return placeholder(role, found, rawtext, prefix)

    render.__doc__ = f"``{{{role}}}``: rendered with its paragraph by ``alliance.book.citation_style``."
    return render


def _fact_link(found: Any, rawtext: str, prefix: str) -> Any:
    """``{bg}`` and ``{inst}``: a short named link to the row's page ("Japan Times, press report"),
    the fact itself in the link's title (shown on hover)."""
    from docutils import nodes

    return nodes.reference(rawtext, found.link_text, refuri=found.url, reftitle=found.fact,
                           classes=["alliance-ref", "alliance-bg"])


quote_role = _checked_role(_parser("q"), _placeholder("q"))
background_role = _checked_role(_parser("bg"), _fact_link)
institution_role = _checked_role(_parser("inst"), _fact_link)
para_role = _checked_role(_parser("para"), _placeholder("para"))
absent_role = _checked_role(_parser("absent"), _placeholder("absent"))


#: Pages that open with their reading time: the chapters and the background page.
READING_TIME_PAGES = re.compile(r"^(chapters/|background$)")


def reading_time_words(doctree: Any) -> int:
    """Words a reader reads on the page: the text of paragraphs, lists, tables and admonitions,
    not code, raw HTML (charts) or the page's title."""
    from docutils import nodes

    from alliance.book.reading import words

    skip = (nodes.literal_block, nodes.raw, nodes.comment, nodes.title, nodes.system_message)
    total = 0
    for text in doctree.findall(nodes.Text):
        if not any(isinstance(parent, skip) for parent in _ancestors(text)):
            total += words(str(text))
    for raw in doctree.findall(nodes.raw):  # tables of computed output are HTML: count their text
        if "html" in raw.get("format", "") and not any(isinstance(p, nodes.literal_block) for p in _ancestors(raw)):
            body = re.sub(r"<(script|style)\b.*?</\1>", " ", raw.astext(), flags=re.S | re.I)
            total += words(html.unescape(re.sub(r"<[^>]+>", " ", body)))
    return total


def _ancestors(node: Any) -> Any:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _insert_reading_time(app: Sphinx, doctree: Any) -> None:
    """Open each chapter (and the background page) with "Reading time: about N minutes" under its title."""
    from docutils import nodes

    from alliance.book.reading import WORDS_PER_MINUTE

    if not READING_TIME_PAGES.match(app.env.docname):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    minutes = max(1, round(reading_time_words(doctree) / WORDS_PER_MINUTE))
    section.insert(1, nodes.paragraph("", f"Reading time: about {minutes} minutes",
                                      classes=["alliance-reading-time"]))


class RenderEvidence(SphinxTransform):
    """Render each paragraph's quotations, citations and absences together (``alliance.book.citation_style``):
    a (source, ¶) cited once per paragraph, a source named only where its sentence does not name it."""

    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        from alliance.book.citation_style import render_document

        render_document(self.document)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("alliance_edition", edition_from_environment(), "env", types=[str])
    app.add_config_value("alliance_reader_editions", (), "html")
    app.connect("config-inited", _note_reader_editions)
    app.connect("config-inited", _apply_publication)
    app.connect("html-page-context", _offer_notebook_download, priority=500)
    app.connect("build-finished", _copy_reader_editions)
    app.add_transform(DropSolutions)
    app.add_transform(RenderEvidence)
    app.connect("doctree-read", _insert_reading_time)
    keep_link_urls_raw()
    app.connect("source-read", _student_notebook_source)
    app.add_role("q", quote_role)
    app.add_role("para", para_role)
    app.add_role("absent", absent_role)
    app.add_role("bg", background_role)
    app.add_role("inst", institution_role)
    setup_selfchecks(app)
    os.environ["ALLIANCE_CHART_MODE"] = "book"
    write_generated_pages(Path(app.srcdir))
    app.add_css_file("alliance.css")
    app.connect("html-page-context", _tidy_page, priority=900)
    app.connect("env-before-read-docs", _execute_ahead, priority=900)
    app.connect("build-finished", _write_bundle)
    app.connect("build-finished", _write_popover_files)
    app.connect("build-finished", _publish_editions, priority=900)
    app.connect("build-finished", _trim_theme_assets, priority=950)
    # env_version: raised when the document trees this extension shapes change, so Sphinx re-reads
    # every page instead of keeping stale ones (2: Markdown links' addresses are stored raw; 3: evidence
    # rendered per paragraph; 4: evidence links carry their paragraphs' classes, pages load the popover;
    # 5: chapters open with their reading time, background facts are links with their fact as title;
    # 6: self-checks).
    return {"version": "1.0", "env_version": 6, "parallel_read_safe": True, "parallel_write_safe": True}
