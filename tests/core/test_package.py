"""The project as a wheel: every subpackage and every module is packaged, with the book's scripts."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests._root import REPO_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a clean copy of the project (no ``build/`` left from an earlier build can fill
    it in; no dependencies, no network: the venv's setuptools)."""
    source = tmp_path_factory.mktemp("project")
    shutil.copy(REPO_ROOT / "pyproject.toml", source)
    shutil.copytree(REPO_ROOT / "alliance", source / "alliance", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                           "--wheel-dir", str(out), str(source)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("alliance-*.whl")
    return found


def _modules(package_dir: Path) -> set[str]:
    return {p.relative_to(package_dir.parent).as_posix() for p in package_dir.rglob("*.py")
            if "__pycache__" not in p.parts}


def test_the_wheel_holds_every_module_and_script(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert _modules(REPO_ROOT / "alliance") <= names
    assert {"alliance/book/popover.js", "alliance/book/selfcheck.js"} <= names
    assert {"alliance/book/__init__.py", "alliance/classroom/__init__.py", "alliance/editions/__init__.py"} <= names


def test_every_module_imports_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    """Installed away from the project, each module imports, and from the wheel's copy."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    modules = sorted(p.relative_to(site).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
                     for p in (site / "alliance").rglob("*.py"))
    assert {"alliance.corpus", "alliance.book.sphinxext", "alliance.classroom.grading",
            "alliance.editions.__main__"} <= set(modules)
    script = ("import importlib, sys\n"
              f"names = {modules!r}\n"
              "for name in names:\n"
              "    module = importlib.import_module(name)\n"
              f"    assert module.__file__.startswith({str(site)!r}), (name, module.__file__)\n"
              "print(len(names))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ALLIANCE_ROOT")}
    env["PYTHONPATH"] = str(site)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == len(modules) > 50
