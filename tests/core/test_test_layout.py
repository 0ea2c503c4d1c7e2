"""The tests mirror the package: a folder per package, and one place that computes the repository's root.

Every test module sits in one of ``PACKAGE_FOLDERS`` (``tests/<folder>/test_*.py``, a package with its
``__init__.py``); the helpers (``_root.py``, ``_runs.py``, ``_tools.py``) and ``conftest.py`` stay at
``tests/``. No test module computes a path from its own ``__file__`` or from the package's ``PROJECT_ROOT``:
the root comes from ``tests._root.REPO_ROOT``, so a moved test file keeps working.
"""
from __future__ import annotations

import io
import tokenize
from pathlib import Path

from tests._root import REPO_ROOT

TESTS = REPO_ROOT / "tests"
#: The folders of tests/, one per layer of ``alliance`` (CONTRIBUTING.md), plus the repository's tools.
PACKAGE_FOLDERS = ("core", "content", "editions", "book", "classroom", "tools")
#: After ``PROJECT_ROOT``, the tokens that make it a path of the test's own (``PROJECT_ROOT / "x"``, an argument).
ROOT_USES = {"/", ")", ",", "\n", ""}
#: Tokens that carry no code.
NO_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT}


def all_test_modules() -> list[Path]:
    """Every ``test_*.py`` under tests/, wherever it is."""
    return sorted(TESTS.rglob("test_*.py"))


def own_root_lines(source: str) -> list[str]:
    """The lines of ``source`` whose code (not its strings or comments) computes a path from the module's own
    ``__file__`` (``Path(__file__)``, not ``module.__file__``) or uses the package's ``PROJECT_ROOT`` as a path."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in NO_CODE]
    found = []
    for before, token, after in zip([None, *tokens], tokens, [*tokens[1:], None]):
        if token.type != tokenize.NAME:
            continue
        own_file = token.string == "__file__" and (before is None or before.string != ".")
        package_root = token.string == "PROJECT_ROOT" and (after is None or after.string in ROOT_USES)
        if own_file or package_root:
            found.append(token.line.strip())
    return found


def misplaced(modules: list[Path]) -> list[str]:
    """The test modules (relative to tests/) that are not directly in one of the package folders."""
    return [str(m.relative_to(TESTS)) for m in modules
            if m.parent.parent != TESTS or m.parent.name not in PACKAGE_FOLDERS]


def test_own_root_lines_finds_a_root_computed_from_file_or_the_package() -> None:
    assert own_root_lines("ROOT = Path(__file__).resolve().parent.parent\nx = 1\n") == [
        "ROOT = Path(__file__).resolve().parent.parent"]
    assert own_root_lines("FIXTURES = Path(__file__).parent / 'fixtures'\n") != []
    assert own_root_lines("ROOT = paths.PROJECT_ROOT\n") == ["ROOT = paths.PROJECT_ROOT"]
    assert own_root_lines("html = PROJECT_ROOT / '_build'\nf(x, paths.PROJECT_ROOT)\n") == [
        "html = PROJECT_ROOT / '_build'", "f(x, paths.PROJECT_ROOT)"]


def test_own_root_lines_leaves_a_modules_file_the_package_root_under_test_and_words() -> None:
    source = ("found = Path(theme.__file__).parent\nROOT = REPO_ROOT\n"
              "assert str(paths.PROJECT_ROOT.resolve()) in message\n"
              "monkeypatch.setattr(paths, 'PROJECT_ROOT', tmp)\n"
              "'Path(__file__) in a string'  # or Path(__file__) in a comment\n")
    assert own_root_lines(source) == []


def test_misplaced_names_a_file_outside_the_package_folders() -> None:
    assert misplaced([TESTS / "test_x.py", TESTS / "book" / "test_y.py", TESTS / "book" / "deep" / "test_z.py",
                      TESTS / "misc" / "test_w.py"]) == ["test_x.py", "book/deep/test_z.py", "misc/test_w.py"]


def test_every_test_module_sits_in_a_package_folder() -> None:
    modules = all_test_modules()
    assert len(modules) > 50
    assert not misplaced(modules), f"move these into tests/{{{','.join(PACKAGE_FOLDERS)}}}/: {misplaced(modules)}"
    for folder in PACKAGE_FOLDERS:
        assert (TESTS / folder / "__init__.py").is_file(), f"tests/{folder}/__init__.py is missing"
        assert any((TESTS / folder).glob("test_*.py")), f"tests/{folder}/ holds no test"


def test_no_test_module_computes_the_repository_root_itself() -> None:
    computed = {}
    for module in all_test_modules():
        lines = own_root_lines(module.read_text(encoding="utf-8"))
        if lines:
            computed[str(module.relative_to(TESTS))] = lines
    assert not computed, f"use `from tests._root import REPO_ROOT` instead: {computed}"


def test_module_names_are_unique() -> None:
    """Two test files of one name in two folders would read as one in `--durations` and failure lists."""
    names = [m.name for m in all_test_modules()]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
