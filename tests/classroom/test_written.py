"""Reading a submitted notebook statically: the identity cell and the written answers."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from alliance.editions.links import BookIndex
from alliance.editions.notebooks import exercise_edition
from alliance.exercises import EXERCISES_DIR, exercise_id, questions
from alliance.editions.solutions import strip_solutions
from alliance.classroom.written import (MAX_ANSWER_CHARS, TRUNCATION_NOTE, EditionCells, Identity, edition_cell_ids,
                              identity_from_source, load_notebook, read_identity, written_answers)
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML = ROOT / "_build" / "html"
EX03 = EXERCISES_DIR / "ex03-trade-frictions.ipynb"


def _student_edition(path: Path = EX03) -> nbformat.NotebookNode:
    """What a student gets, short of the Markdown conversion (which needs the built book)."""
    return strip_solutions(nbformat.read(path, as_version=4))


def _tagged(nb, tag: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", []))


def _roundtrip(nb) -> dict:
    """The notebook as a grader reads it: bytes of a saved file."""
    loaded = load_notebook(nbformat.writes(nb).encode("utf-8"))
    assert loaded is not None
    return loaded


# --------------------------------------------------------------------------- identity


@pytest.mark.parametrize("source, expected", [
    ('student_name = "Jane Smith"\nstudent_id = "s001"', Identity("Jane Smith", "s001")),
    ('student_name = "Jane Smith"\nstudent_id = 20231234', Identity("Jane Smith", "20231234")),
    ('student_name = "..."\nstudent_id = "..."', Identity()),
    ('student_name = ...\nstudent_id = "  ...  "', Identity()),
    ('student_name = "Jane"\nstudent_id = input()', Identity(name="Jane")),
    ('student_id = "s001"\nstudent_id = input("id? ")', Identity(student_id="s001")),
    ('import os\nstudent_id = os.environ["USER"]\nstudent_name = f"{student_id}"', Identity()),
    ('student_id = __import__("os").system("touch /tmp/x")', Identity()),
    ('student_name, student_id = "Jane", "s002"', Identity("Jane", "s002")),
    ('student_id: str = "s003"\nstudent_email = "Jane@Example.edu"',
     Identity(student_id="s003", email="Jane@Example.edu")),
    ('student_id = True\nstudent_name = 3.5', Identity()),
    ('%pip install nothing\nstudent_id = "s004"', Identity(student_id="s004")),
    ('student_id = "s001"\nstudent_name = ("unclosed"', Identity()),
    ('', Identity()),
])
def test_identity_takes_literals_only(source: str, expected: Identity) -> None:
    assert identity_from_source(source) == expected


def test_identity_of_the_student_edition_is_empty_until_filled_in() -> None:
    nb = _student_edition()
    assert read_identity(nb) == Identity()
    nb.cells[_tagged(nb, "identity")].source = ('# Your name and student id\nstudent_name = "Jane Smith"\n'
                                                'student_id = "s001"\n')
    assert read_identity(_roundtrip(nb)) == Identity("Jane Smith", "s001")


def test_identity_cell_without_its_tag_is_still_read() -> None:
    nb = _student_edition()
    cell = nb.cells[_tagged(nb, "identity")]
    cell.source = 'student_name = "Jane Smith"\nstudent_id = 42'
    cell.metadata.pop("tags")
    assert read_identity(_roundtrip(nb)) == Identity("Jane Smith", "42")


def test_identity_tag_wins_over_other_cells_assigning_student_id() -> None:
    nb = _student_edition()
    nb.cells.insert(1, nbformat.v4.new_code_cell('student_id = "someone-else"'))
    nb.cells[_tagged(nb, "identity")].source = 'student_id = "s001"'
    assert read_identity(nb).student_id == "s001"


@pytest.mark.parametrize("path", sorted(EXERCISES_DIR.glob("ex*.ipynb")), ids=lambda p: p.stem)
def test_student_edition_keeps_the_identity_cell(path: Path) -> None:
    """strip_solutions keeps the identity cell, with its tag and its placeholder values."""
    nb = _student_edition(path)
    cells = [c for c in nb.cells if "identity" in c.metadata.get("tags", [])]
    assert len(cells) == 1 and cells[0].cell_type == "code"
    assert 'student_name = "..."' in cells[0].source and 'student_id = "..."' in cells[0].source
    assert "remove-cell" not in cells[0].metadata["tags"]


@pytest.mark.build
def test_published_student_edition_carries_the_identity_cell_and_the_note() -> None:
    """The notebooks students download (exercise_edition, student=True) have the identity cell,
    tagged, and their opening note tells them to fill it in; the written answers read back."""
    book = BookIndex.from_build(HTML)
    for path in sorted(EXERCISES_DIR.glob("ex*.ipynb")):
        nb = exercise_edition(path, book, student=True)
        assert "student_name" in nb.cells[0].source and "student id" in nb.cells[0].source
        identity = [c for c in nb.cells if "identity" in c.metadata.get("tags", [])]
        assert len(identity) == 1
        identity[0].source = 'student_name = "Jane Smith"\nstudent_id = "s001"'
        first_tag = next(t for c in nb.cells for t in c.metadata.get("tags", []) if t.startswith("answer-q"))
        nb.cells[_tagged(nb, first_tag)].source = "My answer."
        saved = _roundtrip(nb)
        assert read_identity(saved) == Identity("Jane Smith", "s001")
        answers = written_answers(saved)
        written = [q["id"] for q in questions(exercise_id(saved)) if q["kind"] == "written"]
        # the first written question is answered; any other written question of the notebook reads back empty
        assert written[0] == first_tag.removeprefix("answer-")
        assert [answers[q] for q in written] == ["My answer."] + [""] * (len(written) - 1)
        assert all(v == "" for k, v in answers.items() if k not in written)


# --------------------------------------------------------------------------- written answers


def test_unanswered_placeholders_are_empty() -> None:
    answers = written_answers(_roundtrip(_student_edition()))
    assert answers == {"q4-judgement": "", "q5-judgement": "", "q6": "", "q7": ""}


def test_written_answers_of_a_filled_in_student_edition() -> None:
    nb = _student_edition()
    nb.cells[_tagged(nb, "answer-q6")].source = "Yuan writes in May 2018; Miller in July 2018."
    added = [nbformat.v4.new_markdown_cell("A second paragraph, in a cell I added."),
             nbformat.v4.new_code_cell("len('a scratch computation')"),
             nbformat.v4.new_markdown_cell("**Conclusion**: both texts frame the frictions.")]
    at = _tagged(nb, "answer-q6") + 1
    nb.cells[at:at] = added
    judgement = _tagged(nb, "judgement-q4")
    nb.cells[judgement].source = "*Write your judgement here.*\n\nA tenth below both checked figures."
    answers = written_answers(_roundtrip(nb))
    assert answers["q6"] == ("Yuan writes in May 2018; Miller in July 2018.\n\nA second paragraph, in a cell I "
                             "added.\n\n**Conclusion**: both texts frame the frictions.")
    assert answers["q4-judgement"] == "A tenth below both checked figures."
    assert answers["q5-judgement"] == ""


def test_added_cells_stop_at_the_next_edition_cell() -> None:
    """A cell added after the q4 judgement belongs to it; the q5 heading (an edition cell) ends it."""
    nb = _student_edition()
    at = _tagged(nb, "judgement-q4") + 1
    nb.cells.insert(at, nbformat.v4.new_markdown_cell("My judgement, in my own cell."))
    heading = next(c for c in nb.cells[at + 1:] if c.cell_type == "markdown")
    assert heading.source.startswith("## Question 5") and not heading.metadata.get("tags")
    heading.source += "\n\nStudents sometimes type into the question cell."
    answers = written_answers(_roundtrip(nb))
    assert answers["q4-judgement"] == "My judgement, in my own cell."
    assert "question cell" not in "".join(answers.values())


def test_lost_tag_found_by_cell_id() -> None:
    nb = _student_edition()
    cell = nb.cells[_tagged(nb, "answer-q6")]
    cell.source = "An answer whose cell lost its tags."
    cell.metadata.pop("tags")
    assert written_answers(_roundtrip(nb))["q6"] == "An answer whose cell lost its tags."


def test_lost_tag_and_id_found_after_the_question_heading() -> None:
    """A placeholder deleted and written anew (no tag, new id): what follows the heading naming `q6`."""
    nb = _student_edition()
    at = _tagged(nb, "answer-q6")
    nb.cells[at] = nbformat.v4.new_markdown_cell("Rewritten from scratch in a new cell.")
    nb.cells.insert(at + 1, nbformat.v4.new_markdown_cell("And a second one."))
    answers = written_answers(_roundtrip(nb))
    assert answers["q6"] == "Rewritten from scratch in a new cell.\n\nAnd a second one."
    assert answers["q4-judgement"] == ""


def test_front_end_that_rewrote_every_id_and_dropped_tags() -> None:
    """No edition id left: code cells and question headings end an answer."""
    nb = _student_edition()
    judgement = _tagged(nb, "judgement-q4")
    nb.cells[judgement].source = "The figure is about a tenth too low."
    nb.cells[judgement].metadata.pop("tags")
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"new{index}"
    answers = written_answers(_roundtrip(nb))
    assert answers["q4-judgement"] == "The figure is about a tenth too low."
    assert answers["q6"] == "" and answers["q5-judgement"] == ""


def test_notebook_without_cell_ids_nbformat_4_4() -> None:
    nb = _student_edition()
    nb.cells[_tagged(nb, "answer-q6")].source = "Answer in an old-format notebook."
    raw = json.loads(nbformat.writes(nb))
    raw["nbformat_minor"] = 4
    for cell in raw["cells"]:
        cell.pop("id", None)
    assert written_answers(raw)["q6"] == "Answer in an old-format notebook."


def test_long_answers_are_cut_and_say_so() -> None:
    nb = _student_edition()
    nb.cells[_tagged(nb, "answer-q6")].source = "word " * 10_000
    answer = written_answers(_roundtrip(nb))["q6"]
    assert answer.endswith(TRUNCATION_NOTE) and len(answer) <= MAX_ANSWER_CHARS + len(TRUNCATION_NOTE)


def test_edition_cells_of_an_unknown_exercise_and_tags_alone() -> None:
    assert edition_cell_ids("ex99") == EditionCells()
    nb = _student_edition()
    nb.metadata["alliance"]["exercise"] = "ex99"
    nb.cells[_tagged(nb, "answer-q6")].source = "Still read from its tag."
    assert written_answers(_roundtrip(nb)) == {"q4-judgement": "", "q5-judgement": "", "q6": "Still read from its tag.",
                                               "q7": ""}


@pytest.mark.parametrize("data", [b"", b"not json", b"[1, 2]", b'{"cells": 3}', "é".encode("latin-1")])
def test_what_is_not_a_notebook(data: bytes) -> None:
    assert load_notebook(data) is None
