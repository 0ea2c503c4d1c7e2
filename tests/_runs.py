"""A small grading run built in Python (no grader needed) for the marking, feedback and gradebook tests."""
from __future__ import annotations

from pathlib import Path

from alliance.classroom.results import GradingRun, ItemResult, SubmissionResult

HOSTILE = "<script>alert('x')</script> & more"
CORRECT = "correct."
NOT_YET = "not yet. Expected a list of four strings. Hint: use re.search."
UNANSWERED = "not yet answered: replace the ... with your answer. Hint: use kwic."


def ex02_items(scores: dict[str, float], written: str, judgement: str) -> list[ItemResult]:
    """The items of an ex02 submission: q1-q5 automatic (1 point each), q4's judgement, q6 written."""
    items = []
    for qid, kind in (("q1", "code"), ("q2", "code"), ("q3", "chart"), ("q4", "criticism"), ("q5", "code")):
        score = scores.get(qid, 0.0)
        answer = "" if qid == "q5" and score == 0 else f"answer to {qid}"
        message = CORRECT if score else (UNANSWERED if not answer else NOT_YET)
        items.append(ItemResult(qid, kind, 1.0, score, message, answer))
    items.append(ItemResult("q4-judgement", "judgement", 0.0, None, "", judgement))
    items.append(ItemResult("q6", "written", 3.0, None, "", written))
    return items


def sample_run() -> GradingRun:
    """Two matched students in ex02 (one hostile, late, with a note), one of them also in ex04; an unmatched
    submission; a superseded duplicate; an unreadable file."""
    alice = SubmissionResult(
        "alice/ex02.ipynb", exercise="ex02", student_id="s001", student_name="Alice Anders", section="S1",
        match="matched", anon="K7Q2", items=ex02_items({"q1": 1, "q3": 1, "q4": 1},
                                                       "Ling and Liu write from CFAU (ling2018 ¶22).",
                                                       "The reference confirms the visit."))
    bob = SubmissionResult(
        "bob-ex02.ipynb", exercise="ex02", student_id="s002", student_name="=HYPERLINK(\"x\")", section="S2",
        match="matched", anon="M3X9", late=True, notes=["cell 7 stopped at the 60 s time limit"],
        items=ex02_items({"q1": 1, "q2": 1}, HOSTILE, "*Write your judgement here.*"))
    carol = SubmissionResult(
        "carol.ipynb", exercise="ex02", student_id=None, student_name="Carol Unlisted", match="unmatched",
        anon="Z1Z1", items=ex02_items({}, "An unmatched answer.", ""))
    alice_old = SubmissionResult(
        "alice/ex02-old.ipynb", exercise="ex02", student_id="s001", student_name="Alice Anders", section="S1",
        match="duplicate", anon="P0P0", counted=False, items=ex02_items({}, "An old draft.", ""))
    alice_ex04 = SubmissionResult(
        "alice/ex04.ipynb", exercise="ex04", student_id="s001", student_name="Alice Anders", section="S1",
        match="matched", anon="K7Q2",
        items=[ItemResult("q1", "code", 1.0, 1.0, CORRECT, "x"), ItemResult("q2", "code", 1.0, 0.0, NOT_YET, "y"),
               ItemResult("q3", "chart", 1.0, 1.0, CORRECT, "chart"),
               ItemResult("q4", "criticism", 1.0, 1.0, CORRECT, "z"),
               ItemResult("q4-judgement", "judgement", 0.0, None, "", "A judgement on ex04."),
               ItemResult("q5", "written", 3.0, None, "", "A written answer to ex04.")])
    broken = SubmissionResult("junk.txt", notes=["not a notebook: invalid JSON"], match="unmatched")
    return GradingRun([alice, bob, carol, alice_old, alice_ex04, broken], {"sandbox": False, "run_id": "r1"})


def saved_run(folder: Path) -> Path:
    """:func:`sample_run` written as ``folder/results.json``; returns ``folder``."""
    sample_run().save(folder)
    return folder
