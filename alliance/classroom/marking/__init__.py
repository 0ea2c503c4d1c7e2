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

The package, by job:

* :mod:`~alliance.classroom.marking.texts`: the solution notebooks' question texts, model answers and rubrics,
  and :class:`MystRenderer`;
* :mod:`~alliance.classroom.marking.sheet`: the sheet's columns and rows, :class:`MarkingError`;
* :mod:`~alliance.classroom.marking.page`: the markers' page and the sheet's export (:func:`export_marking`);
* :mod:`~alliance.classroom.marking.reading`: reading a filled sheet as a spreadsheet saved it;
* :mod:`~alliance.classroom.marking.merge`: checking and merging filled sheets (:func:`merge_marks`);
* :mod:`~alliance.classroom.marking.__main__`: the command line.
"""
from __future__ import annotations

from alliance import lazy_exports

#: Each public name of the package and the module that defines it: ``from alliance.classroom.marking import
#: merge_marks`` keeps working, and importing one module does not import the others.
_EXPORTS: dict[str, str] = {
    "CLEAR_TOKEN": "alliance.classroom.marking.sheet",
    "ExerciseText": "alliance.classroom.marking.texts",
    "JUDGEMENT_SUFFIX": "alliance.classroom.marking.texts",
    "MARKING_DIR": "alliance.classroom.marking.page",
    "MARKING_HTML": "alliance.classroom.marking.page",
    "MARKS_COLUMNS": "alliance.classroom.marking.sheet",
    "MARKS_CSV": "alliance.classroom.marking.sheet",
    "MarkingError": "alliance.classroom.marking.sheet",
    "MystRenderer": "alliance.classroom.marking.texts",
    "QuestionText": "alliance.classroom.marking.texts",
    "RUN_COLUMN": "alliance.classroom.marking.sheet",
    "SHEET_ENCODINGS": "alliance.classroom.marking.reading",
    "SHEET_SEPARATORS": "alliance.classroom.marking.reading",
    "answer_html": "alliance.classroom.marking.page",
    "conflicts": "alliance.classroom.marking.merge",
    "counted_hand_items": "alliance.classroom.marking.sheet",
    "decode_sheet": "alliance.classroom.marking.reading",
    "exercise_texts": "alliance.classroom.marking.texts",
    "export_marking": "alliance.classroom.marking.page",
    "free_sheet": "alliance.classroom.marking.page",
    "left_out": "alliance.classroom.marking.page",
    "main": "alliance.classroom.marking.__main__",
    "marking_html": "alliance.classroom.marking.page",
    "marks_rows": "alliance.classroom.marking.sheet",
    "merge_marks": "alliance.classroom.marking.merge",
    "read_exercise_text": "alliance.classroom.marking.texts",
    "read_marks": "alliance.classroom.marking.merge",
    "read_sheet": "alliance.classroom.marking.reading",
    "run_id": "alliance.classroom.marking.sheet",
    "sheet_runs": "alliance.classroom.marking.reading",
    "unmerged_rows": "alliance.classroom.marking.page",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
