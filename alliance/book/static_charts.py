"""Every chart of the built book as a static SVG, rendered offline, for the PDF and EPUB editions.

The HTML book draws its charts in the browser from their spec (:func:`alliance.charts.chart_html` writes
Vega-Lite; the book's pages hold it compiled to Vega, :func:`alliance.book.sphinxext.charts.compile_charts`).
Print and e-readers run no scripts, so these editions replace each chart figure by the same chart
rendered to SVG with ``vl-convert`` (no browser, no network), keeping its title and its text
description as the caption (and as the image's alternative text).

>>> html, svgs = replace_charts(page_html)                      # doctest: +SKIP
>>> html, files = replace_charts(page_html, folder=Path("charts"))  # doctest: +SKIP
"""
from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

#: One chart as :func:`alliance.charts.chart_html` writes it: the figure, then the script with its spec.
CHART_RE = re.compile(
    r'<figure class="alliance-chart" id="fig-(?P<digest>[0-9a-f]+)">.*?'
    r'<figcaption class="alliance-chart-description">(?P<caption>.*?)</figcaption></figure>\s*'
    r"<script>\(function\(\)\{var spec=(?P<spec>.*?);var el=document\.getElementById\(\"alliance-vis-(?P=digest)\"\);"
    r".*?\}\)\(\);</script>",
    re.S,
)
_DESCRIPTION_PREFIX = re.compile(r"^\s*<strong>Chart description\.</strong>\s*")


@dataclass(frozen=True)
class StaticChart:
    """One chart found in a page: its digest, spec, title, description and SVG."""

    digest: str
    spec: dict[str, Any]
    title: str
    description: str
    svg: str


def chart_title(spec: dict[str, Any]) -> str:
    """The chart's title (the first one found in the spec or its layers)."""
    todo = [spec]
    while todo:
        part = todo.pop(0)
        title = part.get("title")
        if title:
            return title if isinstance(title, str) else str(title.get("text", "Chart"))
        for key in ("layer", "hconcat", "vconcat", "concat"):
            todo.extend(part.get(key) or [])
    return "Chart"


#: The one font of the static charts. vl-convert lays a chart out with the widths of the font it finds for
#: the spec's font list, and the reader draws the SVG's text with the font *it* finds: for the book's
#: "system-ui, ..., sans-serif" vl-convert measured Liberation Sans while Chromium (the PDF) drew DejaVu
#: Sans, about 12% wider, so long labels ran past the SVG's edge and were cut. Named outright, the
#: font is measured and drawn alike; DejaVu Sans is on every machine with fontconfig (fonts-dejavu-core),
#: and is wider than the sans-serif fonts an e-reader falls back to, so the text fits there too.
STATIC_CHART_FONT = "DejaVu Sans"


def is_font_key(key: str) -> bool:
    """Whether a Vega-Lite property names a font family (``font``, ``labelFont``, ``titleFont``...)."""
    return key == "font" or key.endswith("Font")


#: No default length limit on axis and legend labels and legend titles in the static charts (Vega cuts
#: a label longer than 180 or 160 px with "…"; a chart's own limit still applies): on paper and in an
#: e-book a label is read in full, and the SVG grows to hold it.
STATIC_LABEL_LIMITS: dict[str, dict[str, int]] = {"axis": {"labelLimit": 0}, "legend": {"labelLimit": 0, "titleLimit": 0}}


def with_static_font(spec: Any, font: str = STATIC_CHART_FONT) -> Any:
    """A copy of ``spec`` (Vega-Lite, or Vega as the built pages hold it) whose every font family
    (config, styles, marks, axes, titles, legends) is ``font``."""
    if isinstance(spec, dict):
        def swap(key: str, value: Any) -> Any:
            if is_font_key(key) and isinstance(value, str):
                return font
            if is_font_key(key) and isinstance(value, dict) and isinstance(value.get("value"), str):
                return {**value, "value": font}  # a Vega encoding: "font": {"value": "..."}
            return with_static_font(value, font)

        return {key: swap(key, value) for key, value in spec.items()}
    if isinstance(spec, list):
        return [with_static_font(item, font) for item in spec]
    return spec


