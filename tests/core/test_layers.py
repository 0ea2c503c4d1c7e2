"""The package's layers, read from its own imports (every ``import``, at module level or inside a function).

* **core** (``alliance``, ``alliance.paths``, ``alliance.errors``) imports nothing else of the course;
* **content** (the other modules of ``alliance/``: corpus, quotations, citations, counting, tables, charts,
  exercises…) imports core and content;
* **editions** (``alliance.editions``) imports core, content and editions;
* **book** (``alliance.book``) and **classroom** (``alliance.classroom``) import core, content, editions and
  themselves, never each other;
* no cycle, however long, between any two modules.

The content modules' paths are frozen: chapters, exercise notebooks and every student notebook already handed
out import them (``from alliance.exercises import check``), and the grader runs those imports in its sandbox.
"""
from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path

import pytest

from tests._root import REPO_ROOT

PACKAGE = "alliance"
CORE = frozenset({"alliance", "alliance.paths", "alliance.errors"})
#: Layer → the layers it may import (itself included).
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset({"core"}),
    "content": frozenset({"core", "content"}),
    "editions": frozenset({"core", "content", "editions"}),
    "book": frozenset({"core", "content", "editions", "book"}),
    "classroom": frozenset({"core", "content", "editions", "classroom"}),
}


def module_files(package_dir: Path) -> dict[str, Path]:
    """Each module of the package under ``package_dir`` (a folder named like the package), by dotted name."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module ``name`` names, or the nearest package above it (``alliance.x.y`` → ``alliance.x``)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module → the course modules it imports (``from alliance import paths`` counts as ``alliance.paths``)."""
    modules = module_files(package_dir)
    top = package_dir.name
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[:len(base) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module for a in node.names]
            else:
                continue
            deps |= {found for t in targets if t.split(".")[0] == top and (found := _resolve(t, modules))}
        deps.discard(name)
        graph[name] = deps
    return graph


def layer_of(module: str) -> str:
    """The layer a module belongs to, from its place in the package."""
    if module in CORE:
        return "core"
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and parts[1] in ("editions", "book", "classroom")):
        return parts[1] if parts[1] in ALLOWED else "content"
    return "content"


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Each import against the rules, as ``a (layer) imports b (layer)``."""
    return sorted(f"{a} ({layer_of(a)}) imports {b} ({layer_of(b)})"
                  for a, deps in graph.items() for b in deps if layer_of(b) not in ALLOWED[layer_of(a)])


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: each strongly connected set of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


# --------------------------------------------------------------------------- the course's package


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(REPO_ROOT / PACKAGE)


def test_every_import_follows_the_layers(graph: dict[str, set[str]]) -> None:
    assert layer_violations(graph) == []


def test_no_import_cycle(graph: dict[str, set[str]]) -> None:
    assert cycles(graph) == []


def test_each_layer_has_its_modules(graph: dict[str, set[str]]) -> None:
    layers = {layer_of(m) for m in graph}
    assert layers == set(ALLOWED)
    assert {m for m in graph if layer_of(m) == "core"} == CORE


def _imports_in_course_files() -> set[tuple[str, str]]:
    """(module, name) of every ``from alliance… import name`` in the chapters, pages and exercise notebooks."""
    pattern = re.compile(r"from (alliance(?:\.\w+)*) import ([\w, ]+)")
    texts = [p.read_text(encoding="utf-8") for p in [*REPO_ROOT.glob("*.md"), *REPO_ROOT.glob("chapters/*.md"),
                                                       *REPO_ROOT.glob("appendix/*.md")]]
    for notebook in sorted((REPO_ROOT / "exercises").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        texts += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return {(m.group(1), name.strip()) for text in texts for m in pattern.finditer(text)
            for name in m.group(2).split(",") if name.strip()}


def test_chapters_and_exercises_import_only_content_paths_that_exist() -> None:
    """What chapters and notebooks import stays where it is: content or core modules, names that exist
    (the instructors' page may show the classroom's API)."""
    imports = _imports_in_course_files()
    assert len(imports) > 30
    for module, name in sorted(imports):
        assert hasattr(importlib.import_module(module), name), f"{module} has no {name}"
    student_facing = {m for m, _ in imports} - {"alliance.classroom.results"}
    assert {layer_of(m) for m in student_facing} <= {"core", "content"}, student_facing


def test_the_frozen_paths_of_handed_out_notebooks_still_work() -> None:
    """A notebook handed out before the move runs these; the grader's sandbox runs the first."""
    from alliance import load_corpus, q, quote, show  # noqa: F401
    from alliance.exercises import check  # noqa: F401
    from alliance.selfcheck import check as selfcheck  # noqa: F401
    from alliance.reference import load_data, text_table
    from alliance.tables import Link, reading_table  # noqa: F401
    from alliance.tables import text_table as in_tables
    assert text_table is in_tables and callable(load_data)
    assert importlib.import_module("alliance.editions").BookIndex.__module__ == "alliance.editions.links"


# --------------------------------------------------------------------------- the checker catches what it must


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "alliance" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "alliance"


def test_checker_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    package = _write_package(tmp_path, {
        "__init__.py": "", "paths.py": "", "errors.py": "",
        "a.py": "from alliance import b\n",
        "b.py": "def f():\n    from alliance.c import g\n",
        "c.py": "import alliance.a\n"})
    assert cycles(import_graph(package)) == [["alliance.a", "alliance.b", "alliance.c"]]


def test_checker_finds_imports_against_the_layers(tmp_path: Path) -> None:
    package = _write_package(tmp_path, {
        "__init__.py": "", "paths.py": "from alliance import corpus\n", "errors.py": "", "corpus.py": "",
        "editions/__init__.py": "", "editions/tags.py": "from alliance.book.pages import x\n",
        "book/__init__.py": "", "book/pages.py": "from ..classroom import grading\n",
        "classroom/__init__.py": "", "classroom/grading.py": "from alliance.editions.tags import T\n",
        "exercises.py": "def f():\n    from alliance.classroom.grading import g\n"})
    assert layer_violations(import_graph(package)) == [
        "alliance.book.pages (book) imports alliance.classroom.grading (classroom)",
        "alliance.editions.tags (editions) imports alliance.book.pages (book)",
        "alliance.exercises (content) imports alliance.classroom.grading (classroom)",
        "alliance.paths (core) imports alliance.corpus (content)",
    ]


def test_the_package_readme_lists_every_module_in_its_layer(graph: dict[str, set[str]]) -> None:
    """``alliance/README.md`` (``tools/package_layout.py --write``) has a row for every module, in its layer."""
    rows = re.findall(r"^\| `([\w/.]+)` \| (\w+) \| \d+ \| (.+?) \|$",
                      (REPO_ROOT / PACKAGE / "README.md").read_text(encoding="utf-8"), flags=re.M)
    listed = {path: layer for path, layer, _ in rows}
    for module, path in module_files(REPO_ROOT / PACKAGE).items():
        relative = path.relative_to(REPO_ROOT / PACKAGE).as_posix()
        assert listed.get(relative) == layer_of(module), f"{relative}: run python tools/package_layout.py --write"
    assert all(job.strip() for _, _, job in rows), "every module says its job in its docstring"
