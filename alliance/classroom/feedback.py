"""Feedback pages: one self-contained HTML page per student and exercise, to upload to an LMS.

``write_feedback(OUT)`` reads ``OUT/results.json`` and writes ``OUT/feedback/<student_id>-<exercise>.html``
for every counted submission matched to the roster, and ``OUT/feedback.zip`` holding them all. A page
shows, per question: the question, the student's answer (as escaped plain text: answers are hostile
input), and the result — *correct* or *not yet* with the hint (automatic questions), the hand mark out
of the points and the marker's comment or "not yet marked" (written answers, and judgements with points:
"marked with its rubric"), the comment (judgements with 0 points);
then the notes of the grading (a time limit hit, an error) and the total out of the points possible.
With ``model_answers=True`` the model answers and model judgements are shown too.

Command line (``make feedback OUT=folder [MODEL_ANSWERS=1]``)::

    python -m alliance.classroom.feedback OUT [--model-answers]
"""
from __future__ import annotations

import argparse
import html
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from alliance.classroom.gradebook import html_page, counted_matched, format_points, is_answered
from alliance.classroom.marking.page import answer_html
from alliance.classroom.marking.texts import JUDGEMENT_SUFFIX, ExerciseText, MystRenderer, QuestionText, exercise_texts
from alliance.classroom.results import GradingRun, ItemResult, SubmissionResult

FEEDBACK_DIR = "feedback"
FEEDBACK_ZIP = "feedback.zip"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_KIND_LABEL = {"code": "code", "chart": "chart", "criticism": "source criticism", "written": "written answer",
               "judgement": "judgement"}


def page_name(result: SubmissionResult) -> str:
    """``<student_id>-<exercise>.html``, with anything but letters, digits, ``. _ -`` replaced by ``_``."""
    student = _UNSAFE_NAME.sub("_", result.student_id or "unknown").strip("._") or "unknown"
    exercise = _UNSAFE_NAME.sub("_", result.exercise).strip("._") or "exercise"
    return f"{student}-{exercise}.html"


def _points(value: float) -> str:
    text = format_points(value)
    return f"{text} point" if text == "1" else f"{text} points"


def _item_order(item: ItemResult) -> tuple[int, int, str]:
    base = item.id.removesuffix(JUDGEMENT_SUFFIX)
    number = re.fullmatch(r"q(\d+)", base)
    return int(number[1]) if number else 0, item.kind == "judgement", item.id


def result_html(item: ItemResult) -> str:
    """The result of one item: correct / not yet, the hand mark or "not yet marked", the comment."""
    comment = (f'<p><strong>Marker\'s comment:</strong> {html.escape(item.comment)}</p>' if item.comment
               else "")
    if item.kind == "judgement" and not item.takes_mark:
        return comment or "<p>No comment on this judgement (it carries no points).</p>"
    if item.takes_mark:
        rubric = ", marked with its rubric" if item.kind == "judgement" else ""
        if item.score is None:
            return f"<p><strong>Not yet marked</strong> (out of {_points(item.points)}{rubric}).</p>{comment}"
        return (f"<p><strong>Mark: {format_points(item.score)} out of {_points(item.points)}{rubric}.</strong></p>"
                f"{comment}")
    correct = item.score is not None and item.points > 0 and item.score >= item.points
    verdict = "✔ Correct" if correct else "✘ Not yet"
    message = html.escape(item.message) if item.message else ("correct." if correct else "")
    return (f'<p class="{"correct" if correct else "not-yet"}"><strong>{verdict}</strong>: '
            f"{format_points(item.score or 0)} out of {_points(item.points)}. {message}</p>{comment}")


def _judgement_rule(result: SubmissionResult) -> str:
    """How this exercise's judgements are marked: "marked with its rubric" when they have points."""
    judgements = [i for i in result.items if i.kind == "judgement"]
    if judgements and all(i.takes_mark for i in judgements):
        return "each judgement is marked with its rubric, out of its points."
    if any(i.takes_mark for i in judgements):
        return ("a judgement with points is marked with its rubric, out of its points; one without gets a "
                "comment and no points.")
    return "judgements get a comment and no points."


def _question_html(item: ItemResult, question: QuestionText | None, renderer: MystRenderer, docname: str,
                   model_answers: bool) -> str:
    heading = question.heading if question else item.id
    parts = [f"<section><h2>{html.escape(heading)}</h2>",
             f"<p>{html.escape(_KIND_LABEL.get(item.kind, item.kind).capitalize())} · <code>{html.escape(item.id)}"
             f"</code> · {_points(item.points)}</p>"]
    if question and question.prompt:
        parts.append(f'<details><summary>The question</summary>{renderer.html(question.prompt, docname)}</details>')
    parts.append("<h3>Your answer</h3>")
    parts.append(answer_html(item) if item.kind in ("written", "judgement")
                 else (f'<div class="answer">{html.escape(item.answer.strip())}</div>' if is_answered(item)
                       else '<p class="none">(no answer)</p>'))
    parts.append("<h3>Result</h3>")
    parts.append(result_html(item))
    if model_answers and question and question.model:
        parts.append(f"<h3>{html.escape(question.model_title)}</h3>"
                     f'<div class="guide">{renderer.html(question.model, docname)}</div>')
    parts.append("</section>")
    return "\n".join(parts)


