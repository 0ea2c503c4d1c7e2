"""Gradebook exports of a grading run: ``grades.csv``, a Canvas import file and a per-question summary.

Everything is computed from ``OUT/results.json`` (:class:`alliance.classroom.results.GradingRun`):

* :func:`write_grades_csv` — ``grades.csv``: one row per submission (counted ones first), after one
  "Points possible" row per exercise; the grading command calls it to write ``OUT/grades.csv``; a
  source-criticism question's column holds its automatic point and its judgement's hand mark together;
* :func:`write_canvas_csv` — ``canvas.csv`` for Canvas's gradebook import: columns ``Student, ID,
  SIS User ID, SIS Login ID, Section``, then one column per exercise, a "Points Possible" row, one row
  per roster student (blank where nothing was submitted; only counted, matched submissions count);
* :func:`write_summary` — ``summary.csv`` and ``summary.html``: per question, how many counted
  submissions answered it, the share correct (automatic questions) or the mean hand mark and how many
  are marked (written questions, and judgements with points), with a chart drawn offline as inline SVG;
* :func:`write_missing_csv` — ``missing.csv``: per exercise, the roster students with no submission.

Command line (``make gradebook OUT=folder [ROSTER=roster.csv]``)::

    python -m alliance.classroom.gradebook OUT [--roster roster.csv]
"""
from __future__ import annotations

import argparse
import csv
import html
import math
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from alliance.classroom.results import GradingRun, ItemResult, SubmissionResult

GRADES_CSV = "grades.csv"
CANVAS_CSV = "canvas.csv"
SUMMARY_CSV = "summary.csv"
SUMMARY_HTML = "summary.html"
#: Texts that mean "no answer": the placeholders of the student edition, and what a bare ``...`` reads as.
PLACEHOLDERS: frozenset[str] = frozenset({"", "...", "Ellipsis", "None", "*Write your answer here.*",
                                          "*Write your judgement here.*", "Write your answer here.",
                                          "Write your judgement here."})
#: Leading characters a spreadsheet reads as a formula: a text cell starting with one is prefixed with '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class RosterStudent(Protocol):
    """What the Canvas export needs of a roster entry (``alliance.classroom.roster.students.Student`` has it)."""

    student_id: str
    name: str
    email: str
    section: str


# --------------------------------------------------------------------------- small helpers


def is_answered(item: ItemResult) -> bool:
    """Whether the student answered ``item`` (not blank, not the placeholder left as it was)."""
    if item.message.startswith("not yet answered"):
        return False
    return item.answer.strip() not in PLACEHOLDERS


def format_points(value: float | None) -> str:
    """Points as a spreadsheet shows them: ``3``, ``2.5``, blank for ``None``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = round(float(value), 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


def safe_cell(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (hostile names, notes, comments)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


JUDGEMENT_SUFFIX = "-judgement"


def _question_number(item_id: str) -> int:
    match = re.fullmatch(r"q(\d+)", item_id.removesuffix(JUDGEMENT_SUFFIX))
    return int(match[1]) if match else 0


def _item_order(item_id: str) -> tuple[int, bool, str]:
    return _question_number(item_id), item_id.endswith(JUDGEMENT_SUFFIX), item_id


def scored_items(result: SubmissionResult) -> list[ItemResult]:
    """The items with points: every question of the key, and the judgements that have points (a
    judgement with 0 points, a comment only, is left out)."""
    return [i for i in result.items if i.kind != "judgement" or i.points > 0]


def question_scores(result: SubmissionResult) -> dict[str, tuple[float | None, float]]:
    """Question id → (points given, points possible), a judgement counted with its question: ``q4`` holds
    the automatic point and the judgement's mark; the points given are ``None`` while a hand-marked part
    (a written answer, a judgement with points) is not marked yet."""
    found: dict[str, tuple[float | None, float]] = {}
    for item in result.items:
        if item.kind != "judgement":
            found[item.id] = (item.score, item.points)
    for item in scored_items(result):
        base = item.id.removesuffix(JUDGEMENT_SUFFIX)
        if item.kind == "judgement" and base in found:
            score, points = found[base]
            given = None if score is None or item.score is None else score + item.score
            found[base] = (given, points + item.points)
    return found


def question_columns(run: GradingRun) -> list[str]:
    """``q1`` ... ``qN``: every question id that occurs in the run, by number (a judgement counts in its
    question's column)."""
    ids = {qid for r in run.results for qid in question_scores(r)}
    return sorted(ids, key=lambda qid: (_question_number(qid), qid))


def exercise_points(run: GradingRun) -> dict[str, dict[str, float]]:
    """Exercise → question id → points possible (a judgement's with its question's), from the first
    submission of each exercise."""
    points: dict[str, dict[str, float]] = {}
    for result in sorted(run.results, key=lambda r: (not r.counted, r.submission)):
        if result.exercise and result.items and result.exercise not in points:
            points[result.exercise] = {qid: possible for qid, (_, possible) in question_scores(result).items()}
    return dict(sorted(points.items()))


def counted_matched(run: GradingRun) -> list[SubmissionResult]:
    """The submissions that count for a student: counted and matched to the roster."""
    return [r for r in run.results if r.counted and r.match == "matched" and r.student_id]


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)
    return path


