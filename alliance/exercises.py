"""Instant feedback on exercise answers, without the expected answers being readable.

Each exercise has an answer key ``data/answers/<exercise>.json``: for every question its kind
(``code``, ``chart``, ``criticism``: checked automatically; ``written``: marked by hand with the
rubric), its points, the variable the student's answer goes in, a hint, how to compare
(``decimals``, ``ordered``, ``columns``) and the **salted sha256 of the canonical form** of the
right answer. :func:`check` puts the student's answer in the same canonical form and compares
digests, so the key says whether an answer is right but not what the answer is.

A ``criticism`` question also has a written judgement, marked by hand: the key's
``judgement_points`` (default 0: a comment and no points) says what it is marked out of
(:func:`judgement_points`).

>>> from alliance.exercises import check
>>> check("ex00", "q1", answer_q1)          # doctest: +SKIP
✔ ex00 q1: correct.

Instructors refresh the keys and the stored outputs of the solution edition with
``python -m alliance.exercises refresh`` (see ``instructors.md``).
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import math
import numbers
import os
import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alliance import paths

ANSWERS_DIR: Path = paths.DATA_DIR / "answers"
EXERCISES_DIR: Path = paths.PROJECT_ROOT / "exercises"
#: Kinds of question that :func:`check` marks; ``written`` ones are marked by hand.
AUTO_KINDS: frozenset[str] = frozenset({"code", "chart", "criticism"})
_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = "\"'“”‘’.,;:!?()[] "


class NotAnswered(Exception):
    """The answer variable still holds the placeholder ``...`` (or ``None``)."""


class WrongShape(Exception):
    """The answer cannot be put in the expected canonical form (wrong type or columns)."""


# --------------------------------------------------------------------------- answer keys


def key_path(exercise: str) -> Path:
    """Path of the answer key of ``exercise`` (``data/answers/<exercise>.json``)."""
    return ANSWERS_DIR / f"{exercise}.json"


@lru_cache(maxsize=32)
def _load_key_cached(path: str, mtime: int) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_key(exercise: str) -> dict[str, Any]:
    """The answer key of ``exercise``; raises ``KeyError`` naming the known exercises."""
    path = key_path(exercise)
    if not path.exists():
        known = sorted(p.stem for p in ANSWERS_DIR.glob("*.json"))
        raise KeyError(f"No answer key {path} for exercise {exercise!r}. Known exercises: {known}.")
    return _load_key_cached(str(path), path.stat().st_mtime_ns)


def questions(exercise: str) -> list[dict[str, Any]]:
    """The questions of ``exercise`` in order (dicts with id, kind, points, variable, hint...)."""
    return list(load_key(exercise)["questions"])


def question(exercise: str, qid: str) -> dict[str, Any]:
    """One question's entry of the answer key; ``KeyError`` lists the valid ids."""
    for entry in questions(exercise):
        if entry["id"] == qid:
            return entry
    ids = [e["id"] for e in questions(exercise)]
    raise KeyError(f"Exercise {exercise!r} has no question {qid!r}; its questions are {ids}.")


def judgement_points(entry: Mapping[str, Any]) -> float:
    """The points of a question's written judgement: ``judgement_points`` of a ``criticism`` entry
    (0 when absent: the judgement gets a comment and no points); 0 for every other kind."""
    if entry.get("kind") != "criticism":
        return 0.0
    value = float(entry.get("judgement_points", 0) or 0)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"question {entry.get('id')!r}: judgement_points must be a number of at least 0, "
                         f"not {entry.get('judgement_points')!r}")
    return value


def points_by_kind(exercise: str) -> dict[str, float]:
    """Points possible of ``exercise`` by how they are marked: ``automatic`` (code, chart, criticism),
    ``written``, ``judgement`` (the criticism questions' judgements) and ``total``."""
    found = {"automatic": 0.0, "written": 0.0, "judgement": 0.0}
    for entry in questions(exercise):
        points = float(entry.get("points", 1))
        found["automatic" if entry["kind"] in AUTO_KINDS else "written"] += points
        found["judgement"] += judgement_points(entry)
    return {**found, "total": sum(found.values())}


