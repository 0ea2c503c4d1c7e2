"""The grading command: one batch over every kind of submission, which must always finish.

Generated from the solution and student editions of ex00 (and ex01), plus the static hostile
fixtures in tests/fixtures/submissions/. Submissions run sandboxed, two at a time, as
``make grade`` runs them. Results are read from ``results.json``.
"""
import copy
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from alliance.classroom.democlass import HOSTILE
from alliance.exercises import auto_questions, points_by_kind, solution_notebooks
from alliance.classroom.grading.__main__ import main
from alliance.classroom.grading.batch import grade
from alliance.classroom.results import GradingRun
from alliance.classroom.sandbox import Limits
from alliance.editions.solutions import strip_solutions
from tests._root import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "submissions"
CELL_TIMEOUT = 20      # long enough for the imports on a busy 2-core machine; a loop costs this much
TOTAL_TIMEOUT = 45
LIMITS = Limits(cell_timeout=CELL_TIMEOUT, total_timeout=TOTAL_TIMEOUT)


def _solution(ex: str):
    path = next(p for p in solution_notebooks() if p.name.startswith(ex))
    return nbformat.read(path, as_version=4)


def _replace_solution(nb, variable: str, source: str):
    """Replace the solution cell assigning ``variable``."""
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []) and f"{variable} =" in cell.source:
            cell.source = source
            return nb
    raise AssertionError(variable)


def _partly_right():
    """The student edition of ex00 with q1 and q2 answered from the solutions and q5 answered wrong."""
    solution = _solution("ex00")
    student = strip_solutions(solution)
    answers = {c.source.split(" =")[0].strip(): c.source for c in solution.cells
               if "solution" in c.metadata.get("tags", []) and c.cell_type == "code"}
    for cell in student.cells:
        first = cell.source.split(" =")[0].strip()
        if cell.source.startswith(("answer_q1 = ...", "answer_q2 = ...")):
            cell.source = next(src for src in answers.values() if src.lstrip().startswith(first) or f"{first} =" in src)
        elif cell.source.startswith("answer_q5 = ..."):
            cell.source = "answer_q5 = 2"
    return student


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    ex00 = _solution("ex00")
    # fully correct, renamed as if it were another exercise: the metadata decides
    nbformat.write(ex00, folder / "ex03-trade-frictions.ipynb")
    # unanswered student edition (of another exercise, in a sub-folder)
    (folder / "alice").mkdir()
    nbformat.write(strip_solutions(_solution("ex01")), folder / "alice" / "unanswered.ipynb")
    nbformat.write(_partly_right(), folder / "partly_right.ipynb")
    nbformat.write(_replace_solution(copy.deepcopy(ex00), "answer_q2", "raise RuntimeError('boom')"),
                   folder / "crashing.ipynb")
    died = copy.deepcopy(ex00)
    died.cells.insert(2, nbformat.v4.new_code_cell("import os\nos._exit(1)"))
    nbformat.write(died, folder / "kernel_dies.ipynb")
    nbformat.write(_replace_solution(copy.deepcopy(ex00), "answer_q5", "while True:\n    pass"),
                   folder / "looping.ipynb")
    stubborn = ("import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                "    except KeyboardInterrupt:\n        pass")
    nbformat.write(_replace_solution(copy.deepcopy(ex00), "answer_q5", stubborn), folder / "stubborn_loop.ipynb")
    empty = nbformat.v4.new_notebook()
    empty.metadata["alliance"] = {"exercise": "ex00"}
    nbformat.write(empty, folder / "empty.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer_q1 = 1")]),
                   folder / "no_metadata.ipynb")
    (folder / "zero_bytes.ipynb").write_bytes(b"")
    for fixture in FIXTURES.glob("*"):
        if fixture.name != "README.md":
            shutil.copy(fixture, folder / fixture.name)
    unanswered = strip_solutions(ex00)
    for case in ("replaced_checker", "forged_scores", "lying_object"):
        hostile = copy.deepcopy(unanswered)
        hostile.cells.insert(3, nbformat.v4.new_code_cell(HOSTILE[case]))
        nbformat.write(hostile, folder / f"{case}.ipynb")
    out = tmp_path_factory.mktemp("graded")
    start = time.monotonic()
    grade(folder, out, limits=LIMITS, jobs=2)
    elapsed = time.monotonic() - start
    run = GradingRun.load(out)
    rows = {r.submission: _row(r) for r in run.results}
    return rows, elapsed, folder


def _row(result) -> dict:
    """A result as the old grades.csv row: q1..qN points ("" for unmarked), total, error."""
    row = {i.id: ("" if i.score is None else f"{i.score:g}") for i in result.items}
    row.update(exercise=result.exercise, total=f"{result.total:g}", error="; ".join(result.notes),
               seconds=result.seconds, unmarked=result.unmarked, possible=f"{result.possible:g}")
    return row


