"""Chapters (and the background page) open with "Reading time: about N minutes" under their title."""
from __future__ import annotations

import html
import re
from typing import Any

from sphinx.application import Sphinx


#: Pages that open with their reading time: the chapters and the background page.
READING_TIME_PAGES = re.compile(r"^(chapters/|background$)")


def reading_time_words(doctree: Any) -> int:
    """Words a reader reads on the page: the text of paragraphs, lists, tables and admonitions,
    not code, raw HTML (charts) or the page's title."""
    from docutils import nodes

    from alliance.book.reading import words

    skip = (nodes.literal_block, nodes.raw, nodes.comment, nodes.title, nodes.system_message)
    total = 0
    for text in doctree.findall(nodes.Text):
        if not any(isinstance(parent, skip) for parent in ancestors(text)):
            total += words(str(text))
    for raw in doctree.findall(nodes.raw):  # tables of computed output are HTML: count their text
        if "html" in raw.get("format", "") and not any(isinstance(p, nodes.literal_block) for p in ancestors(raw)):
            body = re.sub(r"<(script|style)\b.*?</\1>", " ", raw.astext(), flags=re.S | re.I)
            total += words(html.unescape(re.sub(r"<[^>]+>", " ", body)))
    return total


def ancestors(node: Any) -> Any:
    """The node's parent, its parent, and so on up to the document."""
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def insert_reading_time(app: Sphinx, doctree: Any) -> None:
    """Open each chapter (and the background page) with "Reading time: about N minutes" under its title."""
    from docutils import nodes

    from alliance.book.reading import WORDS_PER_MINUTE

    if not READING_TIME_PAGES.match(app.env.docname):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    minutes = max(1, round(reading_time_words(doctree) / WORDS_PER_MINUTE))
    section.insert(1, nodes.paragraph("", f"Reading time: about {minutes} minutes",
                                      classes=["alliance-reading-time"]))
