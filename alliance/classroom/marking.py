"""Hand marking: a page for markers and a marking sheet, then the marks merged into ``results.json``.

``export_marking(OUT)`` writes, from ``OUT/results.json`` and the solution notebooks:

* ``OUT/marking/index.html`` — per exercise and hand-marked question (written answers, and the
  judgements of the source-criticism questions): the question, the **rubric** and the **model
  answer** beside the answers, then every counted submission's answer under its anonymous code
  only (no name, student id, file name or section appears in the marking files);
* ``OUT/marking/marks.csv`` — the sheet to fill: ``anon, exercise, question, points_possible, mark,
  comment, run``, one row per written answer and per judgement (a judgement's ``points_possible`` are
  its key's ``judgement_points``: marked like a written answer, or a comment only when 0; ``run``: the
  grading run it belongs to). Marks and comments already merged are filled
  in, so a sheet can be re-exported; a written answer left blank is pre-filled with 0. A
  ``marks.csv`` holding marks not merged yet is never overwritten: the new sheet is ``marks-2.csv``.

``merge_marks(OUT, sheets)`` reads each sheet as a spreadsheet saves it (UTF-8 with or without BOM,
Windows-1252, UTF-16; comma, semicolon or tab between cells; refused with a message naming what was
found otherwise, and a Windows-1252 reading that looks garbled, such as a Mac Roman sheet, is refused too) and checks it whole first: it refuses it (:class:`MarkingError`, listing every
problem with its line number; nothing written) when a mark is not a number, is negative or above the
points, is given on a judgement row with 0 points, or a row names an unknown anonymous code, an unknown
exercise/question, a question not marked by hand, or repeats another row. A sheet of another grading
run is refused with one message. Two sheets giving one answer different marks (two markers), or a
sheet changing a mark or comment merged from another sheet, is a conflict: named, nothing merged. A blank cell
leaves what was merged before (``--clear-blank`` clears; the mark ``clear`` clears one mark). Then it
writes the marks (``score``) and comments into ``results.json`` and rewrites the gradebook files
(``alliance.classroom.gradebook.write_gradebook``). Merging the same sheet twice gives the same result.

The question texts, model answers and rubrics are the solution notebooks' MyST. With the book built
(``make book``) and a published address (``html.baseurl``) they are converted as for the notebook editions (``alliance.editions``: quotations,
paragraph citations and glossary terms linked to the published book); otherwise the same converter,
unlinked (``alliance.editions.myst.unlinked_commonmark``: roles shown as their text, e.g. ``ling2018 ¶22``). Either way the result is rendered as
CommonMark with raw HTML disabled; students' answers are shown as escaped plain text.

Command line (``make marking OUT=folder``, ``make merge-marks OUT=folder MARKS="a.csv [b.csv]"``)::

    python -m alliance.classroom.marking export OUT
    python -m alliance.classroom.marking merge OUT marks.csv [more.csv ...] [--clear-blank] [--replace]
"""
from __future__ import annotations

import argparse
import csv
import html
import io
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from alliance.editions.myst import split_admonition, unlinked_commonmark
from alliance.editions.tags import PLACEHOLDER_TAG, SOLUTION_TAG, cell_tags
from alliance.errors import CourseError
from alliance.classroom.gradebook import format_points, is_answered, safe_cell
from alliance.classroom.results import HAND_KINDS, GradingRun, ItemResult, SubmissionResult

MARKING_DIR = "marking"
MARKING_HTML = "index.html"
MARKS_CSV = "marks.csv"
#: The columns a filled sheet must have; ``run`` (the grading run it was exported from) is written too.
MARKS_COLUMNS = ["anon", "exercise", "question", "points_possible", "mark", "comment"]
RUN_COLUMN = "run"
#: A mark cell holding this word clears the mark (a blank cell leaves it as it is).
CLEAR_TOKEN = "clear"
#: The encodings a marking sheet is read in, in order (a spreadsheet on Windows saves Windows-1252).
SHEET_ENCODINGS = ("utf-8-sig", "cp1252")
#: Field separators a spreadsheet may save a "CSV" with (semicolons where the decimal mark is a comma).
SHEET_SEPARATORS = (",", ";", "\t")
JUDGEMENT_SUFFIX = "-judgement"
_HEADING = re.compile(r"^##\s+Question\s+(\d+)\b\s*:?\s*(?P<title>.*)$", re.M)


