"""The cell tags of the exercise notebooks, in one place: what each tag means to every edition.

The solution edition (``exercises/ex*.ipynb``) marks its cells:

* ``solution``: solution code, model answers and rubrics (removed from the student edition);
* ``student``: placeholders (``answer_q1 = ...``, *Write your answer here.*), kept for students and
  hidden in the book by ``remove-cell``;
* ``check``: the ``check(...)`` calls that give instant feedback;
* ``identity``: the cell where a student writes name and id (read by the grader);
* ``answer-qN`` / ``judgement-qN``: the placeholder of a written answer or a judgement;
* ``selfcheck``: the ``check(...)`` cell of a chapter's self-check in a notebook edition.
"""
from __future__ import annotations

import re

SOLUTION_TAG = "solution"
STUDENT_TAG = "student"
CHECK_TAG = "check"
IDENTITY_TAG = "identity"
SELFCHECK_TAG = "selfcheck"
#: A written answer's placeholder (``answer-q6``) and a judgement's (``judgement-q7``).
ANSWER_TAG = re.compile(r"^answer-(?P<q>q\d+)$")
JUDGEMENT_TAG = re.compile(r"^judgement-(?P<q>q\d+)$")
#: Either placeholder: group 1 is the kind (``answer`` or ``judgement``), group 2 the question.
PLACEHOLDER_TAG = re.compile(r"^(answer|judgement)-(q\d+)$")
#: Book-only tags (Jupyter Book's), dropped from the cells a notebook edition keeps.
BOOK_TAGS = frozenset({"remove-cell", "hide-cell", "hide-input", "remove-input", "remove-output"})


def cell_tags(cell: object) -> list[str]:
    """A notebook cell's tags (``[]`` when it has none)."""
    metadata = cell.get("metadata", {}) if hasattr(cell, "get") else {}
    return list(metadata.get("tags", []) or [])
