"""The PDF edition (``make pdf``, ``alliance/book/pdf.py``): both editions printed once per module.

The PDFs are printed from the built books (``_build/html`` and the student edition's build) into a
temporary folder by the ``printed`` fixture (about 30 s per edition), then read with Debian's
poppler-utils (``pdftotext``, ``pdfimages``; ``make poppler`` installs them) and pypdf (links and
named destinations). What is checked comes from the built HTML and the corpus, not from the PDF
module: every page title, verified block quotations with their attribution, every chart's
description, the full external addresses, vector charts, internal links that resolve, and the
contents' page numbers of every page and chapter section.
Without Chromium, poppler-utils or a built edition the tests fail.
"""
from __future__ import annotations

import html as html_lib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from alliance import load_corpus
from alliance.paths import published_url
from alliance.book.pdf import (EDITIONS, BookPage, PdfResult, build_pdf, convert_article, page_key, page_sections,
                         target_id, toc_html, toc_targets)
from alliance.book.site import find_chromium, toc_files
from alliance.book.static_charts import find_charts
from tests._root import REPO_ROOT

pytestmark = pytest.mark.build
ROOT = REPO_ROOT


def _words(text: str) -> str:
    """Text with every run of white space as one space (PDF lines break anywhere) and without hyphens
    (``pdftotext`` joins a word broken after its hyphen, "Asia-" / "Pacific", as "AsiaPacific")."""
    return " ".join(text.split()).replace("- ", "").replace("-", "")


def _plain(fragment: str) -> str:
    return _words(html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)))


def _article(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.find("<article"): text.rfind("</article>")]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PdfResult]:
    """Both editions printed into a temporary folder."""
    for tool in ("pdftotext", "pdfimages"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} not found: make poppler installs Debian's poppler-utils", pytrace=False)
    if find_chromium() is None:
        pytest.fail("Chromium not found: make browser installs it", pytrace=False)
    out = tmp_path_factory.mktemp("pdf")
    results = {}
    for edition, (html_dir, _) in EDITIONS.items():
        if not (html_dir / "intro.html").is_file():
            pytest.fail(f"{html_dir}: build the {edition} edition first (make pdf or make test)", pytrace=False)
        results[edition] = build_pdf(edition, out)
    return results


