"""Rehearsal and what students see (issue 21): every hostile case on request in the demo class, a plain page
for an upload that is not a notebook, and printed commands that are the guide's."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from alliance import democlass
from alliance.feedback import feedback_html
from alliance.marking import MystRenderer
from alliance.results import SubmissionResult


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
