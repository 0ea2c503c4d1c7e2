"""The EPUB edition of the book (``make epub``): an EPUB 3 written from the built HTML pages.

The book's HTML (``make book``) already holds everything the e-book needs: the verified quotations
with their attribution, the paragraph citations linked to the source reader, the glued values and
the charts' specs. This module takes each page of ``_toc.yml`` from the built site, keeps its
article, and writes it as an XHTML content document: every chart becomes an SVG image
(:func:`alliance.book.static_charts.replace_charts`, alternative text = title and description), links
between pages become links between the EPUB's documents, links to anything outside the book keep
(and show) their full address, and what an e-reader cannot use (scripts, styles, buttons, toggles,
permalink anchors) is dropped; self-checks become numbered questions with their answers at the end
of the chapter (:func:`alliance.book.selfcheck.print_selfchecks`).
Then come a cover (a PNG drawn from the course's title, declared as
the ``cover-image``, and its page), a title page, the table of contents (``nav.xhtml``), the package
document and the zip, with ``mimetype`` first and stored, as EPUB 3 requires.

>>> build_epub(Path("_build/html"), Path("_build/epub/course.epub"))   # doctest: +SKIP
python -m alliance.book.epub [--html _build/html] [--out _build/epub/course.epub] [--edition solution]
"""
from __future__ import annotations

import argparse
import html as html_lib
import posixpath
import re
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import yaml
from bs4 import BeautifulSoup, NavigableString

from alliance.paths import EPUB_DIR, HTML_DIR, PROJECT_ROOT, published_url
from alliance.book.selfcheck import PRINT_CSS as SELFCHECK_CSS
from alliance.book.selfcheck import print_selfchecks
from alliance.book.static_charts import replace_charts

#: Where the documents live inside the EPUB container.
CONTENT_DIR = "OEBPS"
CHARTS_DIR = "charts"
STYLESHEET = "style.css"
#: The cover: its image (drawn by :func:`cover_svg`, stored as PNG, which every e-reader shows) and its page.
COVER_IMAGE = "cover.png"
COVER_PAGE = "cover.xhtml"
#: The cover's size in pixels (the 1:1.6 of most e-reader screens and shops).
COVER_SIZE = (1600, 2560)
#: The cover's colours: background, text, and the accent (the charts' Okabe-Ito orange and blue).
COVER_COLOURS = {"background": "#0b2f4f", "text": "#ffffff", "muted": "#c9d6e3", "accent": "#E69F00", "band": "#0072B2"}
#: The cover's font: the static charts' (DejaVu Sans, present wherever fontconfig is).
COVER_FONT = "DejaVu Sans"
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
_ID_INVALID = re.compile(r"[^A-Za-z0-9_.-]")

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


@dataclass
class TocEntry:
    """One page of the book in reading order: its built file, its part and its depth in the TOC."""

    path: str                      # relative to the HTML root, e.g. "chapters/02-transactionalism.html"
    part: str                      # the part's caption ("Chapters"), "" for the root page
    depth: int                     # 0 for a part's chapter, 1 for a section of it
    title: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)   # (id, title) of its h2s


@dataclass(frozen=True)
class EpubReport:
    """What :func:`build_epub` wrote: the file, its pages, charts and links rewritten."""

    path: Path
    pages: int
    charts: int
    internal_links: int
    external_links: int


# ---------------------------------------------------------------------------------------------
# The table of contents


