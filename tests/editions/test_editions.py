"""Notebook editions: MyST turned into CommonMark that reads like the book (alliance.editions)."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest

from alliance.editions.links import BookIndex, link_title, markdown_link
from alliance.editions.myst import MystPage, commonmark_html, notebook_raw_myst, raw_myst, unlinked_commonmark
from alliance.editions.notebooks import exercise_edition
from alliance.errors import EditionError
from alliance.exercises import exercise_id, solution_notebooks
from alliance.book.site import toc_files
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML = ROOT / "_build" / "html"
BASE = "https://example.org/book/"


@pytest.fixture
def book(tmp_path: Path) -> BookIndex:
    """A small book index: no build needed; one glued value for the page 'chapters/x'."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "x.glue.json").write_text(json.dumps({
        "n_words": {"data": {"text/plain": "384"}},
        "leader": {"data": {"text/markdown": "Highest: Yuan (7).", "text/plain": "<Markdown>"}}}))
    inventory = {("std:term", "transactionalism"): ("appendix/glossary.html#term-transactionalism", "-"),
                 ("std:label", "alliance-evolution"): ("chapters/01-alliance-evolution.html#alliance-evolution",
                                                      "Alliance evolution"),
                 ("std:label", "ex-trade-1"): ("chapters/03-trade-frictions.html#ex-trade-1", "Exercise"),
                 ("std:doc", "chapters/03-trade-frictions"): ("chapters/03-trade-frictions.html", "Trade frictions")}
    return BookIndex(BASE, inventory, ROOT, tmp_path)


def _convert(book: BookIndex, markdown: str) -> str:
    return MystPage("chapters/x", book, book.glue("chapters/x")).markdown(markdown)


def _paragraph(source_id: str, para: int) -> str:
    """The text of a paragraph of a source, on one line (what a ¶ link's title shows)."""
    from alliance.corpus import load_corpus

    table = load_corpus().paragraphs
    row = table[(table["source_id"] == source_id) & (table["para"] == para)]
    return " ".join(str(row["text"].iloc[0]).split())


