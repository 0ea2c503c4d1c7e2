r"""Helpers for the course *The US-Japan Alliance in the Trump Years*.

Every notebook of the course imports from here, so that cells stay short:

>>> from alliance import load_corpus, quote, q, show

Names are loaded on first use (PEP 562), so that tools needing one module (the Sphinx
extension, the grader) do not pay for importing Altair and pandas.

The package has five layers; a layer imports only those below it (``tests/core/test_layers.py`` reads every
import, function-level ones included, and fails on one against these rules or on any cycle)::

    alliance.book         the published book: Sphinx extension,   alliance.classroom   grading: roster, sandbox,
                          generated pages, PDF, EPUB, theme ...                        runner, marking, feedback ...
                  \                                                            /
                   `---> alliance.editions   notebook editions: cell tags, the MyST converter,
                                             student edition (the book and the classroom both use it)
                                   |
                                   v
                         content   corpus, sources, quotes, citations, reference, background, tables,
                                   describe, text, charts, compare, exercises, values, prose, selfcheck
                                   (their import paths are frozen: chapters and handed-out notebooks use them)
                                   |
                                   v
                         core      paths (every file and build folder), errors

``alliance.book`` and ``alliance.classroom`` never import each other. ``alliance/README.md`` lists each
module's job.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(module: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for names loaded on first use (PEP 562): each name of
    ``exports`` is imported from the module it maps to, then kept in the package's namespace."""
    namespace = importlib.import_module(module).__dict__

    def getattr_(name: str) -> Any:
        if name in exports:
            value = getattr(importlib.import_module(exports[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return getattr_, lambda: sorted(exports)


_EXPORTS: dict[str, str] = {
    "PROJECT_ROOT": "alliance.paths",
    "CourseError": "alliance.errors", "SourceError": "alliance.errors",
    "MetadataError": "alliance.errors", "QuotationError": "alliance.errors",
    "load_metadata": "alliance.sources",
    "Corpus": "alliance.corpus", "load_corpus": "alliance.corpus",
    "quote": "alliance.quotes", "q": "alliance.quotes", "Quotation": "alliance.quotes",
    "show": "alliance.charts", "enable_charts": "alliance.charts",
    "load_events": "alliance.reference", "load_figures": "alliance.reference", "ref_link": "alliance.reference",
    "per_thousand": "alliance.text", "term_counts": "alliance.text", "kwic": "alliance.text",
    "load_lexicon": "alliance.text",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
