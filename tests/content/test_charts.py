"""Chart theme, checks and offline HTML (alliance.charts)."""
from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from alliance.charts import OKABE_ITO, chart_html, check_chart, enable_charts, show
from tests._root import REPO_ROOT

DATA = pd.DataFrame({"source": ["a", "b"], "words": [1, 2]})


def _chart(**kw):
    return alt.Chart(DATA, **kw).mark_bar().encode(
        x=alt.X("words:Q", title="Words"), y=alt.Y("source:N", title="Source"))


def test_html_uses_shared_bundle_not_cdn(monkeypatch):
    monkeypatch.setenv("ALLIANCE_CHART_MODE", "book")
    html = show(_chart(title="T"), "Bars of words per source, two bars.")._repr_html_()
    assert "vegaEmbed(" in html and "cdn" not in html.lower() and "<script src" not in html
    assert 'class="alliance-chart-description"' in html and "Bars of words per source" in html
    assert 'role="img"' in html


def test_html_is_deterministic():
    spec = _chart(title="T").to_dict()
    assert chart_html(spec, "same words here for both") == chart_html(spec, "same words here for both")


def test_script_end_tag_in_data_is_escaped():
    data = pd.DataFrame({"source": ["</script><script>alert(1)</script>"], "words": [1]})
    chart = alt.Chart(data, title="T").mark_bar().encode(x=alt.X("words:Q", title="W"), y=alt.Y("source:N", title="S"))
    assert "</script><script>alert" not in chart_html(chart.to_dict(), "a chart with hostile labels")


def test_title_axis_titles_and_description_are_required():
    with pytest.raises(ValueError, match="title"):
        show(_chart(), "A description with enough words.")
    untitled = alt.Chart(DATA, title="T").mark_bar().encode(x="words:Q", y=alt.Y("source:N", title="S"))
    with pytest.raises(ValueError, match="x axis needs a title"):
        check_chart(untitled.to_dict())
    with pytest.raises(ValueError, match="description"):
        show(_chart(title="T"), "too short")


def test_theme_palette_is_colour_blind_safe():
    enable_charts()
    spec = _chart(title="T").to_dict()
    assert spec["config"]["range"]["category"] == OKABE_ITO


def test_lab_mode_uses_offline_jupyter_renderer(monkeypatch):
    monkeypatch.setenv("ALLIANCE_CHART_MODE", "lab")
    assert enable_charts() == "lab"
    assert alt.renderers.active == "jupyter"
    monkeypatch.setenv("ALLIANCE_CHART_MODE", "book")
    enable_charts()


def test_every_show_call_is_displayed() -> None:
    """``show()`` returns the figure; only a cell's last expression is displayed, so a ``show(...)``
    statement followed by other statements would draw nothing, in the book or in JupyterLab."""
    import ast
    import glob

    import jupytext
    import nbformat

    root = REPO_ROOT
    hidden = []
    for path in sorted(glob.glob(str(root / "chapters" / "*.md")) + glob.glob(str(root / "exercises" / "ex*.ipynb"))
                       + [str(root / "appendix" / "data.md")]):
        nb = jupytext.read(path) if path.endswith(".md") else nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "show(" not in cell.source:
                continue
            body = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.startswith(("%", "!")))).body
            for statement in body[:-1]:
                if (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                        and getattr(statement.value.func, "id", "") == "show"):
                    hidden.append(f"{Path(path).name}, cell {i}, line {statement.lineno}")
    assert not hidden, f"show() that is not the cell's last expression draws nothing: {hidden}"


def test_readable_tooltips_titles_untitled_fields_in_every_layer():
    from alliance.charts import readable_tooltips

    frame = pd.DataFrame({"source_id": ["su2017"], "per_1000": [1.5], "date_basis": ["published"]})
    base = alt.Chart(frame).mark_bar().encode(
        x=alt.X("source_id:N", title="Source"), y=alt.Y("per_1000:Q", title="Per 1,000 words"),
        tooltip=["source_id", "date_basis", alt.Tooltip("per_1000:Q", title="Rate")])
    spec = (base + base.mark_point()).to_dict()
    titled = readable_tooltips(spec)
    for layer in titled["layer"]:
        assert [t["title"] for t in layer["encoding"]["tooltip"]] == ["Source", "Date basis", "Rate"]
    assert "title" not in spec["layer"][0]["encoding"]["tooltip"][0], "the spec given is not changed"
    single = readable_tooltips(alt.Chart(frame).mark_bar().encode(x="source_id:N", tooltip="per_1000:Q").to_dict())
    assert single["encoding"]["tooltip"]["title"] == "Per 1,000 words"


def test_timeline_says_what_each_event_is_based_on():
    from alliance.charts import timeline_chart
    from alliance.reference import load_timeline

    events = load_timeline(["treaty1951", "guidelines1978"])
    assert set(events["based_on"]) == {"checked reference"}
    spec = timeline_chart(events, title="t").to_dict()
    points = spec["layer"][0]["encoding"]
    assert [t["title"] for t in points["tooltip"]] == ["Date", "Event", "Based on", "Cited as"]
    assert points["color"]["title"] == points["shape"]["title"] == "Based on"
    claims = load_timeline()
    assert set(claims["based_on"]) == {"checked reference", "a source's claim"}


def test_timeline_shapes_are_the_ones_its_description_names():
    """Vega-Lite gives shapes in the sorted order of the values ("a source's claim" first, a circle) unless
    told: the chart fixes round for checked facts and square for a source's claim, as the description says."""
    from alliance.charts import timeline_chart
    from alliance.describe import timeline_description
    from alliance.reference import load_timeline

    events = load_timeline()
    shape = timeline_chart(events, title="t").to_dict()["layer"][0]["encoding"]["shape"]["scale"]
    by_value = dict(zip(shape["domain"], shape["range"]))
    assert by_value == {"checked reference": "circle", "a source's claim": "square"}
    assert "round for checked reference events and square for what a source says" in timeline_description(events)
