"""The sources, made ready before Sphinx reads them.

* The source-reader pages (``appendix/sources/<id>.md``) and the glossary page are generated from ``data/``
  (``alliance.book.pages``), so a sixth source needs only a file and a row.
* The kernels that execute the chapters draw charts for the book (``ALLIANCE_CHART_MODE=book``).
* The notebooks Sphinx is about to read run in parallel, filling myst-nb's cache.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging as sphinx_logging

from alliance.book.pages import write_generated_pages

logger = sphinx_logging.getLogger(__name__)


def generate_pages(app: Sphinx, config: Any) -> None:
    """``config-inited``: write the source-reader pages and the glossary page from ``data/``."""
    write_generated_pages(Path(app.srcdir))


def set_book_chart_mode(app: Sphinx, config: Any) -> None:
    """``config-inited``: the kernels that execute the chapters draw charts for the book
    (``ALLIANCE_CHART_MODE=book``, read by ``alliance.paths.render_mode``)."""
    os.environ["ALLIANCE_CHART_MODE"] = "book"


def execute_ahead(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """Run the notebooks Sphinx is about to read in parallel, filling myst-nb's cache."""
    if app.config.nb_execution_mode != "cache":
        return
    from alliance.book.execute import execute_in_parallel, select_notebooks

    root = Path(app.srcdir)
    notebooks = select_notebooks([Path(env.doc2path(doc)) for doc in docnames], root,
                                 list(app.config.nb_execution_excludepatterns))
    if len(notebooks) < 2:
        return  # one notebook gains nothing from a pool
    outcome = execute_in_parallel(notebooks, app.config.nb_execution_cache_path, app.config.nb_execution_timeout)
    logger.info(f"[alliance] executed {len(outcome['succeeded'])} notebook(s) in parallel; "
                f"{len(outcome['failed'])} left for myst-nb to execute and report")