def auto_questions(exercise: str) -> list[dict[str, Any]]:
    """The questions of ``exercise`` that are checked automatically."""
    return [e for e in questions(exercise) if e["kind"] in AUTO_KINDS]


# --------------------------------------------------------------------------- canonical forms


def _number(value: Any, decimals: int) -> str:
    x = float(value)
    if math.isnan(x):
        return "nan"
    text = f"{round(x, decimals):.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def _text(value: str) -> str:
    return _SPACE.sub(" ", value.replace("\xa0", " ")).strip().strip(_EDGE_PUNCT).casefold()


def _is_chart(value: Any) -> bool:
    from alliance.values import ChartSpec

    return isinstance(value, ChartSpec) or (hasattr(value, "to_dict") and type(value).__module__.startswith("altair"))


def _chart_parts(spec: dict[str, Any]) -> list[dict[str, Any]]:
    parts, todo = [], [spec]
    while todo:
        part = todo.pop(0)
        parts.append(part)
        for key in ("layer", "hconcat", "vconcat", "concat"):
            todo.extend(part.get(key) or [])
    return parts


#: Marks that draw the same kind of chart: a dot chart may use points, circles or squares.
_MARK_FAMILIES: dict[str, str] = {"circle": "point", "square": "point"}


def chart_signature(chart: Any, decimals: int = 2, channels: list[str] | None = None) -> dict[str, Any]:
    """What a chart answer is compared on: mark, positional fields and the data plotted.

    The fields of the x and y channels are sorted, so a horizontal and a vertical bar chart of
    the same table are the same answer; ``mark_point``, ``mark_circle`` and ``mark_square`` are
    one family (a dot chart). ``channels`` (e.g. ``["color"]``) adds the fields of those
    channels to what is compared, for a question whose answer depends on them. Raises :class:`WrongShape` when the chart breaks the
    course's rules (a title and axis titles).
    """
    from alliance.charts import check_chart

    spec = chart.to_dict()
    try:
        check_chart(spec)
    except ValueError as err:
        raise WrongShape(str(err)) from None
    datasets = spec.get("datasets", {})
    marks, fields, rows, extra = [], [], [], []
    for part in _chart_parts(spec):
        mark = part.get("mark")
        if mark:
            kind = mark if isinstance(mark, str) else mark.get("type", "")
            marks.append(_MARK_FAMILIES.get(kind, kind))
        for channel in ("x", "y"):
            enc = (part.get("encoding") or {}).get(channel)
            if isinstance(enc, dict) and enc.get("field"):
                fields.append(enc["field"] if not enc.get("aggregate") else f"{enc['aggregate']}({enc['field']})")
        for channel in channels or []:
            enc = (part.get("encoding") or {}).get(channel)
            if isinstance(enc, dict) and enc.get("field"):
                extra.append(f"{channel}:{enc['field']}")
        name = (part.get("data") or {}).get("name")
        if name in datasets and not rows:
            rows = datasets[name]
    plain = sorted({f.split("(")[-1].rstrip(")") for f in fields})
    table = [[canonical(row.get(f), decimals) for f in plain] for row in rows]
    signature = {"marks": sorted(set(marks)), "fields": sorted(set(fields)), "rows": sorted(table)}
    if channels:
        signature["channels"] = sorted(set(extra))
    return signature


def _frame(value: Any, columns: list[str] | None) -> list[list[str]]:
    frame = value.reset_index() if columns and not set(columns) <= set(value.columns) else value
    if columns:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise WrongShape(f"your table needs the column(s) {missing}")
        frame = frame[columns]
    return [list(r) for r in frame.itertuples(index=False)]


