"""Marking work is never lost silently: re-exports, blank cells, two markers, old sheets, grading again,
and sheets saved by any spreadsheet (issue 21)."""
from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest

from alliance.classroom.grading import batch, regrade
from alliance.classroom.grading.__main__ import main as grading_main
from alliance.classroom.marking import merge
from alliance.classroom.marking.__main__ import main as marking_main
from alliance.classroom.marking.page import export_marking
from alliance.classroom.marking.sheet import MARKS_COLUMNS, MarkingError
from alliance.classroom.marking.texts import MystRenderer
from alliance.classroom.results import GradingRun
from tests._runs import sample_run

PLAIN = MystRenderer(None)
COLUMNS = [*MARKS_COLUMNS, "run"]


def merge_marks(*args, **kwargs) -> GradingRun:
    return merge.merge_marks(*args, **kwargs)


def finish(*args, **kwargs) -> GradingRun:
    return batch.finish(*args, **kwargs)


def unmerged_sheets(*args, **kwargs) -> list[Path]:
    return regrade.unmerged_sheets(*args, **kwargs)


def _write(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, delimiter=delimiter)
        writer.writeheader()
        writer.writerows({"points_possible": "", "mark": "", "comment": "", "run": "", **r} for r in rows)
    return path


def _rows(sheet: Path) -> list[dict[str, str]]:
    with sheet.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _item(out: Path, submission: str, qid: str):
    return next(r for r in GradingRun.load(out).results if r.submission == submission).item(qid)


ALICE_Q6 = {"anon": "K7Q2", "exercise": "ex02", "question": "q6", "points_possible": "3"}
BOB_Q6 = {"anon": "M3X9", "exercise": "ex02", "question": "q6", "points_possible": "3"}
ALICE_EX04 = {"anon": "K7Q2", "exercise": "ex04", "question": "q5", "points_possible": "3"}


