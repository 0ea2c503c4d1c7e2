"""The EPUB's documents besides the pages' text: the XHTML around each page, the stylesheet, the table of
contents (``nav.xhtml``), the cover's page, the title page, the package document and the container.
"""
from __future__ import annotations

import html as html_lib
from xml.etree import ElementTree

from alliance.book.epub.toc import TocEntry, xhtml_name
from alliance.book.selfcheck import PRINT_CSS as SELFCHECK_CSS

#: Where the documents live inside the EPUB container.
CONTENT_DIR = "OEBPS"
STYLESHEET = "style.css"
#: The cover: its image (drawn by :func:`alliance.book.epub.cover.cover_svg`, stored as PNG, which every e-reader shows) and its page.
COVER_IMAGE = "cover.png"
COVER_PAGE = "cover.xhtml"


STYLE = """\
body { font-family: serif; line-height: 1.45; }
h1, h2, h3 { font-family: sans-serif; line-height: 1.2; }
pre { white-space: pre-wrap; font-size: 0.8em; background: #f4f4f4; padding: 0.4em; }
code { font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.8em; margin: 0.5em 0; }
th, td { border: 1px solid #999; padding: 0.15em 0.3em; vertical-align: top; }
figure.alliance-quote { margin: 1em 1.5em; }
figure.alliance-quote blockquote { margin: 0; font-style: italic; }
figure.alliance-quote figcaption { text-align: right; font-size: 0.9em; }
figure.alliance-chart { margin: 1em 0; }
img.alliance-vis-static { max-width: 100%; height: auto; }
.alliance-chart-description { font-size: 0.9em; }
.admonition { border-left: 3px solid #888; padding: 0.2em 0.8em; margin: 1em 0; }
.admonition-title { font-weight: bold; }
.alliance-pnum { font-weight: bold; text-decoration: none; margin-right: 0.3em; }
.alliance-kind { font-size: 0.8em; color: #555; }
.alliance-furniture { background: #eee; color: #555; font-size: 0.85em; padding: 0.3em; margin: 0.5em 0; }
dl.alliance-card dt { font-weight: bold; }
.alliance-address { font-size: 0.9em; word-wrap: break-word; }
.alliance-notes { margin-top: 1.5em; border-top: 1px solid #999; }
.alliance-notes-title { font-weight: bold; font-size: 0.9em; }
.alliance-note-ref { font-size: 0.7em; }
.title-page { text-align: center; margin-top: 20%; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { max-width: 100%; max-height: 100vh; height: auto; }
""" + SELFCHECK_CSS


def xhtml_document(title: str, body: str, depth: int, epub_type: str = "") -> str:
    """An XHTML content document around ``body`` (``depth``: folders below the content root)."""
    css = "../" * depth + STYLESHEET
    body_type = f' epub:type="{epub_type}"' if epub_type else ""
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
        'lang="en" xml:lang="en">\n<head>\n<meta charset="utf-8"/>\n'
        f"<title>{html_lib.escape(title)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{css}"/>\n</head>\n'
        f"<body{body_type}>\n{body}\n</body>\n</html>\n")
    ElementTree.fromstring(document.split("\n", 2)[2])   # well-formed XML, or ParseError here
    return document


def nav_document(entries: list[TocEntry]) -> str:
    """``nav.xhtml``: the table of contents (parts, their pages nested as in ``_toc.yml``, each
    page's sections) and the landmarks."""
    lines = ['<nav epub:type="toc" id="toc">', "<h1>Contents</h1>", "<ol>"]
    parts: list[tuple[str, list[TocEntry]]] = []
    for entry in entries:
        if not parts or parts[-1][0] != entry.part:
            parts.append((entry.part, []))
        parts[-1][1].append(entry)
    for caption, pages in parts:
        if caption:
            lines.append(f"<li><span>{html_lib.escape(caption)}</span><ol>{_nav_items(pages)}</ol></li>")
        else:
            lines.append(_nav_items(pages))
    lines += ["</ol>", "</nav>",
              '<nav epub:type="landmarks" id="landmarks" hidden="hidden">', "<ol>",
              f'<li><a epub:type="cover" href="{COVER_PAGE}">Cover</a></li>',
              '<li><a epub:type="toc" href="nav.xhtml">Contents</a></li>',
              f'<li><a epub:type="bodymatter" href="{xhtml_name(entries[0].path)}">Start of the book</a></li>',
              "</ol>", "</nav>"]
    return xhtml_document("Contents", "\n".join(lines), 0)