class _Links(HTMLParser):
    """Every ``<a>`` (href, title) and every ``<span title>`` of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.spans: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href") is not None:
            self.links.append((found["href"] or "", found.get("title") or ""))
        if tag == "span" and found.get("title"):
            self.spans.append(found["title"] or "")


def rendered_links(markdown: str) -> _Links:
    parser = _Links()
    parser.feed(commonmark_html(markdown))
    return parser


def test_a_link_title_keeps_quotes_and_backslashes() -> None:
    """The title survives CommonMark as written (quotes and backslashes escaped, not lost)."""
    title = 'He said "no" \\ then (¶4) [yes] *twice*'
    links = rendered_links(markdown_link("¶4", "https://example.org/a b", title)).links
    assert links == [("https://example.org/a%20b", title)]


def test_a_para_link_title_is_the_cited_paragraphs(book: BookIndex) -> None:
    text = _convert(book, "See {para}`su2017:4-5` and {q}`yuan2018: comprehensive security institution`.")
    links = rendered_links(text).links
    assert links[0] == (BASE + "appendix/sources/su2017.html#su2017-p4",
                        f"¶4: {_paragraph('su2017', 4)} ¶5: {_paragraph('su2017', 5)}")
    assert links[1] == (BASE + "appendix/sources/yuan2018.html#yuan2018-p6", f"¶6: {_paragraph('yuan2018', 6)}")


def test_without_an_address_citations_are_plain_text_read_on_hover(book: BookIndex) -> None:
    """The book not published (``base_url`` empty): no link at all; a ¶ keeps its paragraph as a title."""
    unlinked = BookIndex("", book.inventory, book.root, book.glue_dir)
    assert unlinked.links == "none"
    text = _convert(unlinked, "Yuan calls it a {q}`yuan2018: comprehensive security institution` "
                              "({para}`yuan2018:6`); see {term}`transactionalism` and {cite:t}`su2017uncertainties`.")
    found = rendered_links(text)
    assert found.links == [], text
    assert found.spans == [f"¶6: {_paragraph('yuan2018', 6)}"] * 2
    assert raw_myst(text) == []
    assert "transactionalism" in text and "Su (2017)" in text


def test_roles_become_text_and_links_to_the_published_book(book: BookIndex) -> None:
    text = _convert(book, "(x-label)=\n# Title\n\n"
                          "Yuan calls it a {q}`yuan2018: comprehensive security institution` ({para}`yuan2018:6`); "
                          "the report has {glue:}`n_words` words. {glue:}`leader` See {term}`transactionalism`, "
                          "{ref}`alliance-evolution`, {numref}`ex-trade-1`, {doc}`/chapters/03-trade-frictions` "
                          "and {cite:t}`su2017uncertainties`; also {cite:p}`ling2018trump`.\n"
                          "% a comment the reader never sees\n")
    assert raw_myst(text) == []
    assert "(x-label)=" not in text and "a comment" not in text
    title = link_title(f"¶6: {_paragraph('yuan2018', 6)}")
    assert "“comprehensive security institution” (Yuan, [¶6](" + BASE + f"appendix/sources/yuan2018.html#yuan2018-p6 {title}))" in text
    assert "[Yuan ¶6](" + BASE + f"appendix/sources/yuan2018.html#yuan2018-p6 {title})" in text
    assert "has 384 words. Highest: Yuan (7)." in text
    assert f"[transactionalism]({BASE}appendix/glossary.html#term-transactionalism)" in text
    assert f"[Alliance evolution]({BASE}chapters/01-alliance-evolution.html#alliance-evolution)" in text
    assert f"[Exercise 4.1]({BASE}chapters/03-trade-frictions.html#ex-trade-1)" in text  # chapter 03 is the 4th
    assert f"[Trade frictions]({BASE}chapters/03-trade-frictions.html)" in text
    assert f"[Su]({BASE}appendix/bibliography.html) (2017)" in text
    assert f"([Ling and Liu]({BASE}appendix/bibliography.html), 2018)" in text


def test_background_facts_become_named_links_with_their_fact(book: BookIndex) -> None:
    text = _convert(book, "Trump took office then ({bg}`inauguration`); CGTN ({inst}`CGTN-1`).")
    assert raw_myst(text) == []
    assert "([TradeArabia, press report](https://www.tradearabia.com/news/INTNEWS_319514.html \"Donald Trump took" in text
    assert "[Variety, press report](http://variety.com/2017/" in text


def test_directives_become_callouts(book: BookIndex) -> None:
    text = _convert(book, "```{admonition} Learning objectives\n:class: tip\n\nAfter this chapter:\n\n"
                          "1. read {para}`su2017:4`.\n```\n\n````{exercise}\n:label: ex-trade-1\n\nCount the words.\n"
                          "````\n\n````{solution-start} ex-trade-1\n:class: dropdown\n````\n\nThe answer.\n\n"
                          "````{solution-end}\n````\n\n```{note}\nA note.\n```\n\n```python\nx = 1  # stays code\n```")
    assert raw_myst(text) == []
    assert "> **Learning objectives**\n>\n> After this chapter:\n>\n> 1. read [Su ¶4](" in text
    assert "> **Exercise 4.1**\n>\n> Count the words." in text
    assert "**Solution to Exercise 4.1** (try the exercise first)\n\nThe answer.\n\n*End of the solution to Exercise 4.1.*" in text
    assert "> **Note**\n>\n> A note." in text
    assert "```python\nx = 1  # stays code\n```" in text


@pytest.mark.parametrize("markdown, named", [
    ("A {kbd}`Ctrl` key.", "{kbd}"),
    ("```{figure} a.png\n:name: f\n```", "{figure}"),
    ("A {glue:}`not_glued` value.", "not_glued"),
    ("{term}`no such term`", "no such term"),
    ("{q}`su2017: words that Su never wrote`", "not verbatim"),
    ("{bg}`no-such-topic`", "no such topic"),
])
def test_an_unhandled_construct_fails_naming_it(book: BookIndex, markdown: str, named: str) -> None:
    with pytest.raises(Exception) as error:
        _convert(book, markdown)
    assert named in str(error.value)
    assert isinstance(error.value, EditionError) or "Quotation" in type(error.value).__name__


# -- unlinked: no built book (the classroom's marking and feedback pages) ------------------------


@pytest.mark.parametrize("markdown, text", [
    ("See {para}`ling2018:5-8; su2017:4`.", "See ling2018 ¶5-8; su2017 ¶4."),
    ("{q}`ling2018 ¶21: a bargaining chip`", "“a bargaining chip” (ling2018 ¶21)"),
    ("{absent}`su2017: alliance of values`", "“alliance of values” (su2017): absent from the text"),
    ("{term}`Article V`, {term}`the treaty <Article V>`", "Article V, the treaty"),
    ("{doc}`/chapters/03-trade-frictions` and {cite:p}`yuan2018alliance`", "03-trade-frictions and (yuan2018alliance)"),
    ("{glue:}`n_words` words", "n\\_words words"),
])
def test_unlinked_roles_read_as_their_text(markdown: str, text: str) -> None:
    assert unlinked_commonmark(markdown) == text


def test_unlinked_directives_are_a_bold_title_and_their_body() -> None:
    text = unlinked_commonmark("(model)=\n% a comment\n````{admonition} Model answer\n:class: dropdown\n\n"
                               "Su ({para}`su2017:4`) argues.\n\n```{note}\nInside.\n```\n````\n\n"
                               "```{solution-start} ex-trade-1\n```\n\n```python\nx = 1\n```")
    assert text == ("**Model answer**\n\nSu (su2017 ¶4) argues.\n\n**Note**\n\nInside.\n\n"
                    "**ex-trade-1**\n\n```python\nx = 1\n```")
    assert unlinked_commonmark("```{solution-end}\n```") == "**Solution end**"


@pytest.mark.parametrize("markdown, text", [
    ("A {kbd}`Ctrl+C` key.", "A Ctrl+C key."),                   # an unknown role: its body
    ("```{figure} a.png\n:name: f\nA caption.\n```", "**a.png**\n\nA caption."),  # an unknown directive
    ("```{note}\nNever closed.", "**Note**\n\nNever closed."),  # an unclosed fence: the rest is its body
    (":::\nA bare colon fence.\n:::", ":::\nA bare colon fence.\n:::"),  # kept as written
])
def test_unlinked_never_refuses_a_construct(markdown: str, text: str, book: BookIndex) -> None:
    assert unlinked_commonmark(markdown, "chapters/x") == text
    with pytest.raises(EditionError):  # the same MyST, linked, is refused
        _convert(book, markdown)


@pytest.mark.parametrize("markdown, kind", [
    ("See {term}`transactionalism`.", "role"),
    ("```{admonition} Title\nBody\n```", "directive"),
    ("Text\n\n:class: tip\n", "directive option"),
    ("(transactionalism)=\n# Heading", "target"),
    (":::{note}\nBody\n:::", "colon fence"),
    ("A {{ substitution }} here.", "substitution"),
])
def test_raw_myst_is_found_in_the_commonmark_rendering(markdown: str, kind: str) -> None:
    assert any(place.startswith(kind) for place in raw_myst(markdown)), raw_myst(markdown)


def test_plain_markdown_has_no_raw_myst() -> None:
    assert raw_myst("# Title\n\nA [link](https://example.org), `code`, *emphasis* and a list:\n\n- one\n") == []


# -- the built book ------------------------------------------------------------------------------

class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k == "href" and v]


def linked_notebooks(html_dir: Path = HTML) -> dict[Path, list[str]]:
    """Every local ``.ipynb`` the built book links to → the pages linking to it."""
    found: dict[Path, list[str]] = {}
    for page in toc_files(ROOT):
        parser = _Hrefs()
        parser.feed((html_dir / f"{page}.html").read_text(encoding="utf-8"))
        for href in parser.hrefs:
            url = urljoin(f"file:///{page}.html", href)
            if urlparse(url).scheme == "file" and urlparse(url).path.endswith(".ipynb"):
                found.setdefault(html_dir / urlparse(url).path.lstrip("/"), []).append(page)
    return found


@pytest.mark.build
def test_every_notebook_the_book_links_reads_as_commonmark() -> None:
    """The download buttons and the student links: 7 chapters, the data page, 7 solution and 7 student
    notebooks, each present and with no raw MyST when rendered as CommonMark."""
    notebooks = linked_notebooks()
    missing = [str(p.relative_to(HTML)) for p in notebooks if not p.is_file()]
    assert not missing, f"linked from the book but not in it: {missing}"
    chapters = [p for p in notebooks if "/_sources/chapters/" in str(p)]
    solutions = [p for p in notebooks if "/_sources/exercises/" in str(p)]
    students = [p for p in notebooks if "/student/" in str(p)]
    assert len(chapters) == len(list((ROOT / "chapters").glob("*.md")))
    assert len(solutions) == len(students) == len(solution_notebooks())
    assert HTML / "_sources" / "appendix" / "data.ipynb" in notebooks
    raw = {str(p.relative_to(HTML)): notebook_raw_myst(nbformat.read(p, as_version=4)) for p in notebooks}
    assert not {k: v for k, v in raw.items() if v}, raw


@pytest.mark.build
def test_student_editions_keep_what_grading_needs() -> None:
    for solution in solution_notebooks():
        student = nbformat.read(HTML / "student" / solution.name, as_version=4)
        assert exercise_id(student) == exercise_id(nbformat.read(solution, as_version=4))
        assert student.metadata["alliance"]["edition"] == "student"
        assert not [c for c in student.cells if "solution" in c.metadata.get("tags", [])]
        assert [c for c in student.cells if "check" in c.metadata.get("tags", [])]


@pytest.mark.build
def test_exercise_numbers_are_the_books() -> None:
    """Every "Exercise N.M" an edition writes is a number the built chapter page shows."""
    book = BookIndex.from_build(HTML)
    for label, number in book.exercise_numbers.items():
        address, _ = book.inventory[("std:label", label)]
        page = (HTML / address.split("#")[0]).read_text(encoding="utf-8")
        assert re.search(rf'href="#{label}"[^>]*>(?:<span[^>]*>)?\s*Exercise {re.escape(number)}<', page), label


@pytest.mark.build
def test_solution_edition_runs_like_the_book_without_its_hidden_placeholders() -> None:
    book = BookIndex.from_build(HTML)
    for solution in solution_notebooks():
        edition = exercise_edition(solution, book, student=False)
        assert not [c for c in edition.cells if "student" in c.metadata.get("tags", [])]
        assert all(not c.get("outputs") for c in edition.cells if c.cell_type == "code")


@pytest.mark.build
def test_lab_copies_are_never_overwritten(tmp_path: Path) -> None:
    """``make lab`` (``--lab notebooks``): a second run keeps a student's changed notebook as it is."""
    from alliance.editions.__main__ import main

    assert main(["--lab", str(tmp_path)]) == 0
    chapters = sorted((tmp_path / "chapters").glob("*.ipynb"))
    exercises = sorted((tmp_path / "exercises").glob("ex*.ipynb"))
    assert len(chapters) == len(list((ROOT / "chapters").glob("*.md"))) + 1
    assert [p.name for p in exercises] == [p.name for p in solution_notebooks()]
    work = exercises[0]
    nb = nbformat.read(work, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("answer = 'my own work'"))
    nbformat.write(nb, work)
    chapters[0].unlink()
    assert main(["--lab", str(tmp_path)]) == 0
    assert "my own work" in work.read_text(encoding="utf-8")
    assert chapters[0].exists()


def test_every_name_the_package_exports_resolves() -> None:
    import alliance.editions as editions

    missing = [name for name in editions.__all__ if not hasattr(editions, name)]
    assert missing == []


def test_split_admonition_reads_a_model_answer_block() -> None:
    from alliance.editions.myst import split_admonition

    assert split_admonition("````{admonition} Marking rubric (3 points)\n:class: dropdown\n\n**1 point** each.\n````") \
        == ("Marking rubric (3 points)", "**1 point** each.")
    assert split_admonition("```{note}\nA note.\n```") == ("", "```{note}\nA note.\n```")  # not an admonition
    assert split_admonition("```{admonition} Open\nnever closed") == ("", "```{admonition} Open\nnever closed")
