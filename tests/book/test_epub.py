"""The EPUB edition (``make epub``): valid for epubcheck, the whole book, charts as described SVGs,
no scripts, every internal link resolving inside the EPUB."""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from alliance.book.epub.build import build_epub
from alliance.book.epub.cover import COVER_SIZE, cover_svg, wrap_title
from alliance.book.epub.documents import CONTENT_DIR, package_document
from alliance.book.epub.epubcheck import run_epubcheck
from alliance.book.epub.links import LinkMap
from alliance.book.epub.page import article_html, clean_article, renumber_ids
from alliance.book.epub.toc import safe_id, toc_entries
from alliance.paths import STUDENT_HTML_DIR
from alliance.book.static_charts import find_charts
from tests.book.test_student_book import solution_probes, words
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The solution edition's EPUB, written from the built book (about 10 s)."""
    assert (HTML / "intro.html").is_file(), "build the book first (make book)"
    return build_epub(HTML, tmp_path_factory.mktemp("epub") / "course.epub").path


@pytest.fixture(scope="module")
def documents(epub: Path) -> dict[str, str]:
    """Every file of the EPUB, by its name in the zip, with its text."""
    with zipfile.ZipFile(epub) as archive:
        # Images (the SVG charts, the PNG cover) are listed by name only.
        return {name: "" if name.endswith((".svg", ".png")) else archive.read(name).decode("utf-8")
                for name in archive.namelist()}


@pytest.mark.build
def test_epubcheck_finds_no_error_and_no_warning(epub):
    result = run_epubcheck(epub)
    assert result.valid, result.output
    assert (result.fatals, result.errors, result.warnings) == (0, 0, 0), result.output


@pytest.mark.build
def test_epubcheck_counts_the_errors_of_a_broken_copy(epub, tmp_path):
    """The check can fail: a copy with a dangling link and a compressed mimetype has errors."""
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == f"{CONTENT_DIR}/intro.xhtml":
                data = data.replace(b"</body>", b'<p><a href="missing.xhtml">gone</a></p></body>')
            target.writestr(name, data)
    result = run_epubcheck(broken)
    assert not result.valid and result.errors >= 2, result.output
    assert "missing.xhtml" in result.output


@pytest.mark.build
def test_the_same_build_gives_the_same_epub(epub, tmp_path):
    again = build_epub(HTML, tmp_path / "again.epub").path
    assert again.read_bytes() == epub.read_bytes()


_OPF = "{http://www.idpf.org/2007/opf}"


def _opf_items(opf: str) -> list[dict[str, str]]:
    """The manifest's items of a package document, each as its attributes."""
    return [dict(item.attrib) for item in ElementTree.fromstring(opf.encode()).iter(f"{_OPF}item")]


def _opf_spine(opf: str) -> list[str]:
    """The ids of the package document's spine, in reading order."""
    return [ref.attrib["idref"] for ref in ElementTree.fromstring(opf.encode()).iter(f"{_OPF}itemref")]


def _png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.build
def test_the_cover_is_declared_shown_first_and_found_by_e_readers(epub, documents):
    opf = documents[f"{CONTENT_DIR}/content.opf"]
    covers = [item for item in _opf_items(opf) if "cover-image" in item.get("properties", "").split()]
    assert len(covers) == 1, covers
    cover = covers[0]
    assert cover["media-type"] == "image/png"
    with zipfile.ZipFile(epub) as archive:
        image = archive.read(f"{CONTENT_DIR}/{cover['href']}")
    assert _png_size(image) == COVER_SIZE and len(image) > 20_000       # drawn, not an empty picture
    assert f'<meta name="cover" content="{cover["id"]}"/>' in opf        # EPUB 2 readers' way to find it
    first = _opf_spine(opf)[0]
    page_href = next(item["href"] for item in _opf_items(opf) if item["id"] == first)
    page = BeautifulSoup(documents[f"{CONTENT_DIR}/{page_href}"], "html.parser")
    shown = page.select_one('[epub\\:type="cover"] img')
    assert shown is not None and shown["src"] == cover["href"], "the first page of the spine shows the cover"
    assert "The US-Japan Alliance in the Trump Years" in shown["alt"]
    landmarks = documents[f"{CONTENT_DIR}/nav.xhtml"].split('epub:type="landmarks"', 1)[1]
    assert f'<a epub:type="cover" href="{page_href}">' in landmarks


