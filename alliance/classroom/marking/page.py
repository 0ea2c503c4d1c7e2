"""The markers' page (``OUT/marking/index.html``) and the sheet exported beside it, under anonymous codes only.

A ``marks.csv`` holding marks not merged yet is never overwritten: the new sheet is then ``marks-2.csv``.
"""
from __future__ import annotations

import csv
import html
from pathlib import Path

from alliance.classroom.gradebook import format_points, is_answered
from alliance.classroom.marking.reading import read_sheet
from alliance.classroom.marking.sheet import (MARKS_COLUMNS, MARKS_CSV, RUN_COLUMN, MarkingError, counted_hand_items,
                                              marks_rows, question_order, unguard)
from alliance.classroom.marking.texts import ExerciseText, MystRenderer, QuestionText, exercise_texts
from alliance.classroom.results import GradingRun, ItemResult, SubmissionResult

MARKING_DIR = "marking"
MARKING_HTML = "index.html"


def unmatched_results(run: GradingRun) -> list[SubmissionResult]:
    """Unmatched submissions left out of marking (not counted): they count for nobody until matched."""
    return [r for r in run.results if r.match == "unmatched" and not r.counted and r.exercise]


def left_out(run: GradingRun) -> list[str]:
    """Lines for the instructor (never in the marking files): the unmatched submissions left out of marking."""
    unmatched = unmatched_results(run)
    if not unmatched:
        return []
    return [f"{len(unmatched)} unmatched submission(s) are not in the marking sheet (they count for nobody): "
            f"match them (fix the roster, or have the student fill in the identity cell and resubmit), then grade "
            f"again:", *(f"  {r.submission} ({r.exercise})" for r in unmatched)]


def _check_anonymous_codes(run: GradingRun) -> None:
    """Every counted submission with hand-marked items needs its own anonymous code per exercise."""
    problems, seen = [], set()
    for result in run.results:
        if not (result.counted and result.exercise and any(i.by_hand for i in result.items)):
            continue
        if not result.anon:
            problems.append(f"a counted submission of {result.exercise} has no anonymous code (anon)")
        elif (result.anon, result.exercise) in seen:
            problems.append(f"anonymous code {result.anon!r} is used twice in {result.exercise}")
        seen.add((result.anon, result.exercise))
    if problems:
        raise MarkingError("results.json cannot be marked anonymously:\n  " + "\n  ".join(problems))


def answer_html(item: ItemResult) -> str:
    """A student's answer as escaped text (hostile input), or the sign of no answer."""
    if not is_answered(item):
        return '<p class="none">(no answer)</p>'
    return f'<div class="answer">{html.escape(item.answer.strip())}</div>'


def _guide_html(question: QuestionText | None, renderer: MystRenderer, docname: str) -> str:
    if question is None:
        return '<p class="none">The solution notebook has no text for this question.</p>'
    parts = [f'<section class="guide" aria-label="Question">{renderer.html(question.prompt, docname)}</section>']
    if question.rubric:
        parts.append(f"<h4>{html.escape(question.rubric_title)}</h4>\n"
                     f'<section class="guide">{renderer.html(question.rubric, docname)}</section>')
    if question.model:
        parts.append(f"<h4>{html.escape(question.model_title)}</h4>\n"
                     f'<section class="guide">{renderer.html(question.model, docname)}</section>')
    return "\n".join(parts)


_MARKING_CSS = (".pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.5rem}"
                ".pair>div:first-child{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto}"
                "@media (max-width:60rem){.pair{display:block}.pair>div:first-child{position:static;max-height:none}}")


