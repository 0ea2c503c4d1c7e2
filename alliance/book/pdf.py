"""The course as one print-ready PDF (``make pdf``): a solution and a student edition.

Route: the built HTML book, printed by Chromium (see CONTRIBUTING.md, "The PDF edition"). The pages of
a built edition of the book (``_build/html`` or the student edition's build) are read in the book's
order (each page's ``<link rel="next">``) and assembled into one HTML document:

* a title page, then a table of contents (one entry per page, grouped by the parts of ``_toc.yml``,
  and under each chapter its sections, ``h2``) whose page numbers are filled in by a second print,
  from the PDF's named destinations;
* each page's ``<article>`` (the theme's chrome left out), starting on a new sheet; its element ids are
  prefixed with the page's key so they stay unique, and links to other pages of the book, to their
  headings, paragraphs of the source reader, glossary terms, exercises and bibliography entries
  become in-document links (``#key--id``), which Chromium keeps as internal PDF links;
* a link to a file the PDF does not hold (a notebook download, the index) points to the published
  book, and every external address is printed in full in a numbered note at the end of its page (the link
  followed by the note's number);
* every chart becomes the same chart as an inline vector SVG with its description
  (:mod:`alliance.book.static_charts`), and is also written as ``charts/chart-<digest>.svg``;
* solutions (dropdowns) and folded cells are open, as nothing can be clicked on paper;
* self-checks are numbered questions with lettered options, their answers and explanations collected
  at the end of the chapter (:func:`alliance.book.selfcheck.print_selfchecks`).

Chromium (Debian's, driven by playwright) prints it to A4 with page numbers in the footer and the
headings as the PDF's outline. Nothing leaves the machine: the document is read from ``file://`` and
any other request is refused.

>>> build_pdf("solution")   # doctest: +SKIP
PdfResult(edition='solution', path=PosixPath('.../_build/pdf/course.pdf'), pages=..., ...)
"""
from __future__ import annotations

import argparse
import html as html_lib
import os
import posixpath
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from alliance.paths import HTML_DIR, PDF_DIR, PROJECT_ROOT, STUDENT_HTML_DIR, published_url
from alliance.book.selfcheck import PRINT_CSS as SELFCHECK_CSS

