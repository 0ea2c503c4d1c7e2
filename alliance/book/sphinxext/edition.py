"""Which edition of the book this build makes, and what the student edition leaves out.

``ALLIANCE_BOOK_EDITION`` (``make book EDITION=...``) becomes the config value ``alliance_edition``:
``solution`` (the default) or ``student``. In the student edition :class:`DropSolutions` removes the
in-chapter solutions from each document, and :func:`student_notebook_source` reads each exercise
``.ipynb`` as its student page (no solution cells, placeholders shown).
"""
from __future__ import annotations

import os
from typing import Any

from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform


#: The environment variable that selects the edition of the book (``make book EDITION=...``).
EDITION_VARIABLE = "ALLIANCE_BOOK_EDITION"


def edition_from_environment() -> str:
    """The edition named by ``ALLIANCE_BOOK_EDITION`` (``solution`` when unset)."""
    from alliance.editions.notebooks import BOOK_EDITIONS

    edition = os.environ.get(EDITION_VARIABLE, "").strip() or "solution"
    if edition not in BOOK_EDITIONS:
        raise ValueError(f"{EDITION_VARIABLE}={edition!r}: the book's editions are {', '.join(BOOK_EDITIONS)}.")
    return edition


def is_student_edition(app: Sphinx) -> bool:
    """Whether this build is the student edition of the book."""
    return app.config.alliance_edition == "student"


class DropSolutions(SphinxTransform):
    """Student edition: remove every solution from the document before Sphinx records it.

    Runs after sphinx-exercise merges the gated ``solution-start``/``solution-end`` pairs into
    solution nodes (its ``MergeGatedSolutions``, priority 10), and before ``doctree-read``, so the
    solutions' labels, images and words reach neither the HTML nor the search index. Removes the
    solution nodes and any notebook cell tagged ``solution`` (myst-nb's ``tag_solution`` class).
    (sphinx-exercise's own ``hide_solutions`` cannot be used: with gated solutions it crashes.)
    """

    default_priority = 11

    def apply(self, **kwargs: Any) -> None:
        if not is_student_edition(self.app):
            return
        from sphinx_exercise.nodes import solution_node

        from docutils import nodes

        solutions = list(self.document.findall(solution_node))
        solutions += [n for n in self.document.findall(nodes.container) if "tag_solution" in n.get("classes", [])]
        for node in solutions:
            if node.parent is not None:
                node.parent.remove(node)


def student_notebook_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """Student edition: an ``.ipynb`` page is read as :func:`alliance.editions.student_page_notebook`
    (no solution cells, placeholders shown, check outputs cleared)."""
    if not is_student_edition(app) or not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    import nbformat

    from alliance.editions.notebooks import student_page_notebook

    source[0] = nbformat.writes(student_page_notebook(nbformat.reads(source[0], as_version=4)))

