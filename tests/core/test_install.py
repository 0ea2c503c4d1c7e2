"""Install and build with every supported Python on the machine (marked `install`).

What is run, for each supported interpreter found (pyenv's versions, Debian's ``/usr/bin/python3``,
``python3.X`` on ``PATH``; one per Python version, the first found): the repository is copied to a
temporary folder (without ``_build``, ``.venv``, ``node_modules``, ``notebooks`` and ``.git``, as
a fresh clone has them) and ``make install PYTHON=<it>`` then ``make book`` run there. That is the version
check, a new virtual environment, the lock, the course package, and a full strict build that
executes every chapter (no execution cache is copied). ``pip check`` must pass in each
environment, and its Python must be the one asked for.

* ``npm`` and ``node`` are replaced on ``PATH`` by stubs that record any call: ``make book``
  must not use them.
* One copy (the newest Python's) starts with a ``.venv`` left by an unsupported Python, which
  ``make`` must replace.
* The copies are installed and built two at a time (CI has two cores). Measured on CI's kind of
  machine, two at once: 30-65 s to install and 45-110 s to build per Python (the longer ones
  while other work loaded the machine), 3.5-5 min for the four. Each Python's times are
  written to ``_build/install-times.json``. One ``make`` call may take 10 minutes at most.

Which Pythons must be found: by default the four CI has (issue 9): Debian's 3.11.2 and pyenv's
3.11.7, 3.12.1 and 3.13.0. A machine with others names the versions it expects, separated by
spaces, in ``ALLIANCE_TEST_PYTHONS`` (e.g. ``ALLIANCE_TEST_PYTHONS="3.12.4 3.13.1"``). An expected
version that is not found fails the test; it is never skipped.

An unsupported Python (every one found on the machine, plus stand-ins reporting 3.10.13 and
3.14.0, and a 3.11 without ``ensurepip`` as on Debian without ``python3.11-venv``) must get one
line naming the supported range, and no ``.venv`` may be created.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests._tools import load_check_python
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
#: The Pythons CI has (issue 9), expected unless ALLIANCE_TEST_PYTHONS says otherwise.
CI_PYTHONS = ("3.11.2", "3.11.7", "3.12.1", "3.13.0")
IGNORE = shutil.ignore_patterns("_build", ".venv", "node_modules", "notebooks", ".git", ".pytest_cache",
                                "__pycache__", ".ipynb_checkpoints", "*.egg-info")
#: Environment variables of the outer `make test` that a fresh shell would not have.
DROPPED_ENV = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "VIRTUAL_ENV", "PYTHONPATH",
               "PYTHONHOME", "PYTHON", "ALLIANCE_ROOT", "ALLIANCE_CHART_MODE")
#: Files the version check needs (a copy this small is enough to show that nothing is installed).
CHECK_FILES = ("Makefile", "pyproject.toml", "requirements.txt", "tools/check_python.py",
               "tools/lab-overrides.json")
TIMES = ROOT / "_build" / "install-times.json"

pytestmark = pytest.mark.install


CHECK = load_check_python()
SPEC: str = CHECK.read_requires_python()
RANGE: str = CHECK.describe(CHECK.supported_minors(SPEC))


@dataclass(frozen=True)
class Interpreter:
    """A Python found on the machine."""

    path: str
    version: str

    @property
    def release(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))


def _version_of(path: str) -> str | None:
    """``platform.python_version()`` of the interpreter at ``path`` (any Python from 2.7), or None."""
    try:
        result = subprocess.run([path, "-c", "import platform; print(platform.python_version())"],
                                capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    out = result.stdout.strip()
    return out if result.returncode == 0 and out[:1].isdigit() else None


def _candidates() -> list[str]:
    """Paths of the Pythons on this machine: Debian's, pyenv's, then ``python3.X`` on PATH."""
    pyenv_root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    paths = ["/usr/bin/python3"]
    paths += sorted(glob.glob(os.path.join(pyenv_root, "versions", "*", "bin", "python3")))
    paths += sorted(glob.glob(os.path.join(pyenv_root, "versions", "*", "bin", "python")))
    paths += [found for minor in range(6, 20) if (found := shutil.which(f"python3.{minor}"))]
    return paths


def find_interpreters() -> list[Interpreter]:
    """Every Python found, one per version (the first path found; duplicates by real path too)."""
    seen_paths: set[str] = set()
    by_version: dict[str, Interpreter] = {}
    for path in _candidates():
        real = os.path.realpath(path)
        if real in seen_paths or not os.access(real, os.X_OK):
            continue
        seen_paths.add(real)
        version = _version_of(path)
        if version is not None and version not in by_version:
            by_version[version] = Interpreter(path, version)
    return sorted(by_version.values(), key=lambda i: i.release)


FOUND = find_interpreters()
SUPPORTED = [i for i in FOUND if CHECK.satisfies(i.release, SPEC)]
UNSUPPORTED = [i for i in FOUND if not CHECK.satisfies(i.release, SPEC)]


def expected_versions() -> list[str]:
    """The versions this machine must have: ``ALLIANCE_TEST_PYTHONS``, else CI's four."""
    listed = os.environ.get("ALLIANCE_TEST_PYTHONS", "").split()
    return listed or list(CI_PYTHONS)