# --------------------------------------------------------------------------- grades.csv


GRADES_HEAD = ["student_id", "name", "section", "exercise", "submission"]
GRADES_TAIL = ["total", "possible", "to_mark_by_hand", "late", "match", "counted", "notes"]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def grades_rows(run: GradingRun) -> tuple[list[str], list[list[str]]]:
    """Header and rows of ``grades.csv`` (see :func:`write_grades_csv`)."""
    columns = question_columns(run)
    header = [*GRADES_HEAD, *columns, *GRADES_TAIL]
    rows = []
    for exercise, points in exercise_points(run).items():
        rows.append(["Points possible", "", "", exercise, "",
                     *(format_points(points.get(c)) for c in columns),
                     "", format_points(sum(points.values())), "", "", "", "", ""])
    ordered = sorted(run.results, key=lambda r: (not r.counted, r.exercise, r.student_id or "~", r.submission))
    for result in ordered:
        scores = {qid: given for qid, (given, _) in question_scores(result).items()}
        rows.append([safe_cell(result.student_id or ""), safe_cell(result.student_name), safe_cell(result.section),
                     result.exercise, safe_cell(result.submission),
                     *(format_points(scores.get(c)) for c in columns),
                     format_points(result.total), format_points(result.possible), " ".join(result.unmarked),
                     _yes(result.late), result.match, _yes(result.counted), safe_cell("; ".join(result.notes))])
    return header, rows


def write_grades_csv(run: GradingRun, path: Path) -> Path:
    """``grades.csv``: a "Points possible" row per exercise, then one row per submission, counted first.

    Columns ``student_id, name, section, exercise, submission, q1..qN, total, possible,
    to_mark_by_hand, late, match, counted, notes``. A question cell is blank when the exercise has no
    such question or when a written answer, or the judgement of a source-criticism question with points,
    is not marked yet (``to_mark_by_hand`` lists those); a source-criticism question's cell holds its
    automatic point plus its judgement's mark, out of both their points.
    """
    header, rows = grades_rows(run)
    return _write_csv(path, header, rows)


# --------------------------------------------------------------------------- canvas.csv


CANVAS_HEAD = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def assignment_name(exercise: str) -> str:
    """The Canvas column of an exercise: its id and title (``ex02 Trump's transactionalism``)."""
    from alliance.exercises import load_key

    try:
        title = str(load_key(exercise).get("title") or "").strip()
    except KeyError:
        title = ""
    return f"{exercise} {title}".strip()


def write_canvas_csv(run: GradingRun, roster_students: Sequence[RosterStudent], path: Path) -> Path:
    """A CSV for Canvas's gradebook import: one row per roster student, one column per exercise.

    The student is identified by ``SIS User ID`` (the roster's student id); Canvas's own ``ID`` and the
    ``SIS Login ID`` are left blank (Canvas matches on any one of them). The row after the header is
    "Points Possible". A cell holds the total of the student's counted, matched submission of that
    exercise (written answers count once marked), blank when the student has none.
    """
    exercises = list(exercise_points(run))
    possible = exercise_points(run)
    by_student = {(r.student_id, r.exercise): r for r in counted_matched(run)}
    header = [*CANVAS_HEAD, *(assignment_name(e) for e in exercises)]
    rows = [["Points Possible", "", "", "", "", *(format_points(sum(possible[e].values())) for e in exercises)]]
    for student in sorted(roster_students, key=lambda s: (s.section, s.name, s.student_id)):
        cells = []
        for exercise in exercises:
            result = by_student.get((student.student_id, exercise))
            cells.append(format_points(result.total) if result else "")
        rows.append([safe_cell(student.name), "", safe_cell(student.student_id), "", safe_cell(student.section),
                     *cells])
    return _write_csv(path, header, rows)


# --------------------------------------------------------------------------- summary


