"""The solution notebooks' question texts, model answers and rubrics, read and rendered as HTML.

:func:`exercise_texts` reads them (MyST, as written) from every solution notebook; :class:`MystRenderer`
renders them for the marking page and the feedback pages: through the notebook editions' converter,
linked to the published book, when the book is built, else unlinked; always CommonMark with raw HTML
disabled.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from alliance.editions.myst import split_admonition, unlinked_commonmark
from alliance.editions.tags import PLACEHOLDER_TAG, SOLUTION_TAG, cell_tags

JUDGEMENT_SUFFIX = "-judgement"
_HEADING = re.compile(r"^##\s+Question\s+(\d+)\b\s*:?\s*(?P<title>.*)$", re.M)


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
