"""Execute the book's notebooks in parallel into the jupyter-cache before Sphinx reads them.

myst-nb executes a notebook when Sphinx reads it, one after another. On a machine with two
cores, running the notebooks that Sphinx is about to read over a pool of processes first (the
jupyter-cache ``local-parallel`` executor) lets myst-nb find every result in the cache. A
notebook that fails here is simply not cached: myst-nb then executes it itself and reports the
error as usual, so a failing cell still fails the build.
"""
from __future__ import annotations

import fnmatch
import logging
from pathlib import Path

from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor

#: How jupyter-cache reads a MyST notebook (the reader plugin that myst-nb registers).
MYST_READER = {"name": "myst_nb_md", "type": "plugin"}


def is_myst_notebook(path: Path) -> bool:
    """A ``.md`` file whose front matter declares a kernel (a MyST notebook)."""
    if path.suffix != ".md" or not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front = text.split("\n---", 1)[0]
    return "kernelspec:" in front


def select_notebooks(paths: list[Path], root: Path, exclude: list[str]) -> list[Path]:
    """The MyST notebooks among ``paths`` that are not excluded from execution."""
    chosen = []
    for path in paths:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        if is_myst_notebook(path) and not any(fnmatch.fnmatch(rel, pat) for pat in exclude):
            chosen.append(path)
    return chosen


def execute_in_parallel(paths: list[Path], cache_path: str, timeout: int,
                        logger: logging.Logger | None = None) -> dict[str, list[str]]:
    """Add ``paths`` to the cache's project and run the stale ones over a process pool.

    Returns the URIs that succeeded and failed (failures are left for myst-nb to report).
    """
    cache = get_cache(cache_path)
    records = [cache.add_nb_to_project(str(p), read_data=MYST_READER) for p in paths]
    executor = load_executor("local-parallel", cache, logger=logger or logging.getLogger(__name__))
    result = executor.run_and_cache(filter_pks=[r.pk for r in records], timeout=timeout, allow_errors=False)
    return {"succeeded": list(result.succeeded), "failed": list(result.excepted) + list(result.errored)}