def pdf_text(path: Path) -> str:
    """The PDF's text (``pdftotext``, UTF-8, in reading order)."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def texts(printed: dict[str, PdfResult]) -> dict[str, str]:
    return {edition: _words(pdf_text(result.path)) for edition, result in printed.items()}


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_every_page_title_of_the_book_is_in_the_pdf(printed, texts, edition):
    html_dir = EDITIONS[edition][0]
    missing = []
    for doc in toc_files(ROOT):
        match = re.search(r"<h1>(.*?)<a class=\"headerlink\"", _article(html_dir / f"{doc}.html"), re.S)
        assert match, doc
        if _plain(match.group(1)) not in texts[edition]:
            missing.append(_plain(match.group(1)))
    assert not missing
    assert printed[edition].pages > 100


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_verified_quotations_are_printed_with_their_attribution(texts, edition):
    html_dir, corpus = EDITIONS[edition][0], load_corpus()
    sample = []
    for page in sorted((html_dir / "chapters").glob("*.html")):
        quote = re.search(r'<figure class="alliance-quote" data-source="(\w+)" data-para="(\d+)">'
                          r"<blockquote[^>]*>(.*?)</blockquote><figcaption>(.*?)</figcaption>", page.read_text(encoding="utf-8"), re.S)
        assert quote, page.name
        source, para, words, caption = quote.groups()
        words = _plain(words)
        assert words.strip("…. ").split("…")[0].strip() in _words(corpus.paragraph(source, int(para))), (source, para)
        sample.append((words, _plain(caption)))
    assert len(sample) >= 7
    for words, caption in sample:
        assert f"{words} {caption}" in texts[edition], (words[:60], caption)


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_every_chart_description_and_static_svg(printed, texts, edition):
    html_dir = EDITIONS[edition][0]
    charts = [chart for page in sorted(html_dir.rglob("*.html")) for chart in find_charts(page.read_text(encoding="utf-8"))]
    assert charts
    for chart in charts:
        assert _words(f"Chart description. {chart.description}") in texts[edition], chart.title
        svg = printed[edition].path.parent / "charts" / f"chart-{chart.digest}.svg"
        assert svg.is_file() and "<image" not in svg.read_text(encoding="utf-8") and "<path" in svg.read_text(encoding="utf-8")
    assert printed[edition].charts == len(charts)


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_charts_are_vector(printed, edition):
    listing = subprocess.run(["pdfimages", "-list", str(printed[edition].path)], check=True,
                             capture_output=True, text=True).stdout.splitlines()
    assert listing[0].startswith("page") and len(listing) == 2, listing[:6]  # header and rule: no image at all


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_external_addresses_are_printed_in_full(texts, edition):
    html_dir = EDITIONS[edition][0]
    flat = texts[edition].replace(" ", "")  # hyphens removed too (_words)
    addresses = {html_lib.unescape(href) for page in sorted((html_dir / "chapters").glob("*.html"))
                 for href in re.findall(r'<a class="reference external" href="(https?://[^"]+)"', _article(page))}
    assert len(addresses) > 5
    assert sorted(a for a in addresses if _words(a).replace(" ", "") not in flat) == []


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_addresses_with_an_ampersand_are_linked_and_printed_as_written(printed, texts, edition):
    """The PDF's web links (``/URI``) and printed addresses hold ``&`` itself, never ``&amp;``."""
    uris = [str(annotation.get_object()["/A"]["/URI"]) for page in PdfReader(str(printed[edition].path)).pages
            for annotation in page.get("/Annots") or []
            if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]]
    assert len(uris) > 50
    assert not [uri for uri in uris if re.search(r"&(amp|lt|gt|quot);", uri)]
    report = "http://www.laht.com/article.asp?ArticleId=2452300&CategoryId=12396"
    assert report in uris
    assert _words(report).replace(" ", "") in texts[edition].replace(" ", "")


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_internal_links_resolve_and_contents_page_numbers_are_right(printed, edition):
    reader = PdfReader(str(printed[edition].path))
    destinations = {str(name).removeprefix("/"): reader.get_destination_page_number(dest) + 1
                    for name, dest in reader.named_destinations.items()}
    links, broken = [], []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link" or "/Dest" not in annotation:
                continue
            name = str(annotation["/Dest"]).removeprefix("/")
            links.append(name)
            if name not in destinations:
                broken.append(name)
    assert not broken
    # paragraph citations link to the reader's paragraphs, glossary terms to the glossary
    assert sum("appendix-sources" in name and re.search(r"-p\d+$", name) is not None for name in links) > 200
    assert any("appendix-glossary--term-" in name for name in links)
    # the contents (from page 2 to the page before the book's first page): each entry's page number is
    # the page its title starts, for pages and for the chapters' sections
    first_page = destinations[page_key(f"{toc_files(ROOT)[0]}.html")]
    contents = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", str(first_page - 1), str(printed[edition].path), "-"],
                              check=True, capture_output=True, text=True).stdout
    entries = re.findall(r"^\s*(\S.*?\S)\s{2,}(\d+)\s*$", contents, re.M)
    assert len(entries) >= 25
    for title, number in entries:
        page_text = _words(subprocess.run(["pdftotext", "-f", number, "-l", number, str(printed[edition].path), "-"],
                                          check=True, capture_output=True, text=True).stdout)
        assert _words(title) in page_text, (title, number)
    listed = {_words(title): int(number) for title, number in entries}
    sections = chapter_sections(EDITIONS[edition][0])
    assert len(sections) >= 50
    wrong = [(title, listed.get(_words(title)), destinations.get(target_id(rel, section_id)))
             for rel, section_id, title in sections
             if listed.get(_words(title)) is None or listed[_words(title)] != destinations.get(target_id(rel, section_id))]
    assert not wrong, wrong[:10]


def chapter_sections(html_dir: Path) -> list[tuple[str, str, str]]:
    """Each chapter's sections as the built book shows them: (page, id of the section its ``h2`` heads, title)."""
    found = []
    for page in sorted((html_dir / "chapters").glob("*.html")):
        for section_id, heading in re.findall(r'<section id="([^"]+)">\s*(?:<span id="[^"]*"></span>)?<h2>(.*?)</h2>',
                                              _article(page), re.S):
            title = _plain(re.sub(r'<a class="headerlink".*?</a>', "", heading, flags=re.S)).strip()
            found.append((f"chapters/{page.name}", section_id, title))
    return found


def test_contents_list_each_chapters_sections_under_it():
    pages = [BookPage("intro.html", "p-intro", "Welcome", "", 0),
             BookPage("chapters/01-x.html", "p-chapters-01-x", "1. First", "Chapters", 0,
                      (("a-start", "1.1. A start"), ("more", "1.2. More & less")))]
    contents = toc_html(pages)
    targets = re.findall(r'data-target="([^"]+)"', contents)
    assert targets == toc_targets(pages) == ["p-intro", "p-chapters-01-x", "p-chapters-01-x--a-start", "p-chapters-01-x--more"]
    assert contents.index("1. First") < contents.index("1.1. A start") < contents.index("1.2. More &amp; less")
    assert contents.count("pdf-toc-section") == 2
    article = ('<article class="bd-article"><section id="t"><h1>T</h1><section id="a-start"><span id="label"></span>'
               '<h2><span class="section-number">1.1. </span>A start<a class="headerlink" href="#a-start">#</a></h2>'
               '<section id="deeper"><h3>Not listed</h3></section></section></section></article>')
    assert page_sections(article) == (("a-start", "1.1. A start"),)


