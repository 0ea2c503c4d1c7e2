#!/usr/bin/env python3
"""Refuse, in one line, a Python the course does not support, before anything is installed.

The supported range is written in one place: ``requires-python`` in ``pyproject.toml``. This
script reads it and checks the interpreter that runs it. ``make`` runs it first, with the Python
it is about to make ``.venv`` with (``make book PYTHON=...``); the README's commands without
``make`` run it first too.

It must itself run on old Pythons (2.7 and every 3.x), so that they get the message instead of
a syntax error: no f-strings and no annotations; the types are in type comments.

Usage::

    python tools/check_python.py [--name NAME] [--make] [--version-only]
    python tools/check_python.py --range

Exit 0, printing nothing, when this Python is supported and can create a virtual environment.
Otherwise print one line to stderr and exit 1. ``--name`` is how the user called the interpreter
(``python3``, ``/usr/bin/python3``; default: its full path); ``--make`` words the advice for
``make``; ``--version-only`` skips the virtual-environment check (for an existing ``.venv``).
``--range`` prints the supported versions (``3.11, 3.12 or 3.13``) and exits 0.
"""
from __future__ import print_function

import io
import os
import platform
import re
import sys

PYPROJECT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "pyproject.toml")
_OPERATORS = ("==", "!=", ">=", "<=", ">", "<")


def read_requires_python(path=PYPROJECT):
    # type: (str) -> str
    """The ``requires-python`` specifier of ``[project]`` in ``pyproject.toml``."""
    with io.open(path, encoding="utf-8") as handle:
        text = handle.read()
    match = re.search(r'^requires-python\s*=\s*"([^"]+)"', text, re.M)
    if match is None:
        raise ValueError("%s has no requires-python" % path)
    return match.group(1)


def parse_specifier(spec):
    # type: (str) -> list
    """``">=3.11,<3.14"`` as ``[(">=", (3, 11)), ("<", (3, 14))]`` (operators with plain numbers)."""
    clauses = []
    for part in spec.split(","):
        part = part.strip()
        match = re.match(r"^(==|!=|>=|<=|>|<)\s*(\d+(?:\.\d+)*)$", part)
        if match is None:
            raise ValueError("unsupported requires-python clause %r (use %s with numbers)"
                             % (part, ", ".join(_OPERATORS)))
        clauses.append((match.group(1), tuple(int(n) for n in match.group(2).split("."))))
    return clauses


def _compare(version, operator, bound):
    # type: (tuple, str, tuple) -> bool
    """PEP 440's comparison of release numbers: missing parts count as zero."""
    width = max(len(version), len(bound))
    left = tuple(version) + (0,) * (width - len(version))
    right = tuple(bound) + (0,) * (width - len(bound))
    return {"==": left == right, "!=": left != right, ">=": left >= right,
            "<=": left <= right, ">": left > right, "<": left < right}[operator]


def satisfies(version, spec):
    # type: (tuple, str) -> bool
    """Whether the release ``version`` (e.g. ``(3, 11, 2)``) is inside ``spec``."""
    return all(_compare(version, op, bound) for op, bound in parse_specifier(spec))


def supported_minors(spec):
    # type: (str) -> list
    """The ``"3.X"`` versions with at least one release inside ``spec``, oldest first."""
    return ["3.%d" % minor for minor in range(100)
            if any(satisfies((3, minor, patch), spec) for patch in range(100))]


def describe(minors):
    # type: (list) -> str
    """``["3.11", "3.12", "3.13"]`` as ``"3.11, 3.12 or 3.13"``."""
    if len(minors) < 2:
        return "".join(minors)
    return ", ".join(minors[:-1]) + " or " + minors[-1]


def venv_problem():
    # type: () -> str
    """Why this interpreter cannot create a virtual environment with pip, or ``""``.

    Debian and Ubuntu ship ``ensurepip`` in a separate package (``python3.X-venv``); without
    it, ``python3 -m venv`` fails halfway and leaves a ``.venv`` with no pip.
    """
    for module in ("venv", "ensurepip"):
        try:
            __import__(module)
        except ImportError:
            return module
    return ""


def problem(name, make=False, version_only=False):
    # type: (str, bool, bool) -> str
    """The one-line message for this interpreter, or ``""`` when it is supported."""
    spec = read_requires_python()
    minors = supported_minors(spec)
    version = platform.python_version()
    newest = minors[-1] if minors else "3"
    if make:
        advice = "Run make PYTHON=/path/to/python%s (or another supported Python)." % newest
    else:
        advice = "Create .venv with one of them, e.g. python%s -m venv .venv." % newest
    if not satisfies(tuple(sys.version_info[:3]), spec):
        return "Python %s (%s) is not supported: the course needs Python %s. %s" % (
            version, name, describe(minors), advice)
    missing = "" if version_only else venv_problem()
    if missing:
        package = "python%d.%d-venv" % tuple(sys.version_info[:2])
        return ("Python %s (%s) cannot create a virtual environment: its %s module is missing. "
                "Install it (on Debian or Ubuntu: sudo apt-get install %s) and try again." % (
                    version, name, missing, package))
    return ""


def main(argv):
    # type: (list) -> int
    """Check this interpreter (see the module's docstring); return the exit code."""
    name = sys.executable
    if "--name" in argv:
        name = argv[argv.index("--name") + 1]
    if "--range" in argv:
        print(describe(supported_minors(read_requires_python())))
        return 0
    message = problem(name, make="--make" in argv, version_only="--version-only" in argv)
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
