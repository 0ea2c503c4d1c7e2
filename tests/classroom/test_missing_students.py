"""Who is missing (issue 21): rosters without email or exported from Canvas, students with no submission
per exercise in the matching check and the gradebook, and a changed roster matched again."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from alliance.classroom import gradebook
from alliance.classroom.grading.batch import finish
from alliance.classroom.roster.__main__ import main as roster_main
from alliance.classroom.results import GradingRun, ItemResult, SubmissionResult
from alliance.classroom.roster.students import load_roster
from tests.classroom.test_roster import EX00, EX03, notebook

#: Canvas's "Export Entire Gradebook", as it writes it (a points row, a test student, extra columns).
CANVAS_EXPORT = (
    "Student,ID,SIS User ID,SIS Login ID,Section,ex00 Reading the sources (101),Current Score\n"
    "    Points Possible,,,,,8,\n"
    "\"Smith, Jane\",9101,s001,jsmith,A,,\n"
    "\"Yamada, Taro\",9102,s002,tyamada,B,,\n"
    "\"Student, Test\",9199,,,A,,\n"
)


def test_a_roster_without_email_or_section(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name\ns001,Jane Smith\ns002,Taro Yamada\n", encoding="utf-8")
    students = load_roster(path).students
    assert [(s.student_id, s.name, s.email, s.section) for s in students] == [
        ("s001", "Jane Smith", "", ""), ("s002", "Taro Yamada", "", "")]


def test_a_canvas_gradebook_export_is_a_roster(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CANVAS_EXPORT, encoding="utf-8")
    roster = load_roster(path)
    assert [(s.student_id, s.name, s.section) for s in roster.students] == [
        ("s001", "Smith, Jane", "A"), ("s002", "Yamada, Taro", "B")]
    assert [s.student_id for s in roster.by_slug("smithjane")] == ["s001"]   # Canvas file names still match


def test_the_matching_check_lists_students_with_no_submission(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name\ns001,Jane Smith\ns002,Taro Yamada\ns003,Ann Lee\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.ipynb").write_bytes(notebook(EX03, "Jane Smith", "s001"))
    (folder / "b.ipynb").write_bytes(notebook(EX03, "Taro Yamada", "s002"))
    (folder / "c.ipynb").write_bytes(notebook(EX00, "Taro Yamada", "s002"))
    assert roster_main([str(path), str(folder)]) == 0
    printed = capsys.readouterr().out
    assert "Roster students with no submission, per exercise:" in printed
    assert "  ex00: 2 with no submission: Ann Lee (s003), Jane Smith (s001)" in printed
    assert "  ex03: 1 with no submission: Ann Lee (s003)" in printed


def _result(source: str, notebook_id: str, exercise: str = "ex00") -> SubmissionResult:
    return SubmissionResult(source, exercise=exercise, items=[ItemResult("q1", "code", 1.0, 1.0, "correct.", "x")],
                            evidence={"notebook_id": notebook_id, "notebook_name": ""})


def test_the_gradebook_lists_missing_students_and_matches_a_changed_roster_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name\ns001,Jane Smith\ns002,Taro Yamada\n", encoding="utf-8")
    out = tmp_path / "graded"
    run = GradingRun([_result("jane.ipynb", "s001"), _result("new.ipynb", "s003")], {})
    finish(run, out, path)
    with (out / "missing.csv").open(encoding="utf-8", newline="") as stream:
        assert list(csv.reader(stream)) == [["exercise", "student_id", "name", "section"],
                                            ["ex00", "s002", "Taro Yamada", ""]]
    # a student added to the roster after grading: the gradebook matches the submissions again
    path.write_text("student_id,name\ns001,Jane Smith\ns002,Taro Yamada\ns003,Ann Lee\n", encoding="utf-8")
    assert gradebook.main([str(out), "--roster", str(path)]) == 0
    printed = capsys.readouterr().out
    assert "is not the one the submissions were matched with (changed or another file): matched them again; " \
           "1 submission(s) changed their student or status." in printed
    assert "Roster students with no submission (missing.csv):\n  ex00: 1: Taro Yamada (s002)" in printed
    assert "make feedback" not in printed                            # no feedback pages written yet
    with (out / "canvas.csv").open(encoding="utf-8", newline="") as stream:
        rows = {r[2]: r for r in csv.reader(stream)}
    assert rows["s003"][-1] == "1" and rows["s002"][-1] == ""
    ann = next(r for r in GradingRun.load(out).results if r.submission == "new.ipynb")
    assert (ann.match, ann.student_id) == ("matched", "s003")
    assert gradebook.main([str(out)]) == 0                           # the same roster again: nothing to do
    assert "matched them again" not in capsys.readouterr().out


def test_a_roster_change_after_feedback_reminds_to_write_it_again(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name\ns001,Jane Smith\n", encoding="utf-8")
    out = tmp_path / "graded"
    finish(GradingRun([_result("jane.ipynb", "s001"), _result("new.ipynb", "s003")], {}), out, path)
    (out / "feedback").mkdir()
    path.write_text("student_id,name\ns001,Jane Smith\ns003,Ann Lee\n", encoding="utf-8")
    assert gradebook.main([str(out), "--roster", str(path)]) == 0
    assert (f"The feedback pages in {out / 'feedback'} were written with the earlier matching: "
            f"run make feedback OUT={out} again before returning them.") in capsys.readouterr().out