@dataclass
class QuestionSummary:
    """One question of one exercise, among counted submissions."""

    exercise: str
    question: str
    kind: str
    points: float
    submissions: int        # counted submissions of the exercise
    answered: int
    share_correct: float | None = None   # automatic questions: share of counted submissions correct
    mean_mark: float | None = None       # written questions and judgements: mean of the marks given so far
    marked: int = 0                       # written questions and judgements: how many are marked

    @property
    def by_hand(self) -> bool:
        return self.kind in ("written", "judgement")

    @property
    def share_of_points(self) -> float | None:
        """What the chart shows: share correct, or the mean mark as a share of the points."""
        if self.by_hand:
            return None if self.mean_mark is None or not self.points else self.mean_mark / self.points
        return self.share_correct


def summarize(run: GradingRun) -> list[QuestionSummary]:
    """Per exercise and question (a judgement with points on its own row, after its question; one
    with 0 points left out), computed from the counted submissions."""
    rows: list[QuestionSummary] = []
    counted = [r for r in run.results if r.counted and r.exercise and r.items]
    for exercise in sorted({r.exercise for r in counted}):
        subs = [r for r in counted if r.exercise == exercise]
        ids = sorted({i.id for r in subs for i in scored_items(r)}, key=_item_order)
        for qid in ids:
            items = [i for r in subs for i in scored_items(r) if i.id == qid]
            first = items[0]
            summary = QuestionSummary(exercise, qid, first.kind, first.points, len(subs),
                                      sum(1 for i in items if is_answered(i)))
            if first.kind in ("written", "judgement"):
                marks = [i.score for i in items if i.score is not None]
                summary.marked = len(marks)
                summary.mean_mark = sum(marks) / len(marks) if marks else None
            else:
                correct = sum(1 for i in items if i.score is not None and i.points and i.score >= i.points)
                summary.share_correct = correct / len(items) if items else None
            rows.append(summary)
    return rows


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


SUMMARY_COLUMNS = ["exercise", "question", "kind", "points", "submissions", "answered", "share_correct",
                   "mean_mark", "marked"]


def _summary_row(s: QuestionSummary) -> list[str]:
    return [s.exercise, s.question, s.kind, format_points(s.points), str(s.submissions), str(s.answered),
            _share(s.share_correct), _share(s.mean_mark), str(s.marked) if s.by_hand else ""]


def summary_chart_spec(rows: Sequence[QuestionSummary]) -> dict[str, Any]:
    """A Vega-Lite bar chart: per question, share correct or mean mark as a share of the points."""
    import altair as alt
    import pandas as pd

    from alliance.charts import OKABE_ITO, alliance_theme

    data = pd.DataFrame([{"question": f"{s.exercise} {s.question}",
                          "measure": "mean hand mark / points" if s.by_hand else "share correct",
                          "value": round(s.share_of_points, 4)} for s in rows if s.share_of_points is not None])
    if data.empty:
        data = pd.DataFrame({"question": [], "measure": [], "value": []})
    chart = alt.Chart(data, title="Results per question (counted submissions)").mark_bar().encode(
        x=alt.X("value:Q", title="Share correct, or mean hand mark as a share of the points",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y=alt.Y("question:N", title="Exercise and question", sort=None),
        color=alt.Color("measure:N", title="Measure",
                        scale=alt.Scale(domain=["share correct", "mean hand mark / points"],
                                        range=OKABE_ITO[:2])),
        tooltip=["question", "measure", alt.Tooltip("value:Q", format=".0%")],
    ).properties(width=480, height=max(60, 22 * len(data)))
    spec = chart.to_dict()
    spec["config"] = {**alliance_theme()["config"], **spec.get("config", {})}
    return spec


def summary_description(rows: Sequence[QuestionSummary]) -> str:
    """A text description of the chart, computed from the rows (highest and lowest, what is unmarked)."""
    shown = [s for s in rows if s.share_of_points is not None]
    if not shown:
        return "No question has a result yet: no counted submission, or no written answer marked."
    best = max(shown, key=lambda s: s.share_of_points or 0.0)
    worst = min(shown, key=lambda s: s.share_of_points or 0.0)
    text = (f"Bar chart of {len(shown)} question(s), one bar each: the share of counted submissions "
            f"answering correctly (automatic questions) or the mean hand mark as a share of the points "
            f"(written questions and judgements). Highest: {best.exercise} {best.question} at {best.share_of_points:.0%}; "
            f"lowest: {worst.exercise} {worst.question} at {worst.share_of_points:.0%}.")
    unmarked = [f"{s.exercise} {s.question}" for s in rows if s.by_hand and s.marked == 0]
    if unmarked:
        text += f" Written questions and judgements with no mark yet (no bar): {', '.join(unmarked)}."
    return text


def chart_svg(spec: dict[str, Any]) -> str:
    """The chart as an SVG string, drawn offline by ``vl-convert-python`` (no network, no script)."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def html_page(title: str, body: str) -> str:
    """A self-contained page (``lang``, ``title``, inline style, no script, nothing fetched)."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n<main>\n"
            f"{body}\n</main>\n</body>\n</html>\n")


