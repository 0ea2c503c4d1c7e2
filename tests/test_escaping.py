"""Text and addresses reach the built book escaped exactly once.

* A Markdown link's address (``[report](http://host/?a=1&b=2)``) is stored raw in the document tree,
  so the published ``href`` is ``?a=1&amp;b=2`` and a browser follows ``?a=1&b=2``; myst-parser
  alone stored it HTML-escaped, and the page linked to ``?a=1&amp;b=2`` (``&amp;amp;`` in the HTML).
* A table of text shows a placeholder such as ``<date>`` as that text, not as an element.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from alliance.editions import STUDENT_HTML_DIR
from alliance.reference import text_table

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
#: A Markdown link with an address, in a page's source: ``[text](http...)`` or ``<http...>``.
MARKDOWN_LINK = re.compile(r"\]\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>")
#: The elements of HTML that a built page may hold (the theme's, the book's and the tables').
HTML_ELEMENTS = frozenset(
    "a abbr article aside b blockquote body br button caption cite code col colgroup dd del details dialog div "
    "dl dt em figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html i img input ins kbd label li "
    "link main mark meta nav noscript ol p pre q s samp script section select small source span strong style sub "
    "summary sup svg table tbody td template textarea tfoot th thead title tr u ul var video wbr".split())


class _Links(HTMLParser):
    """Every ``href`` of a page (attribute values as a browser reads them) and every element name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.elements: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.add(tag)
        self.hrefs += [value for name, value in attrs if name == "href" and value]


def read_page(path: Path) -> _Links:
    """The hrefs and element names of a built page."""
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _built_pages(html_dir: Path) -> list[Path]:
    pages = sorted(html_dir.rglob("*.html"))
    assert pages, f"{html_dir}: build the book first (make book)"
    return pages


# Units (no build needed).

def test_text_table_escapes_cells_and_headings():
    frame = pd.DataFrame({"a<b>": ["rows (ref:context-events:<date>)", "http://x.example/?a=1&b=2"]})
    html = text_table(frame).to_html()
    assert "ref:context-events:&lt;date&gt;" in html and "<date>" not in html
    assert "?a=1&amp;b=2" in html and "a&lt;b&gt;" in html
    parser = _Links()
    parser.feed(html)
    assert parser.elements <= HTML_ELEMENTS


# The built book (both editions).

def _editions() -> list[Path]:
    return [HTML, STUDENT_HTML_DIR]


@pytest.mark.build
@pytest.mark.parametrize("html_dir", _editions(), ids=["solution", "student"])
def test_no_text_placeholder_is_left_as_an_element(html_dir):
    unknown = {}
    for page in _built_pages(html_dir):
        for name in read_page(page).elements - HTML_ELEMENTS:
            unknown.setdefault(name, str(page.relative_to(html_dir)))
    assert not unknown, unknown
    data_page = (html_dir / "appendix" / "data.html").read_text(encoding="utf-8")
    assert "ref:context-events:&lt;date&gt;" in data_page