def static_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec a static chart is rendered from: every text in :data:`STATIC_CHART_FONT` and no default
    label limit (:data:`STATIC_LABEL_LIMITS`); what the chart itself sets otherwise is kept."""
    static = with_static_font(spec)
    config = dict(static.get("config") or {})
    config["font"] = STATIC_CHART_FONT
    for part, limits in STATIC_LABEL_LIMITS.items():
        config[part] = {**limits, **(config.get(part) or {})}
    static["config"] = config
    return static


def is_vega_spec(spec: dict[str, Any]) -> bool:
    """Whether ``spec`` is a Vega spec (what the built pages hold) rather than Vega-Lite."""
    return str(spec.get("$schema", "")).startswith("https://vega.github.io/schema/vega/")


@lru_cache(maxsize=256)
def _svg(spec_json: str) -> str:
    """SVG of a Vega spec (what the built pages hold: ``alliance.book.sphinxext.charts.compile_charts``) or of a
    Vega-Lite spec (what ``alliance.charts.chart_html`` writes)."""
    import vl_convert

    spec = json.loads(spec_json)
    if is_vega_spec(spec):
        return vl_convert.vega_to_svg(spec)
    return vl_convert.vegalite_to_svg(spec)


def render_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG document (vector: paths and text, no raster image), from :func:`static_spec`."""
    svg = _svg(json.dumps(static_spec(spec), sort_keys=True))
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def _chart(match: re.Match[str]) -> StaticChart:
    """The chart of one :data:`CHART_RE` match, with its SVG."""
    spec = json.loads(match.group("spec"))
    caption = html_lib.unescape(re.sub(r"<[^>]+>", "", _DESCRIPTION_PREFIX.sub("", match.group("caption"))))
    return StaticChart(match.group("digest"), spec, chart_title(spec), caption.strip(), render_svg(spec))


def find_charts(page_html: str) -> list[StaticChart]:
    """Every chart figure of a built page, with its SVG."""
    return [_chart(match) for match in CHART_RE.finditer(page_html)]


def static_figure(chart: StaticChart, src: str | None = None) -> str:
    """The figure of a static chart: the SVG inline (or an ``<img>`` of ``src``) and its description."""
    title, desc = html_lib.escape(chart.title), html_lib.escape(chart.description)
    if src is None:
        svg = re.sub(r"^<svg\b", f'<svg role="img" aria-label="{title}. {desc}"', chart.svg, count=1)
        image = f'<div class="alliance-vis alliance-vis-static">{svg}</div>'
    else:
        image = f'<img class="alliance-vis-static" src="{html_lib.escape(src)}" alt="{title}. {desc}"/>'
    return (f'<figure class="alliance-chart alliance-chart-static" id="fig-{chart.digest}">{image}'
            f'<figcaption class="alliance-chart-description"><strong>Chart description.</strong> {desc}'
            f"</figcaption></figure>")


def replace_charts(page_html: str, folder: Path | None = None, prefix: str = "") -> tuple[str, list[Path | str]]:
    """``page_html`` with every chart replaced by its static figure.

    Without ``folder`` the SVGs are inline (returns the SVG texts); with it each SVG is written to
    ``folder/chart-<digest>.svg`` and referenced as ``prefix + name`` (returns the files written).
    """
    produced: list[Path | str] = []

    def swap(match: re.Match[str]) -> str:
        chart = _chart(match)
        if folder is None:
            produced.append(chart.svg)
            return static_figure(chart)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"chart-{chart.digest}.svg"
        target.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + chart.svg, encoding="utf-8")
        produced.append(target)
        return static_figure(chart, prefix + target.name)

    return CHART_RE.sub(swap, page_html), produced
