"""Lighter pages (issue 11): the vega bundle only where a chart is, chart space reserved from the
spec, a favicon and a meta description on every page.

The helpers of ``alliance.book.sphinxext`` (its modules ``charts``, ``description``, ``downloads``) are
tested on their own; the built editions (``_build/html`` and the student edition) are then read as files
(marked ``build``). That the pages without charts make no request for the bundle in a browser, and that
every chart still draws, is checked by ``tests/book/test_browser.py``.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from alliance.book.sphinxext.charts import (CHART_FURNITURE_PX, chart_height, drawn_height, has_charts,
                                            reserve_chart_space)
from alliance.book.sphinxext.description import DESCRIPTION_CHARS, first_paragraph, page_description
from alliance.charts import chart_html
from alliance.paths import BUNDLE_NAME, STUDENT_HTML_DIR
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
EDITIONS = {"solution": ROOT / "_build" / "html", "student": STUDENT_HTML_DIR}
NOT_PAGES = ("_static", "_sources", "_images", "_downloads", "student")
_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)"')


def _rst(text: str) -> nodes.document:
    document = new_document("<test>", get_default_settings(Parser))
    Parser().parse(text, document)
    return document


SPEC = {"config": {"view": {"continuousHeight": 300}}, "mark": "point", "title": "T",
        "encoding": {"x": {"field": "a", "type": "quantitative", "title": "A"}}}


# --------------------------------------------------------------------------- helpers

def test_chart_height_from_height_config_and_discrete_steps() -> None:
    assert chart_height({**SPEC, "height": 240}) == 240 + CHART_FURNITURE_PX
    assert chart_height(SPEC) == 300 + CHART_FURNITURE_PX
    bars = {**SPEC, "data": {"name": "d"}, "datasets": {"d": [{"y": k} for k in "abcab"]},
            "encoding": {"y": {"field": "y", "type": "nominal", "title": "Y"}}}
    assert chart_height(bars) == 3 * 20 + CHART_FURNITURE_PX  # three categories, 20 px each
    stacked = {"vconcat": [{"height": 100}, {"height": 50}], "config": SPEC["config"]}
    assert chart_height(stacked) == 100 + 50 + 20 + CHART_FURNITURE_PX
    assert chart_height({"facet": {"row": {"field": "f"}}, "spec": {"mark": "bar"}}) is None


def test_reserve_chart_space_sets_min_height_from_the_spec() -> None:
    page = chart_html({**SPEC, "height": 200}, "A chart of five words or more.")
    reserved = reserve_chart_space(page)
    assert f'style="min-height:{200 + CHART_FURNITURE_PX}px"' in reserved
    assert reserved.replace(f' style="min-height:{200 + CHART_FURNITURE_PX}px"', "") == page
    assert reserve_chart_space(reserved) == reserved  # idempotent
    assert reserve_chart_space("<p>no chart</p>") == "<p>no chart</p>"


def test_grouped_bars_reserve_the_height_they_are_drawn_at() -> None:
    """A grouped bar chart (yOffset) is sized by drawing it: five groups of two bars need about
    twice the room of five bars, which the spec's steps alone would under-reserve (the text below jumped)."""
    rows = [{"s": s, "t": t, "n": i} for i, (s, t) in enumerate((s, t) for s in "abcde" for t in "PQ")]
    grouped = {**SPEC, "data": {"values": rows}, "mark": "bar",
               "encoding": {"y": {"field": "s", "type": "nominal"}, "yOffset": {"field": "t", "type": "nominal"},
                            "x": {"field": "n", "type": "quantitative"}}}
    reserved = re.search(r'min-height:(\d+)px', reserve_chart_space(chart_html(grouped, "Five groups of two bars each.")))
    plain = {**grouped, "encoding": {k: v for k, v in grouped["encoding"].items() if k != "yOffset"}}
    assert reserved and int(reserved.group(1)) >= 5 * 2 * 20
    assert int(reserved.group(1)) > drawn_height(json.dumps(plain)) + 80


def test_has_charts_only_for_a_chart_element() -> None:
    assert has_charts(chart_html(SPEC, "A chart of five words or more."))
    assert not has_charts("<p>The class alliance-vis is named in prose here.</p>")
    assert not has_charts(None)


def test_first_paragraph_skips_admonitions_and_short_lines() -> None:
    doc = _rst(".. note::\n\n   An aside in a note that is long enough to be taken otherwise.\n\n"
               "Short.\n\nThe first paragraph of running text, long enough to describe the page.\n")
    assert first_paragraph(doc) == "The first paragraph of running text, long enough to describe the page."
    assert first_paragraph(_rst("Short.\n")) == "Short."


