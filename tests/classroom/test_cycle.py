"""A whole course cycle, end to end, as an instructor runs it.

A roster and a synthetic Canvas zip (:mod:`alliance.classroom.democlass`: matched, late, unmatched,
duplicate, not-a-notebook and hostile submissions) are graded in the sandbox into
``results.json`` and ``grades.csv``; the marking sheet is exported, filled and merged (written answers
and the judgements of the source-criticism questions, each out of the points of its answer key); feedback
pages and the Canvas import are written, with the judgements' marks counted. The same class graded in two shards and merged gives
the same results as one run.
"""
from __future__ import annotations

import csv
import json
import zipfile
from dataclasses import asdict
from pathlib import Path

import pytest

from alliance.classroom.democlass import write_class
from alliance.exercises import points_by_kind, questions
from alliance.classroom.feedback import write_feedback
from alliance.classroom.grading.batch import grade, merge
from alliance.classroom.marking.merge import merge_marks
from alliance.classroom.marking.page import export_marking
from alliance.classroom.marking.sheet import MarkingError
from alliance.classroom.results import GradingRun
from alliance.classroom.sandbox import Limits

LIMITS = Limits(cell_timeout=20, total_timeout=60)
HOSTILE = ["replaced_checker", "memory_hog", "fork_bomb", "writes_outside"]
STUDENTS = 5
EXERCISES = ["ex00", "ex03"]


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    here = tmp_path_factory.mktemp("class")
    roster, archive, planned = write_class(here, STUDENTS, EXERCISES, seed=3, hostile_cases=HOSTILE)
    out = here / "graded"
    run = grade(archive, out, roster, LIMITS, jobs=2)
    return here, roster, archive, planned, out, run


def _by_kind(cycle) -> dict[str, list]:
    _, _, archive, planned, _, run = cycle
    results = {r.submission: r for r in run.results}
    found: dict[str, list] = {}
    for item in planned:
        found.setdefault(item.kind, []).append(results[f"{archive.name}!{item.member}"])
    return found


@pytest.mark.kernel
def test_every_file_of_the_zip_has_one_result(cycle):
    _, _, archive, planned, out, run = cycle
    with zipfile.ZipFile(archive) as zipped:
        members = sorted(f"{archive.name}!{name}" for name in zipped.namelist())
    assert sorted(r.submission for r in run.results) == members == sorted(f"{archive.name}!{p.member}" for p in planned)
    assert all(r.sandboxed for r in run.results)
    assert GradingRun.load(out).results == run.results


@pytest.mark.kernel
def test_identity_late_unmatched_and_duplicates(cycle):
    _, _, _, planned, _, run = cycle
    kinds = _by_kind(cycle)
    plan_of = {p.member: p for p in planned}
    for result in run.results:
        item = plan_of[result.submission.split("!", 1)[1]]
        if item.kind == "unknown_student":
            assert result.match == "unmatched" and result.student_id is None and not result.counted
        else:
            assert result.student_id == item.student.student_id, result.match_note
        assert result.late == item.late
    no_id = [r for r in kinds.get("no_id", [])]
    assert all("Canvas name" in r.match_note for r in no_id)
    duplicate = kinds["duplicate"][0]
    superseded = [r for r in run.results if r.student_id == duplicate.student_id
                  and r.exercise == duplicate.exercise and r is not duplicate]
    assert duplicate.counted and duplicate.match == "matched"
    assert [r.match for r in superseded] == ["duplicate"] and not superseded[0].counted
    assert "not a notebook" in kinds["not_a_notebook"][0].notes[0]


@pytest.mark.kernel
def test_full_partial_and_empty_submissions_get_what_they_earned(cycle):
    kinds = _by_kind(cycle)
    for result in kinds["full"]:
        auto = [i for i in result.items if i.kind in ("code", "chart", "criticism")]
        assert all(i.score == i.points for i in auto), (result.submission, [(i.id, i.message) for i in auto])
        assert result.notes == []
    for result in kinds["partial"]:
        assert result.total == 2.0, result.submission
    for result in kinds.get("empty", []):
        assert result.total == 0.0


@pytest.mark.kernel
def test_hostile_submissions_earn_nothing_they_did_not_answer_and_are_stopped(cycle):
    kinds = _by_kind(cycle)
    checker = kinds["hostile:replaced_checker"][0]
    # a full submission that also replaced check(): its points are its own answers', not the forgery's
    assert all(i.score == i.points for i in checker.items if i.kind != "written" and i.kind != "judgement")
    assert kinds["hostile:memory_hog"][0].notes[0] == "memory limit of 2 GB reached in cell 3"
    assert kinds["hostile:fork_bomb"][0].notes[0] == "process limit of 64 reached in cell 3"
    outside = kinds["hostile:writes_outside"][0]
    assert "tried to write outside its own folder" in outside.notes[0]
    assert not (Path.home() / "stolen.txt").exists() and not Path("/tmp/alliance-stolen.txt").exists()


@pytest.mark.kernel
def test_grades_csv_has_points_possible_and_every_submission(cycle):
    _, _, _, planned, out, _ = cycle
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    possible = [r for r in rows if r["student_id"] == "Points possible"]
    assert sorted(r["exercise"] for r in possible) == EXERCISES
    # automatic, written and judgement points, all read from the answer keys
    assert {r["exercise"]: r["possible"] for r in possible} == {e: f"{points_by_kind(e)['total']:g}" for e in EXERCISES}
    assert all(points_by_kind(e)["total"] > 0 for e in EXERCISES)
    # a source-criticism question's column holds its automatic point and its judgement's points
    assert next(r for r in possible if r["exercise"] == "ex00")["q4"] == "3"
    assert len(rows) - len(possible) == len(planned)


