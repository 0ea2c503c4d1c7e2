"""Writing the EPUB of a built book: each page of ``_toc.yml`` cleaned, its charts drawn as SVG, its links
rewritten; then the cover, title page, table of contents and package document, zipped as EPUB 3 requires.
"""
from __future__ import annotations

import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from alliance.book.epub.cover import cover_png
from alliance.book.epub.documents import (CONTAINER, CONTENT_DIR, COVER_IMAGE, COVER_PAGE, STYLE, STYLESHEET,
                                          cover_document, nav_document, package_document, title_document,
                                          xhtml_document)
from alliance.book.epub.links import LinkMap
from alliance.book.epub.page import article_html, clean_article, page_sections, page_title, renumber_ids
from alliance.book.epub.toc import toc_entries, xhtml_name
from alliance.book.selfcheck import print_selfchecks
from alliance.book.static_charts import replace_charts
from alliance.paths import PROJECT_ROOT, published_url

CHARTS_DIR = "charts"


@dataclass(frozen=True)
class EpubReport:
    """What :func:`build_epub` wrote: the file, its pages, charts and links rewritten."""

    path: Path
    pages: int
    charts: int
    internal_links: int
    external_links: int


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