class MarkingError(CourseError):
    """A marking sheet cannot be merged (every problem listed, by line), or marking cannot start."""


# --------------------------------------------------------------------------- the solution notebooks


@dataclass
class QuestionText:
    """What the solution notebook says about one question (MyST, as written)."""

    item_id: str              # "q6", or "q4-judgement" for the judgement of question 4
    heading: str              # "Question 6: Two readings of transactionalism"
    prompt: str               # the question's Markdown without its heading (a judgement: the question, then the prompt)
    model_title: str = ""     # "Model answer" / "Model judgement"
    model: str = ""
    rubric_title: str = ""    # "Marking rubric (3 points)"
    rubric: str = ""


@dataclass
class ExerciseText:
    """The questions of one solution notebook."""

    exercise: str
    title: str
    docname: str              # "exercises/ex02-transactionalism"
    questions: dict[str, QuestionText] = field(default_factory=dict)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def read_exercise_text(path: Path) -> ExerciseText:
    """The question texts, model answers and rubrics of a solution notebook (``exercises/ex*.ipynb``)."""
    import json

    from alliance.exercises import exercise_id

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    exercise = exercise_id(nb) or Path(path).stem.split("-")[0]
    cells = nb.get("cells", [])
    title_match = re.search(r"^#\s+(.+)$", _source(cells[0]), re.M) if cells else None
    text = ExerciseText(exercise, title_match[1].strip() if title_match else exercise, f"exercises/{Path(path).stem}")
    prompts: dict[str, tuple[str, list[str]]] = {}   # "qN" -> (heading, prompt parts)
    open_question = ""
    for index, cell in enumerate(cells):
        source, tags = _source(cell), cell_tags(cell)
        heading = _HEADING.search(source) if cell.get("cell_type") == "markdown" and not tags else None
        if heading:
            open_question = f"q{heading[1]}"
            # the heading is shown by the pages themselves, at their own level
            prompts[open_question] = (heading[0].lstrip("#").strip(), [_HEADING.sub("", source, count=1).strip()])
            continue
        if cell.get("cell_type") == "markdown" and not tags and open_question:
            prompts[open_question][1].append(source)
            continue
        open_question = ""
        placeholder = next((m for t in tags if (m := PLACEHOLDER_TAG.match(t))), None)
        if placeholder:
            text.questions.update(_hand_question(placeholder[1], placeholder[2], cells, index, prompts))
    for qid, (heading_text, parts) in prompts.items():
        text.questions.setdefault(qid, QuestionText(qid, heading_text, "\n\n".join(parts)))
    return text


def _hand_question(kind: str, qid: str, cells: list[dict], index: int,
                   prompts: dict[str, tuple[str, list[str]]]) -> dict[str, QuestionText]:
    """The written question or judgement whose placeholder is ``cells[index]``, with its solutions."""
    heading, parts = prompts.get(qid, (qid, []))
    prompt = "\n\n".join(parts)
    item_id = qid
    if kind == "judgement":
        item_id = qid + JUDGEMENT_SUFFIX
        before = []
        back = index - 1
        while back >= 0 and cells[back].get("cell_type") == "markdown" and not cell_tags(cells[back]) \
                and not _HEADING.search(_source(cells[back])):
            before.insert(0, _source(cells[back]))
            back -= 1
        prompt = "\n\n".join([prompt, *before]).strip()
    question = QuestionText(item_id, heading + (" (judgement)" if kind == "judgement" else ""), prompt)
    after = index + 1
    while after < len(cells) and SOLUTION_TAG in cell_tags(cells[after]):
        title, body = split_admonition(_source(cells[after]))
        if title.lower().startswith("marking rubric"):
            question.rubric_title, question.rubric = title, body
        elif not question.model:
            question.model_title, question.model = title or "Model answer", body
        after += 1
    return {item_id: question}


