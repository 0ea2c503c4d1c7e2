"""Markdown links keep their raw addresses in the document tree (:func:`keep_link_urls_raw`).

myst-parser (up to 5.0, its issue #760) HTML-escapes a link's URL before storing it as ``refuri``, which
every writer escapes again, so ``?a=1&b=2`` was published as ``href="?a=1&amp;amp;b=2"``.
"""
from __future__ import annotations

from typing import Any


#: markdown-it's ``escapeHtml`` replacements, in the order that undoes them (``&amp;`` last).
_HTML_ESCAPES: tuple[tuple[str, str], ...] = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&"))


def unescape_link_url(escaped: str) -> str:
    """The URL that markdown-it's ``escapeHtml`` turned into ``escaped`` (its exact inverse: only
    ``&amp; &lt; &gt; &quot;`` are replaced, so ``&amp;amp;`` in the escaped text gives ``&amp;``)."""
    raw = escaped
    for entity, character in _HTML_ESCAPES:
        raw = raw.replace(entity, character)
    return raw


def myst_escapes_link_urls() -> bool:
    """Whether the installed myst-parser stores a Markdown link's URL HTML-escaped in ``refuri``
    (parsed from a probe link with ``&`` in its query)."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from myst_parser.parsers.docutils_ import Parser

    probe = "[probe](https://example.org/?a=1&b=2)"
    tree = publish_doctree(probe, parser=Parser(), settings_overrides={"report_level": 5})
    return any(ref.get("refuri") == "https://example.org/?a=1&amp;b=2" for ref in tree.findall(nodes.reference))


def keep_link_urls_raw() -> bool:
    """Make myst-parser store Markdown links' URLs raw (as docutils expects: the HTML, LaTeX or EPUB
    writer escapes them), when the installed version escapes them; returns whether it had to.

    Wraps ``DocutilsRenderer.render_link_url`` (which myst-nb's notebook renderer inherits): after
    it has appended its reference node, that node's ``refuri`` is unescaped. Idempotent, and a
    no-op once myst-parser stores raw URLs itself."""
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer

    current = DocutilsRenderer.render_link_url
    if getattr(current, "alliance_raw_urls", False) or not myst_escapes_link_urls():
        return False

    def render_link_url(self: Any, token: Any, conversion: Any = None) -> None:
        current(self, token, conversion)
        from docutils import nodes

        added = self.current_node.children[-1] if self.current_node.children else None
        if isinstance(added, nodes.reference) and "refuri" in added:
            added["refuri"] = unescape_link_url(added["refuri"])

    render_link_url.alliance_raw_urls = True  # type: ignore[attr-defined]
    DocutilsRenderer.render_link_url = render_link_url  # type: ignore[method-assign]
    return True


def keep_link_urls_raw_on_init(app: Any, config: Any) -> None:
    """``config-inited``: apply :func:`keep_link_urls_raw` once the extension is loaded."""
    keep_link_urls_raw()