def toc_entries(book: Path, html: Path) -> list[TocEntry]:
    """Every page of ``_toc.yml`` in reading order, with ``glob`` entries expanded from the build."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    entries = [TocEntry(f"{toc['root']}.html", "", 0)]
    listed = {entries[0].path}

    def walk(items: list[dict] | None, part: str, depth: int) -> None:
        for item in items or []:
            if "file" in item:
                found = [f"{item['file']}.html"]
            else:
                pattern = f"{item['glob']}.html"
                found = sorted(p.relative_to(html).as_posix() for p in html.glob(pattern))
            for path in found:
                if path not in listed:
                    listed.add(path)
                    entries.append(TocEntry(path, part, depth))
            walk(item.get("sections"), part, depth + 1)

    for part in toc.get("parts", []):
        walk(part.get("chapters"), str(part.get("caption", "")), 0)
    walk(toc.get("chapters"), "", 0)
    missing = [e.path for e in entries if not (html / e.path).is_file()]
    if missing:
        raise FileNotFoundError(f"{html}: pages of _toc.yml not built: {', '.join(missing)} (run make book first)")
    return entries


def xhtml_name(html_path: str) -> str:
    """The content document of a built page: the same path, ``.xhtml``."""
    return html_path[: -len(".html")] + ".xhtml"


def safe_id(value: str) -> str:
    """``value`` as a valid XML id (letters, digits, ``_.-``; starts with a letter or ``_``)."""
    cleaned = _ID_INVALID.sub("-", value)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"id-{cleaned}"


# ---------------------------------------------------------------------------------------------
# One page


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


# ---------------------------------------------------------------------------------------------
# Links


@dataclass
class LinkMap:
    """The book's pages inside the EPUB and their ids, to rewrite a page's links."""

    ids: dict[str, dict[str, str]]     # built page path -> (old id -> new id)
    base_url: str                      # the published book, for links to files outside the EPUB ("" = none)
    internal: int = 0
    external: int = 0

    def rewrite(self, page: str, href: str) -> tuple[str, bool]:
        """``href`` of ``page`` as an EPUB href; the flag is True when it points outside the EPUB."""
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//"):
            return href, True
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path)) if parts.path else page
        if target not in self.ids:
            # A download, a notebook or a page not in the e-book: its address on the published site
            # ("" while the book has no published address: the link is then dropped, its text kept).
            if not self.base_url:
                return "", True
            full = self.base_url + target + (f"#{parts.fragment}" if parts.fragment else "")
            return full, True
        fragment = ""
        if parts.fragment:
            new_id = self.ids[target].get(parts.fragment)
            if new_id is None:
                raise ValueError(f"{page}: link {href!r} points to an id that {target} does not have")
            fragment = f"#{new_id}"
        if target == page:
            return fragment or "#", False
        relative = posixpath.relpath(xhtml_name(target), posixpath.dirname(page) or ".")
        return relative + fragment, False

    def apply(self, page: str, soup: BeautifulSoup) -> None:
        """Rewrite every link of the page (``a href``, ``blockquote cite``); external addresses
        are listed in full in numbered notes at the end of the page, each link followed by its
        note's number, when the link's text is not the address itself."""
        notes: list[str] = []
        for tag in soup.find_all("a", href=True):
            href, external = self.rewrite(page, str(tag["href"]))
            if not href:
                tag.unwrap()
                continue
            tag["href"] = href
            if external:
                self.external += 1
                if tag.get_text(strip=True) != href:
                    if href not in notes:
                        notes.append(href)
                    mark = soup.new_tag("sup", attrs={"class": "alliance-note-ref"})
                    mark.string = str(notes.index(href) + 1)
                    tag.insert_after(mark)
            else:
                self.internal += 1
        if notes:
            aside = soup.new_tag("aside", attrs={"class": "alliance-notes"})
            title = soup.new_tag("p", attrs={"class": "alliance-notes-title"})
            title.string = "Web addresses on this page"
            aside.append(title)
            listing = soup.new_tag("ol")
            for href in notes:
                item = soup.new_tag("li", attrs={"class": "alliance-address"})
                item.string = href
                listing.append(item)
            aside.append(listing)
            (soup.find("article") or soup).append(aside)
        for tag in soup.find_all(cite=True):
            cite = self.rewrite(page, str(tag["cite"]))[0]
            if cite:
                tag["cite"] = cite
            else:
                del tag["cite"]
        for tag in soup.find_all("a", href=False):
            tag.unwrap()


# ---------------------------------------------------------------------------------------------
# Documents


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


def wrap_title(title: str, width: int) -> list[str]:
    """``title`` in lines of at most ``width`` characters, broken between words (a longer word keeps
    its own line)."""
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def cover_svg(title: str, author: str, edition: str, size: tuple[int, int] = COVER_SIZE) -> str:
    """The cover as an SVG: the title (wrapped, large), the edition and the authors, on the course's
    colours. Drawn from text only: no external asset."""
    width, height = size
    colours = COVER_COLOURS
    esc = html_lib.escape
    title_size = width // 11
    lines = wrap_title(title, 16)
    top = int(height * 0.30)
    title_lines = "".join(
        f'<text x="{width // 12}" y="{top + i * int(title_size * 1.25)}" font-size="{title_size}" '
        f'font-weight="bold" fill="{colours["text"]}">{esc(line)}</text>' for i, line in enumerate(lines))
    below = top + len(lines) * int(title_size * 1.25) + width // 20
    small = width // 28
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{COVER_FONT}">'
        f'<rect width="{width}" height="{height}" fill="{colours["background"]}"/>'
        f'<rect y="{int(height * 0.12)}" width="{width}" height="{height // 64}" fill="{colours["band"]}"/>'
        f'<rect x="{width // 12}" y="{top - title_size - width // 16}" width="{width // 5}" height="{width // 80}" '
        f'fill="{colours["accent"]}"/>'
        f"{title_lines}"
        f'<text x="{width // 12}" y="{below}" font-size="{small}" fill="{colours["muted"]}">'
        f"{esc(edition.capitalize())} edition of the course book</text>"
        f'<text x="{width // 12}" y="{int(height * 0.90)}" font-size="{small}" fill="{colours["text"]}">{esc(author)}</text>'
        f'<rect y="{int(height * 0.95)}" width="{width}" height="{height // 20}" fill="{colours["band"]}"/>'
        "</svg>")


def cover_png(title: str, author: str, edition: str) -> bytes:
    """The cover image as PNG (:func:`cover_svg` rasterised offline by vl-convert)."""
    import vl_convert

    return vl_convert.svg_to_png(cover_svg(title, author, edition), scale=1)


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


# ---------------------------------------------------------------------------------------------
# The book


def _modified(pages: list[Path]) -> tuple[str, tuple[int, int, int, int, int, int]]:
    """The newest built page's time: the EPUB's ``dcterms:modified`` and its zip entries' date
    (so the same build gives the same EPUB, byte for byte)."""
    stamp = time.gmtime(max(int(p.stat().st_mtime) for p in pages))
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp), tuple(stamp[:6])  # type: ignore[return-value]


def _write_zip(target: Path, files: dict[str, bytes], date: tuple[int, int, int, int, int, int]) -> None:
    """The EPUB container: ``mimetype`` first and stored, then every file deflated."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        mimetype = zipfile.ZipInfo("mimetype", date_time=date)
        mimetype.compress_type = zipfile.ZIP_STORED
        archive.writestr(mimetype, b"application/epub+zip")
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def build_epub(html: Path, out: Path, book: Path = PROJECT_ROOT, edition: str = "solution") -> EpubReport:
    """Write the EPUB of the built book ``html`` (the ``edition`` it is) to ``out``."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    title, author = str(config.get("title", "Course")), str(config.get("author", ""))
    entries = toc_entries(book, html)
    soups: dict[str, BeautifulSoup] = {}
    ids: dict[str, dict[str, str]] = {}
    charts: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for entry in entries:
            depth = entry.path.count("/")
            page = print_selfchecks(article_html((html / entry.path).read_text(encoding="utf-8")))
            article, written = replace_charts(page,
                                              folder=folder, prefix="../" * depth + f"{CHARTS_DIR}/")
            for svg in written:
                charts[svg.name] = svg.read_bytes()
            soup = clean_article(article)
            ids[entry.path] = renumber_ids(soup)
            entry.title = page_title(soup, entry.path)
            entry.sections = page_sections(soup)
            soups[entry.path] = soup
    links = LinkMap(ids, published_url() or "")
    files: dict[str, bytes] = {"META-INF/container.xml": CONTAINER.encode()}
    manifest = [("cover-image", COVER_IMAGE, "image/png", "cover-image"),
                ("cover", COVER_PAGE, "application/xhtml+xml", ""),
                ("nav", "nav.xhtml", "application/xhtml+xml", "nav"),
                ("title-page", "title.xhtml", "application/xhtml+xml", ""),
                ("style", STYLESHEET, "text/css", "")]
    spine = ["cover", "title-page", "nav"]
    for number, entry in enumerate(entries, start=1):
        soup = soups[entry.path]
        links.apply(entry.path, soup)
        name = xhtml_name(entry.path)
        files[f"{CONTENT_DIR}/{name}"] = xhtml_document(entry.title, str(soup), entry.path.count("/")).encode()
        manifest.append((f"page-{number}", name, "application/xhtml+xml", ""))
        spine.append(f"page-{number}")
    for number, (name, data) in enumerate(sorted(charts.items()), start=1):
        files[f"{CONTENT_DIR}/{CHARTS_DIR}/{name}"] = data
        manifest.append((f"chart-{number}", f"{CHARTS_DIR}/{name}", "image/svg+xml", ""))
    address = published_url()
    files[f"{CONTENT_DIR}/nav.xhtml"] = nav_document(entries).encode()
    files[f"{CONTENT_DIR}/title.xhtml"] = title_document(title, author, edition, address).encode()
    files[f"{CONTENT_DIR}/{COVER_PAGE}"] = cover_document(title, edition).encode()
    files[f"{CONTENT_DIR}/{COVER_IMAGE}"] = cover_png(title, author, edition)
    files[f"{CONTENT_DIR}/{STYLESHEET}"] = STYLE.encode()
    modified, date = _modified([html / e.path for e in entries])
    identifier = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{address or title}#epub-{edition}')}"
    # The edition in the library's title: a reader who has both tells them apart.
    files[f"{CONTENT_DIR}/content.opf"] = package_document(f"{title} ({edition} edition)", author, identifier,
                                                           modified, manifest, spine).encode()
    _write_zip(out, files, date)
    return EpubReport(out, len(entries), len(charts), links.internal, links.external)


#: Debian's epubcheck (``apt-get install epubcheck``; ``make epubcheck`` installs it). Its
#: ``/usr/bin/epubcheck`` is the jar itself, which runs only where binfmt knows jars: run it with java.
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
_MESSAGES = re.compile(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?")


@dataclass(frozen=True)
class EpubcheckResult:
    """epubcheck's verdict on one EPUB: its exit code, message counts and output."""

    returncode: int
    fatals: int
    errors: int
    warnings: int
    output: str

    @property
    def valid(self) -> bool:
        """No fatal error and no error (warnings are reported, not failed on)."""
        return self.returncode == 0 and self.fatals == 0 and self.errors == 0


