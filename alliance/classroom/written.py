"""What a submitted notebook says about its author and its written answers, read statically.

Nothing here runs a submission: the notebook is read as JSON and its cells as text. The grading
engine, the matching table (``python -m alliance.classroom.roster``) and hand marking use it.

**Identity.** Every exercise notebook has, as its second cell, a code cell tagged ``identity``::

    student_name = "..."
    student_id = "..."

:func:`read_identity` parses that cell with :mod:`ast` (never ``eval``) and takes the string or
integer literals assigned to ``student_name``, ``student_id`` and, if present, ``student_email``
(plain, annotated or tuple assignments; the last literal assignment wins). The placeholder
``"..."`` (or ``...``) counts as empty; anything that is not a literal (``student_id = input()``,
an f-string, a name) is ignored. A cell that does not parse gives an empty identity. If no cell
carries the tag (a student's front end lost it), the first code cell assigning ``student_id`` is
read instead. Lines starting with ``%`` or ``!`` (IPython magics and shell escapes) are blanked
before parsing.

**Written answers.** In the student edition each written question qN has a Markdown placeholder
tagged ``answer-qN`` (*Write your answer here.*), each source-criticism question a judgement
placeholder tagged ``judgement-qN`` (*Write your judgement here.*). :func:`written_answers`
returns, for each, the Markdown the student wrote (keys ``qN`` and ``qN-judgement``):

* the placeholder cell's text, minus the unchanged placeholder line, then the text of the
  Markdown (and raw) cells the student added after it, up to the next **edition cell**; an
  unchanged placeholder with nothing added is ``""`` (unanswered);
* an **edition cell** is a cell of the notebook as handed out, recognised (1) by any tag (the
  edition's cells carry ``student``, ``check``, ``identity``, ``answer-qN``... tags, and a cell a
  student adds has none) or (2) by its nbformat cell id: the student edition keeps the ids of
  the solution notebook it is made from (:func:`alliance.editions.solutions.strip_solutions` copies the
  cells), so :func:`edition_cell_ids` reads them from ``exercises/<exercise>*.ipynb``; a cell a
  student adds gets a new id from the front end. (3) If none of the notebook's cell ids is an
  edition id (a front end rewrote them all), code cells and Markdown cells opening with a
  ``#``/``##`` heading or with the judgement lead-in (``**Your judgement**``) end an answer;
* **lost tag** (best effort): a placeholder whose tag is gone is found by its cell id; failing
  that, the answer is what follows the question's heading cell (the Markdown cell naming
  `` `qN` ``) or, for a judgement, its lead-in cell (``**Your judgement** (qN``), read as above
  (the untagged placeholder then counts as the student's text, placeholder line removed);
* each answer is cut at :data:`MAX_ANSWER_CHARS` characters, with a note saying so at the end.
  Pasted images (cell attachments) are not kept, only the Markdown text.
"""
from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alliance.editions.tags import ANSWER_TAG, IDENTITY_TAG, JUDGEMENT_TAG, cell_tags

#: Variables of the identity cell, by the field of :class:`Identity` they fill.
IDENTITY_VARIABLES: dict[str, str] = {"student_name": "name", "student_id": "student_id",
                                      "student_email": "email"}
#: A literal longer than this in the identity cell is cut (a name or an id is short).
MAX_IDENTITY_CHARS = 200
#: Identity cells longer than this are not parsed (an identity cell is three lines).
MAX_IDENTITY_SOURCE = 20_000
PLACEHOLDER_VALUES = frozenset({"", "..."})

#: The unchanged placeholders of the student edition.
ANSWER_PLACEHOLDER = "*Write your answer here.*"
JUDGEMENT_PLACEHOLDER = "*Write your judgement here.*"
PLACEHOLDERS = frozenset({ANSWER_PLACEHOLDER, JUDGEMENT_PLACEHOLDER})
#: Each written answer is cut at this many characters (a 200-word answer is about 1,300).
MAX_ANSWER_CHARS = 20_000
TRUNCATION_NOTE = f"\n\n[answer cut at {MAX_ANSWER_CHARS:,} characters]"
#: A notebook file larger than this is not read (the grading engine's zip guard is 20 MB too).
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

_HEADING = re.compile(r"^\s{0,3}#{1,2}\s")
_JUDGEMENT_LEAD = re.compile(r"^\s*\*\*Your judgement\*\*")


@dataclass(frozen=True)
class Identity:
    """Who a notebook says wrote it ("" for what it does not say)."""

    name: str = ""
    student_id: str = ""
    email: str = ""

    @property
    def empty(self) -> bool:
        return not (self.name or self.student_id or self.email)


# --------------------------------------------------------------------------- notebook access


