"""Shared fixtures: a private copy of the corpus inputs that a test may damage."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
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


# Marking and feedback tests (tests/classroom/test_marking.py, tests/classroom/test_feedback.py) share these.
@pytest.fixture(scope="module")
def texts() -> dict:
    """The exercises' question texts, model answers and rubrics (``alliance.classroom.marking.texts.exercise_texts``)."""
    from alliance.classroom.marking.texts import exercise_texts

    return exercise_texts()


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    """A grading output folder holding the sample run of ``tests/_runs.py``."""
    from tests._runs import saved_run

    return saved_run(tmp_path / "out")
