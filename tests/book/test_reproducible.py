"""Two clean builds give the same HTML (marked `build`).

The book is built twice, from two fresh copies of the sources in two different temporary
folders, each starting without a ``_build`` folder. To keep this cheap, the second build
reuses a copy of the first build's execution cache (``_build/.jupyter_cache``), and the first
reuses the repository's cache when there is one: the notebooks' *outputs* are therefore the
same, and what is compared is everything the build makes of them (pages, navigation,
quotations, the source reader and glossary generated from ``data/``, bibliography, scripts).
Every ``.html`` file of the two builds is compared, and the set of built files must match.

Documented build stamps, normalized before comparing (each is listed with why it may differ):

* the build folder's absolute path, should a page mention it (the two copies live in
  different temporary folders; a page that shows it is still reported as a warning here);
* nothing else: Sphinx's ``?v=`` checksums and the theme's ``?digest=`` depend only on file
  contents, the copyright line comes from ``_config.yml``, and the book shows no
  "last updated" date. If a new stamp appears (e.g. a build date), add it to ``STAMPS`` with
  its reason rather than loosening the comparison.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
#: What ``make book`` runs: jupyter-book's command line (``alliance.book.jupyterbook``).
JB = [sys.executable, "-m", "alliance.book.jupyterbook"]
IGNORE = shutil.ignore_patterns("_build", ".venv", "node_modules", ".git", ".pytest_cache", "__pycache__",
                                ".ipynb_checkpoints")
#: (pattern, replacement, reason): the documented build stamps.
STAMPS: list[tuple[re.Pattern[str], str, str]] = []

pytestmark = pytest.mark.build


def _copy_book(dest: Path, cache_from: Path | None) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE, symlinks=True)
    if cache_from is not None and cache_from.is_dir():
        shutil.copytree(cache_from, dest / "_build" / ".jupyter_cache")
    return dest


def _build(book: Path) -> str:
    env = {**os.environ, "ALLIANCE_ROOT": str(ROOT), "ALLIANCE_CHART_MODE": "book"}
    # cwd=book: the execution cache path in _config.yml is relative.
    result = subprocess.run([*JB, "build", str(book), "-n", "-W", "--keep-going"], cwd=book, env=env,
                            capture_output=True, text=True, timeout=1200)
    log = result.stdout + result.stderr
    html = book / "_build" / "html"
    assert (html / "intro.html").exists() or (html / "index.html").exists(), (
        f"the build of {book} made no book (exit {result.returncode}):\n{log[-3000:]}")
    return log


def _normalize(text: str, book: Path) -> str:
    text = text.replace(str(book), "<BOOK>")
    for pattern, replacement, _reason in STAMPS:
        text = pattern.sub(replacement, text)
    return text


def _html_files(html: Path) -> dict[str, Path]:
    return {p.relative_to(html).as_posix(): p for p in sorted(html.rglob("*.html"))}


@pytest.mark.slow  # two clean builds: `make test-slow`
def test_two_clean_builds_give_identical_html(tmp_path: Path) -> None:
    first = _copy_book(tmp_path / "a", ROOT / "_build" / ".jupyter_cache")
    _build(first)
    second = _copy_book(tmp_path / "b", first / "_build" / ".jupyter_cache")
    log = _build(second)
    executed = re.findall(r"(\S+): Executed notebook", log)
    html_a, html_b = first / "_build" / "html", second / "_build" / "html"
    files_a, files_b = _html_files(html_a), _html_files(html_b)
    assert sorted(files_a) == sorted(files_b), (
        f"the builds made different pages: only in one {sorted(set(files_a) ^ set(files_b))}")
    differing, mentions_path = [], []
    for rel, path_a in files_a.items():
        raw_a = path_a.read_text(encoding="utf-8")
        raw_b = files_b[rel].read_text(encoding="utf-8")
        if str(first) in raw_a or str(second) in raw_b:
            mentions_path.append(rel)
        a, b = _normalize(raw_a, first), _normalize(raw_b, second)
        if a != b:
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), f"a/{rel}", f"b/{rel}", n=1, lineterm="")
            differing.append("\n".join(list(diff)[:40]))
    if mentions_path:
        print(f"\nwarning: pages showing the build folder's absolute path: {mentions_path}")
    print(f"\ncompared {len(files_a)} HTML files; second build re-executed: {executed or 'nothing'}")
    assert not differing, (f"{len(differing)} page(s) differ between two clean builds "
                           "(apart from the documented stamps):\n\n" + "\n\n".join(differing))
