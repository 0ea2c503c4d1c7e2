"""Shared fixtures: a private copy of the corpus inputs that a test may damage."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Kernels started by the tests (nbval, nbclient, grading) draw charts as in the book, so stored
# outputs compare equal. Set before any kernel starts.
os.environ["ALLIANCE_CHART_MODE"] = "book"


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> dict[str, Path]:
    """seeds/, sources.csv and segment_rules.csv copied to tmp_path."""
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    meta = tmp_path / "sources.csv"
    shutil.copy(ROOT / "data" / "sources.csv", meta)
    rules = tmp_path / "segment_rules.csv"
    shutil.copy(ROOT / "data" / "segment_rules.csv", rules)
    return {"seeds": seeds, "metadata": meta, "rules": rules}