def exercise_texts(folder: Path | None = None) -> dict[str, ExerciseText]:
    """Exercise id → its :class:`ExerciseText`, for every solution notebook."""
    from alliance.exercises import solution_notebooks

    texts = (read_exercise_text(p) for p in solution_notebooks(folder))
    return {t.exercise: t for t in texts}


# --------------------------------------------------------------------------- MyST → HTML


class MystRenderer:
    """Renders the solution notebooks' MyST as HTML: through the notebook editions' converter when the
    book is built, else unlinked (:func:`alliance.editions.myst.unlinked_commonmark`); always CommonMark with
    raw HTML disabled."""

    def __init__(self, book: object | None = None):
        self.book = book
        self.linked = book is not None

    @classmethod
    def from_build(cls) -> MystRenderer:
        """Use the built book (``_build/html``) when there is one; the plain rendering otherwise."""
        from alliance.editions.links import BookIndex
        from alliance.errors import EditionError

        try:
            book = BookIndex.from_build()
        except (EditionError, OSError, ValueError):
            return cls(None)
        return cls(book if book.links == "published" else None)  # no published book: nothing to link to

    def commonmark(self, markdown: str, docname: str) -> str:
        """``markdown`` as CommonMark (MyST converted); a construct the converter refuses goes plain."""
        if self.book is not None:
            import nbformat

            from alliance.editions.notebooks import convert_notebook

            try:
                nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
                return convert_notebook(nb, docname, self.book).cells[0].source
            except Exception:  # noqa: BLE001 — a stale build or an unknown construct: the plain rendering
                pass
        return unlinked_commonmark(markdown, docname)

    def html(self, markdown: str, docname: str) -> str:
        """``markdown`` (MyST) as HTML."""
        from markdown_it import MarkdownIt

        return MarkdownIt("commonmark", {"html": False}).render(self.commonmark(markdown, docname))


# --------------------------------------------------------------------------- export


def counted_hand_items(run: GradingRun) -> list[tuple[SubmissionResult, ItemResult]]:
    """(submission, item) for every written answer and judgement of a counted submission."""
    return [(r, i) for r in run.results if r.counted and r.exercise for i in r.items if i.kind in HAND_KINDS]


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
    for n, ((exercise, item_id), entries) in enumerate(sorted(groups.items(), key=lambda kv: _order(kv[0])), 1):
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


def _order(key: tuple[str, str]) -> tuple[str, int, str]:
    exercise, item_id = key
    number = re.match(r"q(\d+)", item_id)
    return exercise, int(number[1]) if number else 0, item_id


def run_id(run: GradingRun) -> str:
    """The id of the grading run (``settings["run_id"]``), carried in every row of its marking sheets."""
    return str(run.settings.get("run_id") or "")


def marks_rows(run: GradingRun) -> list[list[str]]:
    """The marking sheet's rows, with marks and comments already merged filled in.

    A written answer left blank (shown as "(no answer)") is pre-filled with the mark 0.
    """
    rows = []
    for result, item in sorted(counted_hand_items(run), key=lambda e: (*_order((e[0].exercise, e[1].id)), e[0].anon)):
        mark = format_points(item.score) if item.takes_mark else ""
        if item.takes_mark and item.score is None and not is_answered(item):
            mark = "0"
        rows.append([result.anon, result.exercise, item.id, format_points(item.points), mark,
                     safe_cell(item.comment), run_id(run)])
    return rows


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
    merged = {tuple(r[:3]): (r[4], _unguard(r[5])) for r in marks_rows(run)}
    lines = []
    for line, row in rows:
        key = (row.get("anon", "").strip(), row.get("exercise", "").strip(), row.get("question", "").strip())
        mark, comment = _normal_mark(row.get("mark", "")), _unguard(row.get("comment", "").strip())
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