def load_notebook(data: bytes) -> dict[str, Any] | None:
    """A submitted file's bytes as a notebook dict (JSON with a ``cells`` list), or ``None``.

    Reads JSON only (no nbformat conversion or validation): what is not a UTF-8 JSON object with
    a list of cells, or is larger than :data:`MAX_NOTEBOOK_BYTES`, is not a notebook here.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return None
    return nb


def _cells(nb: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    cells = nb.get("cells")
    return [c for c in cells if isinstance(c, Mapping)] if isinstance(cells, list) else []


def cell_source(cell: Mapping[str, Any]) -> str:
    """A cell's source as one string (nbformat stores a string or a list of lines)."""
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def cell_id(cell: Mapping[str, Any]) -> str:
    """A cell's nbformat id ("" when the notebook has none, before nbformat 4.5)."""
    value = cell.get("id")
    return value if isinstance(value, str) else ""


# --------------------------------------------------------------------------- identity


def _literal(node: ast.expr) -> str | None:
    """The text of a string or integer literal; ``None`` for anything else."""
    if isinstance(node, ast.Constant):
        if node.value is Ellipsis:
            return ""
        if isinstance(node.value, str) or (isinstance(node.value, int) and not isinstance(node.value, bool)):
            text = str(node.value).strip()
            return "" if text in PLACEHOLDER_VALUES else text[:MAX_IDENTITY_CHARS]
    return None


def _assigned_literals(statement: ast.stmt) -> Iterable[tuple[str, str]]:
    """(variable, literal) pairs a top-level statement assigns; non-literals are skipped."""
    pairs: list[tuple[ast.expr, ast.expr]] = []
    if isinstance(statement, ast.Assign):
        pairs = [(target, statement.value) for target in statement.targets]
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        pairs = [(statement.target, statement.value)]
    for target, value in pairs:
        if isinstance(target, ast.Name):
            text = _literal(value)
            if text is not None:
                yield target.id, text
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                and len(target.elts) == len(value.elts):
            for element, element_value in zip(target.elts, value.elts):
                text = _literal(element_value)
                if isinstance(element, ast.Name) and text is not None:
                    yield element.id, text


def _parse(source: str) -> ast.Module | None:
    """The source parsed as Python, magics blanked; ``None`` if it does not parse."""
    if len(source) > MAX_IDENTITY_SOURCE:
        return None
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def identity_from_source(source: str) -> Identity:
    """The identity a cell's source assigns with literals (empty if it does not parse)."""
    tree = _parse(source)
    if tree is None:
        return Identity()
    found: dict[str, str] = {}
    for statement in tree.body:
        for variable, text in _assigned_literals(statement):
            if variable in IDENTITY_VARIABLES:
                found[IDENTITY_VARIABLES[variable]] = text
    return Identity(**found)


def _assigns_student_id(source: str) -> bool:
    tree = _parse(source)
    if tree is None:
        return False
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else \
            [statement.target] if isinstance(statement, ast.AnnAssign) else []
        for target in targets:
            names = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            if any(isinstance(n, ast.Name) and n.id == "student_id" for n in names):
                return True
    return False


