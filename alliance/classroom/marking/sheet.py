"""The marking sheet's columns and rows: one row per hand-marked answer, marks and comments merged so far
filled in, under the grading run's id.
"""
from __future__ import annotations

import re

from alliance.errors import CourseError
from alliance.classroom.gradebook import format_points, is_answered, safe_cell
from alliance.classroom.results import HAND_KINDS, GradingRun, ItemResult, SubmissionResult

MARKS_CSV = "marks.csv"
#: The columns a filled sheet must have; ``run`` (the grading run it was exported from) is written too.
MARKS_COLUMNS = ["anon", "exercise", "question", "points_possible", "mark", "comment"]
RUN_COLUMN = "run"
#: A mark cell holding this word clears the mark (a blank cell leaves it as it is).
CLEAR_TOKEN = "clear"


class MarkingError(CourseError):
    """A marking sheet cannot be merged (every problem listed, by line), or marking cannot start."""


def counted_hand_items(run: GradingRun) -> list[tuple[SubmissionResult, ItemResult]]:
    """(submission, item) for every written answer and judgement of a counted submission."""
    return [(r, i) for r in run.results if r.counted and r.exercise for i in r.items if i.kind in HAND_KINDS]


def question_order(key: tuple[str, str]) -> tuple[str, int, str]:
    """Where an (exercise, question) goes in the page and the sheet: by exercise, then question number."""
    exercise, item_id = key
    number = re.match(r"q(\d+)", item_id)
    return exercise, int(number[1]) if number else 0, item_id


def run_id(run: GradingRun) -> str:
    """The id of the grading run (``settings["run_id"]``), carried in every row of its marking sheets."""
    return str(run.settings.get("run_id") or "")


def marks_rows(run: GradingRun) -> list[list[str]]:
    """The marking sheet's rows, with marks and comments already merged filled in.

    A written answer left blank (shown as "(no answer)") is pre-filled with the mark 0.
    """
    rows = []
    for result, item in sorted(counted_hand_items(run), key=lambda e: (*question_order((e[0].exercise, e[1].id)), e[0].anon)):
        mark = format_points(item.score) if item.takes_mark else ""
        if item.takes_mark and item.score is None and not is_answered(item):
            mark = "0"
        rows.append([result.anon, result.exercise, item.id, format_points(item.points), mark,
                     safe_cell(item.comment), run_id(run)])
    return rows


def unguard(comment: str) -> str:
    """A comment as the marker wrote it: the ' that :func:`safe_cell` put before a formula sign dropped."""
    return comment[1:] if comment.startswith("'") and comment[1:2] and safe_cell(comment[1:]) != comment[1:] \
        else comment