# --------------------------------------------------------------------------- reading a sheet


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16"}
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def decode_sheet(sheet: Path) -> tuple[str, str]:
    """The text of a sheet and its encoding's name: UTF-8 (with or without BOM), UTF-16 with a BOM
    (Excel's "Unicode text"), or Windows-1252 (Excel's "CSV" on Windows); anything else is refused."""
    data = Path(sheet).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), _ENCODING_NAMES["utf-16"]
    failure = None
    for encoding in SHEET_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            failure = failure or error
            continue
        garbled = misread(text) if encoding == "cp1252" else ""
        if garbled:
            raise MarkingError(f"{sheet}: tried UTF-8, then Windows-1252, and the Windows-1252 reading looks garbled "
                               f"({garbled}): the sheet was probably saved in another encoding (Mac Roman, from an "
                               f"older Mac spreadsheet, reads this way); nothing was merged. Save it from your "
                               f"spreadsheet as \"CSV UTF-8\" and merge it again.")
        return text, _ENCODING_NAMES[encoding]
    where = failure.start if failure else 0
    raise MarkingError(f"{sheet}: neither UTF-8 nor Windows-1252 text (byte 0x{data[where]:02X} at position {where}); "
                       "nothing was merged. Save it from your spreadsheet as \"CSV UTF-8\".")


#: What a Mac Roman sheet read as Windows-1252 shows: a lowercase letter followed by a capital or sign that no
#: word has there ("PrŽcis" for "Précis", "donÕt" for "don’t"), a Mac opening quote before a word ("Ògood"),
#: or a C1 control character.
_MISREAD = re.compile(r"[a-z][ŽŠŒŸˆ‡‰‹›„ÑÓÒÕÔÐ]|[ÒÔ][a-z]|[\x80-\x9f]")


def misread(text: str) -> str:
    """The first stretch of ``text`` that shows a wrong decoding (quoted, with its line), or ""."""
    found = _MISREAD.search(text)
    if not found:
        return ""
    line = text.count("\n", 0, found.start()) + 1
    start = max(text.rfind("\n", 0, found.start()) + 1, found.start() - 12)
    return f"line {line}: {text[start:found.end() + 12].splitlines()[0]!r}"


def sheet_separator(header: str, sheet: Path, encoding: str) -> str:
    """The separator of the header line: comma, semicolon or tab, whichever splits it most."""
    counts = {sep: header.count(sep) for sep in SHEET_SEPARATORS}
    best = max(SHEET_SEPARATORS, key=lambda sep: counts[sep])
    if counts[best] == 0:
        raise MarkingError(f"{sheet}: line 1 ({encoding} text): no comma, semicolon or tab between the column "
                           f"names ({header.strip()[:80]!r}); nothing was merged. Expected the columns "
                           f"{', '.join(MARKS_COLUMNS)}.")
    return best


def read_sheet(sheet: Path) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """The rows of a marking sheet with the line each starts on, and how it was read
    ("UTF-8, comma-separated"). Blank rows are skipped; a sheet without the columns is refused."""
    text, encoding = decode_sheet(sheet)
    header = text.split("\n", 1)[0]
    separator = sheet_separator(header, sheet, encoding)
    how = f"{encoding}, {_SEPARATOR_NAMES[separator]}-separated"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    columns = [c.strip().lower() for c in next(reader, [])]
    missing = [c for c in MARKS_COLUMNS if c not in columns]
    if missing:
        raise MarkingError(f"{sheet}: line 1: missing column(s) {', '.join(missing)} (read as {how}: found "
                           f"{', '.join(columns) or 'nothing'}); expected {', '.join(MARKS_COLUMNS)}.")
    rows, line = [], 1
    for cells in reader:
        start, line = line + 1, reader.line_num
        row = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns)}
        if any(v.strip() for v in row.values()):
            rows.append((start, row))
    return rows, how


# --------------------------------------------------------------------------- merge