def identity_cell(nb: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The identity cell: the code cell tagged ``identity``, else the first assigning ``student_id``."""
    code = [c for c in _cells(nb) if c.get("cell_type") == "code"]
    tagged = [c for c in code if IDENTITY_TAG in cell_tags(c)]
    if tagged:
        return tagged[0]
    return next((c for c in code if "student_id" in cell_source(c) and _assigns_student_id(cell_source(c))), None)


def read_identity(nb: Mapping[str, Any]) -> Identity:
    """Who the notebook's identity cell says wrote it (see the module docstring)."""
    cell = identity_cell(nb)
    return identity_from_source(cell_source(cell)) if cell is not None else Identity()


# --------------------------------------------------------------------------- written answers


def _anchor_key(tag: str) -> str | None:
    """``answer-q6`` → ``q6``; ``judgement-q4`` → ``q4-judgement``; other tags → ``None``."""
    if match := ANSWER_TAG.match(tag):
        return match["q"]
    if match := JUDGEMENT_TAG.match(tag):
        return f"{match['q']}-judgement"
    return None


def placeholder_keys(nb: Mapping[str, Any]) -> dict[str, str]:
    """{answer key: cell id} of the tagged placeholders of a notebook, in notebook order."""
    keys: dict[str, str] = {}
    for cell in _cells(nb):
        for tag in cell_tags(cell):
            key = _anchor_key(tag)
            if key and key not in keys:
                keys[key] = cell_id(cell)
    return keys


@dataclass(frozen=True)
class EditionCells:
    """What is known of the notebook as handed out: its cell ids and its placeholders."""

    ids: frozenset[str] = frozenset()
    placeholders: Mapping[str, str] | None = None   # answer key -> placeholder cell id

    @property
    def keys(self) -> list[str]:
        return list(self.placeholders or {})


@lru_cache(maxsize=16)
def _edition_cells_of(path: str, mtime_ns: int) -> EditionCells:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    ids = frozenset(cell_id(c) for c in _cells(nb) if cell_id(c))
    return EditionCells(ids=ids, placeholders=placeholder_keys(nb))


def edition_cell_ids(exercise: str, folder: Path | None = None) -> EditionCells:
    """The cell ids and placeholders of the solution notebook of ``exercise`` (empty if unknown).

    The student edition keeps the ids of the cells it keeps, so they are the ids of the
    edition's cells in a student's notebook.
    """
    from alliance.exercises import exercise_id, solution_notebooks

    for path in solution_notebooks(folder):
        nb = json.loads(path.read_text(encoding="utf-8"))
        if exercise_id(nb) == exercise:
            return _edition_cells_of(str(path), path.stat().st_mtime_ns)
    return EditionCells()


def _is_edition_cell(cell: Mapping[str, Any], edition: EditionCells, ids_kept: bool) -> bool:
    """Whether a cell belongs to the notebook as handed out (see the module docstring)."""
    if cell_tags(cell):
        return True
    if ids_kept:
        return cell_id(cell) in edition.ids
    if cell.get("cell_type") == "code":
        return True
    text = cell_source(cell)
    return bool(cell.get("cell_type") == "markdown" and (_HEADING.match(text) or _JUDGEMENT_LEAD.match(text)))


def _student_text(cell: Mapping[str, Any]) -> str:
    """A Markdown or raw cell's text without the unchanged placeholder line(s)."""
    if cell.get("cell_type") not in ("markdown", "raw"):
        return ""
    lines = [line for line in cell_source(cell).splitlines() if line.strip() not in PLACEHOLDERS]
    return "\n".join(lines).strip()


def _cap(text: str) -> str:
    return text if len(text) <= MAX_ANSWER_CHARS else text[:MAX_ANSWER_CHARS].rstrip() + TRUNCATION_NOTE


def _question_lead(cells: Sequence[Mapping[str, Any]], key: str) -> int | None:
    """Index of the cell that leads to a placeholder whose tag and id were lost (best effort)."""
    question = key.removesuffix("-judgement")
    if key.endswith("-judgement"):
        pattern = re.compile(rf"^\s*\*\*Your judgement\*\*\s*\({re.escape(question)}\b")
    else:
        pattern = re.compile(rf"`{re.escape(question)}`")
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "markdown" and pattern.search(cell_source(cell)):
            return index
    return None


def _answer_starts(cells: Sequence[Mapping[str, Any]], edition: EditionCells) -> dict[str, list[tuple[int, bool]]]:
    """{answer key: [(cell index, whether that cell is the placeholder itself)]}."""
    starts: dict[str, list[tuple[int, bool]]] = {}
    by_id = {ident: key for key, ident in (edition.placeholders or {}).items() if ident}
    for index, cell in enumerate(cells):
        keys = [k for k in map(_anchor_key, cell_tags(cell)) if k]
        if not keys and cell_id(cell) in by_id:        # the tag was lost, the id kept
            keys = [by_id[cell_id(cell)]]
        for key in dict.fromkeys(keys):
            starts.setdefault(key, []).append((index, True))
    for key in edition.keys:
        if key not in starts and (lead := _question_lead(cells, key)) is not None:
            starts[key] = [(lead, False)]
    return starts


def written_answers(nb: Mapping[str, Any], edition: EditionCells | None = None) -> dict[str, str]:
    """{``qN`` / ``qN-judgement``: the Markdown the student wrote ("" unanswered)}.

    ``edition`` describes the notebook as handed out; by default it is read from the solution
    notebook of the exercise named in the notebook's metadata (:func:`edition_cell_ids`). Every
    placeholder of that edition has a key, answered or not.
    """
    if edition is None:
        from alliance.exercises import exercise_id

        exercise = exercise_id(nb)
        edition = edition_cell_ids(exercise) if exercise else EditionCells()
    cells = _cells(nb)
    ids_kept = any(cell_id(c) in edition.ids for c in cells)
    answers: dict[str, str] = {key: "" for key in edition.keys}
    for key, starts in _answer_starts(cells, edition).items():
        parts: list[str] = []
        for start, is_placeholder in starts:
            if is_placeholder:
                parts.append(_student_text(cells[start]))
            for cell in cells[start + 1:]:
                if _is_edition_cell(cell, edition, ids_kept):
                    break
                parts.append(_student_text(cell))
        answers[key] = _cap("\n\n".join(p for p in parts if p))
    return answers