#: The style of the instructors' and students' pages (plain, readable, printable).
PAGE_CSS = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1a1a1a;"
    "background:#fff;margin:0;padding:1rem 1.5rem;max-width:72rem}"
    "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #888;padding:.25rem .6rem;"
    "text-align:left;vertical-align:top}th{background:#eee}td.num{text-align:right}"
    "figure{margin:1rem 0}figcaption{max-width:48rem}"
    ".answer{white-space:pre-wrap;border-left:4px solid #0072B2;padding:.25rem .75rem;background:#f6f8fa}"
    ".none{font-style:italic;color:#444}"
    ".correct{border-left:4px solid #009E73;padding-left:.5rem}"
    ".not-yet{border-left:4px dashed #D55E00;padding-left:.5rem}"
    ".guide{background:#f8f8f0;border:1px solid #ccc;padding:.5rem 1rem}"
    "a{color:#0b5394}"
)


def summary_html(rows: Sequence[QuestionSummary], run: GradingRun) -> str:
    """The summary page: the chart (inline SVG), its description, and the table of numbers."""
    description = summary_description(rows)
    svg = chart_svg(summary_chart_spec(rows))
    counted = sum(1 for r in run.results if r.counted)
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in
                   ["Exercise", "Question", "Kind", "Points", "Counted submissions", "Answered",
                    "Share correct", "Mean hand mark", "Marked"])
    body_rows = "".join(
        "<tr>" + "".join(f'<td{" class=num" if n > 2 else ""}>{html.escape(v)}</td>'
                         for n, v in enumerate(_summary_row(s))) + "</tr>"
        for s in rows)
    body = (f"<h1>Results per question</h1>\n<p>{counted} counted submission(s) of {len(run.results)} in "
            f"<code>results.json</code>. Automatic questions: share of counted submissions answered correctly. "
            f"Written questions and judgements with points: mean of the hand marks merged so far, and how many "
            f"are marked. Judgements with 0 points (a comment only) are left out.</p>\n"
            f'<figure aria-labelledby="chart-description"><div role="img" aria-label="{html.escape(description)}">'
            f"{svg}</div>\n<figcaption id=\"chart-description\"><strong>Chart description.</strong> "
            f"{html.escape(description)}</figcaption></figure>\n"
            f"<h2>The numbers</h2>\n<table>\n<caption>Per exercise and question, among counted submissions"
            f"</caption>\n<thead><tr>{head}</tr></thead>\n<tbody>{body_rows}</tbody>\n</table>")
    return html_page("Results per question", body)


def write_summary(run: GradingRun, out: Path) -> tuple[Path, Path]:
    """``OUT/summary.csv`` and ``OUT/summary.html`` (chart as inline SVG); returns both paths."""
    out = Path(out)
    rows = summarize(run)
    csv_path = _write_csv(out / SUMMARY_CSV, SUMMARY_COLUMNS, [_summary_row(s) for s in rows])
    html_path = out / SUMMARY_HTML
    html_path.write_text(summary_html(rows, run), encoding="utf-8")
    return csv_path, html_path


# --------------------------------------------------------------------------- all together


def roster_from_settings(run: GradingRun) -> Path | None:
    """The roster file the grading run was given (``settings["roster"]``), when it still exists."""
    value = run.settings.get("roster")
    path = Path(value) if isinstance(value, str) and value else None
    return path if path and path.is_file() else None


#: Remembers the roster the gradebook was last written with, so a merge of marks rewrites canvas.csv too.
GRADEBOOK_JSON = "gradebook.json"


def remembered_roster(out: Path) -> Path | None:
    """The roster of the last ``write_gradebook`` with one, else the grading run's, if it still exists."""
    import json

    note = Path(out) / GRADEBOOK_JSON
    if note.is_file():
        value = json.loads(note.read_text(encoding="utf-8")).get("roster")
        if isinstance(value, str) and Path(value).is_file():
            return Path(value)
    return roster_from_settings(GradingRun.load(out))


MISSING_CSV = "missing.csv"


