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

import pytest
import pandas as pd
from markdown_it.common.utils import escapeHtml

from alliance.book.sphinxext.links import keep_link_urls_raw, myst_escapes_link_urls, unescape_link_url
from alliance.paths import STUDENT_HTML_DIR
from alliance.tables import text_table
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML = ROOT / "_build" / "html"
#: A Markdown link with an address, in a page's source: ``[text](http...)`` or ``<http...>``.
MARKDOWN_LINK = re.compile(r"\]\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>")
#: The elements of HTML that a built page may hold (the theme's, the book's and the tables').
HTML_ELEMENTS = frozenset(
    "a abbr article aside b blockquote body br button caption cite code col colgroup dd del details dialog div "
    "dl dt em fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html i img input ins kbd label li "
    "legend link main mark meta nav noscript ol p pre q s samp script section select small source span strong style sub "
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

@pytest.mark.parametrize("url", [
    "http://www.laht.com/article.asp?ArticleId=2452300&CategoryId=12396",
    "https://www.japantimes.co.jp/?post_type=news&p=1395472",
    "https://example.org/?q=a&amp;b",        # an address that holds the text "&amp;" itself
    'https://example.org/a"b<c>d',
    "https://example.org/plain",
])
def test_unescape_link_url_inverts_markdown_its_escape(url):
    assert unescape_link_url(escapeHtml(url)) == url


def test_markdown_links_keep_their_address_in_the_document_tree():
    from docutils import nodes
    from docutils.core import publish_doctree, publish_string
    from myst_parser.parsers.docutils_ import Parser

    keep_link_urls_raw()
    assert not myst_escapes_link_urls()
    source = "See [report](http://host.example/a.asp?Id=1&Cat=2) and <https://host.example/?x=1&y=2>."
    tree = publish_doctree(source, parser=Parser())
    assert [ref["refuri"] for ref in tree.findall(nodes.reference)] == [
        "http://host.example/a.asp?Id=1&Cat=2", "https://host.example/?x=1&y=2"]
    html = publish_string(source, parser=Parser(), writer_name="html5").decode()
    assert 'href="http://host.example/a.asp?Id=1&amp;Cat=2"' in html and "&amp;amp;" not in html


def test_text_table_escapes_cells_and_headings():
    frame = pd.DataFrame({"a<b>": ["rows (ref:context-events:<date>)", "http://x.example/?a=1&b=2"]})
    html = text_table(frame).to_html()
    assert "ref:context-events:&lt;date&gt;" in html and "<date>" not in html
    assert "?a=1&amp;b=2" in html and "a&lt;b&gt;" in html
    parser = _Links()
    parser.feed(html)
    assert parser.elements <= HTML_ELEMENTS


def test_text_table_links_show_their_address_escaped_once():
    frame = pd.DataFrame({"event": ["a <b> & c", "no address"],
                          "source_url": ["https://www.japantimes.co.jp/?post_type=news&p=1395472", ""]})
    html = text_table(frame, links=["source_url"]).to_html()
    parser = _Links()
    parser.feed(html)
    assert parser.hrefs == ["https://www.japantimes.co.jp/?post_type=news&p=1395472"]
    assert ('href="https://www.japantimes.co.jp/?post_type=news&amp;p=1395472">'
            "https://www.japantimes.co.jp/?post_type=news&amp;p=1395472</a>") in html
    assert "&amp;amp;" not in html and "a &lt;b&gt; &amp; c" in html
    assert "<th" not in html.split("<tbody>")[1]          # no index column
    with pytest.raises(KeyError):
        text_table(frame, links=["url"])


# The built book (both editions).

def _editions() -> list[Path]:
    return [HTML, STUDENT_HTML_DIR]


@pytest.mark.build
@pytest.mark.parametrize("html_dir", _editions(), ids=["solution", "student"])
def test_no_address_in_the_built_book_is_escaped_twice(html_dir):
    twice, external = [], 0
    for page in _built_pages(html_dir):
        for href in read_page(page).hrefs:
            external += href.startswith(("http://", "https://"))
            if re.search(r"&(amp|lt|gt|quot);", href):
                twice.append(f"{page.relative_to(html_dir)}: {href}")
    assert external > 100
    assert not twice, "\n".join(twice[:20])


@pytest.mark.build
def test_every_markdown_address_with_an_ampersand_is_linked_as_written():
    """Each address with ``&`` in a chapter's, exercise's or appendix page's Markdown is a link of
    its built page, exactly (the TPP-11 report of chapter 3 among them)."""
    checked = 0
    for source in sorted([*ROOT.glob("chapters/*.md"), *ROOT.glob("exercises/*.md"), ROOT / "appendix" / "glossary.md"]):
        addresses = {a or b for a, b in MARKDOWN_LINK.findall(source.read_text(encoding="utf-8"))}
        built = HTML / source.relative_to(ROOT).with_suffix(".html")
        hrefs = set(read_page(built).hrefs) if built.is_file() else set()
        for address in sorted(a for a in addresses if "&" in a):
            assert address in hrefs, f"{built.name}: no link to {address}"
            checked += 1
    assert checked >= 2


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


@pytest.mark.build
def test_notebook_editions_link_addresses_as_written():
    """The chapters' notebook editions (download, Binder, ``make lab``) keep each Markdown address
    with ``&`` as written, never HTML-escaped, in their Markdown cells."""
    import nbformat

    checked = 0
    for source in sorted(ROOT.glob("chapters/*.md")):
        addresses = {a or b for a, b in MARKDOWN_LINK.findall(source.read_text(encoding="utf-8")) if "&" in (a or b)}
        if not addresses:
            continue
        notebook = nbformat.read(HTML / "_sources" / "chapters" / f"{source.stem}.ipynb", as_version=4)
        markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        linked = {a or b for a, b in MARKDOWN_LINK.findall(markdown)}
        assert addresses <= linked, sorted(addresses - linked)
        assert not [a for a in linked if re.search(r"&(amp|lt|gt|quot);", a)]
        checked += len(addresses)
    assert checked >= 2