def run_epubcheck(epub: Path, jar: Path = EPUBCHECK_JAR) -> EpubcheckResult:
    """Check ``epub`` with epubcheck (java); its counts are read from its summary line."""
    import subprocess

    if not jar.is_file():
        raise FileNotFoundError(f"{jar}: epubcheck is not installed (make epubcheck, or apt-get install epubcheck)")
    done = subprocess.run(["java", "-jar", str(jar), str(epub)], capture_output=True, text=True, check=False)
    output = done.stdout + done.stderr
    counts = _MESSAGES.search(output)
    # No summary line: epubcheck itself failed, which counts as one fatal error.
    fatals, errors, warnings = (int(n) for n in counts.groups()) if counts else (1, 0, 0)
    return EpubcheckResult(done.returncode, fatals, errors, warnings, output)


def main(argv: list[str] | None = None) -> int:
    """``python -m alliance.book.epub``: write the EPUB of a built book."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=HTML_DIR, help="the built book")
    parser.add_argument("--out", type=Path, default=EPUB_DIR / "course.epub")
    parser.add_argument("--edition", choices=("solution", "student"), default="solution")
    parser.add_argument("--check", action="store_true", help="then check it with epubcheck (fails on any error)")
    args = parser.parse_args(argv)
    report = build_epub(args.html, args.out, edition=args.edition)
    size = report.path.stat().st_size
    print(f"{report.path}: {report.pages} pages, {report.charts} charts as SVG, "
          f"{report.internal_links} internal and {report.external_links} external links, {size / 1e6:.2f} MB")
    if args.check:
        result = run_epubcheck(report.path)
        print(f"epubcheck: {result.fatals} fatals, {result.errors} errors, {result.warnings} warnings")
        if not result.valid:
            print(result.output, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
