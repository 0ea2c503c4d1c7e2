"""A sandbox error that tells the truth, a `make install` that repairs a moved folder, and class data kept out
of git (issue 21)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alliance import paths
from alliance.classroom import sandbox
from alliance.classroom.grading.privacy import privacy_warnings
from tests._root import REPO_ROOT

ROOT = REPO_ROOT


def _base_python() -> str:
    """The Python the course's venv was made from (a new venv made with it has no course package)."""
    name = f"python{sys.version_info.major}.{sys.version_info.minor}"
    found = Path(sys.base_prefix) / "bin" / name
    return str(found if found.exists() else shutil.which(name) or shutil.which("python3"))


@pytest.fixture()
def moved_course_python(tmp_path: Path) -> tuple[str, Path]:
    """A venv whose course package is installed from another folder: a copy of the course left in the
    old place (as when last term's folder is copied), which the sandbox hides like every folder in /tmp."""
    old = tmp_path / "last-term-course"
    shutil.copytree(ROOT / "alliance", old / "alliance", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([_base_python(), "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "__editable__.alliance.pth").write_text(f"{old}\n", encoding="utf-8")
    return str(venv / "bin" / "python"), old


def test_a_moved_course_folder_is_named_with_the_command_that_repairs_it(moved_course_python, tmp_path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    python, old = moved_course_python
    monkeypatch.delenv("PYTHONPATH", raising=False)              # as `make grade` runs: the venv's install only
    assert sandbox.installed_course_root(python) == old.resolve()
    with pytest.raises(sandbox.SandboxUnavailable) as caught:
        sandbox.make_sandbox([tmp_path / "class"], python=python)
    message = str(caught.value)
    assert "the sandbox works, but the course package is not visible inside it" in message
    assert f"is installed from {old.resolve()}, while this course is {paths.PROJECT_ROOT.resolve()}" in message
    assert message.endswith("Repair it with: make install")
    assert "--no-sandbox" not in message and "AppArmor" not in message


def test_a_bubblewrap_that_cannot_start_is_told_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sandbox, "find_bwrap", lambda: fake)
    with pytest.raises(sandbox.SandboxUnavailable) as caught:
        sandbox.make_sandbox([tmp_path / "class"])
    message = str(caught.value)
    assert message.startswith(f"no sandbox: bubblewrap cannot start here ({fake}: bwrap: setting up uid map: "
                              "Permission denied)")
    assert "AppArmor" in message and message.endswith("make grade ... GRADE_FLAGS=--no-sandbox.")


def _fake_course(folder: Path, installed_from: str) -> Path:
    """The Makefile and what its install needs, with a fake .venv/bin/python that reports where the course
    package is installed from and logs every other call (nothing is installed)."""
    folder.mkdir()
    for name in ("Makefile", "requirements.txt", "pyproject.toml", "tools/check_python.py", "tools/lab-overrides.json"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    python = folder / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n"
                      f"case \"$*\" in *'import alliance'*) echo '{installed_from}'; exit 0;; esac\n"
                      f"echo \"$*\" >> '{folder}/calls.log'\n")
    python.chmod(0o755)
    (folder / ".venv" / ".installed").touch()
    return folder


def _make_install(folder: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(["make", "--no-print-directory", "install"], cwd=folder, capture_output=True, text=True,
                          env=env, timeout=120)


def test_make_install_repairs_a_moved_folder(tmp_path: Path) -> None:
    moved = _fake_course(tmp_path / "this-term", "/home/someone/last-term")
    done = _make_install(moved)
    assert done.returncode == 0, done.stderr
    assert ("The course package is installed from /home/someone/last-term, not from this folder "
            f"({moved}): a copied or moved folder. Installing it again.") in done.stdout
    assert "-m pip install --quiet --quiet --no-deps --no-build-isolation -e ." in (moved / "calls.log").read_text()


def test_make_install_leaves_a_folder_installed_from_itself(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    here = _fake_course(folder, str(folder.resolve()))
    done = _make_install(here)
    assert done.returncode == 0, done.stderr
    assert "Installing it again" not in done.stdout and not (here / "calls.log").exists()


def test_make_grade_warns_when_class_files_are_in_a_git_tree_that_does_not_ignore_them(tmp_path: Path) -> None:
    repo = tmp_path / "course"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("/graded\n", encoding="utf-8")
    (repo / "submissions").mkdir()
    warnings = privacy_warnings([repo / "submissions", repo / "graded" / "week1", repo / "roster.csv",
                                         tmp_path / "outside"])
    assert len(warnings) == 2
    assert warnings[0].startswith(f"Warning: {repo / 'submissions'} is inside the git work tree {repo} and git does "
                                  "not ignore it")
    assert str(repo / "roster.csv") in warnings[1]


def test_the_course_repository_ignores_the_guides_default_class_folders() -> None:
    for name in ("roster.csv", "submissions.zip", "submissions", "graded/week1", "demo/roster.csv",
                 "shards/1", "submissions-graded"):
        ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", name], capture_output=True)
        assert ignored.returncode == 0, name
