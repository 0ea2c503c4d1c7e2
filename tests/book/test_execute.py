"""Parallel pre-execution of the book's notebooks (alliance.book.execute)."""
from __future__ import annotations

import json
import signal
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.executors.basic import ProcessData

from alliance.book.execute import MYST_READER, SignalSafeWorker, execute_in_parallel, is_myst_notebook, select_notebooks

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


@pytest.mark.kernel
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


@pytest.mark.kernel
def test_a_kernel_that_cannot_start_leaves_the_worker_killable(tmp_path, monkeypatch):
    """A worker whose kernel fails to start still ends on the pool's SIGTERM (see SignalSafeWorker).

    The kernel here exits at once; nbclient's no-op SIGINT and SIGTERM handlers would stay.
    """
    spec = tmp_path / "jupyter" / "kernels" / "broken"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": ["sh", "-c", "exit 1", "sh", "{connection_file}"], "display_name": "Broken",
         "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    notebook = _write(tmp_path / "broken.md", "1")
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("name: python3", "name: broken"),
                        encoding="utf-8")
    cache = get_cache(str(tmp_path / "cache"))
    record = cache.add_nb_to_project(str(notebook), read_data=MYST_READER)
    signals = (signal.SIGINT, signal.SIGTERM)
    before = {sig: signal.getsignal(sig) for sig in signals}
    try:
        status, _uri = SignalSafeWorker()(ProcessData(record.pk, record.uri, cache, 60, False))
        after = {sig: signal.getsignal(sig) for sig in signals}
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert status != 0, "the broken kernel started"
    assert after == before
