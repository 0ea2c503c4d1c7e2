"""Chapters executed again when the package, data/ or seeds/ change (``alliance.book.sphinxext.freshness``)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from alliance.book.sphinxext.freshness import (ENV_ATTRIBUTE, cache_digest_file, empty_stale_cache, inputs_digest,
                                               reread_when_inputs_change)
from tests._root import REPO_ROOT


def _project(tmp_path: Path) -> tuple[Path, Path]:
    root, package = tmp_path / "project", tmp_path / "project" / "alliance"
    (root / "data" / "lexicons").mkdir(parents=True)
    (root / "seeds").mkdir()
    (package / "book").mkdir(parents=True)
    (root / "data" / "lexicons" / "terms.csv").write_text("term\nalliance\n", encoding="utf-8")
    (root / "seeds" / "000.txt").write_text("A text.\n", encoding="utf-8")
    (package / "describe.py").write_text("X = 1\n", encoding="utf-8")
    (package / "book" / "pages.py").write_text("Y = 1\n", encoding="utf-8")
    return root, package


def test_the_digest_follows_modules_data_and_seeds_and_nothing_else(tmp_path) -> None:
    root, package = _project(tmp_path)
    first = inputs_digest(root, package)
    assert inputs_digest(root, package) == first
    (root / "notes.md").write_text("not read by chapters\n", encoding="utf-8")
    assert inputs_digest(root, package) == first
    changes = [package / "book" / "pages.py", root / "data" / "lexicons" / "terms.csv", root / "seeds" / "000.txt"]
    seen = {first}
    for path in changes:
        path.write_text(path.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
        digest = inputs_digest(root, package)
        assert digest not in seen, f"{path.name} did not change the digest"
        seen.add(digest)


def test_a_stale_cache_is_emptied_once_and_a_fresh_one_kept(tmp_path) -> None:
    cache = tmp_path / "_build" / ".jupyter_cache"
    (cache / "executed").mkdir(parents=True)
    assert empty_stale_cache(cache, "a") is True          # no digest recorded: made with unknown inputs
    assert not cache.exists() and cache_digest_file(cache).read_text(encoding="utf-8").strip() == "a"
    (cache / "executed").mkdir(parents=True)
    assert empty_stale_cache(cache, "a") is False and (cache / "executed").is_dir()
    assert empty_stale_cache(cache, "b") is True and not cache.exists()


def test_pages_are_read_again_only_when_the_inputs_changed(tmp_path, monkeypatch) -> None:
    from alliance.book.sphinxext import freshness

    digests = iter(["one", "one", "two"])
    monkeypatch.setattr(freshness, "inputs_digest", lambda: next(digests))
    config = SimpleNamespace(nb_execution_mode="cache", nb_execution_cache_path="_build/.jupyter_cache")
    app = SimpleNamespace(srcdir=str(tmp_path), config=config)
    env = SimpleNamespace(found_docs={"intro", "chapters/a", "chapters/new"})
    assert reread_when_inputs_change(app, env, {"chapters/new"}, set(), set()) == ["chapters/a", "intro"]
    assert getattr(env, ENV_ATTRIBUTE) == "one"
    assert reread_when_inputs_change(app, env, set(), set(), set()) == []
    assert reread_when_inputs_change(app, env, set(), set(), set()) == ["chapters/a", "chapters/new", "intro"]


FRONT = ("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
         "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n# Probe\n\n")


@pytest.mark.build
def test_a_rebuild_shows_what_a_changed_data_file_now_holds(tmp_path) -> None:
    """Build a small book whose chapter prints a file of data/, change the file, build again in the same
    folder: the page shows the new text (before, Sphinx kept the page and myst-nb its cached output)."""
    book = tmp_path / "book"   # the project too: the chapter reads its data/ (ALLIANCE_ROOT)
    for folder in ("data", "seeds"):
        shutil.copytree(REPO_ROOT / folder, book / folder)
    (book / "appendix").mkdir()   # the method pages the glossary cites must exist (not built here)
    shutil.copy(REPO_ROOT / "appendix" / "checks.md", book / "appendix" / "checks.md")
    (book / "appendix" / "data.md").write_text("# Data\n", encoding="utf-8")   # a page every build publishes
    probe = book / "data" / "probe.txt"
    for name in ("_config.yml", "references.bib"):
        shutil.copy(REPO_ROOT / name, book / name)
    shutil.copytree(REPO_ROOT / "_static", book / "_static")
    (book / "intro.md").write_text("# Mini\n", encoding="utf-8")
    cell = "```{code-cell} ipython3\nfrom alliance import paths\nprint((paths.DATA_DIR / 'probe.txt').read_text())\n```\n"
    (book / "probe.md").write_text(FRONT + cell, encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: probe\n  - file: appendix/data\n", encoding="utf-8")

    env = {**os.environ, "ALLIANCE_ROOT": str(book)}
    build = [sys.executable, "-m", "alliance.book.jupyterbook", "build", str(book), "-n", "-W", "--keep-going"]
    page = book / "_build" / "html" / "probe.html"
    for words in ("first words", "second words"):
        probe.write_text(words + "\n", encoding="utf-8")
        result = subprocess.run(build, capture_output=True, text=True, env=env, timeout=600, cwd=book)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        assert words in page.read_text(encoding="utf-8")
