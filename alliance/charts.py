"""One chart style and one way to show a chart, in the book and in JupyterLab, offline.

* In the built book (``ALLIANCE_CHART_MODE=book``, set by the book's Sphinx extension and by
  the tests) a chart is emitted as HTML that draws with ``vegaEmbed`` from the one shared
  bundle ``_static/vega-bundle.js`` served with the book: no CDN, no copy per chart.
* Anywhere else (JupyterLab on a student's machine) Altair's ``jupyter`` renderer is used
  with ``offline=True``, which draws from the bundle in ``vl-convert-python``.

Every chart must have a title and axis titles, and :func:`show` requires a text description,
shown under the chart and given to screen readers.
"""
from __future__ import annotations

import hashlib
import html
import json
from typing import TYPE_CHECKING, Any

import altair as alt

from alliance import paths
from alliance.paths import BUNDLE_NAME

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BUNDLE_NAME", "OKABE_ITO", "bubble_chart", "check_chart", "chart_html", "checked_line_with_claims",
           "checked_points_with_claim_lines", "enable_charts", "field_label", "grouped_bars", "heat_map",
           "labelled_scatter", "line_segments", "ranked_bars", "readable_tooltips", "show", "stacked_bars", "timeline_chart"]

#: Okabe & Ito (2008) palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO: list[str] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
_POSITION_CHANNELS = ("x", "y")


@alt.theme.register("alliance", enable=False)
def alliance_theme() -> alt.theme.ThemeConfig:
    """The course's chart theme: colour-blind-safe palette, readable type, no chart border."""
    return {
        "config": {
            "view": {"stroke": None, "continuousWidth": 520, "continuousHeight": 300},
            "range": {"category": OKABE_ITO},
            "title": {"fontSize": 15, "anchor": "start", "subtitleColor": "#444"},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": "#222", "titleColor": "#222"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom", "direction": "horizontal"},
            "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
        }
    }


def chart_mode() -> str:
    """'book' when building the book or testing it, else 'lab'."""
    return paths.render_mode()


def enable_charts() -> str:
    """Turn on the course theme and the right renderer; returns the mode in use."""
    alt.theme.enable("alliance")
    mode = chart_mode()
    if mode == "book":
        alt.renderers.enable("html")  # only used for stray charts; show() writes its own HTML
    else:
        alt.renderers.enable("jupyter", offline=True)
    return mode


def _walk(spec: Any):
    if isinstance(spec, dict):
        yield spec
        for key in ("layer", "hconcat", "vconcat", "concat"):
            for sub in spec.get(key, []) or []:
                yield from _walk(sub)
        if "spec" in spec:
            yield from _walk(spec["spec"])


def check_chart(spec: dict[str, Any]) -> None:
    """Raise ValueError unless the chart has a title and every x/y channel has a title."""
    if not any(part.get("title") for part in _walk(spec)):
        raise ValueError("Every chart needs a title: use alt.Chart(..., title='...').")
    for part in _walk(spec):
        for channel, definition in (part.get("encoding") or {}).items():
            if channel in _POSITION_CHANNELS and isinstance(definition, dict):
                has = "title" in definition or "title" in (definition.get("axis") or {})
                if not has:
                    raise ValueError(f"The {channel} axis needs a title: alt.{channel.upper()}(..., title='...').")