def _clean_env(extra_path: Path | None = None) -> dict[str, str]:
    """The environment of a fresh shell: without the outer make's and venv's variables."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    outer_bin = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != outer_bin]
    if extra_path is not None:
        path.insert(0, str(extra_path))
    env["PATH"] = os.pathsep.join(path)
    return env


def _write_script(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


def _node_stubs(folder: Path, calls: Path) -> Path:
    """``npm``, ``npx`` and ``node`` that record their call in ``calls`` and fail."""
    for name in ("npm", "npx", "node"):
        _write_script(folder / name, f'#!/bin/sh\necho "{name} $*" >> "{calls}"\nexit 97\n')
    return folder


def _fake_python(folder: Path, real: str, sitecustomize: str) -> Path:
    """A ``python3`` script running ``real`` with ``sitecustomize`` (and its folder on the path)."""
    site = folder / "site"
    site.mkdir(parents=True)
    (site / "sitecustomize.py").write_text(sitecustomize, encoding="utf-8")
    return _write_script(folder / "python3", f'#!/bin/sh\nPYTHONPATH="{site}" exec "{real}" "$@"\n')


def _reporting(version: str) -> str:
    """sitecustomize that makes the interpreter report ``version`` (sys.version_info, platform)."""
    parts = tuple(int(p) for p in version.split("."))
    return ("import sys\n"
            f"sys.version = {version!r} + sys.version[sys.version.index(' '):]\n"
            f"sys.version_info = {parts!r} + ('final', 0)\n")


NO_ENSUREPIP = ("import sys\n"
                "class _Block:\n"
                "    def find_spec(self, name, path=None, target=None):\n"
                "        if name == 'ensurepip':\n"
                "            raise ImportError('no ensurepip (as on Debian without python3.11-venv)')\n"
                "sys.meta_path.insert(0, _Block())\n")


def _run_make(copy: Path, python: str, target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", target, f"PYTHON={python}"], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=600)


# ------------------------------------------------------------------------- supported Pythons


def test_every_expected_python_is_found() -> None:
    found = {i.version: i.path for i in SUPPORTED}
    expected = expected_versions()
    unsupported = [v for v in expected if not CHECK.satisfies(tuple(int(p) for p in v.split(".")), SPEC)]
    assert not unsupported, f"ALLIANCE_TEST_PYTHONS names unsupported versions {unsupported} (range {SPEC})"
    missing = [v for v in expected if v not in found]
    assert not missing, (
        f"expected Python(s) {missing} not found (found {found}); install them, or list the "
        f"versions this machine has in ALLIANCE_TEST_PYTHONS")


def test_ci_pythons_cover_the_supported_range() -> None:
    """CI's list names a Python of every supported minor version, and nothing outside the range."""
    releases = [tuple(int(p) for p in v.split(".")) for v in CI_PYTHONS]
    assert all(CHECK.satisfies(r, SPEC) for r in releases), (CI_PYTHONS, SPEC)
    assert {"%d.%d" % r[:2] for r in releases} == set(CHECK.supported_minors(SPEC))


@dataclass
class Outcome:
    """What ``make install`` and ``make book`` did in one fresh copy."""

    copy: Path
    install: subprocess.CompletedProcess[str]
    book: subprocess.CompletedProcess[str] | None
    install_s: float
    book_s: float
    node_calls: str
    stale_venv: bool


