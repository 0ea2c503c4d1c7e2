"""``tools/compare_builds.py``: two builds compared page for page (text, and every chart's spec)."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests._root import REPO_ROOT

PAGE = """<html><body><nav>menu</nav><article class="bd-article">
<h1>Chapter<a class="headerlink" href="#c">#</a></h1>
<p>Su writes of {words}.</p>
<div class="cell"><div class="cell_input"><pre>{code}</pre></div>
<div class="cell_output"><p>5 sources</p></div></div>{toggled}
<script>vegaEmbed("#altair-viz-{chart_id}", {{"mark": "{mark}"}});</script>
</article></body></html>"""


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_builds", REPO_ROOT / "tools" / "compare_builds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a dataclass needs its module registered
    spec.loader.exec_module(module)
    return module


def _build(root: Path, **fields: str) -> Path:
    values = {"words": "trade", "code": "rate_bars(table)", "chart_id": "1a2b", "mark": "bar", "toggled": ""} | fields
    (root / "chapters").mkdir(parents=True)
    (root / "chapters" / "one.html").write_text(PAGE.format(**values), encoding="utf-8")
    (root / "search.html").write_text("<html><body>search</body></html>", encoding="utf-8")
    cells = [{"cell_type": "markdown", "source": [f"Su writes of {values['words']}.\n", "Read ¶4."]},
             {"cell_type": "code", "source": values["code"]}]
    (root / "student").mkdir()
    (root / "student" / "ex.ipynb").write_text(json.dumps({"cells": cells}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return _tool()


def test_identical_builds_pass_though_chart_ids_and_shown_code_differ(tool: ModuleType, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture) -> None:
    before = _build(tmp_path / "a")
    after = _build(tmp_path / "b", chart_id="9f9f", code="table.plot()")
    assert tool.main([str(before), str(after)]) == 0
    assert "2 pages and notebooks compared, 2 identical, 0 differ" in capsys.readouterr().out


TOGGLED = """<div class="cell tag_hide-input"><details class="hide above-input"><summary>
<p class="collapsed admonition-title">Show code cell source</p></summary>
<div class="cell_input"><pre>table.head()</pre></div></details><div class="cell_output"><p>5 sources</p></div></div>"""


def test_a_cell_split_in_two_changes_only_code(tool: ModuleType, tmp_path: Path) -> None:
    """A second folded code cell repeating an output: the toggle is code, the output is text."""
    before = _build(tmp_path / "a", toggled=TOGGLED.replace("5 sources", "done"))
    after = _build(tmp_path / "b", toggled=TOGGLED.replace("5 sources", "done") + TOGGLED.replace("5 sources", ""))
    assert tool.compare(before, after)[1] == {}
    assert "+Show code cell source" in tool.compare(before, after, code=True)[1]["chapters/one.html"]


def test_a_changed_word_fails_and_is_shown(tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    before = _build(tmp_path / "a")
    after = _build(tmp_path / "b", words="security")
    assert tool.main([str(before), str(after)]) == 1
    out = capsys.readouterr().out
    assert "chapters/one.html: differs" in out and "+Su writes of security." in out and "-Su writes of trade." in out
    assert "student/ex.ipynb: differs" in out


def test_a_changed_chart_fails(tool: ModuleType, tmp_path: Path) -> None:
    count, differences = tool.compare(_build(tmp_path / "a"), _build(tmp_path / "b", mark="line"))
    assert count == 2 and "charts and inline scripts differ (1 before, 1 after)" in differences["chapters/one.html"]


def test_code_is_compared_on_request_and_renames_are_read(tool: ModuleType, tmp_path: Path) -> None:
    before = _build(tmp_path / "a", code="from alliance.grading import x")
    after = _build(tmp_path / "b", code="from alliance.classroom.grading import x")
    assert not tool.compare(before, after)[1]
    assert set(tool.compare(before, after, code=True)[1]) == {"chapters/one.html", "student/ex.ipynb"}
    assert not tool.compare(before, after, code=True, renames={"alliance.grading": "alliance.classroom.grading"})[1]


def test_a_page_in_one_build_only_fails(tool: ModuleType, tmp_path: Path) -> None:
    before = _build(tmp_path / "a")
    after = _build(tmp_path / "b")
    (after / "extra.html").write_text("<html><body><article><p>new</p></article></body></html>", encoding="utf-8")
    assert tool.compare(before, after)[1] == {"extra.html": ["only in the second build"]}