def chart_html(spec: dict[str, Any], description: str) -> str:
    """HTML that draws ``spec`` with the shared vega bundle, with its description as caption."""
    spec_json = json.dumps(spec, sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    digest = hashlib.sha256((spec_json + description).encode()).hexdigest()[:12]
    vis_id = f"alliance-vis-{digest}"
    desc = html.escape(description)
    title = next((part["title"] for part in _walk(spec) if part.get("title")), "Chart")
    title_text = html.escape(title if isinstance(title, str) else (title or {}).get("text", "Chart"))
    return (
        f'<figure class="alliance-chart" id="fig-{digest}">'
        f'<div id="{vis_id}" class="alliance-vis" role="img" aria-label="{title_text}. {desc}"></div>'
        f'<figcaption class="alliance-chart-description"><strong>Chart description.</strong> {desc}</figcaption>'
        f"</figure>\n<script>(function(){{var spec={spec_json};"
        f'var el=document.getElementById("{vis_id}");'
        "function draw(){if(!window.vegaEmbed){el.dataset.drawn='error';"
        "el.textContent='Chart library not loaded.';return;}"
        "vegaEmbed(el,spec,{actions:false,renderer:'svg'}).then(function(r){"
        "var svg=el.querySelector('svg');if(svg){svg.setAttribute('aria-hidden','true');}"
        "el.dataset.drawn='true';}).catch(function(e){el.dataset.drawn='error';el.textContent='Chart failed: '+e;});}"
        "if(window.vegaEmbed){draw();}else{document.addEventListener('DOMContentLoaded',draw);}"
        "})();</script>"
    )


class ChartFigure:
    """A chart with its description; displays itself in the right way for the context."""

    def __init__(self, chart: alt.TopLevelMixin, description: str):
        if not description or len(description.split()) < 5:
            raise ValueError("Every chart needs a text description of at least five words.")
        enable_charts()
        self.chart = chart
        self.description = description
        self.spec: dict[str, Any] = chart.to_dict()
        check_chart(self.spec)

    def _repr_html_(self) -> str:
        return chart_html(self.spec, self.description)

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        if chart_mode() == "book":
            display(HTML(self._repr_html_()))
        else:
            display(self.chart)
            display(HTML(f'<p class="alliance-chart-description"><strong>Chart description.</strong> '
                         f"{html.escape(self.description)}</p>"))


#: Tooltip titles for the data's column names that words alone do not make readable.
FIELD_LABELS: dict[str, str] = {
    "source_id": "Source", "per_1000": "Per 1,000 words", "para": "Paragraph (¶)",
    "value_usd_billion": "US$ billion", "source_url": "Checked at",
}


def field_label(field: str) -> str:
    """A data column's name as a reader's words: ``FIELD_LABELS``, else its words with the first
    capitalised (``date_basis`` gives "Date basis")."""
    if field in FIELD_LABELS:
        return FIELD_LABELS[field]
    words = field.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def readable_tooltips(spec: Any) -> Any:
    """A Vega-Lite spec whose tooltip fields all carry a title: a field the chart's code left
    untitled gets :func:`field_label` of its name, so a tooltip shows words, not column names.
    Works through layers and concatenations; the spec given is not changed."""
    if isinstance(spec, list):
        return [readable_tooltips(item) for item in spec]
    if not isinstance(spec, dict):
        return spec
    out = {key: readable_tooltips(value) for key, value in spec.items()}
    encoding = out.get("encoding")
    if isinstance(encoding, dict) and "tooltip" in encoding:
        tips = encoding["tooltip"]
        titled = [_titled(tip) for tip in (tips if isinstance(tips, list) else [tips])]
        encoding["tooltip"] = titled if isinstance(tips, list) else titled[0]
    return out


def _titled(tip: Any) -> Any:
    """One tooltip field definition with a title (kept when it has one)."""
    if isinstance(tip, dict) and isinstance(tip.get("field"), str) and "title" not in tip:
        return {**tip, "title": field_label(tip["field"])}
    return tip


def show(chart: alt.TopLevelMixin, description: str) -> ChartFigure:
    """Show a chart with its text description (the only way the course shows charts)."""
    return ChartFigure(chart, description)


def timeline_chart(events: "pd.DataFrame", title: str, label_field: str = "event") -> alt.Chart:
    """A dot-and-label timeline of events (from :func:`alliance.reference.load_timeline`).

    Each event's provenance (checked reference or a source paragraph) is shown in its tooltip
    and by the point's shape, so a reader can tell checked facts from sources' claims.
    """
    import pandas as pd  # local: keep module import light

    from alliance.reference import BASED_ON

    data = events.assign(based_on=events["provenance"].map(BASED_ON), row=range(len(events)))
    data = data[["date", label_field, "based_on", "cited_as", "row"]].copy()
    data["date"] = pd.to_datetime(data["date"]).dt.strftime("%Y-%m-%d")
    base = alt.Chart(data, title=title).encode(
        x=alt.X("date:T", title="Date"),
        y=alt.Y("row:O", title=None, axis=None),
    )
    points = base.mark_point(filled=True, size=80).encode(
        # Said in every timeline's description: round for checked facts, square for a source's claim.
        shape=alt.Shape("based_on:N", title="Based on",
                        scale=alt.Scale(domain=list(BASED_ON.values()), range=["circle", "square"])),
        color=alt.Color("based_on:N", title="Based on"),
        tooltip=[alt.Tooltip("date:T", title="Date"), alt.Tooltip(f"{label_field}:N", title="Event"),
                 alt.Tooltip("based_on:N", title="Based on"), alt.Tooltip("cited_as:N", title="Cited as")],
    )
    # Labels of the later half of the timeline are written leftwards, so they stay inside the chart.
    dates = pd.to_datetime(data["date"])
    middle = dates.min() + (dates.max() - dates.min()) / 2
    data["label_side"] = ["right" if d > middle else "left" for d in dates]
    base = base.properties(data=data)
    left = base.mark_text(align="left", dx=8, fontSize=11).encode(text=f"{label_field}:N").transform_filter(
        alt.datum.label_side == "left")
    right = base.mark_text(align="right", dx=-8, fontSize=11).encode(text=f"{label_field}:N").transform_filter(
        alt.datum.label_side == "right")
    return (points + left + right).properties(width=520, height=max(120, 24 * len(data)))


def _sorted(sort: Any) -> dict[str, Any]:
    """The ``sort`` keyword of a channel, or none when ``sort`` is None (Vega-Lite's own order)."""
    return {} if sort is None else {"sort": sort}


def _axis(axis: alt.Axis | None) -> dict[str, Any]:
    """The ``axis`` keyword of a channel, or none."""
    return {} if axis is None else {"axis": axis}


def grouped_bars(data: "pd.DataFrame", category: str, value: str, group: str, *, title: str,
                 value_title: str, group_title: str, category_title: str = "Source", sort: Any = None,
                 value_axis: alt.Axis | None = None, tooltip: list[str] | None = None,
                 height: int | None = None, vertical: bool = False) -> alt.Chart:
    """Grouped bars: one group of bars per ``category``, one bar per ``group`` (offset and coloured),
    the bar's length giving ``value``. Horizontal (categories down the side) unless ``vertical``;
    the categories' title is "Source" unless ``category_title`` says otherwise (as in :func:`ranked_bars`).

    ``sort`` orders the categories (a list, or e.g. "-x"); ``value_axis`` sets the value's axis
    (``alt.Axis(tickMinStep=1)`` for counts); ``tooltip`` lists the fields shown on hover
    (default: category, group, value); ``height`` fixes the chart's height in pixels."""
    across, offset, along = (alt.X, alt.XOffset, alt.Y) if vertical else (alt.Y, alt.YOffset, alt.X)
    position, length = ("x", "y") if vertical else ("y", "x")
    chart = alt.Chart(data, title=title).mark_bar().encode(**{
        position: across(f"{category}:N", title=category_title, **_sorted(sort)),
        f"{position}Offset": offset(f"{group}:N"),
        length: along(f"{value}:Q", title=value_title, **_axis(value_axis)),
        "color": alt.Color(f"{group}:N", title=group_title),
        "tooltip": tooltip if tooltip is not None else [category, group, value],
    })
    return chart if height is None else chart.properties(height=height)


def ranked_bars(data: "pd.DataFrame", value: str, category: str = "source_id", *, title: str,
                value_title: str, category_title: str = "Source", sort: Any = "-x",
                value_axis: alt.Axis | None = None, value_scale: alt.Scale | None = None,
                colour: str | None = None, colour_title: str | None = None,
                colour_legend: alt.Legend | None = None, tooltip: list[str] | None = None) -> alt.Chart:
    """Horizontal bars, one per ``category`` (by default one per source), longest first unless
    ``sort`` says otherwise; ``colour`` names a field that colours (or stacks) the bars, its legend
    set by ``colour_legend`` (e.g. ``alt.Legend(labelLimit=0)`` for long labels)."""
    encoding: dict[str, Any] = {
        "x": alt.X(f"{value}:Q", title=value_title, **_axis(value_axis),
                   **({} if value_scale is None else {"scale": value_scale})),
        "y": alt.Y(f"{category}:N", title=category_title, **_sorted(sort)),
    }
    if colour is not None:
        legend = {} if colour_legend is None else {"legend": colour_legend}
        encoding["color"] = alt.Color(f"{colour}:N", title=colour_title, **legend)
    if tooltip is not None:
        encoding["tooltip"] = tooltip
    return alt.Chart(data, title=title).mark_bar().encode(**encoding)


def stacked_bars(data: "pd.DataFrame", value: str, stack: str, category: str = "source_id", *, title: str,
                 value_title: str, stack_title: str, category_title: str = "Source", sort: Any = "-x",
                 stack_legend: alt.Legend | None = None, value_axis: alt.Axis | None = None,
                 tooltip: list[str] | None = None) -> alt.Chart:
    """Horizontal stacked bars: one bar per ``category`` (by default one per source), cut into
    coloured pieces, one per value of ``stack``; a bar's length is the sum of its pieces' ``value``.
    Longest bar first unless ``sort`` says otherwise (``None`` keeps the data's order); ``value_axis``
    sets the value's axis (``alt.Axis(tickMinStep=1)`` for counts)."""
    _require_columns(data, value, stack, category)
    return ranked_bars(data, value, category, title=title, value_title=value_title, category_title=category_title,
                       sort=sort, value_axis=value_axis, colour=stack, colour_title=stack_title,
                       colour_legend=stack_legend, tooltip=tooltip)


def line_segments(table: "pd.DataFrame", by: str, year: str = "year") -> "pd.DataFrame":
    """``table`` sorted by ``by`` and ``year``, with a column ``segment`` that numbers each series'
    runs of consecutive years ("Checked: Census run 1"): drawn as a line's ``detail``, a line
    never bridges a missing year."""
    table = table.sort_values([by, year]).copy()
    runs = table.groupby(by)[year].transform(lambda years: (years.diff() != 1).cumsum())
    table["segment"] = table[by] + " run " + runs.astype(str)
    return table


def _require_columns(data: "pd.DataFrame", *fields: str) -> None:
    """Raise KeyError naming the fields a chart encodes that ``data`` has no column for."""
    missing = [field for field in fields if field not in data.columns]
    if missing:
        raise KeyError(f"The chart encodes columns the data does not have: {missing}.")


def _field(shorthand: str) -> str:
    """The column of an Altair shorthand such as ``"words:Q"``; raise ValueError when the type is missing."""
    field, _, kind = shorthand.rpartition(":")
    if not field or kind not in ("N", "O", "Q", "T"):
        raise ValueError(f"Give a field with its type, e.g. 'words:Q', not {shorthand!r}.")
    return field


def _size(width: int | None, height: int | None) -> dict[str, int]:
    """The ``width``/``height`` properties a chart fixes (none when both are None)."""
    return {key: value for key, value in (("width", width), ("height", height)) if value is not None}


def heat_map(data: "pd.DataFrame", column: str, row: str, value: str, *, title: str, column_title: str,
             row_title: str, value_title: str, column_sort: Any = None, row_sort: Any = None,
             tooltip: list[str] | None = None, colour_range: list[str] | None = None,
             value_format: str | None = None, white_text_above: float | None = None,
             width: int | None = None, height: int | None = None) -> alt.Chart | alt.LayerChart:
    """A heat map: one rectangle per ``column`` (across) and ``row`` (down), shaded by ``value``.

    ``colour_range`` sets the shading's two ends (Vega-Lite's default scheme when None). With
    ``value_format`` (e.g. ".2f") each rectangle also prints its value, in white above
    ``white_text_above`` and black otherwise, so the number stays readable on dark shades."""
    _require_columns(data, column, row, value, *(tooltip or []))
    base = alt.Chart(data, title=title).encode(
        x=alt.X(f"{column}:N", title=column_title, **_sorted(column_sort)),
        y=alt.Y(f"{row}:N", title=row_title, **_sorted(row_sort)),
    )
    scale = {} if colour_range is None else {"scale": alt.Scale(range=colour_range)}
    cells = base.mark_rect().encode(color=alt.Color(f"{value}:Q", title=value_title, **scale),
                                    **({} if tooltip is None else {"tooltip": tooltip}))
    if value_format is None:
        chart: alt.Chart | alt.LayerChart = cells
    else:
        if white_text_above is None:
            raise ValueError("heat_map: printed values need white_text_above, the value above which text is white.")
        text = base.mark_text(fontSize=12).encode(
            text=alt.Text(f"{value}:Q", format=value_format),
            color=alt.condition(f"datum.{value} > {white_text_above:g}", alt.value("#ffffff"), alt.value("#000000")),
        )
        chart = cells + text
    size = _size(width, height)
    return chart.properties(**size) if size else chart


def bubble_chart(data: "pd.DataFrame", x: str, y: str, size: str, colour: str, *, title: str, x_title: str,
                 y_title: str, size_title: str, colour_title: str, x_sort: Any = None,
                 y_domain: list[str] | None = None, size_range: list[int] | None = None, opacity: float = 0.8,
                 tooltip: list[str] | None = None, width: int | None = None,
                 height: int | None = None) -> alt.Chart:
    """Circles placed by ``x`` and ``y`` (Altair shorthands with their type, e.g. ``"para:Q"``),
    sized by the count ``size`` and coloured by the category ``colour``.

    ``y_domain`` lists every row to draw, in order, including rows with no circle; ``size_range``
    sets the smallest and largest circle's area in pixels."""
    _require_columns(data, _field(x), _field(y), size, colour, *(tooltip or []))
    size_scale = {} if size_range is None else {"scale": alt.Scale(range=size_range)}
    chart = alt.Chart(data, title=title).mark_circle(opacity=opacity).encode(
        x=alt.X(x, title=x_title, **_sorted(x_sort)),
        y=alt.Y(y, title=y_title, **({} if y_domain is None else {"scale": alt.Scale(domain=y_domain)})),
        size=alt.Size(f"{size}:Q", title=size_title, **size_scale),
        color=alt.Color(f"{colour}:N", title=colour_title),
        **({} if tooltip is None else {"tooltip": tooltip}),
    )
    dimensions = _size(width, height)
    return chart.properties(**dimensions) if dimensions else chart


def labelled_scatter(data: "pd.DataFrame", x: str, y: str, label: str, *, title: str, x_title: str, y_title: str,
                     colour: str, colour_title: str, shape: str, shape_title: str,
                     tooltip: list[str] | None = None, point_size: int = 160) -> alt.LayerChart:
    """A scatter chart of ``x`` against ``y`` (shorthands with their type, e.g. ``"date_start:T"``),
    each point coloured by ``colour``, shaped by ``shape`` and labelled on its right with ``label``."""
    _require_columns(data, _field(x), _field(y), label, colour, shape, *(tooltip or []))
    x_channel, y_channel = alt.X(x, title=x_title), alt.Y(y, title=y_title)
    points = alt.Chart(data, title=title).mark_circle(size=point_size).encode(
        x=x_channel, y=y_channel,
        color=alt.Color(f"{colour}:N", title=colour_title),
        shape=alt.Shape(f"{shape}:N", title=shape_title),
        **({} if tooltip is None else {"tooltip": tooltip}),
    )
    labels = alt.Chart(data).mark_text(align="left", dx=10, fontSize=11).encode(
        x=x_channel, y=y_channel, text=f"{label}:N")
    return points + labels


def _year_axis(year: str, years: tuple[int, int], tick_step: int | None) -> alt.X:
    """The x channel of a chart by year: whole years, over ``years`` (first, last)."""
    axis = alt.Axis(format="d") if tick_step is None else alt.Axis(format="d", tickMinStep=tick_step)
    return alt.X(f"{year}:Q", title="Year", scale=alt.Scale(domain=list(years)), axis=axis)


def checked_line_with_claims(checked: "pd.DataFrame", claimed: "pd.DataFrame", value: str, series: str, *,
                             title: str, value_title: str, series_title: str, years: tuple[int, int],
                             value_scale: alt.Scale | None = None, tooltip: list[str] | None = None,
                             year: str = "year", segment: str = "segment",
                             year_tick_step: int | None = None) -> alt.LayerChart:
    """Checked yearly figures as points joined by a line within each run of years (``segment``, from
    :func:`line_segments`), and the figures a source claims as large hollow diamonds on the same
    axes, each ``series`` (checked basis or claim) in its own colour."""
    _require_columns(checked, year, value, series, segment)
    _require_columns(claimed, year, value, series)
    x = _year_axis(year, years, year_tick_step)
    y = alt.Y(f"{value}:Q", title=value_title, **({} if value_scale is None else {"scale": value_scale}))
    colour = alt.Color(f"{series}:N", title=series_title, legend=alt.Legend(labelLimit=0))
    tips = {} if tooltip is None else {"tooltip": tooltip}
    lines = alt.Chart(checked).mark_line().encode(x=x, y=y, color=colour, detail=f"{segment}:N")
    points = alt.Chart(checked).mark_point(filled=True, size=90).encode(x=x, y=y, color=colour, **tips)
    claims = alt.Chart(claimed).mark_point(size=380, strokeWidth=2, shape="diamond").encode(
        x=x, y=y, color=colour, **tips)
    return alt.layer(lines, points, claims, title=title)


def checked_points_with_claim_lines(checked: "pd.DataFrame", claimed: "pd.DataFrame", value: str, series: str, *,
                                    title: str, value_title: str, series_title: str, years: tuple[int, int],
                                    value_domain: list[float], tooltip: list[str] | None = None,
                                    year: str = "year", label: str = "label") -> alt.LayerChart:
    """Checked yearly figures as points, coloured and shaped by ``series`` (their basis), and each
    figure a source claims without a year as a dashed horizontal line with its ``label``."""
    _require_columns(checked, year, value, series, *(tooltip or []))
    _require_columns(claimed, value, label)
    points = alt.Chart(checked, title=title).mark_point(filled=True, size=90).encode(
        x=_year_axis(year, years, None),
        y=alt.Y(f"{value}:Q", title=value_title, scale=alt.Scale(domain=value_domain)),
        color=alt.Color(f"{series}:N", title=series_title),
        shape=alt.Shape(f"{series}:N", title=series_title),
        **({} if tooltip is None else {"tooltip": tooltip}),
    )
    claimed_y = alt.Y(f"{value}:Q", title=value_title)
    rules = alt.Chart(claimed).mark_rule(strokeDash=[6, 4], color="#555").encode(y=claimed_y)
    labels = alt.Chart(claimed).mark_text(align="left", x=5, dy=-7, color="#222").encode(y=claimed_y,
                                                                                          text=f"{label}:N")
    return points + rules + labels
