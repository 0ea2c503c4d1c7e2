"""What decides a rebuild covers the whole package: the notebook editions' code digest and the generated
pages' inputs both follow every module, in every subpackage."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from alliance import paths
from alliance.book.pages import write_generated_pages
from alliance.editions.publish import code_digest


def test_package_modules_include_every_subpackage() -> None:
    found = {p.relative_to(paths.PACKAGE_DIR).as_posix() for p in paths.package_modules()}
    assert {"corpus.py", "editions/myst.py", "book/pages.py", "classroom/grading/batch.py"} <= found
    assert found == {p.relative_to(paths.PACKAGE_DIR).as_posix() for p in paths.PACKAGE_DIR.rglob("*.py")
                     if "__pycache__" not in p.parts}


def test_the_code_digest_changes_with_any_module_and_with_a_move(tmp_path: Path) -> None:
    package = tmp_path / "alliance"
    shutil.copytree(paths.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    first = code_digest(package)
    assert code_digest(package) == first
    with (package / "classroom" / "marking.py").open("a", encoding="utf-8") as module:
        module.write("# a change deep in a subpackage\n")
    second = code_digest(package)
    assert second != first
    (package / "book" / "moved.py").write_text((package / "describe.py").read_text(encoding="utf-8"))
    (package / "describe.py").unlink()
    assert code_digest(package) != second


def test_generated_pages_are_checked_again_when_a_subpackage_module_is_newer(tmp_path: Path) -> None:
    write_generated_pages(tmp_path)
    stamp = tmp_path / "appendix" / ".generated"
    assert (tmp_path / "appendix" / "glossary.md").is_file() and stamp.is_file()
    module = paths.PACKAGE_DIR / "book" / "popovers.py"
    later = time.time_ns() + 86_400 * 10**9
    os.utime(stamp, ns=(later, later))
    assert write_generated_pages(tmp_path) == []
    assert stamp.stat().st_mtime_ns == later, "up to date: the stamp is left alone"
    before = module.stat().st_mtime_ns - 10**9
    os.utime(stamp, ns=(before, before))
    write_generated_pages(tmp_path)
    assert stamp.stat().st_mtime_ns > before, "a module of alliance/book is newer: the pages are made again"