def test_page_description_prefers_front_matter_and_is_short_plain_text() -> None:
    doc = _rst("A paragraph " + "with many words " * 30 + "at the end.\n")
    from_text = page_description({}, doc, "Title", "Book")
    assert len(from_text) <= DESCRIPTION_CHARS and from_text.endswith("…")
    assert from_text.startswith("A paragraph with many words")
    assert page_description({"description": " Given  in front matter. "}, doc, "T", "B") == "Given in front matter."
    assert page_description({}, None, "<em>Search</em>", "Book") == "Search – Book"
    assert page_description({}, None, "", "Book") == "Book"


# --------------------------------------------------------------------------- the built editions

def _pages(folder: Path) -> list[Path]:
    if not (folder / "intro.html").exists():
        pytest.fail(f"No built book in {folder}: run `make book` (and `make book EDITION=student`).",
                    pytrace=False)
    return [p for p in sorted(folder.rglob("*.html"))
            if p.relative_to(folder).parts[0] not in NOT_PAGES and "bd-container" in p.read_text(encoding="utf-8")]


@pytest.mark.build
@pytest.mark.parametrize("edition", list(EDITIONS))
def test_built_pages_load_the_bundle_only_with_charts(edition: str) -> None:
    pages = _pages(EDITIONS[edition])
    wrong, with_charts = [], 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        charts = len(re.findall(r'class="alliance-vis"', text))
        # the bundle is never a <script src> (it would block); a page with charts has one loader
        tags = re.findall(rf'<script[^>]*src="[^"]*{re.escape(BUNDLE_NAME)}[^"]*"[^>]*>', text)
        loaders = re.findall(rf'<script>\(function\(\)\{{var src="[^"]*{re.escape(BUNDLE_NAME)}\?v=[0-9a-f]+"', text)
        with_charts += bool(charts)
        if tags:
            wrong.append(f"{page.name}: the bundle is loaded by a script tag {tags}")
        if charts and len(loaders) != 1:
            wrong.append(f"{page.name}: {charts} chart(s), {len(loaders)} bundle loader(s)")
        if not charts and loaders:
            wrong.append(f"{page.name}: no chart, but a bundle loader")
        if charts and text.count("min-height:") < charts:
            wrong.append(f"{page.name}: {charts} chart(s), {text.count('min-height:')} with reserved space")
    assert with_charts and with_charts < len(pages), (with_charts, len(pages))
    assert not wrong, "\n".join(wrong)


@pytest.mark.build
@pytest.mark.parametrize("edition", list(EDITIONS))
def test_every_built_page_has_a_favicon_and_one_short_description(edition: str) -> None:
    folder = EDITIONS[edition]
    problems = []
    for page in _pages(folder):
        text = page.read_text(encoding="utf-8")
        found = _DESCRIPTION.findall(text)
        if len(found) != 1 or not html.unescape(found[0]).strip() or len(html.unescape(found[0])) > DESCRIPTION_CHARS:
            problems.append(f"{page.relative_to(folder)}: descriptions {found}")
        icon = re.search(r'<link rel="icon" href="([^"]+)"', text)
        if not icon or not (page.parent / icon.group(1)).resolve().is_file():
            problems.append(f"{page.relative_to(folder)}: favicon link {icon and icon.group(1)!r} not in the build")
    assert not problems, "\n".join(problems)
    chapter = (folder / "chapters" / "01-alliance-evolution.html").read_text(encoding="utf-8")
    described = html.unescape(_DESCRIPTION.search(chapter).group(1)).rstrip("…")
    assert described in html.unescape(re.sub(r"<[^>]+>", "", chapter)), "description is not the page's own text"


def test_favicon_is_a_small_svg() -> None:
    svg = (ROOT / "_static" / "favicon.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and len(svg) < 2_000
    assert "href" not in svg  # no external art
    assert "html_favicon: _static/favicon.svg" in (ROOT / "_config.yml").read_text()


def test_reader_editions_are_offered_once_made(tmp_path, monkeypatch) -> None:
    """The download menu offers the PDF and EPUB of the edition being built, once `make pdf`/`make epub`
    made them (files under _build/pdf and _build/epub), and nothing before."""
    from alliance import paths
    from alliance.book.sphinxext.downloads import reader_edition_files

    monkeypatch.setattr(paths, "PDF_DIR", tmp_path / "_build" / "pdf")
    monkeypatch.setattr(paths, "EPUB_DIR", tmp_path / "_build" / "epub")
    assert reader_edition_files("solution") == {} == reader_edition_files("student")
    (tmp_path / "_build" / "pdf").mkdir(parents=True)
    (tmp_path / "_build" / "epub").mkdir()
    for name in ("pdf/course.pdf", "pdf/course-student.pdf", "epub/course-student.epub"):
        (tmp_path / "_build" / name).write_bytes(b"x")
    assert {k: p.name for k, p in reader_edition_files("solution").items()} == {"pdf": "course.pdf"}
    assert {k: p.name for k, p in reader_edition_files("student").items()} == {
        "pdf": "course-student.pdf", "epub": "course-student.epub"}
