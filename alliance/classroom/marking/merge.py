"""Merging filled marking sheets into ``results.json``: every row checked first, conflicts named, nothing
half-merged; then the gradebook files rewritten.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from alliance.classroom.gradebook import format_points
from alliance.classroom.marking.page import MARKING_DIR
from alliance.classroom.marking.reading import read_sheet
from alliance.classroom.marking.sheet import CLEAR_TOKEN, MARKS_COLUMNS, RUN_COLUMN, MarkingError, run_id, unguard
from alliance.classroom.results import HAND_KINDS, GradingRun, ItemResult, SubmissionResult


@dataclass
class _Mark:
    """One checked row of a marking sheet."""

    result: SubmissionResult
    item: ItemResult
    score: float | None
    comment: str
    clear: bool = False       # the mark cell said "clear"
    sheet: str = ""           # the sheet's file name
    line: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return self.result.anon, self.result.exercise, self.item.id

    @property
    def where(self) -> str:
        return f"{self.sheet} line {self.line}"


def _parse_mark(text: str, item: ItemResult, sheet_points: str) -> tuple[float | None, list[str]]:
    """The mark of one row (``None`` when blank) and what is wrong with it (``2,5`` reads as 2.5)."""
    text = text.strip()
    problems = []
    if sheet_points.strip():
        try:
            if float(sheet_points.replace(",", ".")) != item.points:
                problems.append(f"points_possible {sheet_points.strip()} does not match the question's "
                                f"{format_points(item.points)} points (an old sheet?)")
        except ValueError:
            problems.append(f"points_possible {sheet_points.strip()!r} is not a number")
    if not text:
        return None, problems
    if item.kind == "judgement" and not item.takes_mark:
        return None, [*problems, f"mark {text!r} on a judgement row with 0 points: it takes a comment only"]
    try:
        value = float(text.replace(",", ".") if re.fullmatch(r"\d+,\d+", text) else text)
    except ValueError:
        return None, [*problems, f"mark {text!r} is not a number"]
    if not math.isfinite(value):
        problems.append(f"mark {text!r} is not a number")
    elif value < 0:
        problems.append(f"mark {text} is negative")
    elif value > item.points:
        problems.append(f"mark {text} is above the {format_points(item.points)} points of the question")
    return value, problems


def _other_run(run: GradingRun, sheet: Path, rows: list[tuple[int, dict[str, str]]]) -> str:
    """Why ``sheet`` belongs to another grading run than ``run`` ("" when it does not)."""
    current = run_id(run)
    runs = sorted({row.get(RUN_COLUMN, "").strip() for _, row in rows} - {""})
    if current and runs and runs != [current]:
        earlier = any(r in run.settings.get("earlier_runs", []) for r in runs)
        folder = Path(sheet).parent.parent if Path(sheet).parent.name == MARKING_DIR else None
        out = f"OUT={folder}" if folder else "OUT=<the graded folder>"
        return (f"{sheet}: " + ("this sheet is superseded: it comes from an earlier " if earlier else
                                "this sheet comes from another ") + f"grading run ({', '.join(runs)}), but this folder now holds run {current} "
                f"(graded again since): nothing was merged. Marks merged before grading again are kept for every "
                f"answer that did not change, and grading again listed the answers that changed. To go on: "
                f"make marking {out} (a fresh sheet with the kept marks filled in), mark there the answers that "
                f"changed (copy what still applies from this sheet), merge that sheet, and move this one out of "
                f"the marking folder.")
    codes = {(r.anon, r.exercise) for r in run.results if r.anon}
    named = [(row.get("anon", "").strip(), row.get("exercise", "").strip()) for _, row in rows]
    if named and not any(code in codes for code in named):
        return (f"{sheet}: none of its {len(named)} row(s) names an anonymous code of this grading run: it comes "
                f"from another grading run (or another class); nothing was merged. Export this run's sheet with "
                f"make marking OUT=...")
    return ""


def read_marks(run: GradingRun, sheet: Path) -> list[_Mark]:
    """Every row of a filled marking sheet, checked against ``run``; :class:`MarkingError` lists all problems.

    A sheet exported from another grading run is refused with one message saying so.
    """
    rows, how = read_sheet(sheet)
    other = _other_run(run, sheet, rows)
    if other:
        raise MarkingError(other)
    by_anon = {(r.anon, r.exercise): r for r in run.results if r.counted and r.anon and r.exercise}
    known = {(r.exercise, i.id): i.kind for r in run.results if r.exercise for i in r.items}
    problems: list[str] = []
    marks: list[_Mark] = []
    seen: dict[tuple[str, str, str], int] = {}
    for start, row in rows:
        cells = {c: (row.get(c) or "") for c in MARKS_COLUMNS}
        anon, exercise, qid = cells["anon"].strip(), cells["exercise"].strip(), cells["question"].strip()
        where = f"line {start} ({anon or '?'} {exercise or '?'} {qid or '?'})"
        key = (anon, exercise, qid)
        if key in seen:
            problems.append(f"{where}: repeats line {seen[key]}")
            continue
        seen[key] = start
        if (exercise, qid) not in known:
            problems.append(f"{where}: unknown exercise/question {exercise!r}/{qid!r}")
            continue
        if known[(exercise, qid)] not in HAND_KINDS:
            problems.append(f"{where}: question {qid} of {exercise} is checked automatically, not marked by hand")
            continue
        result = by_anon.get((anon, exercise))
        if result is None:
            problems.append(f"{where}: unknown anonymous code {anon!r} for {exercise}")
            continue
        try:
            item = result.item(qid)
        except KeyError:
            problems.append(f"{where}: submission {anon} has no question {qid}")
            continue
        clear = cells["mark"].strip().lower() == CLEAR_TOKEN
        score, wrong = _parse_mark("" if clear else cells["mark"], item, cells["points_possible"])
        problems.extend(f"{where}: {w}" for w in wrong)
        marks.append(_Mark(result, item, score, unguard(cells["comment"].strip()), clear, Path(sheet).name, start))
    if problems:
        raise MarkingError(f"{sheet}: {len(problems)} problem(s); nothing was merged (read as {how}):\n  "
                           + "\n  ".join(problems))
    return marks


def _shown(mark: _Mark) -> str:
    return CLEAR_TOKEN if mark.clear else format_points(mark.score)


def conflicts(marks: list[_Mark], replace: bool = False) -> list[str]:
    """Two different marks (or comments) for one answer, between sheets merged together or against a
    mark or comment merged earlier from another sheet (unless ``replace``): each named, none resolved."""
    found: list[str] = []
    groups: dict[tuple[str, str, str], list[_Mark]] = {}
    for mark in marks:
        groups.setdefault(mark.key, []).append(mark)
    for (anon, exercise, qid), group in groups.items():
        given = [m for m in group if m.score is not None or m.clear]
        if len({_shown(m) for m in given}) > 1:
            found.append(f"{anon} {exercise} {qid}: " + ", ".join(f"mark {_shown(m)} in {m.where}" for m in given))
        commented = [m for m in group if m.comment]
        if len({m.comment for m in commented}) > 1:
            found.append(f"{anon} {exercise} {qid}: different comments in "
                         + " and ".join(m.where for m in commented))
        item = group[0].item
        earlier = item.score
        if not replace and earlier is not None and item.marked_by:
            for m in given:
                if m.sheet != item.marked_by and (m.clear or m.score != earlier):
                    found.append(f"{anon} {exercise} {qid}: mark {_shown(m)} in {m.where} would replace the mark "
                                 f"{format_points(earlier)} merged from {item.marked_by}")
        origin = item.commented_by or item.marked_by
        if not replace and item.comment and origin:
            for m in commented:
                if m.sheet != origin and m.comment != item.comment:
                    found.append(f"{anon} {exercise} {qid}: the comment in {m.where} would replace the comment "
                                 f"merged from {origin}")
    return found


def merge_marks(out: Path, sheet: Path | Sequence[Path], clear_blank: bool = False,
                replace: bool = False) -> GradingRun:
    """Merge one or several filled sheets into ``OUT/results.json``, then rewrite the gradebook files.

    Several sheets (two markers, split by question or by student) are merged together. A blank mark
    or comment leaves what was merged before (``clear_blank``: clears it); the mark ``clear`` clears
    a mark. Nothing is written when any row is wrong or any answer gets two different marks
    (:class:`MarkingError` names them all); a sheet that changes a mark merged from another sheet is
    such a conflict unless ``replace``. Returns the updated run.
    """
    from alliance.classroom.gradebook import write_gradebook

    out = Path(out)
    sheets = [Path(sheet)] if isinstance(sheet, (str, Path)) else [Path(s) for s in sheet]
    run = GradingRun.load(out)
    marks = [m for s in sheets for m in read_marks(run, s)]
    found = conflicts(marks, replace)
    if found:
        raise MarkingError(f"{len(found)} conflict(s) between marks; nothing was merged. Settle each in one sheet "
                           f"(or, to let this sheet replace earlier marks, merge with REPLACE=1):\n  "
                           + "\n  ".join(found))
    for mark in marks:
        item = mark.item
        if item.takes_mark:
            if mark.clear or (mark.score is None and clear_blank):
                item.score, item.marked_by = None, ""
            elif mark.score is not None and mark.score != item.score:
                item.score, item.marked_by = mark.score, mark.sheet
            elif mark.score is not None and not item.marked_by:
                item.marked_by = mark.sheet
        if mark.comment or clear_blank:
            if mark.comment != item.comment:
                item.commented_by = mark.sheet if mark.comment else ""
            item.comment = mark.comment
    run.save(out)
    write_gradebook(out)
    return run
