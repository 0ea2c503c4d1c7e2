"""Parallel pre-execution of the book's notebooks (alliance.execute)."""
from __future__ import annotations

from pathlib import Path

import nbformat
from jupyter_cache import get_cache

from alliance.execute import execute_in_parallel, is_myst_notebook, select_notebooks

FRONT = "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n# T\n\n"


def _write(path: Path, code: str) -> Path:
    path.write_text(FRONT + f"```{{code-cell}} ipython3\n{code}\n```\n", encoding="utf-8")
    return path


def test_only_myst_notebooks_not_excluded_are_selected(tmp_path):
    (tmp_path / "ex").mkdir()
    good = _write(tmp_path / "a.md", "1")
    excluded = _write(tmp_path / "ex" / "b.md", "2")
    plain = tmp_path / "c.md"
    plain.write_text("# Just text\n", encoding="utf-8")
    assert is_myst_notebook(good) and not is_myst_notebook(plain)
    assert select_notebooks([good, excluded, plain], tmp_path, ["ex/*"]) == [good]


def test_parallel_run_caches_successes_and_leaves_failures(tmp_path):
    ok = _write(tmp_path / "ok.md", "print(6 * 7)")
    bad = _write(tmp_path / "bad.md", "raise ValueError('no')")
    outcome = execute_in_parallel([ok, bad], str(tmp_path / "cache"), timeout=120)
    assert [Path(u).name for u in outcome["succeeded"]] == ["ok.md"]
    assert [Path(u).name for u in outcome["failed"]] == ["bad.md"]
    cache = get_cache(str(tmp_path / "cache"))
    record = cache.get_project_record(str(ok))
    cached_nb = cache.get_cache_bundle(cache.get_cached_project_nb(record.pk).pk).nb
    outputs = [o for c in cached_nb.cells if c.cell_type == "code" for o in c.outputs]
    assert "42" in nbformat.writes(cached_nb) and outputs