def marking_html(run: GradingRun, texts: dict[str, ExerciseText], renderer: MystRenderer) -> str:
    """The markers' page (anonymous codes only)."""
    groups: dict[tuple[str, str], list[tuple[SubmissionResult, ItemResult]]] = {}
    for result, item in counted_hand_items(run):
        groups.setdefault((result.exercise, item.id), []).append((result, item))
    sections, toc = [], []
    for n, ((exercise, item_id), entries) in enumerate(sorted(groups.items(), key=lambda kv: question_order(kv[0])), 1):
        text = texts.get(exercise)
        question = text.questions.get(item_id) if text else None
        first = entries[0][1]
        kind = ("judgement: a comment only, no points" if not first.takes_mark
                else f"judgement, {format_points(first.points)} points, marked with its rubric"
                if first.kind == "judgement" else f"written answer, {format_points(first.points)} points")
        title = f"{exercise} {item_id}" + (f" — {question.heading}" if question else "")
        anchor = f"m{n}"
        toc.append(f'<li><a href="#{anchor}">{html.escape(title)}</a> ({len(entries)} answer(s))</li>')
        answers = "\n".join(
            f"<article><h4>{html.escape(result.anon)}</h4>\n{answer_html(item)}</article>"
            for result, item in sorted(entries, key=lambda e: e[0].anon))
        sections.append(
            f'<section id="{anchor}"><h2>{html.escape(title)}</h2>\n<p>{html.escape(kind)}.</p>\n'
            f'<div class="pair"><div><h3>Question, rubric and model</h3>\n'
            f'{_guide_html(question, renderer, text.docname if text else "")}</div>\n'
            f"<div><h3>Answers ({len(entries)})</h3>\n{answers}</div></div></section>")
    links = ("Quotations, paragraph citations and glossary terms link to the published book."
             if renderer.linked else
             "The book is not built here or has no published address (html.baseurl), so citations are shown as text (for example “ling2018 ¶22” is "
             "paragraph 22 of ling2018); run <code>make book</code> first for links into the book.")
    body = (f"<h1>Hand marking</h1>\n<p>Each written answer and judgement of a counted submission, under its "
            f"anonymous code only. Give each written answer (and each judgement with points) a mark from 0 to its points in "
            f"<code>{MARKS_CSV}</code> (column <code>mark</code>; decimals allowed; a blank cell leaves the "
            f"answer as it is, the word <code>clear</code> removes a mark; an answer shown as <em>(no answer)</em> "
            f"is pre-filled with 0) and, if you wish, a <code>comment</code>. A judgement with 0 points takes a comment only. "
            f"An answer left blank or left as the placeholder is shown as <em>(no answer)</em>. "
            f"Students' answers are shown as plain text, exactly as written. {links}</p>\n"
            + (f"<p>{len(unmatched_results(run))} unmatched submission(s) are not on this page: they count for "
               f"nobody until matched (see <code>grades.csv</code>).</p>\n" if unmatched_results(run) else "")
            + f"<nav aria-label=\"Questions\"><h2>Questions</h2><ul>{''.join(toc) or '<li>none</li>'}</ul></nav>\n"
            + "\n".join(sections))
    from alliance.classroom.gradebook import html_page

    return html_page("Hand marking", body).replace("</style>", _MARKING_CSS + "</style>", 1)


def _normal_mark(text: str) -> str:
    """A mark cell as :func:`marks_rows` writes it (``2.50`` and ``2,5`` → ``2.5``), else as it is."""
    try:
        return format_points(float(text.strip().replace(",", ".")))
    except ValueError:
        return text.strip()


def unmerged_rows(run: GradingRun, sheet: Path) -> list[int]:
    """Line numbers of ``sheet``'s rows with a mark or comment that ``results.json`` does not hold yet.

    Each cell is compared on its own: a blank cell never counts (it clears nothing), and a pre-filled 0
    equals what the sheet would be exported with, so another marker's comment on a row does not make an
    untouched copy of the sheet "not merged".

    A sheet that cannot be read counts as all unmerged work (``[1]``): it is never overwritten.
    """
    try:
        rows, _ = read_sheet(sheet)
    except MarkingError:
        return [1]
    merged = {tuple(r[:3]): (r[4], unguard(r[5])) for r in marks_rows(run)}
    lines = []
    for line, row in rows:
        key = (row.get("anon", "").strip(), row.get("exercise", "").strip(), row.get("question", "").strip())
        mark, comment = _normal_mark(row.get("mark", "")), unguard(row.get("comment", "").strip())
        merged_mark, merged_comment = merged.get(key, ("", ""))
        if (mark and mark != merged_mark) or (comment and comment != merged_comment):
            lines.append(line)
    return lines


def free_sheet(folder: Path, run: GradingRun) -> Path:
    """Where a new sheet goes: ``marks.csv``, unless it holds unmerged marks; then ``marks-2.csv``, ..."""
    candidate, number = folder / MARKS_CSV, 1
    while candidate.exists() and unmerged_rows(run, candidate):
        number += 1
        candidate = folder / f"{Path(MARKS_CSV).stem}-{number}.csv"
    return candidate


def export_marking(out: Path, renderer: MystRenderer | None = None,
                   texts: dict[str, ExerciseText] | None = None) -> tuple[Path, Path]:
    """Write ``OUT/marking/index.html`` and a marking sheet; returns both paths.

    The sheet is ``OUT/marking/marks.csv`` unless that file holds marks or comments not merged yet:
    it is then left as it is and the new sheet is ``marks-2.csv`` (or the next free number).
    """
    out = Path(out)
    run = GradingRun.load(out)
    _check_anonymous_codes(run)
    renderer = renderer or MystRenderer.from_build()
    texts = texts if texts is not None else exercise_texts()
    folder = out / MARKING_DIR
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / MARKING_HTML
    page.write_text(marking_html(run, texts, renderer), encoding="utf-8")
    sheet = free_sheet(folder, run)
    with sheet.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*MARKS_COLUMNS, RUN_COLUMN])
        writer.writerows(marks_rows(run))
    return page, sheet