def test_cover_is_drawn_from_the_title_in_whole_words():
    title = "The US-Japan Alliance in the Trump Years"
    assert wrap_title(title, 16) == ["The US-Japan", "Alliance in the", "Trump Years"]
    assert wrap_title("Supercalifragilistic words", 8) == ["Supercalifragilistic", "words"]
    svg = cover_svg(title, "The course authors", "student")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert " ".join(texts[:3]) == title and "Student edition of the course book" in texts
    assert "The course authors" in texts
    assert not re.search(r"\b(href|src)=", svg), "the cover uses no external asset"
    assert cover_svg("A & B <C>", "x", "solution").count("A &amp; B &lt;C&gt;") == 1


def test_package_names_the_cover_only_when_there_is_one():
    with_cover = package_document("T", "A", "urn:x", "2026-01-01T00:00:00Z",
                                  [("cover-image", "cover.png", "image/png", "cover-image")], [])
    without = package_document("T", "A", "urn:x", "2026-01-01T00:00:00Z",
                               [("style", "style.css", "text/css", "")], [])
    assert '<meta name="cover" content="cover-image"/>' in with_cover
    assert 'name="cover"' not in without


@pytest.mark.build
def test_mimetype_is_first_and_stored(epub):
    with zipfile.ZipFile(epub) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read(first) == b"application/epub+zip"


@pytest.mark.build
def test_every_chapter_title_is_in_the_contents_and_its_document(documents):
    nav = documents[f"{CONTENT_DIR}/nav.xhtml"]
    chapters = sorted((HTML / "chapters").glob("*.html"))
    assert len(chapters) == 7
    for page in chapters:
        heading = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article h1")
        title = re.sub(r"\s+", " ", heading.get_text(" ", strip=True).rstrip("#")).replace(" .", ".").strip()
        document = documents[f"{CONTENT_DIR}/chapters/{page.stem}.xhtml"]
        assert f">{title}</a>" in nav, title
        assert f"<title>{title}</title>" in document, title
        assert re.match(r"\d+\. ", title), f"chapter not numbered: {title}"


@pytest.mark.build
def test_every_chart_is_an_svg_image_with_its_description_as_alt_text(documents):
    expected = 0
    for page in sorted(HTML.rglob("*.html")):
        charts = find_charts(page.read_text(encoding="utf-8"))
        name = f"{CONTENT_DIR}/{page.relative_to(HTML).with_suffix('.xhtml').as_posix()}"
        if not charts or name not in documents:
            continue
        soup = BeautifulSoup(documents[name], "html.parser")
        for chart in charts:
            expected += 1
            image = soup.select_one(f"#fig-{chart.digest} img")
            assert image is not None, (name, chart.title)
            assert image["alt"] == f"{chart.title}. {chart.description}"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), image["src"]))
            assert target.endswith(".svg") and target in documents, target
    assert expected >= 30
    opf = documents[f"{CONTENT_DIR}/content.opf"]
    assert opf.count('media-type="image/svg+xml"') == len([n for n in documents if n.endswith(".svg")])


@pytest.mark.build
def test_no_script_and_no_vega_bundle(documents):
    assert not [n for n in documents if n.endswith(".js")]
    for name, text in documents.items():
        assert "<script" not in text, name
        assert "<button" not in text and "var spec=" not in text, name


@pytest.mark.build
def test_internal_links_resolve_inside_the_epub(documents):
    ids = {name: set(re.findall(r'\bid="([^"]+)"', text)) for name, text in documents.items()
           if name.endswith(".xhtml")}
    checked = citations = 0
    for name in ids:
        for href in re.findall(r'<a [^>]*href="([^"]+)"', documents[name]):
            parts = urlsplit(href.replace("&amp;", "&"))
            if parts.scheme:
                assert parts.scheme in ("http", "https", "mailto"), href
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), parts.path)) if parts.path else name
            assert target in ids, f"{name}: {href} points outside the EPUB"
            assert not parts.fragment or parts.fragment in ids[target], f"{name}: {href}: no such id"
            checked += 1
            citations += bool(re.fullmatch(r"[a-z]+\d{4}-p\d+", parts.fragment))
    assert checked > 1000 and citations > 300


