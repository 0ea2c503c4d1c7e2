"""Sphinx extension for the course book (loaded from ``_config.yml``).

* Generates the source-reader pages (``appendix/sources/<id>.md``) and the glossary page
  from ``data/`` before Sphinx reads the sources, so a sixth source needs only a file and a row.
* Ships the one vega bundle (vega + vega-lite + vega-embed, from vl-convert-python) as
  ``_static/vega-bundle.js`` and loads it on every page; charts draw offline from it.
* Sets ``ALLIANCE_CHART_MODE=book`` for the kernels that execute the chapters.
* Removes sphinx-thebe's scripts (the course does not use Thebe, which loads from a CDN, and
  whose config script is declared twice on some pages: ``THEBE_JS_URL`` already declared).
* Notebook pages offer ``.ipynb`` (not the MyST ``.md``) for download and launch.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from alliance.charts import BUNDLE_NAME
from alliance.pages import write_generated_pages


def _write_bundle(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / BUNDLE_NAME
    if target.exists() and target.stat().st_size > 100_000:
        return
    import vl_convert

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(vl_convert.javascript_bundle(), encoding="utf-8")


def _tidy_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    scripts = context.get("script_files")
    if scripts is not None:
        kept, seen = [], set()
        for script in scripts:
            name = str(script)
            body = getattr(script, "attributes", {}).get("body", "") if hasattr(script, "attributes") else ""
            if "thebe" in name.lower() or "THEBE_JS_URL" in body:
                continue
            key = (name, body)
            if key in seen:
                continue
            seen.add(key)
            kept.append(script)
        context["script_files"] = kept
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons" and context.get("ipynb_source"):
            group["buttons"] = [b for b in group["buttons"] if b.get("label") != "download-source-button"]
        if group.get("label") == "launch-buttons":
            for button in group.get("buttons", []):
                url = button.get("url", "")
                if url.endswith(".md"):
                    button["url"] = url[: -len(".md")] + ".ipynb"


def setup(app: Sphinx) -> dict[str, Any]:
    os.environ["ALLIANCE_CHART_MODE"] = "book"
    write_generated_pages(Path(app.srcdir))
    app.add_js_file(BUNDLE_NAME, loading_method="defer")
    app.add_css_file("alliance.css")
    app.connect("html-page-context", _tidy_page, priority=900)
    app.connect("build-finished", _write_bundle)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