@dataclass
class _Mark:
    """One checked row of a marking sheet."""

    result: SubmissionResult
    item: ItemResult
    score: float | None
    comment: str
    clear: bool = False       # the mark cell said "clear"
    sheet: str = ""           # the sheet's file name
    line: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        return self.result.anon, self.result.exercise, self.item.id

    @property
    def where(self) -> str:
        return f"{self.sheet} line {self.line}"


def _parse_mark(text: str, item: ItemResult, sheet_points: str) -> tuple[float | None, list[str]]:
    """The mark of one row (``None`` when blank) and what is wrong with it (``2,5`` reads as 2.5)."""
    text = text.strip()
    problems = []
    if sheet_points.strip():
        try:
            if float(sheet_points.replace(",", ".")) != item.points:
                problems.append(f"points_possible {sheet_points.strip()} does not match the question's "
                                f"{format_points(item.points)} points (an old sheet?)")
        except ValueError:
            problems.append(f"points_possible {sheet_points.strip()!r} is not a number")
    if not text:
        return None, problems
    if item.kind == "judgement" and not item.takes_mark:
        return None, [*problems, f"mark {text!r} on a judgement row with 0 points: it takes a comment only"]
    try:
        value = float(text.replace(",", ".") if re.fullmatch(r"\d+,\d+", text) else text)
    except ValueError:
        return None, [*problems, f"mark {text!r} is not a number"]
    if not math.isfinite(value):
        problems.append(f"mark {text!r} is not a number")
    elif value < 0:
        problems.append(f"mark {text} is negative")
    elif value > item.points:
        problems.append(f"mark {text} is above the {format_points(item.points)} points of the question")
    return value, problems


def sheet_runs(sheet: Path) -> set[str]:
    """The grading runs a sheet's ``run`` column names (empty when unreadable or without the column)."""
    try:
        rows, _ = read_sheet(sheet)
    except MarkingError:
        return set()
    return {row.get(RUN_COLUMN, "").strip() for _, row in rows} - {""}


def _other_run(run: GradingRun, sheet: Path, rows: list[tuple[int, dict[str, str]]]) -> str:
    """Why ``sheet`` belongs to another grading run than ``run`` ("" when it does not)."""
    current = run_id(run)
    runs = sorted({row.get(RUN_COLUMN, "").strip() for _, row in rows} - {""})
    if current and runs and runs != [current]:
        earlier = any(r in run.settings.get("earlier_runs", []) for r in runs)
        folder = Path(sheet).parent.parent if Path(sheet).parent.name == MARKING_DIR else None
        out = f"OUT={folder}" if folder else "OUT=<the graded folder>"
        return (f"{sheet}: " + ("this sheet is superseded: it comes from an earlier " if earlier else
                                "this sheet comes from another ") + f"grading run ({', '.join(runs)}), but this folder now holds run {current} "
                f"(graded again since): nothing was merged. Marks merged before grading again are kept for every "
                f"answer that did not change, and grading again listed the answers that changed. To go on: "
                f"make marking {out} (a fresh sheet with the kept marks filled in), mark there the answers that "
                f"changed (copy what still applies from this sheet), merge that sheet, and move this one out of "
                f"the marking folder.")
    codes = {(r.anon, r.exercise) for r in run.results if r.anon}
    named = [(row.get("anon", "").strip(), row.get("exercise", "").strip()) for _, row in rows]
    if named and not any(code in codes for code in named):
        return (f"{sheet}: none of its {len(named)} row(s) names an anonymous code of this grading run: it comes "
                f"from another grading run (or another class); nothing was merged. Export this run's sheet with "
                f"make marking OUT=...")
    return ""