def test_export_never_overwrites_a_sheet_with_unmerged_marks(out: Path, texts: dict,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    _, sheet = export_marking(out, PLAIN, texts)
    rows = _rows(sheet)
    next(r for r in rows if r["anon"] == "K7Q2" and r["question"] == "q6")["mark"] = "2"
    _write(sheet, rows)
    filled = sheet.read_bytes()
    assert marking_main(["export", str(out)]) == 0
    assert sheet.read_bytes() == filled                              # the filled sheet is untouched
    assert (out / "marking" / "marks-2.csv").is_file()
    printed = capsys.readouterr().out
    assert "marks.csv holds marks or comments not merged yet: left as it is; the new sheet is marks-2.csv" in printed
    assert f"make merge-marks OUT={out} MARKS={out / 'marking' / 'marks-2.csv'}" in printed
    merge_marks(out, sheet)                                          # once merged, a re-export may replace it
    _, again = export_marking(out, PLAIN, texts)
    assert again == sheet


def test_a_blank_cell_never_clears_a_mark_unless_asked(out: Path) -> None:
    _write(out / "a.csv", [{**ALICE_Q6, "mark": "2", "comment": "Good."}])
    merge_marks(out, out / "a.csv")
    _write(out / "blank.csv", [ALICE_Q6, BOB_Q6])                   # a copy of the blank sheet
    merge_marks(out, out / "blank.csv")
    assert (_item(out, "alice/ex02.ipynb", "q6").score, _item(out, "alice/ex02.ipynb", "q6").comment) == (2.0, "Good.")
    _write(out / "clear.csv", [{**ALICE_Q6, "mark": "clear"}])
    merge_marks(out, out / "clear.csv", replace=True)
    assert _item(out, "alice/ex02.ipynb", "q6").score is None and _item(out, "alice/ex02.ipynb", "q6").comment == "Good."
    merge_marks(out, out / "a.csv")
    merge_marks(out, out / "blank.csv", clear_blank=True, replace=True)
    assert (_item(out, "alice/ex02.ipynb", "q6").score, _item(out, "alice/ex02.ipynb", "q6").comment) == (None, "")


@pytest.mark.parametrize("together", [True, False])
def test_two_markers_split_by_question_fill_one_gradebook(out: Path, together: bool) -> None:
    first = _write(out / "marker-a.csv", [{**ALICE_Q6, "mark": "2"}, {**BOB_Q6, "mark": "1"}, ALICE_EX04])
    second = _write(out / "marker-b.csv", [ALICE_Q6, BOB_Q6, {**ALICE_EX04, "mark": "3"}])
    if together:
        merge_marks(out, [first, second])
    else:
        merge_marks(out, first)
        merge_marks(out, second)
    assert [_item(out, s, q).score for s, q in [("alice/ex02.ipynb", "q6"), ("bob-ex02.ipynb", "q6"),
                                                 ("alice/ex04.ipynb", "q5")]] == [2.0, 1.0, 3.0]
    assert "alice/ex04.ipynb,1,0,1,1,3,,6,7,," in (out / "grades.csv").read_text(encoding="utf-8")


def test_a_conflict_between_markers_is_named_and_nothing_merged(out: Path) -> None:
    first = _write(out / "marker-a.csv", [{**ALICE_Q6, "mark": "2"}])
    second = _write(out / "marker-b.csv", [{**ALICE_Q6, "mark": "3"}])
    before = (out / "results.json").read_bytes()
    with pytest.raises(MarkingError) as caught:
        merge_marks(out, [first, second])
    assert "K7Q2 ex02 q6: mark 2 in marker-a.csv line 2, mark 3 in marker-b.csv line 2" in str(caught.value)
    assert (out / "results.json").read_bytes() == before
    merge_marks(out, first)
    with pytest.raises(MarkingError, match="K7Q2 ex02 q6: mark 3 in marker-b.csv line 2 would replace the mark 2 "
                                           "merged from marker-a.csv"):
        merge_marks(out, second)
    assert _item(out, "alice/ex02.ipynb", "q6").score == 2.0
    merge_marks(out, second, replace=True)                          # asked explicitly
    assert _item(out, "alice/ex02.ipynb", "q6").score == 3.0


def test_a_sheet_from_another_grading_run_is_refused_with_one_message(out: Path) -> None:
    old = _write(out / "old.csv", [{**ALICE_Q6, "mark": "2", "run": "r0"}, {**BOB_Q6, "mark": "1", "run": "r0"}])
    with pytest.raises(MarkingError) as caught:
        merge_marks(out, old)
    message = str(caught.value)
    assert "comes from another grading run (r0), but this folder now holds run r1" in message
    assert "\n" not in message and "unknown anonymous code" not in message
    codes = _write(out / "codes.csv", [{**ALICE_Q6, "anon": "SAAAAAA"}, {**BOB_Q6, "anon": "SBBBBBB"}])
    with pytest.raises(MarkingError) as caught:
        merge_marks(out, codes)
    assert "none of its 2 row(s) names an anonymous code of this grading run" in str(caught.value)
    assert "\n" not in str(caught.value)


def _regraded(out: Path, bob_answer: str) -> GradingRun:
    """The sample run graded again into ``out`` (as ``grade`` finishes), Bob's written answer replaced."""
    run = sample_run()
    next(r for r in run.results if r.submission == "bob-ex02.ipynb").item("q6").answer = bob_answer
    return finish(run, out, None)


def test_grading_again_keeps_marks_of_unchanged_answers_and_lists_the_others(tmp_path: Path, texts: dict) -> None:
    out = tmp_path / "graded"
    first = finish(sample_run(), out, None)
    codes = {r.submission: r.anon for r in first.results}
    _, sheet = export_marking(out, PLAIN, texts)
    rows = _rows(sheet)
    for row in rows:
        if row["question"] in ("q6", "q5"):
            row.update(mark="2", comment="Seen.")
    _write(sheet, rows)
    merge_marks(out, sheet)
    bob = next(r for r in first.results if r.submission == "bob-ex02.ipynb").item("q6").answer
    assert unmerged_sheets(out) == []
    again = _regraded(out, bob + " A paragraph added after marking.")
    assert {r.submission: r.anon for r in again.results} == codes     # the same anonymous codes
    assert _item(out, "alice/ex02.ipynb", "q6").score == 2.0 and _item(out, "alice/ex04.ipynb", "q5").score == 2.0
    assert _item(out, "carol.ipynb", "q6").comment == "Seen."
    assert _item(out, "bob-ex02.ipynb", "q6").score is None
    assert again.settings["marks_not_kept"] == ["bob-ex02.ipynb q6: the answer changed, to mark again"]
    assert again.settings["marks_kept"] == 4        # without a roster alice/ex02-old counts and was marked too
    assert "alice/ex02.ipynb,1,0,1,1,0,2,5,8," in (out / "grades.csv").read_text(encoding="utf-8")


def test_grading_again_is_refused_while_a_sheet_holds_unmerged_marks(tmp_path: Path, texts: dict) -> None:
    out = tmp_path / "graded"
    finish(sample_run(), out, None)
    _, sheet = export_marking(out, PLAIN, texts)
    assert unmerged_sheets(out) == []
    rows = _rows(sheet)
    rows[0]["comment"] = "not merged yet"
    _write(sheet, rows)
    assert unmerged_sheets(out) == [sheet]
    (tmp_path / "in").mkdir()
    assert grading_main([str(tmp_path / "in"), "--out", str(out), "--no-sandbox"]) == 4
    assert _rows(sheet)[0]["comment"] == "not merged yet"


# --------------------------------------------------------------------------- sheets from any spreadsheet


def test_windows_1252_semicolons_and_decimal_commas_are_read(out: Path) -> None:
    sheet = _write(out / "excel.csv", [{**ALICE_Q6, "mark": "2,5", "comment": "Précis – naïve café"}],
                   encoding="cp1252", delimiter=";")
    merge_marks(out, sheet)
    item = _item(out, "alice/ex02.ipynb", "q6")
    assert (item.score, item.comment) == (2.5, "Précis – naïve café")


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("utf-8", ";"), ("utf-16", "\t")])
def test_utf8_with_or_without_bom_and_utf16_tabs_are_read(out: Path, encoding: str, delimiter: str) -> None:
    merge_marks(out, _write(out / "s.csv", [{**ALICE_Q6, "mark": "1", "comment": "日本 ✓"}], encoding, delimiter))
    assert (_item(out, "alice/ex02.ipynb", "q6").score, _item(out, "alice/ex02.ipynb", "q6").comment) == (1.0, "日本 ✓")


