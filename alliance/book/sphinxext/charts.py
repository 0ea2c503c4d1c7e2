"""The charts of a page as the book writes it: room reserved at their drawn height, specs compiled to Vega.

A chart (``alliance.charts.chart_html``) holds a Vega-Lite spec. :func:`reserve_chart_space` gives its
``<div>`` a ``min-height`` (from the spec, or drawn by vl-convert for grouped bars and facets) so the text
below does not move when it is drawn; :func:`compile_charts` compiles the spec to Vega (offline), which the
bundle (``chart_bundle``) draws without vega-lite, and stops the build on a chart the bundle cannot draw.
"""
from __future__ import annotations

import functools
import json
import re
from typing import Any

from alliance.book.sphinxext.chart_bundle import CHART_TRANSFORMS


_VIS_CLASS = re.compile(r'class="alliance-vis"')

#: A chart as ``alliance.charts.chart_html`` writes it: its ``<div>`` and, after its caption, the
#: inline script holding its spec.
_CHART = re.compile(r'<div id="(?P<id>alliance-vis-[0-9a-f]+)" class="alliance-vis"(?P<attrs>[^>]*)>'
                    r'(?P<between>.*?<script>\(function\(\)\{var spec=)(?P<spec>.*?);var el=', re.S)
#: Room a chart needs beyond its plot's height: title, subtitle, axis labels and titles, legend.
CHART_FURNITURE_PX = 110


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


def transforms_used(spec: Any) -> set[str]:
    """The ``type`` of every transform anywhere in a Vega spec (data, marks, nested groups)."""
    found: set[str] = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "transform" and isinstance(value, list):
                found.update(str(step.get("type", "")).lower() for step in value if isinstance(step, dict))
            found |= transforms_used(value)
    elif isinstance(spec, list):
        for item in spec:
            found |= transforms_used(item)
    return found


@functools.lru_cache(maxsize=512)
def compiled_spec(spec_json: str) -> str:
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
    missing = sorted(transforms_used(vega_spec) - CHART_TRANSFORMS)
    if missing or vega_spec.get("projections"):
        needs = ", ".join(missing) or "a projection"
        raise ValueError(f"this chart needs {needs}, which the book's chart bundle leaves out: add the vega package "
                         "to alliance.book.sphinxext.chart_bundle.VEGA_MODULES and EMBED_SNIPPET, "
                         "and to CHART_TRANSFORMS")
    return json.dumps(vega_spec, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def compile_charts(body: str) -> str:
    """Every chart of a page's body with its Vega-Lite spec compiled to Vega (vl-convert, offline),
    which the book's chart bundle draws without vega-lite (``EMBED_SNIPPET``)."""
    def compile_one(match: re.Match) -> str:
        spec = compiled_spec(match["spec"].replace("<\\/", "</"))
        return f'<div id="{match["id"]}" class="alliance-vis"{match["attrs"]}>{match["between"]}{spec};var el='

    return _CHART.sub(compile_one, body)