def write_missing_csv(run: GradingRun, roster_students: Sequence[RosterStudent], path: Path) -> Path:
    """``missing.csv``: per exercise of the run, each roster student with no counted, matched submission."""
    have = {(r.student_id, r.exercise) for r in counted_matched(run)}
    order = sorted(roster_students, key=lambda s: (s.section, s.name, s.student_id))
    rows = [[exercise, safe_cell(s.student_id), safe_cell(s.name), safe_cell(s.section)]
            for exercise in exercise_points(run) for s in order if (s.student_id, exercise) not in have]
    return _write_csv(path, ["exercise", "student_id", "name", "section"], rows)


def rematch_if_changed(out: Path, roster: Path, notes: list[str]) -> None:
    """Match ``out``'s submissions again when ``roster`` is not the roster they were matched with
    (another file, or the same file edited since); says so in ``notes``, with a reminder to write the
    feedback pages again when some exist and a submission changed its student or status."""
    from alliance.classroom.roster.matching import match_roster
    from alliance.classroom.roster.students import roster_digest

    run = GradingRun.load(out)
    digest = roster_digest(roster)
    if run.settings.get("roster_sha256") == digest:
        return
    before = {r.submission: (r.student_id, r.match) for r in run.results}
    match_roster(run, roster)
    run.settings.update(roster=str(roster), roster_sha256=digest)
    run.save(out)
    changed = sum(1 for r in run.results if before.get(r.submission) != (r.student_id, r.match))
    notes.append(f"The roster {roster} is not the one the submissions were matched with (changed or another "
                 f"file): matched them again; {changed} submission(s) changed their student or status.")
    if changed and (Path(out) / "feedback").is_dir():
        notes.append(f"The feedback pages in {Path(out) / 'feedback'} were written with the earlier matching: "
                     f"run make feedback OUT={out} again before returning them.")


def write_gradebook(out: Path, roster: Path | None = None, notes: list[str] | None = None) -> list[Path]:
    """``grades.csv``, ``summary.csv``, ``summary.html`` and, with a roster, ``canvas.csv`` and
    ``missing.csv`` in ``out``.

    Without ``roster`` the one remembered from an earlier call (or the grading run's) is used, so a
    merge of hand marks refreshes every file that was written before. A roster that is not the one
    the submissions were matched with (edited since, or another file) matches them again first
    (:func:`rematch_if_changed`); ``notes`` collects what was done.
    """
    import json

    out = Path(out)
    notes = notes if notes is not None else []
    if roster is not None:
        (out / GRADEBOOK_JSON).write_text(json.dumps({"roster": str(Path(roster).resolve())}) + "\n",
                                          encoding="utf-8")
    else:
        roster = remembered_roster(out)
    if roster is not None:
        rematch_if_changed(out, roster, notes)
    run = GradingRun.load(out)
    written = [write_grades_csv(run, out / GRADES_CSV), *write_summary(run, out)]
    if roster is not None:
        from alliance.classroom.roster.students import load_roster

        students = load_roster(roster).students
        written.append(write_canvas_csv(run, students, out / CANVAS_CSV))
        written.append(write_missing_csv(run, students, out / MISSING_CSV))
    return written


def missing_report(out: Path) -> list[str]:
    """Lines naming, per exercise, the roster students with no counted submission (from ``missing.csv``)."""
    path = Path(out) / MISSING_CSV
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    by_exercise: dict[str, list[str]] = {}
    for row in rows:
        by_exercise.setdefault(row["exercise"], []).append(f"{row['name']} ({row['student_id']})")
    if not by_exercise:
        return ["Every roster student handed in every exercise."]
    lines = ["Roster students with no submission (missing.csv):"]
    for exercise, names in by_exercise.items():
        shown = ", ".join(names[:30]) + (f", and {len(names) - 30} more" if len(names) > 30 else "")
        lines.append(f"  {exercise}: {len(names)}: {shown}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Write grades.csv, summary.csv, summary.html and (with --roster) canvas.csv into OUT."""
    parser = argparse.ArgumentParser(prog="python -m alliance.classroom.gradebook", description=main.__doc__)
    parser.add_argument("out", type=Path, help="the grading output folder (with results.json)")
    parser.add_argument("--roster", type=Path, help="the course roster CSV: also write canvas.csv")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not (args.out / "results.json").is_file():
        parser.error(f"{args.out}/results.json not found: grade the submissions first (make grade).")
    notes: list[str] = []
    for path in write_gradebook(args.out, args.roster, notes):
        print(f"wrote {path}")
    for line in [*notes, *missing_report(args.out)]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
