"""Helpers shared by the tests that read the repository's tools (not a test module)."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from tests._root import REPO_ROOT

ROOT = REPO_ROOT


def load_check_python() -> ModuleType:
    """``tools/check_python.py`` (a script, not a package module), loaded as a module."""
    spec = importlib.util.spec_from_file_location("check_python", ROOT / "tools" / "check_python.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
