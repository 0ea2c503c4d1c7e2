"""Every chart of the built book renders offline as a vector SVG with its description (PDF and EPUB),
every label whole and inside the picture."""
from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pytest

from alliance.book.static_charts import STATIC_CHART_FONT, find_charts, replace_charts, static_spec
from tests._root import REPO_ROOT

HTML = REPO_ROOT / "_build" / "html"
pytestmark = pytest.mark.build


def _chapter_pages() -> list[Path]:
    pages = sorted((HTML / "chapters").glob("*.html"))
    assert pages, "build the book first (make book)"
    return pages


def test_every_chart_becomes_a_static_vector_figure(tmp_path):
    total = 0
    for page in _chapter_pages():
        text = page.read_text(encoding="utf-8")
        expected = text.count('<figure class="alliance-chart"')
        charts = find_charts(text)
        assert len(charts) == expected, page.name
        total += expected
        inline, svgs = replace_charts(text)
        assert "var spec=" not in inline and inline.count("alliance-chart-static") == expected
        for chart, svg in zip(charts, svgs):
            assert svg.startswith("<svg") and "<image" not in svg, (page.name, chart.title)
            assert len(chart.description.split()) >= 5
            assert f"{chart.title}" in re.sub(r"<[^>]+>", " ", svg) or chart.title == "Chart"
        as_files, files = replace_charts(text, folder=tmp_path / page.stem, prefix="charts/")
        assert all(f'src="charts/{f.name}"' in as_files for f in files)
    assert total > 0


#: For every ``<text>`` of the SVG in the page: its text and its left and right edge, in the SVG's
#: own units (its viewBox), as Chromium draws it (the PDF is printed by Chromium).
_TEXT_EDGES = """() => { const svg = document.querySelector('svg'); const box = svg.viewBox.baseVal;
  const shown = svg.getBoundingClientRect(); const scale = box.width / shown.width;
  return {width: box.width, height: box.height, texts: Array.from(svg.querySelectorAll('text'), t => {
    const r = t.getBoundingClientRect();
    return [t.textContent, (r.left - shown.left) * scale, (r.right - shown.left) * scale,
            (r.top - shown.top) * scale, (r.bottom - shown.top) * scale]; })}; }"""


def texts_outside_the_view(svgs: dict[str, str]) -> list[str]:
    """The texts of each SVG that Chromium draws (partly) outside its viewBox, where they are cut."""
    from playwright.sync_api import sync_playwright

    from alliance.book.site import CHROMIUM_ARGS, find_chromium

    chromium = find_chromium()
    assert chromium, "Chromium not found: make browser installs it"
    outside = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for name, svg in svgs.items():
                page.set_content(f"<!DOCTYPE html><html><body style='margin:0'>{svg}</body></html>")
                drawn = page.evaluate(_TEXT_EDGES)
                for text, left, right, top, bottom in drawn["texts"]:
                    if text.strip() and (left < -0.5 or right > drawn["width"] + 0.5
                                         or top < -0.5 or bottom > drawn["height"] + 0.5):
                        outside.append(f"{name}: {text!r} spans x {left:.0f}..{right:.0f} of 0..{drawn['width']:.0f}")
        finally:
            browser.close()
    return outside


def test_no_label_of_a_static_chart_is_cut():
    """Every text of every static chart is whole: not shortened with Vega's "…" (a label limit) and
    drawn inside the SVG's box, in the font the PDF's Chromium draws it with."""
    svgs, shortened = {}, []
    for page in _chapter_pages():
        for chart in find_charts(page.read_text(encoding="utf-8")):
            svgs[f"{page.stem}: {chart.title}"] = chart.svg
            in_spec = json.dumps(chart.spec, ensure_ascii=False)
            for text in re.findall(r"<text\b[^>]*>([^<]*)</text>", chart.svg):
                if "…" in text and html_lib.unescape(text) not in in_spec:
                    shortened.append(f"{chart.title}: {text!r}")
    assert len(svgs) >= 20
    assert not shortened, shortened
    outside = texts_outside_the_view(svgs)
    assert not outside, "\n".join(outside)


def test_static_spec_names_one_font_and_lifts_default_label_limits():
    spec = {"$schema": "x", "config": {"font": "system-ui, sans-serif", "axis": {"labelFontSize": 12}},
            "layer": [{"mark": {"type": "text", "font": "serif"}},
                      {"encoding": {"y": {"axis": {"labelFont": "Arial", "labelLimit": 90}}}}]}
    static = static_spec(spec)
    assert static["config"]["font"] == STATIC_CHART_FONT
    assert static["config"]["axis"] == {"labelFontSize": 12, "labelLimit": 0}
    assert static["config"]["legend"]["labelLimit"] == 0
    assert static["layer"][0]["mark"]["font"] == STATIC_CHART_FONT
    assert static["layer"][1]["encoding"]["y"]["axis"] == {"labelFont": STATIC_CHART_FONT, "labelLimit": 90}
    assert spec["config"]["font"] == "system-ui, sans-serif"   # the chart's own spec is left as it was