def unreadable_html(result: SubmissionResult) -> str:
    """The page of an upload that is not a notebook of the course (a text file, a PDF, a broken notebook):
    it says so plainly and what to hand in instead, without the grader's technical note."""
    filename = result.submission.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
    name = re.sub(r"^.*?_\d+_\d+_", "", filename) or filename        # without Canvas's prefix
    body = (f"<h1>Your upload could not be graded</h1>\n"
            f"<p>Student: {html.escape(result.student_name or '(no name)')} "
            f"(id {html.escape(result.student_id or '')}).</p>\n"
            f"<p>The file you handed in, <code>{html.escape(name)}</code>, is not a notebook of the course "
            f"exercises, so nothing in it could be checked or marked. Hand in the exercise notebook itself "
            f"(the <code>.ipynb</code> file you filled in, not a text file, PDF or export), started from the "
            f"student notebook of the exercise, and it will be graded.</p>")
    return html_page("Your upload could not be graded", body)


def feedback_html(result: SubmissionResult, text: ExerciseText | None, renderer: MystRenderer,
                  model_answers: bool = False) -> str:
    """One student's page for one exercise (every student-provided string escaped); an upload that is
    not a notebook of the course gets :func:`unreadable_html`."""
    if not result.exercise:
        return unreadable_html(result)
    title = text.title if text else result.exercise
    docname = text.docname if text else ""
    unmarked = result.unmarked
    total = (f"<p><strong>Total: {format_points(result.total)} out of {_points(result.possible)}.</strong>"
             + (f" Not yet marked: {html.escape(', '.join(unmarked))} (not in the total yet)." if unmarked else "")
             + "</p>")
    notes = ("<h2>Notes from the grading</h2><ul>"
             + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes) + "</ul>") if result.notes else ""
    questions = "\n".join(
        _question_html(item, text.questions.get(item.id) if text else None, renderer, docname, model_answers)
        for item in sorted(result.items, key=_item_order))
    body = (f"<h1>Feedback: {html.escape(result.exercise)}, {html.escape(title)}</h1>\n"
            f"<p>Student: {html.escape(result.student_name or '(no name)')} "
            f"(id {html.escape(result.student_id or '')}){', section ' + html.escape(result.section) if result.section else ''}."
            f"{' Handed in late.' if result.late else ''}</p>\n{total}\n{notes}\n"
            f"<p>Automatic questions are marked ✔ Correct or ✘ Not yet (with a hint); written answers "
            f"are marked by hand out of their points; {_judgement_rule(result)} An answer "
            f"left blank is shown as <em>(no answer)</em>.</p>\n{questions}")
    return html_page(f"Feedback: {result.exercise} — {result.student_name or result.student_id or ''}", body)


def write_feedback(out: Path, model_answers: bool = False, renderer: MystRenderer | None = None,
                   texts: dict[str, ExerciseText] | None = None) -> list[Path]:
    """``OUT/feedback/<student_id>-<exercise>.html`` per counted, matched submission, and ``OUT/feedback.zip``.

    Pages written by an earlier run are removed first, so the folder holds this run's pages only.
    Returns the pages written (the zip is ``OUT/feedback.zip``).
    """
    out = Path(out)
    run = GradingRun.load(out)
    renderer = renderer or MystRenderer.from_build()
    texts = texts if texts is not None else exercise_texts()
    folder = out / FEEDBACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.html"):
        old.unlink()
    pages: list[Path] = []
    used: dict[str, int] = {}
    for result in sorted(counted_matched(run), key=lambda r: (r.student_id or "", r.exercise, r.submission)):
        name = page_name(result)
        used[name] = used.get(name, 0) + 1
        if used[name] > 1:   # two ids that differ only in unsafe characters
            name = name.removesuffix(".html") + f"-{used[name]}.html"
        page = folder / name
        page.write_text(feedback_html(result, texts.get(result.exercise), renderer, model_answers), encoding="utf-8")
        pages.append(page)
    with zipfile.ZipFile(out / FEEDBACK_ZIP, "w", zipfile.ZIP_DEFLATED) as archive:
        for page in pages:
            info = zipfile.ZipInfo(page.name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, page.read_bytes())
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    """Write one feedback page per student and exercise into OUT/feedback/ and OUT/feedback.zip."""
    parser = argparse.ArgumentParser(prog="python -m alliance.classroom.feedback", description=main.__doc__)
    parser.add_argument("out", type=Path, help="the grading output folder (with results.json)")
    parser.add_argument("--model-answers", action="store_true", help="show the model answers and judgements")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not (args.out / "results.json").is_file():
        parser.error(f"{args.out}/results.json not found: grade the submissions first (make grade).")
    pages = write_feedback(args.out, model_answers=args.model_answers)
    print(f"wrote {len(pages)} feedback page(s) to {args.out / FEEDBACK_DIR} and {args.out / FEEDBACK_ZIP}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
