"""What a notebook tries: notes on cells that change the course's checking code or print a claim of scores,
and on answers that are not plain data.

None of it has any effect on the marks; the notes make it visible.
"""
from __future__ import annotations

import ast
import re
from typing import Any

from alliance.values import describe

_SCORE_CLAIM = re.compile(r"score", re.I)
_QUESTION_POINTS = re.compile(r"\bq\d+\b\W{0,3}:\s*\d")


def _alliance_names(tree: ast.AST) -> set[str]:
    """Names a cell binds to the course package or its modules and functions (``import alliance.x as e``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name.split(".")[0]) for a in node.names if a.name.split(".")[0] == "alliance"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "alliance":
            names |= {a.asname or a.name for a in node.names}
    return names


def tampering_notes(cells: list[list[Any]]) -> list[str]:
    """Notes on cells that try to change the grading: reassigning parts of the course package (the
    checker) or printing a claim of scores. Neither has any effect (answers are checked by the grading
    process, outside the notebook, and what a notebook prints is never read); the notes make them visible."""
    notes: list[str] = []
    bound: set[str] = set()
    for number, source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        bound |= _alliance_names(tree)
        changed = sorted({ast.unparse(t) for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AugAssign))
                          for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                          if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in bound})
        if changed:
            notes.append(f"cell {number} changes the course's checking code ({', '.join(changed)[:80]}): no effect, "
                         f"answers are checked by the grader outside the notebook")
        claims = [c.value for c in ast.walk(tree) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                  and _SCORE_CLAIM.search(c.value) and _QUESTION_POINTS.search(c.value)]
        if claims:
            notes.append(f"cell {number} prints a claim of scores ({claims[0][:40]!r}): ignored, what a notebook "
                         f"prints is never read")
    return notes


def unreadable_note(variables: list[str], answers: dict[str, Any]) -> str:
    """A note naming the answers that could not be read as plain data (an object that is not a value), or ""."""
    unreadable = [v for v in variables if describe(answers.get(v, Ellipsis)).startswith("could not be read")]
    if not unreadable:
        return ""
    return (f"{', '.join(unreadable)}: not plain data (an object of the notebook's own making?), so not checked and "
            f"no points")
