"""Where the notebook editions' links go, and when the launch and repository buttons are shown.

One setting says where the book is published: ``html.baseurl`` and ``repository.url`` of
``_config.yml``, empty (not published) by default. A link of an edition leads to the book built
beside it (``make lab``: ``notebooks/book``), or to the published address when one is set, or is
not written (a downloaded notebook of an unpublished book); a ¶ link's title is the paragraph.
"""
from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jupytext
import nbformat
import pytest
import yaml

from alliance import paths
from alliance.book.sphinxext.publication import publication_settings
from alliance.editions.__main__ import main
from alliance.editions.links import BookIndex, link_base
from alliance.editions.myst import commonmark_html
from alliance.editions.publish import write_book_editions
from alliance.paths import STUDENT_HTML_DIR
from alliance.prose import reference_urls
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML = ROOT / "_build" / "html"
#: The addresses the course used before it had a real one: no page or notebook may link there.
PLACEHOLDER = "alliance-course"
_PARA_ANCHOR = re.compile(r"(?P<source>[a-z][a-z0-9_]*)\.html#(?P=source)-p(?P<para>\d+)$")


class _Anchors(HTMLParser):
    """Every ``<a href>`` (href, title) and every ``id`` of an HTML text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "a" and found.get("href") is not None:
            self.links.append((found["href"] or "", found.get("title") or ""))


def _anchors(html_text: str) -> _Anchors:
    parser = _Anchors()
    parser.feed(html_text)
    return parser


def _config(tmp_path: Path, baseurl: str, repository: str) -> Path:
    """A copy of ``_config.yml`` with ``html.baseurl`` and ``repository.url`` set."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["html"]["baseurl"], config["repository"]["url"] = baseurl, repository
    path = tmp_path / "_config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _paragraph(source_id: str, para: int) -> str:
    from alliance.corpus import load_corpus

    table = load_corpus().paragraphs
    row = table[(table["source_id"] == source_id) & (table["para"] == para)]
    return " ".join(str(row["text"].iloc[0]).split())


# -- the setting ----------------------------------------------------------------------------------

def test_the_course_names_no_address_until_it_is_published() -> None:
    assert paths.published_url() is None and paths.repository_url() is None


def test_a_set_address_is_read_and_anything_else_refused(tmp_path: Path) -> None:
    config = _config(tmp_path, "https://courses.example.edu/alliance", "https://github.com/owner/repo/")
    assert paths.published_url(config) == "https://courses.example.edu/alliance/"
    assert paths.repository_url(config) == "https://github.com/owner/repo"
    assert link_base("download", config) == "https://courses.example.edu/alliance/"
    assert link_base("download", _config(tmp_path / "unset", "", "")) == ""
    assert link_base("lab") == "../book/" and link_base("binder") == "../_build/html/"
    with pytest.raises(ValueError, match="html.baseurl"):
        paths.published_url(_config(tmp_path / "bad", "courses.example.edu", ""))


def test_buttons_only_for_a_real_repository() -> None:
    theme = {"use_download_button": True, "repository_url": "https://github.com/x/y", "use_repository_button": True,
             "launch_buttons": {"binderhub_url": "https://mybinder.org"}}
    launch = {"notebook_interface": "jupyterlab", "binderhub_url": "https://mybinder.org"}
    unset = publication_settings(theme, {"branch": "main"}, launch, None)
    assert "repository_url" not in unset and unset["use_repository_button"] is False and unset["launch_buttons"] == {}
    assert unset["use_download_button"] is True
    published = publication_settings(theme, {"branch": "trunk", "path_to_book": "book"}, launch, "https://github.com/o/r")
    assert published["repository_url"] == "https://github.com/o/r" and published["use_repository_button"] is True
    assert published["repository_branch"] == "trunk" and published["path_to_docs"] == "book"
    assert published["launch_buttons"] == launch


# -- every edition's links --------------------------------------------------------------------------

def _author_links() -> set[str]:
    """The addresses the course's own Markdown links (data/reference rows' sources): kept as written."""
    cells = [c for doc in (*sorted((ROOT / "chapters").glob("*.md")), ROOT / "appendix" / "data.md")
             for c in jupytext.read(doc).cells]
    cells += [c for nb in sorted((ROOT / "exercises").glob("ex*.ipynb")) for c in nbformat.read(nb, as_version=4).cells]
    written = {href for c in cells if c.cell_type == "markdown" for href, _ in _anchors(commonmark_html(c.source)).links}
    return written | reference_urls()  # {bg}, {inst} and computed tables link to reference rows' pages


def _book_target(href: str, notebook: Path, base: str, book_dir: Path) -> tuple[Path, str] | None:
    """The built file and id a book link opens, or ``None`` when ``href`` is not a link to ``base``."""
    parts = urlsplit(href)
    if base.startswith(("https://", "http://")):
        if not href.startswith(base):
            return None
        return book_dir / unquote(parts.path[len(urlsplit(base).path):]), unquote(parts.fragment)
    if parts.scheme or parts.netloc:
        return None
    opened = Path(posixpath.normpath((notebook.parent / unquote(parts.path)).as_posix()))
    link = Path(posixpath.normpath((notebook.parent / base).as_posix()))
    if not opened.is_relative_to(link):
        return None
    return book_dir / opened.relative_to(link), unquote(parts.fragment)


