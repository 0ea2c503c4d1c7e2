"""One built page as an e-book's content: its article only, without what an e-reader cannot use (scripts,
styles, buttons, toggles, permalink anchors), with ids renumbered, its title and its sections.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString

from alliance.book.epub.toc import safe_id

#: Elements an EPUB 3 content document may hold that the built pages use; any other element name
#: (text that looked like a tag, such as ``<date>``, if a page ever leaves one unescaped: the book's
#: tables escape their text, ``alliance.tables.reading_table``) is written back as text.
KNOWN_ELEMENTS = frozenset(
    "a abbr article aside b blockquote br caption cite code col colgroup dd del details div dl dt em "
    "figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp section small "
    "span strong sub summary sup table tbody td tfoot th thead tr u ul var wbr".split())
#: Elements removed with their content: scripts, styles, controls and the theme's navigation.
DROPPED_ELEMENTS = ("script", "style", "button", "noscript", "form", "input", "link", "template", "iframe", "nav")
#: Attributes that mean nothing in an e-book (or that epubcheck rejects) and are removed.
DROPPED_ATTRIBUTES = frozenset({"target", "onclick", "tabindex", "valign", "border", "aria-expanded"})
#: Characters XML 1.0 does not allow (control characters other than tab, newline, return).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def article_html(page_html: str) -> str:
    """The page's article (the book's text, without the theme's header, sidebars and footer)."""
    start = page_html.find('<article class="bd-article">')
    end = page_html.rfind("</article>")
    if start < 0 or end < 0:
        raise ValueError("no <article class=\"bd-article\"> in the page")
    return page_html[start: end + len("</article>")]


def _unknown_to_text(soup: BeautifulSoup) -> None:
    """Elements HTML does not know (text that looked like a tag) become that text again."""
    for tag in list(soup.find_all(True)):
        if tag.name not in KNOWN_ELEMENTS and tag.name not in DROPPED_ELEMENTS:
            tag.insert_before(NavigableString(f"<{tag.name}>"))
            tag.unwrap()


def clean_article(article: str) -> BeautifulSoup:
    """The article without what an e-reader cannot use, its ids made valid and unique."""
    soup = BeautifulSoup(_XML_INVALID.sub("", article), "html.parser")
    for name in DROPPED_ELEMENTS:
        for tag in soup.find_all(name):
            tag.decompose()
    for tag in soup.select("a.headerlink, summary"):
        tag.decompose()
    for tag in soup.find_all("details"):       # toggles: the content is shown, as in print
        tag.name = "div"
        tag.attrs.pop("open", None)
    _unknown_to_text(soup)
    for tag in soup.find_all(True):
        for attribute in [a for a in tag.attrs if a in DROPPED_ATTRIBUTES or a.startswith("on")]:
            del tag[attribute]
    root = soup.find("article")
    if root is not None:
        root.name = "div"
        root["class"] = ["alliance-page"]
    return soup


def renumber_ids(soup: BeautifulSoup) -> dict[str, str]:
    """Make every id valid and unique in the page; returns old id -> new id (first occurrence)."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for tag in soup.find_all(id=True):
        old = str(tag["id"])
        new = base = safe_id(old)
        n = 2
        while new in used:
            new, n = f"{base}-{n}", n + 1
        used.add(new)
        mapping.setdefault(old, new)
        tag["id"] = new
    return mapping


def page_title(soup: BeautifulSoup, fallback: str) -> str:
    """The page's title: its first ``h1`` (with the chapter number), as plain text."""
    heading = soup.find("h1")
    text = heading.get_text(" ", strip=True) if heading is not None else ""
    return re.sub(r"\s+", " ", text).replace(" .", ".") or fallback


def page_sections(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """The page's ``h2`` sections as (id of their section, title)."""
    found = []
    for heading in soup.find_all("h2"):
        section = heading.find_parent("section")
        if section is not None and section.get("id"):
            found.append((str(section["id"]), re.sub(r"\s+", " ", heading.get_text(" ", strip=True))))
    return found
