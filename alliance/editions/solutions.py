"""Removing the solutions: the student edition of one solution notebook.

The stripping is done by nbconvert's stock preprocessors (``TagRemovePreprocessor``,
``ClearOutputPreprocessor``, ``ClearMetadataPreprocessor``); see ``instructors.md`` for why. The tags
are :mod:`alliance.editions.tags`.
"""
from __future__ import annotations

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor, ClearOutputPreprocessor, TagRemovePreprocessor
from nbformat import NotebookNode

from alliance.editions.tags import BOOK_TAGS, SOLUTION_TAG, cell_tags

#: Notebook metadata kept in the student edition (the grader reads ``alliance.exercise``).
KEPT_NB_METADATA = {("kernelspec",), ("language_info",), ("alliance",)}


def _copy(nb: NotebookNode) -> NotebookNode:
    return nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))


def strip_solutions(nb: NotebookNode) -> NotebookNode:
    """The student edition of one solution notebook (a new notebook; the input is untouched).

    Removes the cells tagged ``solution``, clears every output and execution count, clears the
    cell metadata except the tags of the kept cells, and marks ``metadata.alliance.edition``.
    """
    student = _copy(nb)
    resources: dict = {}
    student, resources = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}).preprocess(student, resources)
    student, resources = ClearOutputPreprocessor().preprocess(student, resources)
    student, resources = ClearMetadataPreprocessor(
        preserve_nb_metadata_mask=KEPT_NB_METADATA, preserve_cell_metadata_mask={"tags"}
    ).preprocess(student, resources)
    for cell in student.cells:
        tags = [t for t in cell_tags(cell) if t not in BOOK_TAGS]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    meta = dict(student.metadata.get("alliance") or {})
    meta["edition"] = "student"
    student.metadata["alliance"] = meta
    nbformat.validate(student)
    return student
