"""alliance.classroom.feedback: one self-contained page per student and exercise, and the zip for the LMS."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from alliance.classroom import feedback
from alliance.classroom.feedback import page_name, write_feedback
from alliance.classroom.marking.texts import MystRenderer
from alliance.classroom.results import GradingRun
from tests._runs import sample_run

PLAIN = MystRenderer(None)


def test_one_page_per_counted_matched_submission(out: Path, texts: dict) -> None:
    pages = write_feedback(out, renderer=PLAIN, texts=texts)
    assert sorted(p.name for p in pages) == ["s001-ex02.html", "s001-ex04.html", "s002-ex02.html"]
    with zipfile.ZipFile(out / "feedback.zip") as archive:
        assert sorted(archive.namelist()) == sorted(p.name for p in pages)
        assert archive.read("s001-ex02.html") == (out / "feedback" / "s001-ex02.html").read_bytes()
    alice = (out / "feedback" / "s001-ex02.html").read_text(encoding="utf-8")
    assert "An old draft." not in alice                              # the superseded duplicate is not shown


def test_page_content(out: Path, texts: dict) -> None:
    write_feedback(out, renderer=PLAIN, texts=texts)
    bob = (out / "feedback" / "s002-ex02.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in bob and "<title>Feedback: ex02 — =HYPERLINK(&quot;x&quot;)</title>" in bob
    assert "<script" not in bob and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in bob
    assert "<link" not in bob and "src=" not in bob                  # self-contained
    assert "Total: 2 out of 8 points." in bob and "Not yet marked: q6" in bob
    assert "cell 7 stopped at the 60 s time limit" in bob and "Handed in late." in bob
    assert "✔ Correct</strong>: 1 out of 1 point." in bob
    assert "✘ Not yet</strong>: 0 out of 1 point. not yet. Expected a list of four strings. Hint: use re.search." in bob
    assert "<strong>Not yet marked</strong> (out of 3 points)" in bob
    assert "Question 6: Two readings of transactionalism" in bob and "(no answer)" in bob
    assert "Model answer" not in bob and "Marking rubric" not in bob


def test_marks_and_comments_after_merge(out: Path, texts: dict) -> None:
    run = GradingRun.load(out)
    bob = next(r for r in run.results if r.student_id == "s002")
    bob.item("q6").score, bob.item("q6").comment = 1.0, "<b>Cite</b> the paragraphs."
    bob.item("q4-judgement").comment = "Say which part is the authors' reading."
    run.save(out)
    write_feedback(out, renderer=PLAIN, texts=texts)
    page = (out / "feedback" / "s002-ex02.html").read_text(encoding="utf-8")
    assert "Mark: 1 out of 3 points." in page and "&lt;b&gt;Cite&lt;/b&gt; the paragraphs." in page
    assert "Say which part is the authors&#x27; reading." in page
    assert "Total: 3 out of 8 points." in page and "Not yet marked" not in page


def test_model_answers_only_when_asked(out: Path, texts: dict) -> None:
    write_feedback(out, model_answers=True, renderer=PLAIN, texts=texts)
    page = (out / "feedback" / "s001-ex02.html").read_text(encoding="utf-8")
    assert "<h3>Model answer</h3>" in page and "<h3>Model judgement</h3>" in page
    assert "Marking rubric" not in page


def test_stale_pages_are_removed(out: Path, texts: dict) -> None:
    (out / "feedback").mkdir()
    (out / "feedback" / "s999-ex02.html").write_text("old", encoding="utf-8")
    write_feedback(out, renderer=PLAIN, texts=texts)
    assert not (out / "feedback" / "s999-ex02.html").exists()


def test_page_name_is_safe() -> None:
    result = sample_run().results[0]
    result.student_id = "../../etc/x y"
    assert page_name(result) == "etc_x_y-ex02.html"


def test_cli(out: Path) -> None:
    assert feedback.main([str(out), "--model-answers"]) == 0
    assert "Model answer" in (out / "feedback" / "s001-ex02.html").read_text(encoding="utf-8")