def _install_and_build(python: Interpreter, base: Path, stale_venv: bool) -> Outcome:
    copy = base / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORE, symlinks=True)
    calls = base / "node-calls.txt"
    env = _clean_env(_node_stubs(base / "stubs", calls))
    if stale_venv:
        fake = _fake_python(base / "old", sys.executable, _reporting("3.10.13"))
        _write_script(copy / ".venv" / "bin" / "python", f'#!/bin/sh\nexec "{fake}" "$@"\n')
    start = time.perf_counter()
    install = _run_make(copy, python.path, "install", env)
    install_s = time.perf_counter() - start
    book, book_s = None, 0.0
    if install.returncode == 0:
        start = time.perf_counter()
        book = _run_make(copy, python.path, "book", env)
        book_s = time.perf_counter() - start
    node_calls = calls.read_text(encoding="utf-8") if calls.exists() else ""
    return Outcome(copy, install, book, install_s, book_s, node_calls, stale_venv)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """``make install`` and ``make book`` in a fresh copy per supported Python, two at a time."""
    newest = SUPPORTED[-1].version if SUPPORTED else None
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {i.version: pool.submit(_install_and_build, i, tmp_path_factory.mktemp(f"py{i.version}"),
                                          i.version == newest) for i in SUPPORTED}
        results = {version: future.result() for version, future in futures.items()}
    TIMES.parent.mkdir(exist_ok=True)
    TIMES.write_text(json.dumps({v: {"python": next(i.path for i in SUPPORTED if i.version == v),
                                     "install_s": round(o.install_s, 1), "book_s": round(o.book_s, 1)}
                                 for v, o in results.items()}, indent=2) + "\n", encoding="utf-8")
    return results


@pytest.mark.slow  # 2-5 min: `make test-slow`
@pytest.mark.parametrize("python", SUPPORTED, ids=[f"{i.version}:{i.path}" for i in SUPPORTED])
def test_make_book_on_a_fresh_copy(python: Interpreter, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[python.version]
    install_log = outcome.install.stdout + outcome.install.stderr
    assert outcome.install.returncode == 0, f"make install failed with {python.path}:\n{install_log[-4000:]}"
    assert outcome.book is not None
    book_log = outcome.book.stdout + outcome.book.stderr
    assert outcome.book.returncode == 0, f"make book failed with {python.path}:\n{book_log[-4000:]}"
    assert "build succeeded" in book_log
    html = outcome.copy / "_build" / "html"
    assert (html / "intro.html").exists() and (html / "chapters").is_dir()
    executed = list((outcome.copy / "_build" / "jupyter_execute" / "chapters").glob("*.ipynb"))
    assert executed, "no chapter was executed"
    assert outcome.node_calls == "", f"make book called Node tools: {outcome.node_calls}"
    venv_python = str(outcome.copy / ".venv" / "bin" / "python")
    assert _version_of(venv_python) == python.version
    check = subprocess.run([venv_python, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    if outcome.stale_venv:
        assert "Replacing .venv: it was made with an unsupported Python" in install_log


# ----------------------------------------------------------------------- unsupported Pythons


def _unsupported_cases() -> list[tuple[str, str | None, str]]:
    """(id, real interpreter or None for a stand-in, what the stand-in reports)."""
    cases: list[tuple[str, str | None, str]] = [(f"{i.version}:{i.path}", i.path, "") for i in UNSUPPORTED]
    cases += [("stand-in 3.10.13", None, "3.10.13"), ("stand-in 3.14.0", None, "3.14.0"),
              ("stand-in without ensurepip", None, "no-ensurepip")]
    return cases


def _small_copy(dest: Path) -> Path:
    for name in CHECK_FILES:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.mark.parametrize("case", _unsupported_cases(), ids=[c[0] for c in _unsupported_cases()])
def test_unsupported_python_gets_one_line_and_nothing_is_installed(
        case: tuple[str, str | None, str], tmp_path: Path) -> None:
    _id, real, reports = case
    if real is None:
        base = sys.executable
        custom = NO_ENSUREPIP if reports == "no-ensurepip" else _reporting(reports)
        python = str(_fake_python(tmp_path / "fake", base, custom))
    else:
        python = real
    copy = _small_copy(tmp_path / "repo")
    result = _run_make(copy, python, "book", _clean_env())
    assert result.returncode != 0
    output = (result.stdout + result.stderr).splitlines()
    lines = [line for line in output if not line.startswith("make: ***")]  # make's own "Error 1"
    assert len(lines) == 1, lines
    if reports == "no-ensurepip":
        minor = ".".join(_version_of(sys.executable).split(".")[:2])
        assert "cannot create a virtual environment: its ensurepip module is missing" in lines[0]
        assert f"sudo apt-get install python{minor}-venv" in lines[0]
    else:
        version = reports or _version_of(python)
        assert lines[0] == (f"Python {version} ({python}) is not supported: the course needs Python {RANGE}. "
                            f"Run make PYTHON=/path/to/python{CHECK.supported_minors(SPEC)[-1]} "
                            f"(or another supported Python).")
    assert not (copy / ".venv").exists()
