"""Reading a submitted file without running it: the notebook, its code cells, and one blank item per question."""
from __future__ import annotations

import json
from typing import Any

import nbformat
from nbformat import NotebookNode

from alliance.exercises import judgement_points, questions
from alliance.classroom.results import ItemResult
from alliance.classroom.sandbox import size_text
from alliance.classroom.written import MAX_NOTEBOOK_BYTES


def read_notebook(data: bytes) -> tuple[NotebookNode | None, str]:
    """Read submitted bytes as a notebook; returns ``(notebook, "")`` or ``(None, reason)``."""
    if not data.strip():
        return None, "empty file: not a notebook"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"file larger than {size_text(MAX_NOTEBOOK_BYTES)}: not graded"
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, f"not a notebook: invalid JSON ({str(err)[:80]})"
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return None, "not a notebook: JSON without notebook cells"
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as err:  # nbformat raises several kinds on malformed notebooks
        return None, f"not a readable notebook ({type(err).__name__})"
    return nb, ""


def code_cells(nb: NotebookNode) -> list[list[Any]]:
    """``[number, source]`` of each non-empty code cell, numbered as in the notebook (from 1)."""
    return [[n, cell.source] for n, cell in enumerate(nb.cells, start=1)
            if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str) and cell.source.strip()]


def blank_items(exercise: str, written: dict[str, str]) -> list[ItemResult]:
    """One item per question of the key (and per judgement), before anything is checked."""
    items = []
    for entry in questions(exercise):
        qid, kind, points = entry["id"], entry["kind"], float(entry.get("points", 1))
        if kind == "written":
            items.append(ItemResult(qid, "written", points, None, "marked by hand with the rubric",
                                    written.get(qid, "")))
        else:
            items.append(ItemResult(qid, kind, points, 0.0, "", ""))
        if kind == "criticism":
            judged = judgement_points(entry)
            items.append(ItemResult(f"{qid}-judgement", "judgement", judged, None,
                                    "marked by hand with the rubric" if judged else "comments only",
                                    written.get(f"{qid}-judgement", "")))
    return items