def test_an_unreadable_encoding_or_separator_is_named(out: Path) -> None:
    (out / "odd.csv").write_bytes(b"anon,exercise,question,points_possible,mark,comment\nK7Q2,ex02,q6,3,1,\x81\x8d\n")
    with pytest.raises(MarkingError, match="neither UTF-8 nor Windows-1252 text .byte 0x81"):
        merge_marks(out, out / "odd.csv")
    (out / "pipes.csv").write_text("anon|exercise|question|points_possible|mark|comment\n", encoding="utf-8")
    with pytest.raises(MarkingError, match="no comma, semicolon or tab between the column names"):
        merge_marks(out, out / "pipes.csv")
    (out / "spaced.csv").write_text("anon;exercise;question\nK7Q2;ex02;q6\n", encoding="utf-8")
    with pytest.raises(MarkingError, match=r"missing column\(s\) points_possible, mark, comment \(read as UTF-8, "
                                           r"semicolon-separated"):
        merge_marks(out, out / "spaced.csv")


def test_no_answer_rows_are_prefilled_with_zero(tmp_path: Path, texts: dict) -> None:
    run = sample_run()
    next(r for r in run.results if r.submission == "bob-ex02.ipynb").item("q6").answer = "*Write your answer here.*"
    run.save(tmp_path)
    _, sheet = export_marking(tmp_path, PLAIN, texts)
    marks = {(r["anon"], r["exercise"], r["question"]): r["mark"] for r in _rows(sheet)}
    assert marks[("M3X9", "ex02", "q6")] == "0" and marks[("K7Q2", "ex02", "q6")] == ""
    assert marks[("M3X9", "ex02", "q4-judgement")] == ""
    merge_marks(tmp_path, sheet)
    assert _item(tmp_path, "bob-ex02.ipynb", "q6").score == 0.0


# --------------------------------------------------------------------------- independent instructor's run (issue 21, second pass)


def _zipped(name: str, bob_answer: str | None = None) -> GradingRun:
    """The sample run as if graded from a Canvas zip called ``name`` (its members keep their paths)."""
    run = sample_run()
    for result in run.results:
        result.submission = f"{name}!{result.submission}"
    if bob_answer is not None:
        next(r for r in run.results if r.submission.endswith("bob-ex02.ipynb")).item("q6").answer = bob_answer
    return run


def _fill_all(out: Path, texts: dict) -> int:
    """Export the sheet, mark every written answer 2 and comment every row; merge; the rows filled."""
    _, sheet = export_marking(out, PLAIN, texts)
    rows = _rows(sheet)
    for row in rows:
        row.update(mark="" if row["question"].endswith("judgement") else "2", comment="Seen.")
    _write(sheet, rows)
    merge_marks(out, sheet)
    return len(rows)


