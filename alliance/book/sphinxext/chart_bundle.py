"""The book's one chart library, ``_static/vega-bundle.js``, and the small loader pages with charts carry.

The bundle holds the parts of vega the course's charts use (from vl-convert-python, offline) and a small
``vegaEmbed``; it is written once per output folder. A page with a chart loads it only when a chart nears
the screen, or the page is printed (:func:`bundle_loader`).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from alliance.paths import BUNDLE_NAME


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
                           "was upgraded, update alliance.book.sphinxext.chart_bundle.VEGA_MODULES to the vega "
                           "packages it ships.") from error
    return f"{BUNDLE_HEADER}\n(function(){{\n{code}\n}})();\n"


def write_bundle(app: Sphinx, exception: Exception | None) -> None:
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


def bundle_url(app: Sphinx, context: dict[str, Any]) -> str:
    """The bundle's URL from this page, with Sphinx's ``?v=<checksum>`` (one URL for every page)."""
    from sphinx.builders.html import _file_checksum

    checksum = _file_checksum(app.outdir, f"_static/{BUNDLE_NAME}")
    url = context["pathto"](f"_static/{BUNDLE_NAME}", 1)
    return f"{url}?v={checksum}" if checksum else url