def link_problems(notebooks: list[Path], base: str, book_dir: Path) -> dict[str, list[str]]:
    """Per notebook: every link that is neither a course author's link nor one into the book at
    ``base`` (``""``: none allowed) that opens an existing page and id of ``book_dir``; and every ¶
    link whose title is not the cited paragraph's text."""
    authors = _author_links()
    ids: dict[Path, set[str]] = {}
    problems: dict[str, list[str]] = {}
    for path in notebooks:
        found = []
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for href, title in _anchors(commonmark_html(cell.source)).links:
                if PLACEHOLDER in href:
                    found.append(f"placeholder: {href}")
                    continue
                if href in authors:
                    continue
                target = _book_target(href, path, base, book_dir) if base else None
                if target is None:
                    found.append(f"not the book ({base or 'no links'}): {href}")
                    continue
                page, fragment = target
                if page not in ids:
                    ids[page] = _anchors(page.read_text(encoding="utf-8")).ids if page.is_file() else set()
                if not page.is_file() or (fragment and fragment not in ids[page]):
                    found.append(f"leads nowhere: {href}")
                para = _PARA_ANCHOR.search(href)
                if para and f"¶{para['para']}: {_paragraph(para['source'], int(para['para']))}" not in title:
                    found.append(f"¶ link without its paragraph as title: {href} {title[:60]!r}")
        problems[str(path)] = found
    return {k: v for k, v in problems.items() if v}


def _para_links(notebooks: list[Path]) -> int:
    return sum(len([h for h, _ in _anchors(commonmark_html(c.source)).links if _PARA_ANCHOR.search(h)])
               for p in notebooks for c in nbformat.read(p, as_version=4).cells if c.cell_type == "markdown")


def _downloads(html_dir: Path) -> list[Path]:
    return sorted([*(html_dir / "_sources").rglob("*.ipynb"), *(html_dir / "student").glob("*.ipynb")])


@pytest.mark.build
@pytest.mark.parametrize("html_dir", [HTML, STUDENT_HTML_DIR], ids=["solution", "student"])
def test_downloads_of_an_unpublished_book_link_nowhere_else(html_dir: Path) -> None:
    """The notebooks each built edition offers: no link into the book while it has no address (the
    default), and never one to another address; their ¶ citations keep the paragraph as a title."""
    if not (html_dir / "objects.inv").is_file():
        pytest.fail(f"{html_dir} is not built: run `make book` and `make book EDITION=student`.")
    notebooks = _downloads(html_dir)
    assert len(notebooks) >= 15, notebooks
    assert not link_problems(notebooks, link_base("download"), html_dir)
    sources = "".join(c.source for p in notebooks for c in nbformat.read(p, as_version=4).cells)
    assert sources.count('<span title="¶') > 50, "the ¶ citations should keep their paragraph as a hover title"


@pytest.mark.build
def test_downloads_of_a_published_book_link_to_its_address(tmp_path: Path) -> None:
    """With an address set (a temporary config), every book link of the downloads goes there."""
    base = link_base("download", _config(tmp_path, "https://courses.example.edu/alliance/", ""))
    book = BookIndex.from_build(HTML, base_url=base)
    copy = tmp_path / "html"
    (copy / "_sources").mkdir(parents=True)
    written = write_book_editions(copy, book, manifest_path=tmp_path / "manifest.json").editions
    assert _para_links(written) > 50
    assert not link_problems(written, base, HTML)
    assert link_problems(written, "https://elsewhere.example.org/", HTML), "the check must see a wrong address"


@pytest.mark.build
def test_lab_editions_open_the_built_book_in_jupyterlab(tmp_path: Path) -> None:
    """``make lab``: every link opens a page (and the paragraph's id) of the built book through
    ``notebooks/book``, the folder JupyterLab serves; each ¶ link's title is the paragraph."""
    assert main(["--lab", str(tmp_path)]) == 0
    book = tmp_path / paths.LAB_BOOK_LINK
    assert (book / "objects.inv").is_file() and book.resolve() == HTML.resolve()
    notebooks = sorted(tmp_path.glob("*/*.ipynb"))
    assert _para_links(notebooks) > 50
    assert not link_problems(notebooks, link_base("lab"), HTML)
    assert link_problems(notebooks, "", HTML), "the check must see links where none are allowed"


@pytest.mark.build
@pytest.mark.parametrize("html_dir", [HTML, STUDENT_HTML_DIR], ids=["solution", "student"])
def test_no_page_links_a_placeholder_or_offers_buttons_without_a_repository(html_dir: Path) -> None:
    pages = sorted(html_dir.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert PLACEHOLDER not in text, page
        assert "btn-source-repository-button" not in text and "mybinder.org" not in text, page
    chapter = (html_dir / "chapters" / "01-alliance-evolution.html").read_text(encoding="utf-8")
    assert "download-notebook-button" in chapter, "a chapter still offers its notebook without launch buttons"
