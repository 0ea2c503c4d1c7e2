"""alliance.classroom.gradebook: grades.csv, the Canvas import CSV and the per-question summary."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from alliance.classroom import gradebook
from alliance.classroom.gradebook import (format_points, is_answered, summarize, write_canvas_csv, write_grades_csv,
                                write_summary)
from alliance.classroom.results import ItemResult
from tests._runs import sample_run, saved_run


@dataclass
class Student:
    student_id: str
    name: str
    email: str
    section: str


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_format_points_and_answered() -> None:
    assert [format_points(v) for v in (3.0, 2.5, None, 0.333)] == ["3", "2.5", "", "0.33"]
    assert not is_answered(ItemResult("q6", "written", 3, answer="*Write your answer here.*"))
    assert not is_answered(ItemResult("q1", "code", 1, answer="x", message="not yet answered: replace ..."))
    assert is_answered(ItemResult("q6", "written", 3, answer="My answer"))


def test_grades_csv_rows(tmp_path: Path) -> None:
    path = write_grades_csv(sample_run(), tmp_path / "grades.csv")
    header, *rows = _rows(path)
    assert header == ["student_id", "name", "section", "exercise", "submission", "q1", "q2", "q3", "q4", "q5", "q6",
                      "total", "possible", "to_mark_by_hand", "late", "match", "counted", "notes"]
    table = [dict(zip(header, row)) for row in rows]
    assert [(r["student_id"], r["exercise"], r["possible"]) for r in table[:2]] == [
        ("Points possible", "ex02", "8"), ("Points possible", "ex04", "7")]
    assert table[0]["q6"] == "3" and table[1]["q6"] == ""           # ex04 has no q6
    students = table[2:]
    assert [r["counted"] for r in students] == ["yes"] * 5 + ["no"]   # counted first (the junk file counts)
    alice = next(r for r in students if r["submission"] == "alice/ex02.ipynb")
    assert (alice["q1"], alice["q2"], alice["q6"], alice["total"], alice["to_mark_by_hand"]) == ("1", "0", "", "3", "q6")
    bob = next(r for r in students if r["student_id"] == "s002")
    assert bob["name"].startswith("'=")                              # not run as a formula
    assert (bob["late"], bob["notes"]) == ("yes", "cell 7 stopped at the 60 s time limit")
    junk = next(r for r in students if r["submission"] == "junk.txt")
    assert (junk["exercise"], junk["total"], junk["match"]) == ("", "0", "unmatched")


def test_grades_csv_counts_merged_marks(tmp_path: Path) -> None:
    run = sample_run()
    run.results[0].item("q6").score = 2.5
    header, *rows = _rows(write_grades_csv(run, tmp_path / "grades.csv"))
    alice = next(dict(zip(header, r)) for r in rows if r[4] == "alice/ex02.ipynb")
    assert (alice["q6"], alice["total"], alice["to_mark_by_hand"]) == ("2.5", "5.5", "")


def test_canvas_csv(tmp_path: Path) -> None:
    roster = [Student("s001", "Alice Anders", "a@x.edu", "S1"), Student("s002", "Bob Brown", "b@x.edu", "S2"),
              Student("s003", "Dan Dorsey", "d@x.edu", "S1")]
    header, points, *rows = _rows(write_canvas_csv(sample_run(), roster, tmp_path / "canvas.csv"))
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert header[5].startswith("ex02 ") and header[6].startswith("ex04 ")
    assert points == ["Points Possible", "", "", "", "", "8", "7"]
    by_id = {r[2]: r for r in rows}
    assert set(by_id) == {"s001", "s002", "s003"}                    # every roster student, Carol (unmatched) not
    assert by_id["s001"][5:] == ["3", "3"]                           # the duplicate (not counted) is ignored
    assert by_id["s002"][5:] == ["2", ""]
    assert by_id["s003"][5:] == ["", ""]                             # nothing submitted: blank


def test_summary_numbers() -> None:
    rows = {(s.exercise, s.question): s for s in summarize(sample_run())}
    q1, q5, q6 = rows[("ex02", "q1")], rows[("ex02", "q5")], rows[("ex02", "q6")]
    assert (q1.submissions, q1.answered, round(q1.share_correct, 4)) == (3, 3, round(2 / 3, 4))
    assert (q5.answered, q5.share_correct) == (0, 0.0)
    assert (q6.answered, q6.marked, q6.mean_mark) == (3, 0, None)
    assert ("ex02", "q4-judgement") not in rows


def test_summary_files(tmp_path: Path) -> None:
    run = sample_run()
    for result, mark in zip(run.results[:2], (3.0, 1.0)):
        result.item("q6").score = mark
    csv_path, html_path = write_summary(run, tmp_path)
    header, *rows = _rows(csv_path)
    q6 = next(dict(zip(header, r)) for r in rows if r[:2] == ["ex02", "q6"])
    assert (q6["mean_mark"], q6["marked"], q6["answered"]) == ("2.00", "2", "3")
    page = html_path.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<title>Results per question</title>" in page
    assert "<svg" in page and "Chart description." in page and '<th scope="col">' in page
    assert "Highest: ex04 q1 at 100%; lowest: ex02 q5 at 0%." in page   # computed from the results
    assert "no mark yet (no bar): ex04 q5." in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_cli_writes_grades_and_summary(tmp_path: Path) -> None:
    out = saved_run(tmp_path / "out")
    assert gradebook.main([str(out)]) == 0
    assert {p.name for p in out.iterdir()} >= {"grades.csv", "summary.csv", "summary.html"}


def test_cli_without_results(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        gradebook.main([str(tmp_path)])
