"""The lock (``requirements.txt``) is complete and valid on every supported Python and platform.

For every supported minor version (``pyproject.toml``'s ``requires-python``), at its first and
last release (3.11.0 and 3.11.99, ...), and for Linux, Windows and macOS:

* every pin's own ``Requires-Python`` admits that Python;
* every requirement of a pinned package that applies there (its environment marker evaluated
  for that Python and platform) is pinned, by exactly one pin that applies there too, at a
  version inside the requirement's specifier. So ``pip install -r requirements.txt`` installs
  the lock and nothing unpinned, on every supported Python.

The requirements and ``Requires-Python`` are read from the installed packages' metadata (the
same on every platform), so pins whose marker excludes this machine (``appnope`` for macOS,
``colorama`` and ``pywinpty`` for Windows) are not read here: none of them has requirements, and
their wheels for 3.11-3.13 were checked by hand with ``pip download --platform``. That a wheel
exists for each platform is not checked here (it needs the network); ``tests/core/test_install.py``
installs the lock for real with every supported Python on this machine.
"""
from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests._tools import load_check_python
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
LOCK = ROOT / "requirements.txt"

#: The marker variables of each platform that the course supports.
PLATFORMS: dict[str, dict[str, str]] = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
              "platform_machine": "x86_64"},
    "windows": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                "platform_machine": "AMD64"},
    "macos": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
              "platform_machine": "arm64"},
}


CHECK = load_check_python()
SPEC: str = CHECK.read_requires_python()
PYTHONS = [f"{minor}.{patch}" for minor in CHECK.supported_minors(SPEC) for patch in (0, 99)]


def read_lock(path: Path = LOCK) -> list[Requirement]:
    """The pins of ``path``, each ``name==version`` with an optional marker."""
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            pin = Requirement(line)
            assert len(pin.specifier) == 1 and next(iter(pin.specifier)).operator == "==", line
            pins.append(pin)
    return pins


def environment(platform: str, python: str) -> dict[str, str]:
    """Marker variables for ``platform`` and the Python release ``python`` (e.g. ``3.11.0``)."""
    return {**PLATFORMS[platform], "python_version": ".".join(python.split(".")[:2]),
            "python_full_version": python, "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "extra": ""}


def applies(marker: Marker | None, env: dict[str, str]) -> bool:
    return marker is None or marker.evaluate(env)


def pinned_version(pin: Requirement) -> Version:
    return Version(next(iter(pin.specifier)).version)


PINS = read_lock()
#: This machine's marker variables.
HERE: dict[str, str] = {**default_environment(), "extra": ""}


def _installed(pin: Requirement) -> importlib.metadata.Distribution | None:
    try:
        return importlib.metadata.distribution(pin.name)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_the_installed_packages_are_the_lock() -> None:
    """Every pin that applies here is installed at its version; the others are the platform ones."""
    for pin in PINS:
        dist = _installed(pin)
        if applies(pin.marker, HERE):
            assert dist is not None, f"{pin} is not installed"
            assert Version(dist.version) == pinned_version(pin), f"{dist.version} installed, lock: {pin}"
        else:
            assert pin.marker is not None and dist is None, pin


def test_one_pin_per_package_and_platform() -> None:
    for platform in PLATFORMS:
        for python in PYTHONS:
            env = environment(platform, python)
            names = [canonicalize_name(p.name) for p in PINS if applies(p.marker, env)]
            assert len(names) == len(set(names)), f"duplicate pins on {platform} {python}"


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_requirement_is_pinned_and_satisfied(platform: str, python: str) -> None:
    env = environment(platform, python)
    pins = {canonicalize_name(p.name): p for p in PINS if applies(p.marker, env)}
    problems = []
    for pin in pins.values():
        dist = _installed(pin)
        if dist is None:  # a pin for another platform (see the module's docstring)
            assert pin.marker is not None and not applies(pin.marker, HERE), f"{pin} is not installed"
            continue
        requires_python = dist.metadata.get("Requires-Python")
        if requires_python and not SpecifierSet(requires_python).contains(python, prereleases=True):
            problems.append(f"{pin.name} {pinned_version(pin)} needs Python {requires_python}")
        for line in dist.requires or []:
            need = Requirement(line)
            if not applies(need.marker, env):
                continue
            locked = pins.get(canonicalize_name(need.name))
            if locked is None:
                problems.append(f"{pin.name} needs {need}, which is not pinned")
            elif not need.specifier.contains(pinned_version(locked), prereleases=True):
                problems.append(f"{pin.name} needs {need}, but the lock has {locked}")
    assert not problems, f"on {platform}, Python {python}:\n" + "\n".join(problems)


def test_binder_uses_a_supported_python() -> None:
    """repo2docker installs the lock with the Python of binder/runtime.txt (its default is older)."""
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime.startswith("python-"), runtime
    assert runtime.removeprefix("python-") in CHECK.supported_minors(SPEC), runtime
