"""Chapters executed again when what they read changes: the course package, ``data/`` or ``seeds/``.

Sphinx re-reads a page only when its own source changes, and myst-nb's execution cache keys a
notebook by its code cells. A chapter's outputs, though, come from the package's helpers and the
course's data: after an edit of ``alliance/describe.py`` or of a lexicon, ``make book`` would show
the old sentences and counts. So a digest of those inputs is kept twice:

* beside the execution cache (``<cache>.inputs-digest``): when it differs, the cache is emptied
  before the notebooks run, so every chapter is executed again (once, for both editions);
* in the build environment: when it differs, every page is read again.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from alliance import paths
from alliance.editions.publish import code_digest, file_digest, json_digest

logger = sphinx_logging.getLogger(__name__)

#: Where the digest of the inputs the build environment was read with is kept.
ENV_ATTRIBUTE = "alliance_inputs_digest"


def inputs_digest(root: Path | None = None, package_dir: Path | None = None) -> str:
    """A digest of what the chapters' code reads: every module of the course package the kernels import
    (``package_dir``, by default :data:`alliance.paths.PACKAGE_DIR`) and every file under ``data/`` and
    ``seeds/`` of the project they read (``root``, by default :data:`alliance.paths.PROJECT_ROOT`)."""
    root = Path(root or paths.PROJECT_ROOT)
    files = {p.relative_to(root).as_posix(): file_digest(p)
             for folder in ("data", "seeds") for p in sorted((root / folder).rglob("*")) if p.is_file()}
    return json_digest({"package": code_digest(package_dir or paths.PACKAGE_DIR), "files": files})


def cache_digest_file(cache_path: str | Path) -> Path:
    """The file beside the execution cache that holds the digest its results were made with."""
    cache = Path(cache_path)
    return cache.with_name(cache.name + ".inputs-digest")


def empty_stale_cache(cache_path: str | Path, digest: str) -> bool:
    """Empty the execution cache at ``cache_path`` unless it was made with inputs of ``digest``; record
    ``digest`` beside it. Returns whether a cache was emptied."""
    cache, marker = Path(cache_path), cache_digest_file(cache_path)
    recorded = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
    emptied = False
    if recorded != digest and cache.exists():
        import shutil

        shutil.rmtree(cache)
        emptied = True
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(digest + "\n", encoding="utf-8")
    return emptied


def reread_when_inputs_change(app: Sphinx, env: Any, added: set[str], changed: set[str],
                              removed: set[str]) -> list[str]:
    """``env-get-outdated``: when the package, ``data/`` or ``seeds/`` changed since the environment was
    read, empty a stale execution cache and read every page again."""
    digest = inputs_digest()
    if app.config.nb_execution_mode == "cache" and empty_stale_cache(
            Path(app.srcdir) / app.config.nb_execution_cache_path, digest):
        logger.info("[alliance] the package, data/ or seeds/ changed: execution cache emptied")
    if getattr(env, ENV_ATTRIBUTE, None) == digest:
        return []
    setattr(env, ENV_ATTRIBUTE, digest)
    return sorted(set(env.found_docs) - added - removed)