def read_marks(run: GradingRun, sheet: Path) -> list[_Mark]:
    """Every row of a filled marking sheet, checked against ``run``; :class:`MarkingError` lists all problems.

    A sheet exported from another grading run is refused with one message saying so.
    """
    rows, how = read_sheet(sheet)
    other = _other_run(run, sheet, rows)
    if other:
        raise MarkingError(other)
    by_anon = {(r.anon, r.exercise): r for r in run.results if r.counted and r.anon and r.exercise}
    known = {(r.exercise, i.id): i.kind for r in run.results if r.exercise for i in r.items}
    problems: list[str] = []
    marks: list[_Mark] = []
    seen: dict[tuple[str, str, str], int] = {}
    for start, row in rows:
        cells = {c: (row.get(c) or "") for c in MARKS_COLUMNS}
        anon, exercise, qid = cells["anon"].strip(), cells["exercise"].strip(), cells["question"].strip()
        where = f"line {start} ({anon or '?'} {exercise or '?'} {qid or '?'})"
        key = (anon, exercise, qid)
        if key in seen:
            problems.append(f"{where}: repeats line {seen[key]}")
            continue
        seen[key] = start
        if (exercise, qid) not in known:
            problems.append(f"{where}: unknown exercise/question {exercise!r}/{qid!r}")
            continue
        if known[(exercise, qid)] not in HAND_KINDS:
            problems.append(f"{where}: question {qid} of {exercise} is checked automatically, not marked by hand")
            continue
        result = by_anon.get((anon, exercise))
        if result is None:
            problems.append(f"{where}: unknown anonymous code {anon!r} for {exercise}")
            continue
        try:
            item = result.item(qid)
        except KeyError:
            problems.append(f"{where}: submission {anon} has no question {qid}")
            continue
        clear = cells["mark"].strip().lower() == CLEAR_TOKEN
        score, wrong = _parse_mark("" if clear else cells["mark"], item, cells["points_possible"])
        problems.extend(f"{where}: {w}" for w in wrong)
        marks.append(_Mark(result, item, score, _unguard(cells["comment"].strip()), clear, Path(sheet).name, start))
    if problems:
        raise MarkingError(f"{sheet}: {len(problems)} problem(s); nothing was merged (read as {how}):\n  "
                           + "\n  ".join(problems))
    return marks


def _unguard(comment: str) -> str:
    """A comment as the marker wrote it: the ' that :func:`safe_cell` put before a formula sign dropped."""
    return comment[1:] if comment.startswith("'") and comment[1:2] and safe_cell(comment[1:]) != comment[1:] \
        else comment


def _shown(mark: _Mark) -> str:
    return CLEAR_TOKEN if mark.clear else format_points(mark.score)


def conflicts(marks: list[_Mark], replace: bool = False) -> list[str]:
    """Two different marks (or comments) for one answer, between sheets merged together or against a
    mark or comment merged earlier from another sheet (unless ``replace``): each named, none resolved."""
    found: list[str] = []
    groups: dict[tuple[str, str, str], list[_Mark]] = {}
    for mark in marks:
        groups.setdefault(mark.key, []).append(mark)
    for (anon, exercise, qid), group in groups.items():
        given = [m for m in group if m.score is not None or m.clear]
        if len({_shown(m) for m in given}) > 1:
            found.append(f"{anon} {exercise} {qid}: " + ", ".join(f"mark {_shown(m)} in {m.where}" for m in given))
        commented = [m for m in group if m.comment]
        if len({m.comment for m in commented}) > 1:
            found.append(f"{anon} {exercise} {qid}: different comments in "
                         + " and ".join(m.where for m in commented))
        item = group[0].item
        earlier = item.score
        if not replace and earlier is not None and item.marked_by:
            for m in given:
                if m.sheet != item.marked_by and (m.clear or m.score != earlier):
                    found.append(f"{anon} {exercise} {qid}: mark {_shown(m)} in {m.where} would replace the mark "
                                 f"{format_points(earlier)} merged from {item.marked_by}")
        origin = item.commented_by or item.marked_by
        if not replace and item.comment and origin:
            for m in commented:
                if m.sheet != origin and m.comment != item.comment:
                    found.append(f"{anon} {exercise} {qid}: the comment in {m.where} would replace the comment "
                                 f"merged from {origin}")
    return found


