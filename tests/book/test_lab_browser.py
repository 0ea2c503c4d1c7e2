"""The notebook editions in a real JupyterLab (the project's own), in headless Chromium, offline.

The editions ``make lab`` gives students (every chapter, the data page, every student exercise
notebook) are written to a temporary folder; JupyterLab is started on it (127.0.0.1, a free port);
each notebook is opened, all its cells are run, and the tests below assert, per notebook:

* no raw MyST in any rendered Markdown cell (the same search as for the downloads);
* every code cell ran without an error output;
* every chart the notebook shows (each top-level ``show(...)``) was sent and drawn;
* no console error and no request leaving 127.0.0.1.

Without Chromium the tests skip locally and FAIL when ``CI`` is set.
"""
from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from alliance.editions.myst import raw_myst
from alliance.editions.publish import write_reader_editions
from alliance.book.labrun import NotebookReport, jupyterlab, run_notebooks
from alliance.book.site import find_chromium
from tests._root import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.build, pytest.mark.slow]  # 1.5 min: `make test-slow`

ROOT = REPO_ROOT


def _charts_expected(nb: nbformat.NotebookNode) -> int:
    """Code cells whose last statement is a ``show(...)`` call: each draws one chart."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and "show(" in cell.source:
            body = ast.parse(cell.source).body
            last = body[-1] if body else None
            if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and getattr(last.value.func, "id", "") == "show":
                count += 1
    return count


@pytest.fixture(scope="module")
def lab_reports(tmp_path_factory) -> dict[str, tuple[NotebookReport, int]]:
    chromium = find_chromium()
    if chromium is None:
        pytest.fail("Chromium not found (/usr/bin/chromium or `chromium` on PATH): run `make browser`.", pytrace=False)
    folder = tmp_path_factory.mktemp("notebooks")
    written, _ = write_reader_editions(folder)  # as `make lab`: links into the built book via folder/book
    paths = [str(p.relative_to(folder)) for p in written]
    expected = {p: _charts_expected(nbformat.read(folder / p, as_version=4)) for p in paths}
    with jupyterlab(folder) as url:
        reports = run_notebooks(url, paths, chromium)
    print("\nJupyterLab: " + "; ".join(f"{r.path} {r.seconds:.0f}s, {r.charts_drawn}/{expected[r.path]} charts"
                                        for r in reports))
    return {r.path: (r, expected[r.path]) for r in reports}


def _fail_if(problems: dict[str, list[str]], what: str) -> None:
    bad = {path: items for path, items in problems.items() if items}
    if bad:
        pytest.fail(f"{what}:\n" + "\n".join(f"  {path}: {items}" for path, items in bad.items()), pytrace=False)


def test_every_edition_was_opened(lab_reports) -> None:
    chapters = [p for p in lab_reports if p.startswith("chapters/")]
    exercises = [p for p in lab_reports if p.startswith("exercises/")]
    assert len(chapters) == len(list((ROOT / "chapters").glob("*.md"))) + 1  # and the data page
    assert len(exercises) == len(list((ROOT / "exercises").glob("ex*.ipynb")))


def test_every_cell_runs(lab_reports) -> None:
    _fail_if({p: r.error_outputs + ([] if r.executed_cells == r.code_cells else
                                     [f"{r.executed_cells} of {r.code_cells} code cells ran"])
              for p, (r, _) in lab_reports.items()}, "Cells that did not run")


def test_no_raw_myst_in_rendered_markdown(lab_reports) -> None:
    assert all(r.markdown_html for r, _ in lab_reports.values()), "a notebook showed no Markdown cell"
    _fail_if({p: [place for html in r.markdown_html for place in
                  ([html[:120]] if html.startswith("NOT RENDERED") else raw_myst(html))]
              for p, (r, _) in lab_reports.items()}, "Raw MyST in JupyterLab")


def test_every_chart_is_drawn(lab_reports) -> None:
    _fail_if({p: [] if r.charts_sent == r.charts_drawn == expected else
              [f"{expected} chart(s) shown by the code, {r.charts_sent} sent, {r.charts_drawn} drawn"]
              for p, (r, expected) in lab_reports.items()}, "Charts not drawn in JupyterLab")
    assert sum(e for _, e in lab_reports.values()) > 0, "no chapter shows a chart: the test would prove nothing"


def test_no_console_errors(lab_reports) -> None:
    _fail_if({p: r.console_errors for p, (r, _) in lab_reports.items()}, "Console errors in JupyterLab")


def test_no_request_leaves_the_machine(lab_reports) -> None:
    _fail_if({p: r.external_requests for p, (r, _) in lab_reports.items()}, "Requests leaving 127.0.0.1")