def canonical(value: Any, decimals: int = 2, ordered: bool = True, columns: list[str] | None = None,
              channels: list[str] | None = None) -> str:
    """A canonical text form of an answer, stable across runs and machines.

    Numbers are rounded to ``decimals`` (so ``3`` and ``3.0`` agree); strings are case-folded,
    with whitespace collapsed and surrounding quotes and punctuation dropped; lists keep their
    order unless ``ordered`` is false; dicts and Series compare as sorted key/value pairs;
    DataFrames compare on ``columns`` (rows sorted unless ``ordered``); Altair charts on
    :func:`chart_signature`. ``...`` or ``None`` raise :class:`NotAnswered`.
    """
    import numpy as np
    import pandas as pd

    from alliance.values import Unreadable

    def inner(v: Any) -> Any:
        if v is Ellipsis or v is None:
            raise NotAnswered()
        if isinstance(v, Unreadable):
            raise WrongShape(f"the answer could not be read ({v.reason})")
        if isinstance(v, (bool, np.bool_)):
            return "true" if v else "false"
        if isinstance(v, numbers.Number):
            return _number(v, decimals)
        if isinstance(v, str):
            return _text(v)
        if isinstance(v, pd.Timestamp):
            return v.strftime("%Y-%m-%d")
        if v is pd.NA:
            return "na"
        if isinstance(v, pd.DataFrame):
            rows = [[inner(x) for x in r] for r in _frame(v, columns)]
            return rows if ordered else sorted(rows)
        if isinstance(v, pd.Series):
            v = v.to_dict()
        if isinstance(v, Mapping):
            return sorted([inner(k), inner(x)] for k, x in v.items())
        if _is_chart(v):
            return chart_signature(v, decimals, channels)
        if isinstance(v, (set, frozenset)):
            return sorted(inner(x) for x in v)
        if isinstance(v, (list, tuple, np.ndarray, pd.Index)):
            items = [inner(x) for x in v]
            return items if ordered else sorted(items, key=lambda x: json.dumps(x))
        raise WrongShape(f"an answer of type {type(v).__name__} cannot be checked")

    return json.dumps(inner(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(salt: str, exercise: str, qid: str, canonical_form: str) -> str:
    """Salted sha256 of a canonical answer (what the key stores instead of the answer)."""
    return hashlib.sha256(f"{salt}\n{exercise}\n{qid}\n{canonical_form}".encode("utf-8")).hexdigest()


def answer_digest(exercise: str, qid: str, answer: Any) -> str:
    """The salted digest of ``answer`` to question ``qid`` (raises NotAnswered/WrongShape)."""
    entry = question(exercise, qid)
    form = canonical(answer, int(entry.get("decimals", 2)), bool(entry.get("ordered", True)),
                     entry.get("columns"), entry.get("channels"))
    return digest(load_key(exercise)["salt"], exercise, qid, form)


# --------------------------------------------------------------------------- feedback


@dataclass(frozen=True)
class Feedback:
    """The result of :func:`check`: displays as one short line in a notebook."""

    exercise: str
    question: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        mark = "✔" if self.correct else "✘"
        return f"{mark} {self.exercise} {self.question}: {self.message}"

    def _repr_html_(self) -> str:
        state = "correct" if self.correct else "not-yet"
        return (f'<p class="alliance-feedback alliance-feedback-{state}" role="status">'
                f"{html.escape(repr(self))}</p>")


def check(exercise: str, qid: str, answer: Any) -> Feedback:
    """Say whether ``answer`` to question ``qid`` of ``exercise`` is right ("not yet" + a hint).

    Never raises on a wrong answer (a wrong type, missing columns, a chart without titles all
    give "not yet"); an unknown exercise or question id raises ``KeyError``.
    """
    entry = question(exercise, qid)
    if entry["kind"] not in AUTO_KINDS:
        return Feedback(exercise, qid, False, "this question is marked by hand with the rubric.")
    hint = entry.get("hint", "")
    try:
        found = answer_digest(exercise, qid, answer)
    except NotAnswered:
        return Feedback(exercise, qid, False, f"not yet answered: replace the ... with your answer. Hint: {hint}")
    except WrongShape as err:
        return Feedback(exercise, qid, False, f"not yet: {err}. Expected {entry.get('expects', 'another form')}. "
                                              f"Hint: {hint}")
    except Exception as err:  # a student's object may fail in any way while being read
        return Feedback(exercise, qid, False, f"not yet: the answer could not be read ({type(err).__name__}). "
                                              f"Hint: {hint}")
    if found == entry.get("sha256"):
        return Feedback(exercise, qid, True, "correct.")
    return Feedback(exercise, qid, False, f"not yet. Expected {entry.get('expects', 'another answer')}. Hint: {hint}")


def digests_of_namespace(exercise: str, namespace: Mapping[str, Any]) -> dict[str, str]:
    """Digests of the answers found in ``namespace`` (used to write the key from the solutions)."""
    return {e["id"]: answer_digest(exercise, e["id"], namespace[e["variable"]]) for e in auto_questions(exercise)}


# --------------------------------------------------------------------------- maintenance


def exercise_id(nb: Any) -> str | None:
    """The exercise id stored in a notebook's metadata (``metadata.alliance.exercise``)."""
    meta = (nb.get("metadata") or {}).get("alliance") or {}
    value = meta.get("exercise") if isinstance(meta, Mapping) else None
    return value if isinstance(value, str) and value else None


def solution_notebooks(folder: Path | None = None) -> list[Path]:
    """The solution-edition notebooks (``exercises/ex*.ipynb``), sorted."""
    return sorted(Path(folder or EXERCISES_DIR).glob("ex*.ipynb"))


def _execute(nb: Any, cwd: Path, extra_source: str | None = None, timeout: int = 300) -> Any:
    import nbformat
    from nbclient import NotebookClient

    os.environ["ALLIANCE_CHART_MODE"] = "book"
    work = nbformat.from_dict(json.loads(json.dumps(nb)))
    if extra_source:
        work.cells.append(nbformat.v4.new_code_cell(extra_source))
    NotebookClient(work, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return work


def refresh_notebook(path: Path) -> dict[str, str]:
    """Recompute the key digests from the solutions, then re-execute and store the outputs.

    The salt is kept (a new one is drawn when the key has none). Returns the digests written.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    exercise = exercise_id(nb)
    if not exercise:
        raise ValueError(f"{path}: notebook metadata has no alliance.exercise id.")
    key = json.loads(key_path(exercise).read_text(encoding="utf-8"))
    if not key.get("salt"):
        key["salt"] = secrets.token_hex(16)
        key_path(exercise).write_text(json.dumps(key, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    probe = ("import json as _json\nfrom alliance.exercises import digests_of_namespace as _d\n"
             f"print('ALLIANCE-DIGESTS ' + _json.dumps(_d({exercise!r}, globals())))")
    run = _execute(nb, path.parent, probe)
    text = "".join(o.get("text", "") for o in run.cells[-1].outputs if o.get("output_type") == "stream")
    found = json.loads(text.split("ALLIANCE-DIGESTS ", 1)[1])
    for entry in key["questions"]:
        if entry["id"] in found:
            entry["sha256"] = found[entry["id"]]
    key_path(exercise).write_text(json.dumps(key, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    done = _execute(nb, path.parent)
    for cell in done.cells:
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(done, path)
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m alliance.exercises refresh [notebook ...]``: rewrite keys and stored outputs."""
    parser = argparse.ArgumentParser(prog="python -m alliance.exercises", description=main.__doc__)
    parser.add_argument("command", choices=["refresh"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks or solution_notebooks():
        found = refresh_notebook(path)
        print(f"{path}: {len(found)} answer digest(s) written; outputs stored.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
