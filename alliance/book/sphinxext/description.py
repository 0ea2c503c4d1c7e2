"""Every page's ``<meta name="description">``: its front matter's ``description`` or its first paragraph."""
from __future__ import annotations

import html
import re
from typing import Any

from sphinx.application import Sphinx


#: Meta descriptions are cut to this length (what search engines show).
DESCRIPTION_CHARS = 160


def shorten(text: str, limit: int = DESCRIPTION_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters (with "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def first_paragraph(doctree: Any, minimum: int = 40) -> str:
    """The text of the page's first paragraph of running text: not in an admonition, sidebar,
    figure, table, list, cell output or the like (the first with ``minimum`` characters, else the
    first of any length)."""
    from docutils import nodes

    asides = (nodes.Admonition, nodes.sidebar, nodes.topic, nodes.figure, nodes.table, nodes.list_item,
              nodes.footnote, nodes.citation, nodes.container, nodes.field_list, nodes.definition_list)
    found = []
    for paragraph in doctree.findall(nodes.paragraph):
        parent, aside = paragraph.parent, False
        while isinstance(parent, nodes.Element) and not aside:
            aside = isinstance(parent, asides)
            parent = parent.parent
        text = " ".join(paragraph.astext().split())
        if aside or not text:
            continue
        if len(text) >= minimum:
            return text
        found.append(text)
    return found[0] if found else ""


def page_description(metadata: dict[str, Any], doctree: Any, title: str, project: str) -> str:
    """A page's meta description (at most ``DESCRIPTION_CHARS``, plain text): its front matter's
    ``description``, else its first paragraph, else "<title> – <project>" (generated pages)."""
    given = metadata.get("description") if isinstance(metadata, dict) else None
    if isinstance(given, str) and given.strip():
        return shorten(given)
    text = first_paragraph(doctree) if doctree is not None else ""
    if text:
        return shorten(text)
    plain = re.sub(r"<[^>]+>", "", html.unescape(title or "")).strip()
    return shorten(f"{plain} – {project}" if plain and plain != project else project)


def add_meta_description(app: Sphinx, pagename: str, context: dict[str, Any], doctree: Any) -> None:
    """Append the page's ``<meta name="description">`` (:func:`page_description`) to its ``metatags``."""
    metadata = app.env.metadata.get(pagename, {}) if doctree is not None else {}
    description = page_description(metadata, doctree, context.get("title", ""),
                                   app.config.html_title or app.config.project)
    if description:
        context["metatags"] = (context.get("metatags") or "") + \
            f'\n<meta name="description" content="{html.escape(description, quote=True)}" />'
