"""Rehearsal and what students see (issue 21): every hostile case on request in the demo class, a plain page
for an upload that is not a notebook, and printed commands that are the guide's."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from alliance.classroom import democlass
from alliance.classroom.feedback import feedback_html
from alliance.classroom.marking.texts import MystRenderer
from alliance.classroom.results import SubmissionResult


def test_the_demo_class_can_hold_every_hostile_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert democlass.main([str(tmp_path / "demo"), "--students", "5", "--exercises", "ex00,ex03",
                           "--hostile", "all"]) == 0
    printed = capsys.readouterr().out
    for case in democlass.HOSTILE:
        assert f'"hostile:{case}": 1' in printed, case
    with zipfile.ZipFile(tmp_path / "demo" / "submissions.zip") as archive:
        assert len(archive.namelist()) == 5 * 2 + 3
    assert f"make grade SUBMISSIONS={tmp_path / 'demo' / 'submissions.zip'} ROSTER={tmp_path / 'demo' / 'roster.csv'}" \
        in printed
    with pytest.raises(SystemExit):
        democlass.main([str(tmp_path / "demo2"), "--hostile", "memory_hog,no_such_case"])
    assert "unknown hostile case(s) no_such_case" in capsys.readouterr().err


def test_an_upload_that_is_not_a_notebook_gets_a_plain_page() -> None:
    notes = SubmissionResult("submissions.zip!student001_1001_500013_notes.txt", student_id="100001",
                             student_name="Student 001", match="matched",
                             notes=["not a notebook: invalid JSON (Expecting value: line 1 column 1 (char 0))"])
    page = feedback_html(notes, None, MystRenderer(None))
    assert "<title>Your upload could not be graded</title>" in page
    assert "The file you handed in, <code>notes.txt</code>, is not a notebook of the course exercises" in page
    assert "Feedback: ," not in page and "JSON" not in page and "Expecting value" not in page


@pytest.mark.kernel
def test_every_hostile_case_of_the_demo_leaves_a_grading_note(tmp_path: Path) -> None:
    """The guide says the grading notes show the sandbox stopping each hostile case: each one has a note."""
    from alliance.classroom.grading.batch import grade
    from alliance.classroom.sandbox import Limits

    roster, archive, planned = democlass.write_class(tmp_path, len(democlass.HOSTILE), ["ex00"], seed=3,
                                                     hostile_cases=list(democlass.HOSTILE))
    run = grade(archive, tmp_path / "graded", roster, Limits(cell_timeout=5, total_timeout=30), jobs=2)
    by_member = {r.submission.split("!", 1)[1]: r for r in run.results}
    hostile = {p.kind.split(":", 1)[1]: by_member[p.member] for p in planned if p.kind.startswith("hostile:")}
    assert sorted(hostile) == sorted(democlass.HOSTILE)
    assert {case for case, result in hostile.items() if not result.notes} == set()
    assert "changes the course's checking code (_e.answer_digest, _e.check, _e.score_namespace)" \
        in " ".join(hostile["replaced_checker"].notes)
    assert "prints a claim of scores" in " ".join(hostile["forged_scores"].notes)
    assert "answer_q1, answer_q2, answer_q5: not plain data" in " ".join(hostile["lying_object"].notes)
    assert all(r.sandboxed for r in hostile.values())
    assert [n for r in run.results if r.submission.split("!", 1)[1] not in {p.member for p in planned
            if p.kind.startswith("hostile:")} and r.exercise for n in r.notes] == []   # no note on honest work
