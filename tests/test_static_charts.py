"""Every chart of the built book renders offline as a vector SVG with its description (PDF and EPUB)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from alliance.static_charts import find_charts, replace_charts

HTML = Path(__file__).resolve().parent.parent / "_build" / "html"
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
