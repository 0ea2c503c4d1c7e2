"""The course package's layout as a Markdown table: each module, its layer, its size and its job.

    python tools/package_layout.py            # print the table (alliance/README.md holds it)
    python tools/package_layout.py --write    # rewrite the table in alliance/README.md

The job is the first paragraph of the module's docstring (cut at about 160 characters); the layer follows from the module's folder
(tests/core/test_layers.py holds the rules).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "alliance"
README = PACKAGE / "README.md"
BEGIN, END = "<!-- layout: begin (tools/package_layout.py --write) -->", "<!-- layout: end -->"
CORE = {"__init__.py", "paths.py", "errors.py"}
ORDER = {"core": 0, "content": 1, "editions": 2, "book": 3, "classroom": 4}


def layer(relative: Path) -> str:
    """The layer of a module, from its place in the package."""
    if len(relative.parts) > 1:
        return relative.parts[0]
    return "core" if relative.name in CORE else "content"


def rows() -> list[tuple[str, str, int, str]]:
    """(module path, layer, lines, job) for every module and script of the package, by layer then path."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix not in (".py", ".js") or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(PACKAGE)
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            doc = ast.get_docstring(ast.parse(text)) or ""
            paragraph = " ".join(doc.strip().split("\n\n")[0].split())
            job = paragraph if len(paragraph) <= 160 else paragraph[:157].rsplit(" ", 1)[0] + " …"
        else:
            first = text.lstrip().split("\n")[0]
            job = first.strip("/* ").strip() if first.startswith(("//", "/*")) else "the page script"
        found.append((relative.as_posix(), layer(relative), len(text.splitlines()), job))
    return sorted(found, key=lambda r: (ORDER[r[1]], r[0].count("/"), r[0]))


def table() -> str:
    """The layout as a Markdown table."""
    lines = ["| Module | Layer | Lines | Job |", "|---|---|---:|---|"]
    lines += [f"| `{m}` | {lay} | {n} | {job.replace('|', '/')} |" for m, lay, n, job in rows()]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the table, or write it into alliance/README.md between its markers."""
    if "--write" not in argv:
        print(table())
        return 0
    text = README.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    README.write_text(f"{head}{BEGIN}\n{table()}\n{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