#: Each edition: the built book it is printed from, and the PDF's file name.
EDITIONS: dict[str, tuple[Path, str]] = {
    "solution": (HTML_DIR, "course.pdf"),
    "student": (STUDENT_HTML_DIR, "course-student.pdf"),
}
EDITION_NAMES = {"solution": "Instructor edition (with solutions)", "student": "Student edition (without solutions)"}
#: Placeholder of a table-of-contents page number before the second print (same width as the numbers).
TOC_PLACEHOLDER = "000"
_PAGE_NUMBER_CLASS = "pdf-toc-page"
#: Prints at most, until the contents' page numbers are those of the print that shows them.
MAX_PRINTS = 4
#: The parts of ``_toc.yml`` whose pages list their sections (``h2``) in the contents.
SECTION_PARTS: tuple[str, ...] = ("Chapters",)

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
html, body { background: #fff !important; }
body.alliance-pdf { font-size: 10.5pt; line-height: 1.45; margin: 0; padding: 0; }
.pdf-page { break-before: page; }
.pdf-title-page { height: 230mm; display: flex; flex-direction: column; justify-content: center; text-align: center; }
.pdf-title-page h1 { font-size: 26pt; margin-bottom: 1em; }
.pdf-title-page p { font-size: 12pt; margin: 0.3em 0; }
.pdf-toc { break-before: page; }
.pdf-toc ol { list-style: none; padding-left: 0; }
.pdf-toc li.pdf-toc-part { font-weight: bold; margin-top: 0.8em; }
.pdf-toc li.pdf-toc-entry { margin-left: 1.2em; }
.pdf-toc li.pdf-toc-entry.pdf-toc-sub { margin-left: 2.4em; }
.pdf-toc li.pdf-toc-section { margin-left: 2.4em; font-size: 0.92em; }
.pdf-toc a { display: flex; text-decoration: none; color: inherit; }
.pdf-toc a .pdf-toc-title { flex: 1 1 auto; }
.pdf-toc a .pdf-toc-dots { flex: 1 1 auto; border-bottom: 1px dotted #888; margin: 0 0.4em 0.3em; }
.pdf-toc a .pdf-toc-page { flex: 0 0 2.5em; text-align: right; font-variant-numeric: tabular-nums; }
a.pdf-external { color: inherit; }
.pdf-url { font-size: 0.85em; overflow-wrap: anywhere; word-break: break-all; color: #333; }
.pdf-notes { margin-top: 1.5em; border-top: 1px solid #999; padding-top: 0.5em; }
.pdf-notes-title { font-weight: bold; font-size: 0.9em; margin: 0 0 0.3em; }
.pdf-note-ref { font-size: 0.7em; }
body.alliance-pdf *, body.alliance-pdf *::before, body.alliance-pdf *::after {
  box-shadow: none !important; text-shadow: none !important; filter: none !important; }
svg, img { max-width: 100% !important; height: auto; }
.alliance-vis-static svg { width: 100%; overflow: visible; }
figure, blockquote, pre, table, .alliance-chart { break-inside: avoid; }
h1, h2, h3, h4 { break-after: avoid; break-inside: avoid; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.admonition.dropdown > *:not(.admonition-title), .toggle-hidden { display: block !important; visibility: visible !important; }
details > summary { list-style: none; }
table { font-size: 0.9em; }
.bd-article { padding: 0 !important; }
""" + SELFCHECK_CSS
FOOTER_TEMPLATE = ('<div style="font-size:8pt;width:100%;margin:0 16mm;display:flex;justify-content:space-between;'
                   'color:#444;font-family:sans-serif"><span>{title}</span>'
                   '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>')


@dataclass(frozen=True)
class BookPage:
    """One page of the built book: its path (relative, ``/``-separated), key, title, part, depth in
    the contents and, for the pages that list them, its sections (id in the page, title)."""

    rel: str
    key: str
    title: str
    part: str
    depth: int
    sections: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PdfResult:
    """A printed edition: where it is, its page count and size, and how long the print took."""

    edition: str
    path: Path
    pages: int
    size_bytes: int
    seconds: float
    charts: int


def safe_id(text: str) -> str:
    """``text`` as an id that is safe in a PDF destination name (letters, digits, ``_ . -``)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", unquote(text))


def page_key(rel: str) -> str:
    """The anchor of a page of the book in the assembled document: ``chapters/01-x.html`` -> ``chapters-01-x``."""
    return "p-" + safe_id(rel.removesuffix(".html").replace("/", "-"))


def target_id(rel: str, fragment: str = "") -> str:
    """The id, in the assembled document, of ``fragment`` on page ``rel`` (the page's own when empty)."""
    return f"{page_key(rel)}--{safe_id(fragment)}" if fragment else page_key(rel)


def read_article(path: Path) -> str:
    """A built page's content: its ``<article class="bd-article">`` element."""
    text = path.read_text(encoding="utf-8")
    start = text.find('<article class="bd-article"')
    end = text.rfind("</article>")
    if start < 0 or end < 0:
        raise ValueError(f"{path}: no <article class=\"bd-article\"> (not a page of the book)")
    return text[start:end + len("</article>")]


def _next_page(path: Path, rel: str) -> str | None:
    match = re.search(r'<link rel="next" title="[^"]*" href="([^"]+)"', path.read_text(encoding="utf-8"))
    if not match:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), urlsplit(match.group(1)).path))


def page_order(html_dir: Path, root: Path = PROJECT_ROOT) -> list[str]:
    """Every page of the built book in its reading order: from the root page, each page's "next"."""
    from alliance.book.site import toc_files

    order = [f"{toc_files(root)[0]}.html"]
    while True:
        following = _next_page(html_dir / order[-1], order[-1])
        if following is None or following in order or not (html_dir / following).is_file():
            return order
        order.append(following)


def _toc_parts(root: Path) -> list[tuple[str, list[tuple[str, int]]]]:
    """The parts of ``_toc.yml``: each caption with its files or globs and their depth (0: chapter)."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    parts: list[tuple[str, list[tuple[str, int]]]] = []

    def walk(entries: list[dict] | None, depth: int, into: list[tuple[str, int]]) -> None:
        for entry in entries or []:
            pattern = entry.get("file") or entry.get("glob")
            if pattern:
                into.append((pattern, depth))
            walk(entry.get("sections"), depth + 1, into)

    for part in toc.get("parts", []):
        files: list[tuple[str, int]] = []
        walk(part.get("chapters"), 0, files)
        parts.append((str(part.get("caption", "")), files))
    return parts


def _part_of(rel: str, parts: list[tuple[str, list[tuple[str, int]]]]) -> tuple[str, int]:
    import fnmatch

    doc = rel.removesuffix(".html")
    for caption, files in parts:
        for pattern, depth in files:
            if doc == pattern or ("*" in pattern and fnmatch.fnmatch(doc, pattern) and doc != pattern.rsplit("/", 1)[0] + "/index"):
                return caption, depth
    return "", 0


def _plain_heading(inner_html: str) -> str:
    """A heading's text: its markup and permalink (``#``) dropped, entities resolved, spaces joined."""
    text = re.sub(r'<a class="headerlink".*?</a>', "", inner_html, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", text)).split())


def _heading_text(article: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", article, re.S)
    return _plain_heading(match.group(1)) if match else "Untitled"


def page_sections(article: str) -> tuple[tuple[str, str], ...]:
    """The page's sections at ``h2`` level, in order: (id of the ``<section>`` the ``h2`` heads, its title)."""
    from bs4 import BeautifulSoup

    found = []
    for heading in BeautifulSoup(article, "html.parser").find_all("h2"):
        section = heading.parent
        if section is not None and section.name == "section" and section.get("id"):
            found.append((str(section["id"]), _plain_heading(heading.decode_contents())))
    return tuple(found)


def book_pages(html_dir: Path, root: Path = PROJECT_ROOT) -> list[BookPage]:
    """The pages of the built book in order, with their titles and parts."""
    parts = _toc_parts(root)
    pages = []
    for rel in page_order(html_dir, root):
        part, depth = _part_of(rel, parts)
        article = read_article(html_dir / rel)
        sections = page_sections(article) if part in SECTION_PARTS else ()
        pages.append(BookPage(rel, page_key(rel), _heading_text(article), part, depth, sections))
    return pages


def _is_external(href: str) -> bool:
    return urlsplit(href).scheme in ("http", "https", "mailto", "ftp")


def _print_address(anchor: object, href: str, notes: list[str] | None = None) -> None:
    """Print ``href`` in full: as a numbered note at the end of the page when ``notes`` (the page's
    addresses so far) is given, the link followed by its note number; else after the link's text.
    A link whose text already is the address gets neither."""
    text = anchor.get_text(" ", strip=True)  # type: ignore[attr-defined]
    bare = re.sub(r"^(https?://|mailto:)", "", href).rstrip("/")
    anchor["class"] = list(anchor.get("class", [])) + ["pdf-external"]  # type: ignore[index,attr-defined]
    if bare and bare in text:
        return
    from bs4 import BeautifulSoup

    if notes is None:
        span = BeautifulSoup(f'<span class="pdf-url"> ({html_lib.escape(href)})</span>', "html.parser").span
        anchor.insert_after(span)  # type: ignore[attr-defined]
        return
    if href not in notes:
        notes.append(href)
    mark = BeautifulSoup(f'<sup class="pdf-note-ref">{notes.index(href) + 1}</sup>', "html.parser").sup
    anchor.insert_after(mark)  # type: ignore[attr-defined]


def address_notes(notes: list[str]) -> str:
    """The numbered list of a page's web addresses, printed at its end."""
    if not notes:
        return ""
    items = "".join(f'<li class="pdf-url">{html_lib.escape(href)}</li>' for href in notes)
    return f'<aside class="pdf-notes"><p class="pdf-notes-title">Web addresses on this page</p><ol>{items}</ol></aside>'


def _ids_on_headings(soup: object) -> None:
    """Move each section's id to its heading (which has none), so that a link to the section, and the
    contents' page number read from its destination, is where its title is printed: a section can
    begin at the foot of a sheet whose heading moves to the next one (``break-after: avoid``)."""
    for section in soup.find_all("section", id=True):  # type: ignore[attr-defined]
        heading = section.find(re.compile(r"^h[1-6]$"), recursive=False)
        if heading is not None and not heading.get("id"):
            heading["id"] = section["id"]
            del section["id"]


def convert_article(article: str, page: BookPage, html_dir: Path, out_dir: Path,
                    ids: dict[str, set[str]]) -> str:
    """One page's article as a section of the assembled document (ids prefixed, links rewritten)."""
    from bs4 import BeautifulSoup

    from alliance.book.selfcheck import print_selfchecks
    from alliance.book.static_charts import replace_charts

    article, _ = replace_charts(print_selfchecks(article))
    soup = BeautifulSoup(article, "html.parser")
    for junk in soup.select("a.headerlink, script, button, .d-print-none, form"):
        junk.decompose()
    _ids_on_headings(soup)
    for element in soup.find_all(id=True):
        element["id"] = target_id(page.rel, element["id"])
    for details in soup.find_all("details"):
        details["open"] = "open"
    notes: list[str] = []
    for anchor in soup.find_all("a", href=True):
        href = anchor["href"]
        if _is_external(href):
            _print_address(anchor, href, notes)
            continue
        parts = urlsplit(href)
        if parts.scheme:
            continue
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page.rel), unquote(parts.path))) if parts.path else page.rel
        fragment = unquote(parts.fragment)
        if rel in ids:
            anchor["href"] = "#" + target_id(rel, fragment if fragment in ids[rel] else "")
        elif (online := published_url()):
            address = online + rel + (f"#{parts.fragment}" if parts.fragment else "")
            anchor["href"] = address
            _print_address(anchor, address, notes)
        else:
            anchor.unwrap()  # a file outside the PDF, and no published book to link it at
    for element in soup.find_all(["img", "source"], src=True):
        src = element["src"]
        if not urlsplit(src).scheme and not src.startswith("/"):
            resolved = html_dir / posixpath.normpath(posixpath.join(posixpath.dirname(page.rel), src))
            element["src"] = os.path.relpath(resolved, out_dir)
    for blockquote in soup.find_all("blockquote", cite=True):
        del blockquote["cite"]
    body = soup.find("article")
    inner = (body.decode_contents() if body is not None else str(soup)) + address_notes(notes)
    return (f'<section class="pdf-page" id="{page.key}" data-page="{html_lib.escape(page.rel)}">'
            f'<article class="bd-article">{inner}</article></section>')


def _stylesheets(html_dir: Path, root_rel: str, out_dir: Path) -> list[str]:
    """The book's stylesheets (from its root page), as paths relative to ``out_dir``."""
    head = (html_dir / root_rel).read_text(encoding="utf-8").split("</head>", 1)[0]
    sheets = []
    for tag in re.findall(r"<link\b[^>]*>", head):
        if 'rel="stylesheet"' not in tag:
            continue
        href = re.search(r'href="([^"?]+)', tag)
        if href and not _is_external(href.group(1)):
            sheets.append(os.path.relpath(html_dir / posixpath.join(posixpath.dirname(root_rel), href.group(1)), out_dir))
    return sheets


def book_title(root: Path = PROJECT_ROOT) -> tuple[str, str]:
    """The book's title and author (``_config.yml``)."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return str(config.get("title", "")), str(config.get("author", ""))


def _toc_entry(css_class: str, target: str, title: str) -> str:
    """One linked line of the contents: its title, dots, and its page number to fill in."""
    return (f'<li class="{css_class}"><a href="#{target}"><span class="pdf-toc-title">{html_lib.escape(title)}</span>'
            f'<span class="pdf-toc-dots"></span>'
            f'<span class="{_PAGE_NUMBER_CLASS}" data-target="{target}">{TOC_PLACEHOLDER}</span></a></li>')


def toc_targets(pages: list[BookPage]) -> list[str]:
    """The ids the contents' entries link to, in order: each page's, then its sections'."""
    return [target for page in pages for target in
            [page.key, *(target_id(page.rel, section_id) for section_id, _ in page.sections)]]


def toc_html(pages: list[BookPage]) -> str:
    """The table of contents: the parts and one linked entry per page, under it one per section,
    page numbers to fill in."""
    items, part = [], None
    for page in pages:
        if page.part and page.part != part:
            part = page.part
            items.append(f'<li class="pdf-toc-part">{html_lib.escape(part)}</li>')
        sub = " pdf-toc-sub" if page.depth > 0 else ""
        items.append(_toc_entry(f"pdf-toc-entry{sub}", page.key, page.title))
        items += [_toc_entry("pdf-toc-entry pdf-toc-section", target_id(page.rel, section_id), title)
                  for section_id, title in page.sections]
    return f'<nav class="pdf-toc" id="pdf-toc"><h1>Contents</h1><ol>{"".join(items)}</ol></nav>'


def assemble(edition: str, html_dir: Path, out_dir: Path, root: Path = PROJECT_ROOT) -> tuple[str, list[BookPage]]:
    """The whole book as one HTML document (title page, contents, every page), and its pages."""
    pages = book_pages(html_dir, root)
    ids = {page.rel: set(re.findall(r'\bid="([^"]+)"', read_article(html_dir / page.rel))) for page in pages}
    sections = [convert_article(read_article(html_dir / page.rel), page, html_dir, out_dir, ids) for page in pages]
    title, author = book_title(root)
    links = "".join(f'<link rel="stylesheet" href="{html_lib.escape(sheet)}"/>' for sheet in _stylesheets(html_dir, pages[0].rel, out_dir))
    online = published_url()
    title_page = (f'<section class="pdf-title-page" id="pdf-title"><h1>{html_lib.escape(title)}</h1>'
                  f'<p>{html_lib.escape(EDITION_NAMES[edition])}</p><p>{html_lib.escape(author)}</p>'
                  + (f'<p>The online book: {html_lib.escape(online)}</p>' if online else "")
                  + "</section>")
    document = (f'<!DOCTYPE html><html lang="en" data-theme="light" data-mode="light"><head><meta charset="utf-8"/>'
                f"<title>{html_lib.escape(title)}</title>{links}<style>{PRINT_CSS}</style></head>"
                f'<body class="alliance-pdf">{title_page}{toc_html(pages)}<main>{"".join(sections)}</main></body></html>')
    return document, pages


def write_chart_files(html_dir: Path, pages: list[BookPage], folder: Path) -> list[Path]:
    """Every chart of the book as a static SVG file, ``folder/chart-<digest>.svg`` (rendered offline)."""
    from alliance.book.static_charts import find_charts

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        for chart in find_charts(read_article(html_dir / page.rel)):
            target = folder / f"chart-{chart.digest}.svg"
            target.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + chart.svg, encoding="utf-8")
            written.append(target)
    return written