def test_grading_again_from_a_renamed_identical_zip_keeps_every_mark_and_code(tmp_path: Path, texts: dict,
                                                                               capsys) -> None:
    out = tmp_path / "graded"
    first = finish(_zipped("submissions.zip"), out, None)
    filled = _fill_all(out, texts)
    merged = {(r.submission.split("!")[1], i.id): (i.score, i.comment)
              for r in GradingRun.load(out).results for i in r.items if i.by_hand}
    codes = {r.submission.split("!")[1]: r.anon for r in first.results}
    again = finish(_zipped("submissions (1).zip"), out, None)       # a browser's name for a second download
    assert {r.submission.split("!")[1]: r.anon for r in again.results} == codes
    assert again.settings["marks_kept"] == filled and again.settings["marks_not_kept"] == []
    assert {(r.submission.split("!")[1], i.id): (i.score, i.comment)
            for r in GradingRun.load(out).results for i in r.items if i.by_hand} == merged
    assert ",2," in (out / "grades.csv").read_text(encoding="utf-8")
    assert not (out / regrade.PREVIOUS_RESULTS).exists()             # nothing dropped, nothing to back up


def test_grading_again_backs_up_the_results_before_dropping_a_mark(tmp_path: Path, texts: dict) -> None:
    out = tmp_path / "graded"
    finish(_zipped("submissions.zip"), out, None)
    _fill_all(out, texts)
    before = (out / "results.json").read_text(encoding="utf-8")
    again = finish(_zipped("submissions.zip", bob_answer="Rewritten after marking."), out, None)
    assert again.settings["marks_not_kept"] == ["bob-ex02.ipynb q6: the answer changed, to mark again"]
    backup = out / regrade.PREVIOUS_RESULTS
    assert backup.read_text(encoding="utf-8") == before
    assert f"The earlier results, with every mark merged before, are kept in {backup}." in \
        regrade.regrade_report(again, out)


def test_a_comment_from_another_markers_sheet_is_a_conflict_too(out: Path) -> None:
    first = _write(out / "marker-a.csv", [{**ALICE_Q6, "mark": "2", "comment": "Clear reading."}])
    second = _write(out / "marker-b.csv", [{**ALICE_Q6, "comment": "Too short."}])
    merge_marks(out, first)
    before = (out / "results.json").read_bytes()
    with pytest.raises(MarkingError, match="K7Q2 ex02 q6: the comment in marker-b.csv line 2 would replace the "
                                           "comment merged from marker-a.csv"):
        merge_marks(out, second)
    assert (out / "results.json").read_bytes() == before
    _write(first, [{**ALICE_Q6, "mark": "2", "comment": "Clear reading, well cited."}])
    merge_marks(out, first)                                         # the same marker may edit their own comment
    assert _item(out, "alice/ex02.ipynb", "q6").comment == "Clear reading, well cited."
    merge_marks(out, second, replace=True)                          # asked explicitly
    assert _item(out, "alice/ex02.ipynb", "q6").comment == "Too short."


@pytest.mark.parametrize("comment", ["Précis, naïve café", "don’t stop at “good”"])
def test_a_mac_roman_sheet_is_refused_not_merged_garbled(out: Path, comment: str) -> None:
    sheet = _write(out / "mac.csv", [{**ALICE_Q6, "mark": "2", "comment": comment}], encoding="mac_roman")
    before = (out / "results.json").read_bytes()
    with pytest.raises(MarkingError) as caught:
        merge_marks(out, sheet)
    message = str(caught.value)
    assert "tried UTF-8, then Windows-1252" in message and "Mac Roman" in message and "CSV UTF-8" in message
    assert "line 2" in message
    assert (out / "results.json").read_bytes() == before


def test_two_markers_sheets_with_prefilled_zeros_count_as_merged(tmp_path: Path, texts: dict) -> None:
    run = sample_run()
    next(r for r in run.results if r.submission == "bob-ex02.ipynb").item("q6").answer = "*Write your answer here.*"
    next(r for r in run.results if r.submission == "alice/ex04.ipynb").item("q5").answer = ""
    run.save(tmp_path)
    _, blank = export_marking(tmp_path, PLAIN, texts)
    rows = _rows(blank)
    assert [r["mark"] for r in rows if (r["anon"], r["question"]) in {("M3X9", "q6"), ("K7Q2", "q5")}] == ["0", "0"]
    for marker, (anon, question) in {"ana": ("M3X9", "q6"), "ben": ("K7Q2", "q5")}.items():
        copy = [dict(r) for r in rows]
        next(r for r in copy if (r["anon"], r["question"]) == (anon, question))["comment"] = f"Nothing written ({marker})."
        _write(tmp_path / "marking" / f"marks-{marker}.csv", copy)
    blank.unlink()
    assert len(unmerged_sheets(tmp_path)) == 2
    merge_marks(tmp_path, tmp_path / "marking" / "marks-ana.csv")
    assert unmerged_sheets(tmp_path) == [tmp_path / "marking" / "marks-ben.csv"]
    merge_marks(tmp_path, tmp_path / "marking" / "marks-ben.csv")
    assert unmerged_sheets(tmp_path) == []                       # grading again is no longer refused in a loop
    assert _item(tmp_path, "bob-ex02.ipynb", "q6").comment == "Nothing written (ana)."