def merge_marks(out: Path, sheet: Path | Sequence[Path], clear_blank: bool = False,
                replace: bool = False) -> GradingRun:
    """Merge one or several filled sheets into ``OUT/results.json``, then rewrite the gradebook files.

    Several sheets (two markers, split by question or by student) are merged together. A blank mark
    or comment leaves what was merged before (``clear_blank``: clears it); the mark ``clear`` clears
    a mark. Nothing is written when any row is wrong or any answer gets two different marks
    (:class:`MarkingError` names them all); a sheet that changes a mark merged from another sheet is
    such a conflict unless ``replace``. Returns the updated run.
    """
    from alliance.classroom.gradebook import write_gradebook

    out = Path(out)
    sheets = [Path(sheet)] if isinstance(sheet, (str, Path)) else [Path(s) for s in sheet]
    run = GradingRun.load(out)
    marks = [m for s in sheets for m in read_marks(run, s)]
    found = conflicts(marks, replace)
    if found:
        raise MarkingError(f"{len(found)} conflict(s) between marks; nothing was merged. Settle each in one sheet "
                           f"(or, to let this sheet replace earlier marks, merge with REPLACE=1):\n  "
                           + "\n  ".join(found))
    for mark in marks:
        item = mark.item
        if item.takes_mark:
            if mark.clear or (mark.score is None and clear_blank):
                item.score, item.marked_by = None, ""
            elif mark.score is not None and mark.score != item.score:
                item.score, item.marked_by = mark.score, mark.sheet
            elif mark.score is not None and not item.marked_by:
                item.marked_by = mark.sheet
        if mark.comment or clear_blank:
            if mark.comment != item.comment:
                item.commented_by = mark.sheet if mark.comment else ""
            item.comment = mark.comment
    run.save(out)
    write_gradebook(out)
    return run


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """Export the marking page and sheet, or merge filled sheets into results.json."""
    parser = argparse.ArgumentParser(prog="python -m alliance.classroom.marking", description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write OUT/marking/index.html and OUT/marking/marks.csv")
    export.add_argument("out", type=Path)
    merge = commands.add_parser("merge", help="merge filled marking sheets into OUT/results.json")
    merge.add_argument("out", type=Path)
    merge.add_argument("marks", type=Path, nargs="+", help="one sheet, or one per marker")
    merge.add_argument("--clear-blank", action="store_true", help="a blank mark or comment clears the merged one")
    merge.add_argument("--replace", action="store_true", help="let these sheets replace marks merged from others")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not (args.out / "results.json").is_file():
        parser.error(f"{args.out}/results.json not found: grade the submissions first (make grade).")
    try:
        if args.command == "export":
            page, sheet = export_marking(args.out)
            old = sheet.parent / MARKS_CSV
            current = run_id(GradingRun.load(args.out))
            if sheet.name != MARKS_CSV and current and (runs := sheet_runs(old)) and current not in runs:
                print(f"{old} is superseded (from an earlier grading run): left as it is; the new sheet is "
                      f"{sheet.name}, with every kept mark filled in. Mark there the answers that changed (copy "
                      f"what still applies from the old sheet), then move the old sheet out of {sheet.parent}.")
            elif sheet.name != MARKS_CSV:
                print(f"{old} holds marks or comments not merged yet: left as it is; "
                      f"the new sheet is {sheet.name}. Merge the old one first if you still need it:\n"
                      f"  make merge-marks OUT={args.out} MARKS={old}")
            print(f"wrote {page}\nwrote {sheet}  (fill in mark and comment, then: "
                  f"make merge-marks OUT={args.out} MARKS={sheet})")
            for line in left_out(GradingRun.load(args.out)):
                print(line)
        else:
            run = merge_marks(args.out, args.marks, args.clear_blank, args.replace)
            left = sum(len(r.unmarked) for r in run.results if r.counted)
            print(f"merged {' '.join(map(str, args.marks))} into {args.out}/results.json; gradebook rewritten; "
                  f"{left} written answer(s) and judgement(s) still to mark")
    except MarkingError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
