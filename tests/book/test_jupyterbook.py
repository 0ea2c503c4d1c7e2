"""jupyter-book's command line with a slow import deferred (alliance.book.jupyterbook, ``make book``)."""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from alliance.book.jupyterbook import deferred

SLOW_MODULE = '''
import builtins
builtins.alliance_test_imports = getattr(builtins, "alliance_test_imports", 0) + 1
CONSTANT = 42
def double(x):
    return 2 * x
'''


@pytest.fixture
def slow_module(tmp_path: Path) -> Iterator[str]:
    """A module that counts its imports (``builtins.alliance_test_imports``), on ``sys.path``."""
    import builtins

    name = f"alliance_slow_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(SLOW_MODULE, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    builtins.alliance_test_imports = 0  # type: ignore[attr-defined]
    yield name
    sys.path.remove(str(tmp_path))
    sys.modules.pop(name, None)
    del builtins.alliance_test_imports  # type: ignore[attr-defined]


def _imports() -> int:
    import builtins

    return builtins.alliance_test_imports  # type: ignore[attr-defined]


def test_a_deferred_module_is_imported_at_its_first_call(slow_module: str) -> None:
    stand_in = deferred(slow_module, ["double"])
    assert stand_in is not None and sys.modules[slow_module] is stand_in
    namespace: dict[str, object] = {}
    exec(f"from {slow_module} import double", namespace)  # as jsonschema imports rfc3987_syntax
    exec(f"import {slow_module}", namespace)
    assert _imports() == 0
    assert namespace["double"](21) == 42  # type: ignore[operator]
    assert _imports() == 1
    assert sys.modules[slow_module] is not stand_in
    assert namespace["double"](4) == 8 and _imports() == 1  # imported once


def test_another_attribute_imports_it_and_dunders_do_not(slow_module: str) -> None:
    stand_in = deferred(slow_module, ["double"])
    assert not hasattr(stand_in, "__path__") and _imports() == 0
    assert stand_in.CONSTANT == 42  # type: ignore[union-attr]
    assert _imports() == 1


def test_nothing_is_deferred_when_imported_or_not_installed(slow_module: str) -> None:
    __import__(slow_module)
    assert deferred(slow_module, ["double"]) is None
    assert deferred("alliance_no_such_module_anywhere", ["double"]) is None
    assert "alliance_no_such_module_anywhere" not in sys.modules


def test_jsonschema_still_checks_iris_with_rfc3987_syntax_deferred() -> None:
    """In a fresh interpreter: importing jsonschema does not import rfc3987_syntax; an ``iri``
    check imports it and validates as without the stand-in (rfc3987-syntax is in the lock)."""
    script = (
        "import sys\n"
        "from alliance.book.jupyterbook import DEFERRED_IMPORTS, deferred\n"
        "stand_in = deferred('rfc3987_syntax', DEFERRED_IMPORTS['rfc3987_syntax'])\n"
        "import jsonschema\n"
        "assert sys.modules['rfc3987_syntax'] is stand_in, 'imported with jsonschema'\n"
        "check = jsonschema.Draft7Validator({'format': 'iri'}, format_checker=jsonschema.FormatChecker())\n"
        "print(check.is_valid('https://example.org/ü'), check.is_valid('not an iri'))\n"
        "assert sys.modules['rfc3987_syntax'] is not stand_in\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