@pytest.mark.build
def test_source_reader_keeps_its_numbered_paragraphs(documents):
    reader = documents[f"{CONTENT_DIR}/appendix/sources/su2017.xhtml"]
    numbers = [int(n) for n in re.findall(r'id="su2017-p(\d+)"', reader)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10
    assert '<a class="alliance-pnum" href="#su2017-p1">¶1</a>' in reader


def _epub_words(epub: Path) -> str:
    """The words of every content document of an EPUB (tags dropped), as one string."""
    with zipfile.ZipFile(epub) as archive:
        texts = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xhtml")]
    # the note numbers after web links (the addresses' notes) are not part of the page's text
    texts = [re.sub(r'<sup class="alliance-note-ref">\d+</sup>', "", t) for t in texts]
    return " " + " ".join(words(re.sub(r"<[^>]*>", " ", t)) for t in texts) + " "


@pytest.mark.build
def test_student_epub_holds_no_solution_and_the_solution_epub_every_shown_one(epub, tmp_path):
    """The student EPUB (from ``make book EDITION=student``) has none of the solution lines that
    tests/book/test_student_book.py gathers from the sources; the solution EPUB has every one its book's pages show."""
    assert (STUDENT_HTML_DIR / "intro.html").is_file(), "build the student edition first (make book EDITION=student)"
    student = build_epub(STUDENT_HTML_DIR, tmp_path / "course-student.epub", edition="student").path
    probes = solution_probes()
    in_student, in_solution = _epub_words(student), _epub_words(epub)
    leaks = [f"{where}: {found!r}" for found, where in probes.items() if f" {found} " in in_student]
    shown = [found for found in probes if f" {found} " in in_solution]
    print(f"\n{len(shown)} of {len(probes)} solution lines in the solution EPUB, {len(leaks)} in the student EPUB")
    assert not leaks, f"{len(leaks)} solution line(s) in the student EPUB:\n" + "\n".join(leaks[:20])
    # The check can fail, and the EPUB loses nothing: every solution line that the solution
    # book's pages show (their articles, without scripts) is in the solution EPUB.
    pages = [HTML / entry.path for entry in toc_entries(ROOT, HTML)]
    visible = " ".join(words(re.sub(r"<[^>]*>", " ", re.sub(r"<script.*?</script>", " ", article_html(
        p.read_text(encoding="utf-8")), flags=re.S))) for p in pages)
    expected = [found for found in probes if f" {found} " in f" {visible} "]
    assert len(expected) > 300
    assert set(expected) <= set(shown), sorted(set(expected) - set(shown))[:20]
    assert run_epubcheck(student).valid


# Unit tests of the page rules (no build needed).

def test_safe_id_makes_xml_ids():
    assert safe_id("chapters/02-transactionalism-solution-1") == "chapters-02-transactionalism-solution-1"
    assert safe_id("2018") == "id-2018"
    assert safe_id("term-Article-V") == "term-Article-V"


def test_duplicate_ids_are_renumbered_and_links_follow_the_first():
    soup = clean_article('<article class="bd-article"><section id="exercise-content">a</section>'
                         '<section id="exercise-content">b</section><p id="x/y">c</p></article>')
    mapping = renumber_ids(soup)
    assert [s["id"] for s in soup.find_all("section")] == ["exercise-content", "exercise-content-2"]
    assert mapping == {"exercise-content": "exercise-content", "x/y": "x-y"}


def test_scripts_controls_and_unknown_tags_are_removed_or_shown_as_text():
    soup = clean_article('<article class="bd-article"><h1>T<a class="headerlink" href="#t">#</a></h1>'
                         '<script>x()</script><button>b</button><style>p{}</style>'
                         '<details><summary>Show</summary><pre>code</pre></details>'
                         '<p>rows (ref:context-events:<date>) here</p></article>')
    text = str(soup)
    assert "<script" not in text and "<button" not in text and "<style" not in text and "headerlink" not in text
    assert "<details" not in text and "Show" not in text and "<pre>code</pre>" in text
    assert "ref:context-events:&lt;date&gt;) here" in text


def test_links_are_rewritten_for_the_epub():
    links = LinkMap({"chapters/a.html": {"s1": "s1"}, "appendix/sources/su2017.html": {"su2017-p4": "su2017-p4"}},
                    "https://example.org/book/")
    assert links.rewrite("chapters/a.html", "../appendix/sources/su2017.html#su2017-p4") == (
        "../appendix/sources/su2017.xhtml#su2017-p4", False)
    assert links.rewrite("chapters/a.html", "#s1") == ("#s1", False)
    assert links.rewrite("chapters/a.html", "../student/ex00.ipynb") == (
        "https://example.org/book/student/ex00.ipynb", True)
    assert links.rewrite("chapters/a.html", "https://www.mofa.go.jp/x") == ("https://www.mofa.go.jp/x", True)
    with pytest.raises(ValueError, match="does not have"):
        links.rewrite("chapters/a.html", "../appendix/sources/su2017.html#su2017-p99")


@pytest.mark.build
def test_external_addresses_are_escaped_once(documents):
    """An address with ``&`` (the TPP-11 report of chapter 3) is linked and shown as written."""
    twice, addresses = [], set()
    for name, text in documents.items():
        if not name.endswith(".xhtml"):
            continue
        root = ElementTree.fromstring(text.split("\n", 2)[2].encode())
        for anchor in root.iter("{http://www.w3.org/1999/xhtml}a"):
            href = anchor.get("href", "")
            if urlsplit(href).scheme in ("http", "https"):
                addresses.add(href)
                if re.search(r"&(amp|lt|gt|quot);", href):
                    twice.append(f"{name}: {href}")
    assert not twice, twice[:10]
    report = "http://www.laht.com/article.asp?ArticleId=2452300&CategoryId=12396"
    assert report in addresses
    assert f'<li class="alliance-address">{report.replace("&", "&amp;")}</li>' in \
        documents[f"{CONTENT_DIR}/chapters/03-trade-frictions.xhtml"]


@pytest.mark.build
def test_web_addresses_are_listed_in_notes_not_in_the_prose(documents):
    """Each web link whose text is not its address is followed by a note number; the page's notes
    list that address in full, once, at the number; no address is printed in the prose."""
    checked = 0
    for name, text in documents.items():
        if not name.endswith(".xhtml") or "/chapters/" not in name:
            continue
        soup = BeautifulSoup(text, "html.parser")
        notes = [li.get_text() for li in soup.select("aside.alliance-notes li")]
        assert len(notes) == len(set(notes)), name
        for anchor in soup.select("a[href^='http']"):
            if anchor.get_text(strip=True) == anchor["href"]:
                continue
            mark = anchor.find_next_sibling()
            assert mark is not None and mark.name == "sup", f"{name}: {anchor}"
            assert notes[int(mark.get_text()) - 1] == anchor["href"], f"{name}: {anchor['href']}"
            checked += 1
        prose = " ".join(p.get_text(" ") for p in soup.select("p") if not p.find_parent("aside"))
        assert "(http" not in prose, name
    assert checked > 20


def _selfcheck_questions(page_html: str) -> list[str]:
    """The questions (legends, without their number) of a built page's self-checks, as plain text."""
    soup = BeautifulSoup(page_html, "html.parser")
    questions = []
    for legend in soup.select("form.alliance-selfcheck legend"):
        for number in legend.select(".alliance-selfcheck-number"):
            number.decompose()
        questions.append(" ".join(legend.get_text(" ", strip=True).split()))
    return questions


@pytest.mark.build
def test_self_checks_are_numbered_questions_with_the_answers_at_the_chapters_end(documents):
    """Every page with self-checks: each question numbered, its options lettered, no form left, and the
    answers (with their explanations) at the end under "Answers to the self-checks"."""
    from alliance.selfcheck import ANSWERS_HEADING

    pages = {entry.path: (HTML / entry.path).read_text(encoding="utf-8") for entry in toc_entries(ROOT, HTML)}
    with_checks = {path: _selfcheck_questions(text) for path, text in pages.items() if "alliance-selfcheck" in text}
    assert with_checks, "no page of the book holds a self-check"
    for path, questions in with_checks.items():
        name = next(n for n in documents if n.endswith("/" + path.replace(".html", ".xhtml")))
        soup = BeautifulSoup(documents[name], "html.parser")
        assert not soup.select("form, input, button"), name
        printed = [" ".join(p.get_text(" ", strip=True).split()) for p in soup.select(".alliance-selfcheck-question")]
        assert printed == [f"Self-check {n}. {q}" for n, q in enumerate(questions, start=1)], name
        for box in soup.select(".alliance-selfcheck-print"):
            assert len(box.select("ol.alliance-selfcheck-choices > li")) >= 2 or box.select(".alliance-selfcheck-blank")
        answers = soup.select_one("section.alliance-selfcheck-answers")
        assert answers is not None and answers.h2.get_text(strip=True) == ANSWERS_HEADING, name
        items = answers.select("li.alliance-selfcheck-answer-item")
        assert len(items) == len(questions), name
        assert all("The answer:" in li.get_text() and li.select("a") for li in items), name  # with its citation