def _roster(path: Path) -> Path:
    path.write_text("student_id,name,section\ns001,Alice Anders,S1\ns002,Bob Brown,S2\n", encoding="utf-8")
    return path


def _with_evidence(run: GradingRun) -> GradingRun:
    """The sample run as read from files whose notebooks carry their student ids (so the roster matches)."""
    for result in run.results:
        if result.student_id:
            result.evidence = {"notebook_id": result.student_id, "order": "1"}
    return run


def test_a_resubmission_lists_the_changed_answer_and_old_sheets_say_what_to_do(tmp_path: Path, texts: dict,
                                                                                capsys) -> None:
    out, roster = tmp_path / "graded", _roster(tmp_path / "roster.csv")
    finish(_with_evidence(sample_run()), out, roster)
    _, sheet = export_marking(out, PLAIN, texts)
    rows = _rows(sheet)
    for row in rows:
        if not row["question"].endswith("judgement"):
            row["mark"] = "2"
    _write(sheet, rows)
    merge_marks(out, sheet)
    bob_total = next(r for r in GradingRun.load(out).results if r.submission == "bob-ex02.ipynb").total
    resubmitted = _with_evidence(sample_run())
    bob = next(r for r in resubmitted.results if r.submission == "bob-ex02.ipynb")
    again = copy.deepcopy(bob)
    again.submission, again.evidence = "bob-ex02-v2.ipynb", {"notebook_id": "s002", "order": "2"}
    again.item("q6").answer = "A new answer, written after the first was marked."
    resubmitted.results.append(again)
    run = finish(resubmitted, out, roster)
    assert run.settings["marks_not_kept"] == [
        "bob-ex02-v2.ipynb q6: the answer changed, to mark again (marked in bob-ex02.ipynb)"]
    assert "1 marked answer(s) not kept:" in regrade.regrade_report(run, out)[0]
    latest = next(r for r in GradingRun.load(out).results if r.submission == "bob-ex02-v2.ipynb")
    assert latest.counted and latest.item("q6").score is None and latest.total == bob_total - 2
    # the sheet of the first run: superseded, not "merge it first"; merging it says what to do instead
    assert unmerged_sheets(out) == [] and regrade.superseded_sheets(out) == [sheet]
    (tmp_path / "in").mkdir()
    assert grading_main([str(tmp_path / "in"), "--out", str(out), "--no-sandbox"]) == 0
    assert f"Superseded: {sheet} come(s) from an earlier grading run" in capsys.readouterr().err
    with pytest.raises(MarkingError) as caught:
        merge_marks(out, sheet)
    assert "this sheet is superseded" in str(caught.value) and f"make marking OUT={out}" in str(caught.value)
    capsys.readouterr()
    assert marking_main(["export", str(out)]) == 0                  # the fresh sheet: no "merge the old one first"
    printed = capsys.readouterr().out
    assert f"{sheet} is superseded (from an earlier grading run): left as it is; the new sheet is marks-2.csv" \
        in printed and "Merge the old one first" not in printed


def test_an_unmatched_file_is_not_counted_nor_marked_but_listed(tmp_path: Path, texts: dict, capsys) -> None:
    out = tmp_path / "graded"
    finish(_with_evidence(sample_run()), out, _roster(tmp_path / "roster.csv"))
    carol = next(r for r in GradingRun.load(out).results if r.submission == "carol.ipynb")
    assert (carol.match, carol.counted) == ("unmatched", False)
    grades = (out / "grades.csv").read_text(encoding="utf-8")
    assert next(line for line in grades.splitlines() if ",carol.ipynb," in line).endswith(",unmatched,no,")
    assert marking_main(["export", str(out)]) == 0
    assert carol.anon not in {r["anon"] for r in _rows(out / "marking" / "marks.csv")}
    assert "1 unmatched submission(s) are not in the marking sheet" in (printed := capsys.readouterr().out)
    assert "  carol.ipynb (ex02)" in printed
    assert "1 unmatched submission(s) are not on this page" in (out / "marking" / "index.html").read_text("utf-8")
    assert "carol" not in (out / "marking" / "index.html").read_text("utf-8").lower()
