"""The inline roles the prose uses in the sentence itself, and the transform that renders their evidence.

``{q}`` (inline quotation), ``{para}`` (paragraph citation) and ``{absent}`` (claim of absence, checked by
a count) check their text with the ``alliance.citations`` parsers and leave a placeholder that
:class:`RenderEvidence` renders with its paragraph (``alliance.book.citation_style``). ``{bg}`` and
``{inst}`` become a short named link to a ``data/reference/`` row. A role that does not hold is an
error at its line, so the strict build fails there.
"""
from __future__ import annotations

from typing import Any, Callable

from sphinx.transforms import SphinxTransform


def reader_prefix(inliner: Any) -> str:
    """Relative path from the page being read to the source reader's folder."""
    docname = inliner.document.settings.env.docname
    return "../" * docname.count("/") + "appendix/sources/"


def checked_role(parse: Callable[[str], Any],
                 render: Callable[[Any, str, str], Any]) -> Callable[..., tuple[list, list]]:
    """A role that parses its text with ``parse`` (a ``citations`` parser) and renders the result
    with ``render(found, rawtext, reader_prefix)``; a parser's ``CourseError`` becomes a build error
    at the role's line, with the parser's message."""
    def role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
             options: dict | None = None, content: list | None = None) -> tuple[list, list]:
        from alliance.errors import CourseError

        try:
            found = parse(text)
        except CourseError as error:
            message = inliner.reporter.error(str(error), line=lineno)
            return [inliner.problematic(rawtext, rawtext, message)], [message]
        return [render(found, rawtext, reader_prefix(inliner))], []

    role.__doc__ = render.__doc__
    return role


def role_parser(role: str) -> Callable[[str], Any]:
    """The ``citations`` parser of ``role``, imported on first use (keeps this module light)."""
    def parse(text: str) -> Any:
        from alliance.citations import ROLE_PARSERS

        return ROLE_PARSERS[role](text)
    return parse


def placeholder_render(role: str) -> Callable[[Any, str, str], Any]:
    """Leave ``role``'s parsed text in the page, for :class:`RenderEvidence` to render with its paragraph."""
    def render(found: Any, rawtext: str, prefix: str) -> Any:
        from alliance.book.citation_style import placeholder

        return placeholder(role, found, rawtext, prefix)

    render.__doc__ = f"``{{{role}}}``: rendered with its paragraph by ``alliance.book.citation_style``."
    return render


def fact_link(found: Any, rawtext: str, prefix: str) -> Any:
    """``{bg}`` and ``{inst}``: a short named link to the row's page ("Japan Times, press report"),
    the fact itself in the link's title (shown on hover)."""
    from docutils import nodes

    return nodes.reference(rawtext, found.link_text, refuri=found.url, reftitle=found.fact,
                           classes=["alliance-ref", "alliance-bg"])


quote_role = checked_role(role_parser("q"), placeholder_render("q"))
background_role = checked_role(role_parser("bg"), fact_link)
institution_role = checked_role(role_parser("inst"), fact_link)
para_role = checked_role(role_parser("para"), placeholder_render("para"))
absent_role = checked_role(role_parser("absent"), placeholder_render("absent"))


class RenderEvidence(SphinxTransform):
    """Render each paragraph's quotations, citations and absences together (``alliance.book.citation_style``):
    a (source, ¶) cited once per paragraph, a source named only where its sentence does not name it."""

    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        from alliance.book.citation_style import render_document

        render_document(self.document)