def _auto(ex: str) -> list[str]:
    return [q["id"] for q in auto_questions(ex)]


@pytest.mark.kernel
def test_one_row_per_file_and_the_batch_finishes(graded):
    rows, elapsed, folder = graded
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(rows) == files
    assert elapsed < 150, elapsed


@pytest.mark.kernel
def test_fully_correct_gets_full_marks_whatever_its_name(graded):
    row = graded[0]["ex03-trade-frictions.ipynb"]
    assert row["exercise"] == "ex00"
    assert all(row[q] == "1" for q in _auto("ex00"))
    # possible: the automatic points, the written questions' and the judgement's points (from the key)
    assert row["total"] == str(len(_auto("ex00"))) and row["possible"] == f"{points_by_kind('ex00')['total']:g}"
    assert points_by_kind("ex00")["total"] == len(_auto("ex00")) + points_by_kind("ex00")["written"] + points_by_kind("ex00")["judgement"]
    assert row["unmarked"] == ["q4-judgement", "q6", "q7"]
    assert row["q6"] == "" and row["error"] == ""


@pytest.mark.kernel
def test_unanswered_student_edition_gets_zero(graded):
    row = graded[0]["alice/unanswered.ipynb"]
    assert row["exercise"] == "ex01"
    assert all(row[q] == "0" for q in _auto("ex01")) and row["total"] == "0"
    assert row["error"] == ""   # the student edition runs without errors


@pytest.mark.kernel
def test_partly_right(graded):
    row = graded[0]["partly_right.ipynb"]
    assert (row["q1"], row["q2"], row["q3"], row["q4"], row["q5"]) == ("1", "1", "0", "0", "0")
    assert row["total"] == "2"


@pytest.mark.kernel
def test_crashing_cell_loses_only_its_question(graded):
    row = graded[0]["crashing.ipynb"]
    assert row["q2"] == "0" and row["q1"] == row["q3"] == row["q5"] == "1"
    assert "RuntimeError: boom" in row["error"]


@pytest.mark.kernel
def test_dead_kernel_gets_zero_and_a_note(graded):
    row = graded[0]["kernel_dies.ipynb"]
    assert row["total"] == "0" and "ended the Python process in cell 3 (exit code 1)" in row["error"]


@pytest.mark.kernel
def test_loop_is_interrupted_and_the_rest_graded(graded):
    row = graded[0]["looping.ipynb"]
    assert row["q5"] == "0" and row["q1"] == row["q4"] == "1"
    assert f"{CELL_TIMEOUT} s cell time limit" in row["error"]


@pytest.mark.kernel
def test_loop_that_ignores_interrupts_hits_the_total_limit(graded):
    row = graded[0]["stubborn_loop.ipynb"]
    assert row["total"] == "0" and f"{TOTAL_TIMEOUT} s total time limit" in row["error"], row["error"]
    assert float(row["seconds"]) < TOTAL_TIMEOUT + 15


@pytest.mark.kernel
@pytest.mark.parametrize("case", ["replaced_checker", "forged_scores", "lying_object"])
def test_code_in_the_submission_cannot_give_itself_points(graded, case):
    """Replacing check() or the scoring code, printing score lines or answering with an object that
    equals everything: the answers are compared in the grading process, so nothing is earned."""
    row = graded[0][f"{case}.ipynb"]
    assert all(row[q] == "0" for q in _auto("ex00")) and row["total"] == "0", row


@pytest.mark.parametrize("name, note", [
    ("truncated.ipynb", "invalid JSON"),
    ("not-a-notebook.txt", "invalid JSON"),
    ("zero_bytes.ipynb", "empty file"),
    ("empty.ipynb", "empty notebook"),
    ("no_metadata.ipynb", "no exercise id"),
])
@pytest.mark.kernel
def test_hostile_submissions_get_zero_and_a_note(graded, name, note):
    row = graded[0][name]
    assert row["total"] == "0" and note in row["error"]


def test_command_line_on_a_folder_of_non_notebooks(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.ipynb").write_text("{not json")
    assert main([str(tmp_path / "in")]) == 0
    assert "Graded 1 submission(s)" in capsys.readouterr().out
    assert "invalid JSON" in (tmp_path / "in-graded" / "grades.csv").read_text()


def test_without_a_sandbox_grading_refuses_unless_asked(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("alliance.classroom.sandbox.find_bwrap", lambda: None)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.ipynb").write_text("{not json")
    assert main([str(tmp_path / "in")]) == 3
    assert "no sandbox" in capsys.readouterr().err and not (tmp_path / "in-graded").exists()
    assert main([str(tmp_path / "in"), "--no-sandbox"]) == 0
    assert "WITHOUT a sandbox" in capsys.readouterr().err