def test_solutions_only_in_the_instructor_pdf(texts):
    assert texts["solution"].count("Solution to Exercise") >= 7
    assert "Solution to Exercise" not in texts["student"]
    for number in range(1, 8):
        assert f"Exercise {number}.1" in texts["student"]


def test_source_reader_is_an_appendix_with_paragraph_numbers(texts):
    corpus = load_corpus()
    body = corpus.paragraphs[corpus.paragraphs["kind"] == "body"]
    appendix = texts["solution"][texts["solution"].rfind("Appendix"):]
    for source_id, rows in body.groupby("source_id"):
        last = rows.iloc[-1]
        assert f"¶{int(last['para'])} {_words(last['text'])[:80]}" in appendix, source_id


def test_links_to_other_pages_become_in_document_anchors(tmp_path):
    page = BookPage("chapters/01-x.html", "p-chapters-01-x", "Title", "Chapters", 0)
    ids = {"chapters/01-x.html": {"top"}, "appendix/sources/su2017.html": {"su2017-p4"}}
    article = ('<article class="bd-article"><h1 id="top">T<a class="headerlink" href="#top">#</a></h1>'
               '<a href="../appendix/sources/su2017.html#su2017-p4">Su ¶4</a> <a href="#top">up</a> '
               '<a href="../genindex.html">index</a> <a href="https://example.org/a">a page</a></article>')
    converted = convert_article(article, page, tmp_path, tmp_path, ids)
    assert f'href="#{target_id("appendix/sources/su2017.html", "su2017-p4")}"' in converted
    assert f'id="{target_id(page.rel, "top")}"' in converted and f'href="#{target_id(page.rel, "top")}"' in converted
    assert "headerlink" not in converted
    # a web address: a note number after the link, the address in full in the page's notes
    assert re.search(r'<a[^>]*href="https://example.org/a"[^>]*>a page</a><sup class="pdf-note-ref">1</sup>', converted)
    assert '<li class="pdf-url">https://example.org/a</li>' in converted
    assert "(https://example.org/a)" not in converted
    # a file outside the PDF (the index): linked at the published book if one is set, else plain text
    if published_url():
        assert re.search(r'href="https?://[^"]+/genindex\.html"', converted)
    else:
        assert "genindex" not in converted and "index" in converted


def test_a_sections_anchor_is_its_heading(tmp_path):
    """A link to a section (and the contents' page number) lands where its title is printed."""
    page = BookPage("chapters/01-x.html", "p-chapters-01-x", "Title", "Chapters", 0)
    article = ('<article class="bd-article"><section id="s"><span id="label"></span><h2>S</h2><p>text</p>'
               '<section id="t"><h3 id="own">T</h3></section></section></article>')
    converted = convert_article(article, page, tmp_path, tmp_path, {page.rel: {"s", "t", "own", "label"}})
    assert f'<h2 id="{target_id(page.rel, "s")}">S</h2>' in converted
    assert f'<section id="{target_id(page.rel, "t")}"><h3 id="{target_id(page.rel, "own")}">' in converted


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_self_checks_are_printed_as_questions_with_the_answers_after_them(texts, edition):
    """Each self-check of the built book is a numbered question in the PDF, followed (at the end of its
    page) by "Answers to the self-checks" and its answer."""
    from bs4 import BeautifulSoup

    from alliance.selfcheck import ANSWERS_HEADING

    html_dir = EDITIONS[edition][0]
    found = 0
    text = texts[edition]
    for doc in toc_files(ROOT):
        soup = BeautifulSoup(_article(html_dir / f"{doc}.html"), "html.parser")
        for form in soup.select("form.alliance-selfcheck"):
            legend = _words(form.legend.get_text())  # as written: no space added around a quotation's link
            answer = _words(form.select_one(".alliance-selfcheck-given").get_text(" ", strip=True))
            at = text.find(_words(legend + " "))
            assert at >= 0, (doc, legend)
            heading = text.find(_words(ANSWERS_HEADING), at)
            assert heading > at, (doc, legend)
            assert text.find(answer, heading) > heading, (doc, answer)
            found += 1
    assert found, "no self-check in the book"
