"""The cell tags of the exercise notebooks, in one place: what each tag means to every edition.

The solution edition (``exercises/ex*.ipynb``) marks its cells:

* ``solution``: solution code, model answers and rubrics (removed from the student edition);
* ``student``: placeholders (``answer_q1 = ...``, *Write your answer here.*), kept for students and
  hidden in the book by ``remove-cell``;
* ``check``: the ``check(...)`` calls that give instant feedback;
* ``identity``: the cell where a student writes name and id (read by the grader);
* ``answer-qN`` / ``judgement-qN``: the placeholder of a written answer or a judgement;
* ``selfcheck``: the ``check(...)`` cell of a chapter's self-check in a notebook edition;
* ``edition-note``: the first cell of a notebook edition (which page it is, how to run it).
"""
from __future__ import annotations

import re
from collections.abc import Mapping

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
#: The first cell of a notebook edition, saying which page it is and how to run it.
EDITION_NOTE_TAG = "edition-note"
#: Jupyter Book's tag hiding a cell from the book (the ``student`` placeholders, the identity cell).
REMOVE_CELL_TAG = "remove-cell"
#: Book-only tags (Jupyter Book's), dropped from the cells a notebook edition keeps.
BOOK_TAGS = frozenset({REMOVE_CELL_TAG, "hide-cell", "hide-input", "remove-input", "remove-output"})


def cell_tags(cell: object) -> list[str]:
    """A notebook cell's tags (``metadata.tags``): ``[]`` when it has none, anything malformed ignored
    (a handed-in notebook is untrusted: a cell or metadata that is no mapping, tags that are no list of strings)."""
    metadata = cell.get("metadata") if isinstance(cell, Mapping) else None
    tags = metadata.get("tags") if isinstance(metadata, Mapping) else None
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
