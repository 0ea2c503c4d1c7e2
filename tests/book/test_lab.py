"""Chapters run as notebooks on a student's machine (JupyterLab mode, offline charts)."""
from __future__ import annotations

import os
from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient
from tests._root import REPO_ROOT

ROOT = REPO_ROOT


@pytest.mark.build
def test_chapter_runs_in_lab_mode_with_offline_widget_charts(monkeypatch):
    monkeypatch.setenv("ALLIANCE_CHART_MODE", "lab")
    notebook = jupytext.read(ROOT / "chapters" / "00-reading-the-sources.md")
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "chapters")}}).execute()
    bundles = [o.get("data", {}) for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    widgets = [b for b in bundles if "application/vnd.jupyter.widget-view+json" in b]
    assert widgets, "charts should be Altair JupyterChart widgets in lab mode"
    assert not any("vegaEmbed(" in b.get("text/html", "") for b in bundles), "book HTML must not be used in lab"
    assert os.environ["ALLIANCE_CHART_MODE"] == "lab"