def destination_pages(pdf: bytes) -> dict[str, int]:
    """The PDF's named destinations and their page numbers (1-based)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {str(name).removeprefix("/"): reader.get_destination_page_number(dest) + 1 for name, dest in reader.named_destinations.items()}


def print_pdf(document: Path, title: str, targets: list[str]) -> bytes:
    """Print ``document`` with Debian's Chromium: A4, page numbers, outline, and the contents' entries
    (linking to ``targets``) numbered from the print's named destinations (2-3 prints)."""
    from playwright.sync_api import sync_playwright

    from alliance.book.site import CHROMIUM_ARGS, find_chromium

    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("make pdf needs Debian's chromium (make browser installs it)")
    options = dict(format="A4", print_background=True, display_header_footer=True, outline=True, tagged=True,
                   header_template="<span></span>",
                   footer_template=FOOTER_TEMPLATE.format(title=html_lib.escape(title)),
                   margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"})
    offline = ["--host-resolver-rules=MAP * ~NOTFOUND"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS + offline)
        try:
            def print_once(numbers: dict[str, int]) -> bytes:
                # A fresh page for every print: a second print of the same page can lay out differently.
                page = browser.new_page()
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
                page.goto(document.resolve().as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.evaluate("""([cls, numbers]) => { for (const el of document.getElementsByClassName(cls)) {
                                   const n = numbers[el.dataset.target]; if (n) el.textContent = String(n); } }""",
                              [_PAGE_NUMBER_CLASS, numbers])
                pdf = page.pdf(**options)
                page.close()
                return pdf

            filled: dict[str, int] = {}
            pdf = print_once(filled)
            # Print again with the contents numbered until the numbers are those of the print itself.
            for _ in range(MAX_PRINTS - 1):
                found = destination_pages(pdf)
                missing = [target for target in targets if target not in found]
                if missing:
                    raise RuntimeError(f"the PDF has no destination for contents entries {missing[:5]}")
                numbers = {target: found[target] for target in targets}
                if numbers == filled:
                    return pdf
                pdf, filled = print_once(numbers), numbers
            raise RuntimeError(f"the contents' page numbers did not settle after {MAX_PRINTS} prints")
        finally:
            browser.close()


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def build_pdf(edition: str, out_dir: Path = PDF_DIR, html_dir: Path | None = None, root: Path = PROJECT_ROOT) -> PdfResult:
    """Assemble and print one edition into ``out_dir`` (``course.pdf`` or ``course-student.pdf``)."""
    started = time.monotonic()
    source, name = EDITIONS[edition]
    html_dir = html_dir or source
    from alliance.book.site import toc_files

    if not (html_dir / f"{toc_files(root)[0]}.html").is_file():
        command = "make book" + (" EDITION=student" if edition == "student" else "")
        raise FileNotFoundError(f"{html_dir}: no built book ({command} builds it)")
    out_dir.mkdir(parents=True, exist_ok=True)
    document, pages = assemble(edition, html_dir, out_dir, root)
    charts = write_chart_files(html_dir, pages, out_dir / "charts")
    html_path = out_dir / name.replace(".pdf", ".html")
    html_path.write_text(document, encoding="utf-8")
    pdf = print_pdf(html_path, book_title(root)[0], toc_targets(pages))
    target = out_dir / name
    target.write_bytes(pdf)
    return PdfResult(edition, target, page_count(pdf), len(pdf), time.monotonic() - started, len(charts))


def main(argv: list[str] | None = None) -> int:
    """``python -m alliance.book.pdf [--edition solution|student|all] [--out DIR]``."""
    parser = argparse.ArgumentParser(description="Print the course as PDF (instructor and student editions).")
    parser.add_argument("--edition", choices=[*EDITIONS, "all"], default="all")
    parser.add_argument("--out", type=Path, default=PDF_DIR)
    args = parser.parse_args(argv)
    for edition in EDITIONS if args.edition == "all" else [args.edition]:
        try:
            result = build_pdf(edition, args.out)
        except (FileNotFoundError, RuntimeError) as error:
            print(f"make pdf: {error}", file=sys.stderr)
            return 1
        print(f"{result.path}: {result.pages} pages, {result.size_bytes / 1e6:.1f} MB, "
              f"{result.charts} charts, {result.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