@pytest.mark.kernel
def test_marking_sheet_round_trip(cycle, tmp_path):
    _, _, _, _, out, _ = cycle
    _, sheet = export_marking(out)
    with open(sheet, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    page = (out / "marking" / "index.html").read_text(encoding="utf-8")
    run = GradingRun.load(out)
    for result in run.results:
        if result.student_id:
            assert result.student_id not in page and result.submission not in page
    bad = tmp_path / "bad.csv"
    with open(bad, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        written = next(r for r in rows if r["question"] == "q6")
        writer.writerow({**written, "mark": "5"})
    with pytest.raises(MarkingError, match="line 2"):
        merge_marks(out, bad)
    judged = [r for r in rows if r["question"].endswith("-judgement")]
    assert judged and {r["points_possible"] for r in judged} == {"2"}
    # a judgement has 2 points: a mark of 3 is refused, and nothing is merged
    with open(bad, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow({**judged[0], "mark": "3"})
    with pytest.raises(MarkingError, match=r"line 2 .*q4-judgement\): mark 3 is above the 2 points"):
        merge_marks(out, bad)
    assert all(i.score is None for r in GradingRun.load(out).results for i in r.items if i.kind == "judgement")
    for row in rows:
        if row["points_possible"] != "0":
            row["mark"] = "1.5" if row["question"].endswith("-judgement") else "2"
        row["comment"] = "Clear reading of both texts."
    with open(sheet, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    merged = merge_marks(out, sheet)
    marked = [r for r in merged.results if r.counted and r.exercise and any(i.kind == "written" for i in r.items)]
    assert marked and all(r.unmarked == [] for r in marked)
    def full_marks(exercise: str) -> float:  # every automatic point, 2 on each written answer, 1.5 on each judgement
        by_kind = points_by_kind(exercise)
        written = sum(1 for q in questions(exercise) if q["kind"] == "written")
        judged = sum(1 for q in questions(exercise) if q.get("judgement_points"))
        return by_kind["automatic"] + 2 * written + 1.5 * judged

    full = next(r for r in marked if r.exercise == "ex00" and r.total == full_marks("ex00"))
    assert full.possible == points_by_kind("ex00")["total"] and full.item("q4-judgement").score == 1.5
    # the gradebook counts the judgement's mark in its question's column and in the total
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        graded = next(r for r in csv.DictReader(handle) if r["submission"] == full.submission)
    assert (graded["q4"], graded["total"], graded["possible"], graded["to_mark_by_hand"]) == (
        "2.5", f"{full_marks('ex00'):g}", f"{points_by_kind('ex00')['total']:g}", "")
    with open(out / "summary.csv", newline="", encoding="utf-8") as handle:
        summary = {(r["exercise"], r["question"]): r for r in csv.DictReader(handle)}
    assert summary[("ex00", "q4-judgement")]["kind"] == "judgement" and summary[("ex00", "q4-judgement")]["points"] == "2"


@pytest.mark.kernel
def test_feedback_pages_and_canvas_import(cycle):
    _, roster, _, _, out, _ = cycle
    run = GradingRun.load(out)
    pages = write_feedback(out)
    counted_matched = [r for r in run.results if r.counted and r.match == "matched"]
    assert len(pages) == len(counted_matched)
    # the student whose file was not a notebook is told so
    unreadable = next(r for r in counted_matched if not r.exercise)
    page = next(p for p in pages if p.name.startswith(unreadable.student_id) and "exercise" in p.name)
    assert "not a notebook" in page.read_text(encoding="utf-8")
    assert (out / "feedback.zip").exists()
    # the judgement's mark (merged above) is on the student's page, marked with its rubric, and in the total
    full = next(r for r in counted_matched if r.exercise == "ex00" and r.item("q4-judgement").score == 1.5)
    text = next(p for p in pages if p.name == f"{full.student_id}-ex00.html").read_text(encoding="utf-8")
    assert "Mark: 1.5 out of 2 points, marked with its rubric." in text
    possible = f"{points_by_kind('ex00')['total']:g}"
    assert f"Total: {full.total:g} out of {possible} points." in text and "each judgement is marked with its rubric" in text
    with open(out / "canvas.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][0].strip() == "Points Possible"
    assert len(rows) == 2 + STUDENTS
    ex00 = rows[0].index(next(c for c in rows[0] if c.startswith("ex00")))
    assert rows[1][ex00] == possible
    assert next(r for r in rows[2:] if r[2] == full.student_id)[ex00] == f"{full.total:g}"


def _comparable(run: GradingRun) -> list[dict]:
    rows = []
    for result in sorted(run.results, key=lambda r: r.submission):
        row = asdict(result)
        row.pop("seconds")
        row.pop("anon")  # random per run, so markers cannot link two runs
        rows.append(row)
    return rows


@pytest.mark.kernel
def test_shards_merged_equal_one_run(cycle, tmp_path):
    _, roster, archive, _, _, _ = cycle
    whole = grade(archive, tmp_path / "whole", roster, LIMITS, jobs=2)
    parts = [grade(archive, tmp_path / f"shard{i}", roster, LIMITS, jobs=2, shard=(i, 2)) for i in (1, 2)]
    assert sum(len(p.results) for p in parts) == len(whole.results)
    with pytest.raises(ValueError, match="expected shards"):
        merge(tmp_path / "bad", [tmp_path / "shard1"], roster)
    merged = merge(tmp_path / "merged", [tmp_path / "shard1", tmp_path / "shard2"], roster)
    assert _comparable(merged) == _comparable(whole)
    assert json.loads((tmp_path / "merged" / "results.json").read_text())["settings"]["shard"] == "merged from 2 shards"
