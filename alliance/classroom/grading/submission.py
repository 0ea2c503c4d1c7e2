"""Grading one submitted file: read it, run it, check its answers against the key; never raises."""
from __future__ import annotations

import hashlib
import time
from typing import Any

from alliance.exercises import check, exercise_id, load_key, questions
from alliance.classroom.grading.execution import run_submission
from alliance.classroom.grading.notebook import blank_items, code_cells, read_notebook
from alliance.classroom.grading.tampering import tampering_notes, unreadable_note
from alliance.classroom.results import SubmissionResult
from alliance.classroom.sandbox import Limits, Sandbox
from alliance.classroom.written import read_identity, written_answers
from alliance.values import describe


async def grade_submission(submission: Any, limits: Limits, sandbox: Sandbox | None, slot: int = 0) -> SubmissionResult:
    """Grade one collected file (a :class:`alliance.classroom.roster.submissions.Submission`); never raises."""
    start = time.monotonic()
    result = SubmissionResult(submission=submission.source, sha256=hashlib.sha256(submission.data).hexdigest(),
                              late=bool(submission.late), sandboxed=sandbox is not None)
    result.evidence = {"canvas_slug": submission.canvas_slug, "canvas_user_id": submission.canvas_user_id,
                       "canvas_submission_id": submission.canvas_submission_id, "folder": submission.folder,
                       "order": submission.order}
    try:
        await _grade_into(result, submission, limits, sandbox, slot)
    except Exception as err:  # last line of defence: the batch always finishes
        result.notes.append(f"grader error: {type(err).__name__}: {str(err)[:80]}")
    result.seconds = round(time.monotonic() - start, 2)
    return result


async def _grade_into(result: SubmissionResult, submission: Any, limits: Limits, sandbox: Sandbox | None,
                      slot: int) -> None:

    if submission.problem:
        result.notes.append(submission.problem)
        return
    nb, problem = read_notebook(submission.data)
    if nb is None:
        result.notes.append(problem)
        return
    identity = read_identity(nb)
    result.student_name = identity.name
    result.evidence.update(notebook_id=identity.student_id, notebook_name=identity.name,
                           notebook_email=identity.email)
    exercise = exercise_id(nb)
    if not exercise:
        result.notes.append("no exercise id in the notebook metadata (alliance.exercise): start from the student edition")
        return
    try:
        load_key(exercise)
    except KeyError:
        result.notes.append(f"unknown exercise id {exercise!r} in the notebook metadata")
        return
    result.exercise = exercise
    result.items = blank_items(exercise, written_answers(nb))
    cells = code_cells(nb)
    if not cells:
        result.notes.append("empty notebook: no code to run")
        return
    auto = [e for e in questions(exercise) if e["kind"] != "written"]
    report = await run_submission(cells, [e["variable"] for e in auto], limits, sandbox, slot)
    result.notes.extend(report.notes)
    result.notes.extend(tampering_notes(cells))
    unreadable = unreadable_note([e["variable"] for e in auto], report.answers)
    result.notes.extend([unreadable] if unreadable else [])
    for entry in auto:
        item = result.item(entry["id"])
        value = report.answers.get(entry["variable"], Ellipsis)
        feedback = check(exercise, entry["id"], value)
        item.score = item.points if feedback.correct else 0.0
        item.message = feedback.message
        item.answer = describe(value)