def _nav_items(pages: list[TocEntry]) -> str:
    """The ``<li>`` of each page at the first depth of ``pages``, the deeper pages nested in it."""
    if not pages:
        return ""
    top = min(p.depth for p in pages)
    items, index = [], 0
    while index < len(pages):
        entry, index = pages[index], index + 1
        children = []
        while index < len(pages) and pages[index].depth > top:
            children.append(pages[index])
            index += 1
        href = xhtml_name(entry.path)
        inner = "".join(f'<li><a href="{href}#{sid}">{html_lib.escape(title)}</a></li>' for sid, title in entry.sections)
        inner += _nav_items(children)
        items.append(f'<li><a href="{href}">{html_lib.escape(entry.title)}</a>'
                     + (f"<ol>{inner}</ol>" if inner else "") + "</li>")
    return "".join(items)


def cover_document(title: str, edition: str) -> str:
    """The cover page: the cover image alone, with the title and edition as its alternative text."""
    alt = html_lib.escape(f"Cover: {title}, {edition} edition")
    body = f'<section class="cover" epub:type="cover">\n<img src="{COVER_IMAGE}" alt="{alt}"/>\n</section>'
    return xhtml_document(title, body, 0)


def title_document(title: str, author: str, edition: str, address: str | None) -> str:
    """The title page: the book's title, authors, edition and published address (if it has one)."""
    online = (f'<p>Published online at <a href="{html_lib.escape(address)}">{html_lib.escape(address)}</a></p>\n'
              if address else "")
    body = (f'<section class="title-page" epub:type="titlepage">\n<h1>{html_lib.escape(title)}</h1>\n'
            f"<p>{html_lib.escape(author)}</p>\n"
            f"<p>{html_lib.escape(edition.capitalize())} edition of the course book, for e-readers.</p>\n"
            f"{online}</section>")
    return xhtml_document(title, body, 0)


def package_document(title: str, author: str, identifier: str, modified: str,
                     manifest: list[tuple[str, str, str, str]], spine: list[str]) -> str:
    """``content.opf``: metadata, manifest (id, href, media type, properties) and spine. The item with
    the ``cover-image`` property is also named by ``<meta name="cover">``, for e-readers that read
    only EPUB 2's way of finding the cover."""
    cover = next((item_id for item_id, _, _, props in manifest if "cover-image" in props.split()), None)
    cover_meta = f'<meta name="cover" content="{cover}"/>\n' if cover else ""
    items = "\n".join(
        f'<item id="{item_id}" href="{html_lib.escape(href)}" media-type="{media}"'
        + (f' properties="{props}"' if props else "") + "/>"
        for item_id, href, media, props in manifest)
    refs = "\n".join(f'<itemref idref="{item_id}"/>' for item_id in spine)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" xml:lang="en">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<dc:identifier id="book-id">{identifier}</dc:identifier>\n'
        f"<dc:title>{html_lib.escape(title)}</dc:title>\n"
        f"<dc:creator>{html_lib.escape(author)}</dc:creator>\n"
        "<dc:language>en</dc:language>\n"
        f'<meta property="dcterms:modified">{modified}</meta>\n'
        f"{cover_meta}</metadata>\n<manifest>\n{items}\n</manifest>\n<spine>\n{refs}\n</spine>\n</package>\n")


CONTAINER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
             f'<rootfiles><rootfile full-path="{CONTENT_DIR}/content.opf" '
             'media-type="application/oebps-package+xml"/></rootfiles>\n</container>\n')
