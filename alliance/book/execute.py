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
import signal
from pathlib import Path
from typing import Any

from jupyter_cache import get_cache
from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, JupyterExecutorLocalMproc

#: How jupyter-cache reads a MyST notebook (the reader plugin that myst-nb registers).
MYST_READER = {"name": "myst_nb_md", "type": "plugin"}


class SignalSafeWorker(ExecutionWorkerLocalMProc):
    """jupyter-cache's pool worker, leaving the SIGINT and SIGTERM handlers as it found them.

    nbclient installs no-op handlers for SIGINT and SIGTERM while it starts a kernel and removes
    them only once the kernel is up. A kernel that fails to start (seen under load, when two
    kernels starting at once took the same port) left the worker deaf to the SIGTERM with which
    the pool ends its workers, and ``make book`` waited for it forever.
    """

    def __call__(self, data: Any) -> tuple[int, str]:
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return super().__call__(data)
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)


class SignalSafeExecutor(JupyterExecutorLocalMproc):
    """jupyter-cache's ``local-parallel`` executor with :class:`SignalSafeWorker`."""

    _EXECUTION_WORKER = SignalSafeWorker


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
    executor = SignalSafeExecutor(cache, logger=logger or logging.getLogger(__name__))
    result = executor.run_and_cache(filter_pks=[r.pk for r in records], timeout=timeout, allow_errors=False)
    return {"succeeded": list(result.succeeded), "failed": list(result.excepted) + list(result.errored)}
