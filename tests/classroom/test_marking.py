"""alliance.classroom.marking: the anonymous marking page and sheet, and merging a filled sheet."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from alliance.editions.links import BookIndex
from alliance.exercises import solution_notebooks
from alliance.classroom.marking.__main__ import main
from alliance.classroom.marking.merge import merge_marks
from alliance.classroom.marking.page import export_marking
from alliance.classroom.marking.sheet import MARKS_COLUMNS, RUN_COLUMN, MarkingError
from alliance.classroom.marking.texts import MystRenderer, read_exercise_text
from alliance.editions.myst import unlinked_commonmark
from alliance.classroom.results import GradingRun
from tests._runs import sample_run
from tests._root import REPO_ROOT

PLAIN = MystRenderer(None)
EX02 = next(p for p in solution_notebooks() if p.name.startswith("ex02"))


def _sheet(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=[*MARKS_COLUMNS, RUN_COLUMN])
        writer.writeheader()
        writer.writerows({"points_possible": "", "mark": "", "comment": "", "run": "", **r} for r in rows)
    return path


def _exported_rows(out: Path) -> list[dict[str, str]]:
    with (out / "marking" / "marks.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_read_exercise_text_finds_question_model_and_rubric() -> None:
    text = read_exercise_text(EX02)
    assert (text.exercise, text.docname) == ("ex02", "exercises/ex02-transactionalism")
    written = text.questions["q6"]
    assert written.heading == "Question 6: Two readings of transactionalism"
    assert written.model_title == "Model answer" and "Ling and Liu" in written.model
    assert written.rubric_title == "Marking rubric (3 points)" and "**1 point**" in written.rubric
    judgement = text.questions["q4-judgement"]
    assert judgement.model_title == "Model judgement"
    assert judgement.rubric_title == "Marking rubric (2 points)" and judgement.rubric.count("**1 point**") == 2
    assert "Source criticism · 1 point" in judgement.prompt and "Your judgement" in judgement.prompt
    assert "## Question" not in judgement.prompt and "## Question" not in written.prompt
    assert "Your judgement" not in text.questions["q4"].prompt


def test_plain_rendering_of_myst() -> None:
    source = ("```{admonition} Model answer\n:class: dropdown\nSee {para}`ling2018:5-8` and "
              "{q}`ling2018 ¶21: bargaining chip`, {term}`Article V`, {cite:p}`yuan2018alliance`.\n```")
    text = unlinked_commonmark(source)
    assert text.startswith("**Model answer**")
    assert "ling2018 ¶5-8" in text and "“bargaining chip” (ling2018 ¶21)" in text and "Article V" in text
    assert "{" not in text and "```" not in text and ":class:" not in text
    assert "<strong>Model answer</strong>" in PLAIN.html(source, "exercises/ex02-transactionalism")


def test_rendering_with_the_book_links_into_it() -> None:
    book = BookIndex("https://example.org/book/",
                     {("std:term", "Article V"): ("appendix/glossary.html#term-Article-V", "Article V")},
                     REPO_ROOT)
    rendered = MystRenderer(book).html("{para}`ling2018:22` and {term}`Article V`", "exercises/ex02-transactionalism")
    assert 'href="https://example.org/book/appendix/sources/ling2018.html#ling2018-p22"' in rendered
    assert 'href="https://example.org/book/appendix/glossary.html#term-Article-V"' in rendered
    # a construct the built book cannot resolve falls back to the plain rendering
    assert MystRenderer(book).html("{doc}`/chapters/no-such-page`", "x") == "<p>no-such-page</p>\n"


def test_export_is_anonymous_and_complete(out: Path, texts: dict) -> None:
    page, sheet = export_marking(out, PLAIN, texts)
    files = page.read_text(encoding="utf-8") + sheet.read_text(encoding="utf-8")
    for result in sample_run().results:
        for private in (result.student_name, result.student_id, result.submission, result.section):
            if private:
                assert private not in files, private
    page_text = page.read_text(encoding="utf-8")
    for shown in ("K7Q2", "M3X9", "Z1Z1", "Marking rubric (3 points)", "Model answer", "Model judgement",
                  "Question 6: Two readings of transactionalism", "Ling and Liu write from CFAU"):
        assert shown in page_text, shown
    assert "P0P0" not in files                                       # a superseded duplicate is not marked
    assert "<script" not in page_text and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page_text
    assert page_text.count("(no answer)") >= 2                       # Bob's placeholder, Carol's blank judgement
    assert '<html lang="en">' in page_text and "<title>Hand marking</title>" in page_text
    assert "is shown as <em>(no answer)</em>" in page_text
    assert "<h2>Question " not in page_text                          # headings stay in order (h2, h3, h4)


def test_export_sheet_rows(out: Path, texts: dict) -> None:
    export_marking(out, PLAIN, texts)
    rows = _exported_rows(out)
    assert list(rows[0]) == ["anon", "exercise", "question", "points_possible", "mark", "comment", "run"]
    assert {r["run"] for r in rows} == {"r1"}
    keys = [(r["anon"], r["exercise"], r["question"], r["points_possible"]) for r in rows]
    assert sorted(keys) == sorted([(a, "ex02", "q4-judgement", "0") for a in ("K7Q2", "M3X9", "Z1Z1")]
                                  + [(a, "ex02", "q6", "3") for a in ("K7Q2", "M3X9", "Z1Z1")]
                                  + [("K7Q2", "ex04", "q4-judgement", "0"), ("K7Q2", "ex04", "q5", "3")])
    assert all(r["mark"] == "" and r["comment"] == "" for r in rows)


def test_export_needs_anonymous_codes(tmp_path: Path, texts: dict) -> None:
    run = sample_run()
    run.results[1].anon = ""
    run.save(tmp_path)
    with pytest.raises(MarkingError, match="no anonymous code"):
        export_marking(tmp_path, PLAIN, texts)


def test_merge_writes_marks_comments_and_gradebook(out: Path, texts: dict) -> None:
    export_marking(out, PLAIN, texts)
    rows = _exported_rows(out)
    for row in rows:
        if (row["anon"], row["question"]) == ("K7Q2", "q6") and row["exercise"] == "ex02":
            row.update(mark="2.5", comment="Good vantage points; cite ¶8.")
        if (row["anon"], row["question"]) == ("M3X9", "q4-judgement"):
            row["comment"] = "=Write one sentence next time."
    sheet = _sheet(rows, out / "filled.csv")
    merge_marks(out, sheet)
    run = GradingRun.load(out)
    alice = next(r for r in run.results if r.submission == "alice/ex02.ipynb")
    bob = next(r for r in run.results if r.submission == "bob-ex02.ipynb")
    assert (alice.item("q6").score, alice.item("q6").comment, alice.total) == (2.5, "Good vantage points; cite ¶8.", 5.5)
    assert bob.item("q4-judgement").comment == "=Write one sentence next time."
    assert bob.item("q6").score is None                             # blank mark: still to mark
    grades = (out / "grades.csv").read_text(encoding="utf-8")
    assert "alice/ex02.ipynb,1,0,1,1,0,2.5,5.5,8," in grades
    assert (out / "summary.html").is_file()
    first = (out / "results.json").read_bytes()
    merge_marks(out, sheet)                                          # the same sheet twice: the same result
    assert (out / "results.json").read_bytes() == first
    export_marking(out, PLAIN, texts)                                # a re-export carries the marks
    again = {(r["anon"], r["exercise"], r["question"]): r for r in _exported_rows(out)}
    assert again[("K7Q2", "ex02", "q6")]["mark"] == "2.5"
    assert again[("M3X9", "ex02", "q4-judgement")]["comment"] == "'=Write one sentence next time."
    merge_marks(out, out / "marking" / "marks.csv")                  # and merges back to the same
    assert (out / "results.json").read_bytes() == first


def test_merge_refuses_every_problem_and_writes_nothing(out: Path) -> None:
    before = (out / "results.json").read_bytes()
    sheet = _sheet([
        {"anon": "K7Q2", "exercise": "ex02", "question": "q6", "points_possible": "3", "mark": "4"},       # line 2
        {"anon": "M3X9", "exercise": "ex02", "question": "q6", "points_possible": "3", "mark": "-1"},      # line 3
        {"anon": "Z1Z1", "exercise": "ex02", "question": "q6", "points_possible": "3", "mark": "two"},     # line 4
        {"anon": "K7Q2", "exercise": "ex02", "question": "q4-judgement", "points_possible": "0", "mark": "1"},
        {"anon": "NOPE", "exercise": "ex02", "question": "q6", "points_possible": "3", "mark": "1"},       # line 6
        {"anon": "K7Q2", "exercise": "ex09", "question": "q6", "points_possible": "3", "mark": "1"},       # line 7
        {"anon": "K7Q2", "exercise": "ex02", "question": "q2", "points_possible": "1", "mark": "1"},       # line 8
        {"anon": "K7Q2", "exercise": "ex02", "question": "q6", "points_possible": "3", "mark": "1"},       # line 9
        {"anon": "P0P0", "exercise": "ex02", "question": "q6", "points_possible": "3", "mark": "1"},       # line 10
        {"anon": "K7Q2", "exercise": "ex04", "question": "q5", "points_possible": "3", "mark": "nan"},    # line 11
    ], out / "bad.csv")
    with pytest.raises(MarkingError) as caught:
        merge_marks(out, sheet)
    message = str(caught.value)
    for expected in ("line 2 (K7Q2 ex02 q6): mark 4 is above the 3 points", "line 3 (M3X9 ex02 q6): mark -1 is negative",
                     "line 4 (Z1Z1 ex02 q6): mark 'two' is not a number", "line 5 (K7Q2 ex02 q4-judgement): mark '1' on a judgement row",
                     "line 6 (NOPE ex02 q6): unknown anonymous code", "line 7 (K7Q2 ex09 q6): unknown exercise/question",
                     "line 8 (K7Q2 ex02 q2): question q2 of ex02 is checked automatically", "line 9 (K7Q2 ex02 q6): repeats line 2",
                     "line 10 (P0P0 ex02 q6): unknown anonymous code", "line 11 (K7Q2 ex04 q5): mark 'nan' is not a number"):
        assert expected in message, expected
    assert "10 problem(s)" in message
    assert (out / "results.json").read_bytes() == before
    assert not (out / "grades.csv").exists()


def test_merge_line_numbers_count_multiline_comments(out: Path) -> None:
    sheet = _sheet([{"anon": "K7Q2", "exercise": "ex02", "question": "q6", "mark": "1", "comment": "two\nlines"},
                    {"anon": "M3X9", "exercise": "ex02", "question": "q6", "mark": "9"}], out / "multi.csv")
    with pytest.raises(MarkingError, match=r"line 4 \(M3X9 ex02 q6\): mark 9 is above"):
        merge_marks(out, sheet)


def test_merge_refuses_a_sheet_without_the_columns(out: Path) -> None:
    (out / "odd.csv").write_text("anon,mark\nK7Q2,1\n", encoding="utf-8")
    with pytest.raises(MarkingError, match="missing column"):
        merge_marks(out, out / "odd.csv")


def test_cli(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", str(out)]) == 0
    assert (out / "marking" / "index.html").is_file()
    bad = _sheet([{"anon": "K7Q2", "exercise": "ex02", "question": "q6", "mark": "7"}], out / "bad.csv")
    assert main(["merge", str(out), str(bad)]) == 1
    assert "mark 7 is above" in capsys.readouterr().err
    good = _sheet([{"anon": "K7Q2", "exercise": "ex02", "question": "q6", "mark": "3"}], out / "good.csv")
    assert main(["merge", str(out), str(good)]) == 0
    alice = next(r for r in GradingRun.load(out).results if r.submission == "alice/ex02.ipynb")
    assert alice.item("q6").score == 3.0
