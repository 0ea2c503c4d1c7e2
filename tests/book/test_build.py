"""The strict book build, and what it refuses to build (marked `build`)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alliance.book.site import toc_files
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML = ROOT / "_build" / "html"
#: What ``make book`` runs: jupyter-book's command line (``alliance.book.jupyterbook``).
JB = [sys.executable, "-m", "alliance.book.jupyterbook"]
pytestmark = pytest.mark.build


def _build(src: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ALLIANCE_ROOT": str(ROOT)}
    return subprocess.run([*JB, "build", str(src), "-n", "-W", "--keep-going", *extra],
                          capture_output=True, text=True, env=env, timeout=900)


def test_strict_build_is_clean():
    result = _build(ROOT)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "build succeeded" in log
    assert not re.search(r"(WARNING|ERROR|CRITICAL):", log), log[-3000:]


def test_every_toc_page_and_source_reader_is_built():
    from alliance import load_corpus

    for name in toc_files(ROOT):
        assert (HTML / f"{name}.html").exists(), name
    for source_id in load_corpus().source_ids:
        page = (HTML / "appendix" / "sources" / f"{source_id}.html").read_text(encoding="utf-8")
        assert f'id="{source_id}-p1"' in page


def test_charts_use_one_shared_bundle_and_no_cdn():
    from alliance.book.sphinxext.chart_bundle import BUNDLE_HEADER

    bundle = (HTML / "_static" / "vega-bundle.js").read_text(encoding="utf-8")
    assert bundle.startswith(BUNDLE_HEADER + "\n") and "window.vegaEmbed=" in bundle
    # vega's runtime (parser, view, SVG renderer, transforms), without vega-lite and vega-embed (898 KB)
    assert 300_000 < len(bundle.encode()) < 600_000
    pages = list(HTML.rglob("*.html"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=\"https?://", text), page
        assert "cdn.jsdelivr" not in text and "unpkg.com" not in text, page
        assert page.stat().st_size < 600_000, f"{page} looks like it inlines the vega bundle"
        # Charts are compiled to Vega when the page is written: the bundle has no Vega-Lite compiler.
        assert "vega.github.io/schema/vega-lite/" not in text, f"{page} holds an uncompiled Vega-Lite chart"
    assert sum("alliance-vis-" in p.read_text(encoding="utf-8") for p in pages) >= 2


def test_chapters_offer_ipynb_downloads():
    for name in toc_files(ROOT):
        if name.startswith("chapters/"):
            assert (HTML / "_sources" / f"{name}.ipynb").exists(), name
            page = (HTML / f"{name}.html").read_text(encoding="utf-8")
            assert f"_sources/{name}.ipynb".split("/")[-1] in page


def _mini_book(tmp_path: Path, chapter: str) -> Path:
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib"):
        shutil.copy(ROOT / name, book / name)
    shutil.copytree(ROOT / "_static", book / "_static")
    (book / "intro.md").write_text("# Mini\n\n{cite:t}`su2017uncertainties`\n", encoding="utf-8")
    (book / "broken.md").write_text(chapter, encoding="utf-8")
    # A second, healthy notebook: with two, the build executes them in parallel first, and the
    # failure must still be reported by the build itself.
    (book / "fine.md").write_text(FRONT + "```{code-cell} ipython3\n1 + 1\n```\n", encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: broken\n  - file: fine\n",
                                   encoding="utf-8")
    return book


FRONT = ("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
         "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n# Broken\n\n")


def test_a_cell_that_raises_fails_the_build(tmp_path):
    book = _mini_book(tmp_path, FRONT + "```{code-cell} ipython3\nraise ValueError('boom in a cell')\n```\n")
    result = _build(book)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "broken" in log and "boom in a cell" in log


def test_a_quotation_not_in_its_source_fails_the_build(tmp_path):
    cell = "```{code-cell} ipython3\nfrom alliance import quote\nquote('su2017', 'Japan is a normal state')\n```\n"
    result = _build(_mini_book(tmp_path, FRONT + cell))
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "QuotationError" in log and "'su2017' (000_ddd02bc2ac0417d8.txt)" in log


def test_exercise_pages_offer_the_student_edition():
    pages = sorted((HTML / "exercises").glob("ex*.html"))
    assert len(pages) == 7
    for page in pages:
        html = page.read_text(encoding="utf-8")
        target = f"../student/{page.stem}.ipynb"
        assert f'href="{target}"' in html, page.name
        assert (HTML / "student" / f"{page.stem}.ipynb").exists(), page.name
