"""Tables made for reading (``alliance.tables``): the helper, and every table of the built book.

The unit tests check what ``reading_table`` promises (no index, labels in words, a code name
refused, no cut cell, links, escaping, the course's roles in plain words). The build tests read
every chapter and exercise page of both editions and list each table problem that
``table_problems`` finds: a cell cut short, an index column, a code-name heading or raw MyST.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alliance.paths import STUDENT_HTML_DIR
from tests.book.test_escaping import _Links
from alliance.tables import (
    COLUMN_LABELS, TableLabelError, column_label, plain_words, reading_table, table_problems, tables_of, text_table)
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML = ROOT / "_build" / "html"
EDITIONS = {"solution": (HTML, "make book"), "student": (STUDENT_HTML_DIR, "make book EDITION=student")}


def _parsed(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


def test_no_index_column_and_a_named_index_becomes_a_column():
    plain = reading_table(pd.DataFrame({"term": ["a", "b"], "count": [1, 2]}, index=[7, 9])).to_html()
    [table] = tables_of(plain)
    assert [tag for tag, _ in table.head[0]] == ["th", "th"]
    assert all(tag == "td" for row in table.body for tag, _ in row)
    assert ">7<" not in plain and ">9<" not in plain          # pandas' row labels are not shown
    pivot = pd.DataFrame({"su2017": [1, 2]}, index=pd.Index(["x", "y"], name="term"))
    [table] = tables_of(reading_table(pivot).to_html())
    assert [text for _, text in table.head[0]] == ["Term", "Su"]
    assert [[text for _, text in row] for row in table.body] == [["x", "1"], ["y", "2"]]


def test_labels_in_words_from_the_call_and_the_course_mapping():
    frame = pd.DataFrame({"per_1000": [1.5], "cited_as": ["Su ¶4"], "checked figure": ["x"], "source_id": ["su2017"]})
    [table] = tables_of(reading_table(frame, labels={"cited_as": "As cited"}).to_html())
    assert [text for _, text in table.head[0]] == ["Per 1,000 words", "As cited", "Checked figure", "Source"]
    assert [text for _, text in table.body[0]][-1] == "Su"          # a source by its name
    assert COLUMN_LABELS["per_1000"] == "Per 1,000 words" and column_label("cited_as") == "Cited as"


@pytest.mark.parametrize("name", ["shortfall_usd_bn", "mystery", "value2"])
def test_a_code_name_heading_is_refused(name):
    with pytest.raises(TableLabelError, match=name):
        reading_table(pd.DataFrame({name: [1]}))
    assert "Shortfall" in reading_table(pd.DataFrame({name: [1]}), labels={name: "Shortfall"}).to_html()


def test_a_long_cell_is_shown_whole():
    long = " ".join(["alliance"] * 33) + " end"                    # 300 characters
    assert len(long) == 300
    html = reading_table(pd.DataFrame({"text": [long]})).to_html()
    assert long in html and "..." not in html and "…" not in html
    assert table_problems(html) == []


def test_address_columns_are_links_to_follow():
    frame = pd.DataFrame({"event": ["a <b> & c", "no address"],
                          "source_url": ["https://www.japantimes.co.jp/?post_type=news&p=1395472", ""],
                          "page": ["https://example.org/x", ""]})
    html = reading_table(frame, links=["page"], labels={"page": "Page"}).to_html()
    assert _parsed(html).hrefs == ["https://www.japantimes.co.jp/?post_type=news&p=1395472", "https://example.org/x"]
    # a site the course names shows its name; another its host
    assert ">Japan Times</a>" in html and ">example.org</a>" in html and "&amp;amp;" not in html
    with pytest.raises(KeyError):
        reading_table(frame, links=["url"])


def test_a_citation_column_links_addresses_and_keeps_paragraph_marks_as_text():
    frame = pd.DataFrame({"event": ["a", "b"], "cited_as": ["https://www.mofa.go.jp/x.html", "Yuan ¶25"]})
    html = reading_table(frame).to_html()
    assert _parsed(html).hrefs == ["https://www.mofa.go.jp/x.html"]
    assert ">Japan&#x27;s Foreign Ministry</a>" in html and ">Yuan ¶25</td>" in html


def test_text_is_escaped():
    frame = pd.DataFrame({"note": ["rows (ref:context-events:<date>)", "<script>alert(1)</script>", "a & b"]})
    html = reading_table(frame).to_html()
    assert "ref:context-events:&lt;date&gt;" in html and "&lt;script&gt;" in html and "a &amp; b" in html
    assert _parsed(html).elements == {"table", "thead", "tr", "th", "tbody", "td"}


def test_the_course_roles_read_in_plain_words():
    assert plain_words("As {para}`su2017:4` says") == "As Su ¶4 says"
    said = plain_words("({absent}`jpress2017: treaty obligations`)")
    assert "`" not in said and "{" not in said and "Japanese press report" in said
    assert plain_words("the {term}`Trump shock`") == "the Trump shock"
    html = reading_table(pd.DataFrame({"note": ["see {para}`yuan2018:22`"]})).to_html()
    assert "Yuan ¶22" in html and table_problems(html) == []


def test_numbers_dates_and_missing_values_read_plainly():
    frame = pd.DataFrame({"date": pd.to_datetime(["2017-02-10", None]), "count": [3.0, float("nan")],
                          "per_1000": [1.23456, 0.5], "paras": [[3, 5], [7]]})
    [table] = tables_of(reading_table(frame).to_html())
    assert [[text for _, text in row] for row in table.body] == [["2017-02-10", "3", "1.23", "3, 5"],
                                                                 ["–", "–", "0.50", "7"]]


def test_two_columns_with_the_same_heading_are_refused():
    """``date`` and ``date_start`` once both read "Date": two columns a reader cannot tell apart."""
    frame = pd.DataFrame({"date": ["2017-01"], "date_start": pd.to_datetime(["2017-01-01"])})
    assert column_label("date") != column_label("date_start")
    reading_table(frame)                                        # distinct headings: shown
    with pytest.raises(TableLabelError, match="headed the same"):
        reading_table(frame, labels={"date_start": "Date"})


def test_decimals_give_a_column_of_whole_rates_the_same_format():
    frame = pd.DataFrame({"su2017": [0.0, 8.0], "yuan2018": [10.7, 19.74], "count": [3, 4]})
    [default] = tables_of(reading_table(frame).to_html())
    assert [row[0][1] for row in default.body] == ["0", "8"]     # why the parameter exists
    [fixed] = tables_of(reading_table(frame, decimals=2).to_html())
    assert [[text for _, text in row] for row in fixed.body] == [["0.00", "10.70", "3"], ["8.00", "19.74", "4"]]


def test_a_keyword_in_context_cut_is_marked_not_a_problem():
    """A KWIC context cut between words ends with " …" and passes; the same text elsewhere does not."""
    frame = pd.DataFrame({"left": ["… the alliance with"], "match": ["Japan"], "right": ["is the …"]})
    html = reading_table(frame).to_html()
    assert 'class="alliance-context"' in html and table_problems(html) == []
    cut_note = reading_table(pd.DataFrame({"note": ["is the …"]})).to_html()
    assert "cut short" in "\n".join(table_problems(cut_note))
    pandas_cut = reading_table(pd.DataFrame({"right": ["is the..."]})).to_html()
    assert "cut short" in "\n".join(table_problems(pandas_cut))


def test_the_data_page_table_keeps_its_column_names_and_whole_addresses():
    frame = pd.DataFrame({"source_url": ["https://x.example/?a=1&b=2"], "date_basis": ["received"]})
    html = text_table(frame, links=["source_url"]).to_html()
    assert ">source_url<" in html and ">date_basis<" in html
    assert 'href="https://x.example/?a=1&amp;b=2"' in html and ">https://x.example/?a=1&amp;b=2</a>" in html


def test_the_page_check_finds_each_problem():
    """``table_problems`` on pandas' own HTML: the problems the build test must catch."""
    frame = pd.DataFrame({"cited_as": ["x" * 80 + " {para}`su2017:4`"], "term": ["Quad"]})
    raw = frame._repr_html_()                                  # as a notebook shows it (cells cut at 50)
    problems = "\n".join(table_problems(raw))
    assert "cut short" in problems and "'cited_as' is a code name" in problems and "'term' is a code name" in problems
    assert "blank heading" in problems and "index column" in problems
    assert "raw MyST" in "\n".join(table_problems(frame.to_html(index=False)))
    assert table_problems(reading_table(frame).to_html()) == []


# The built book: every chapter and exercise page, both editions.

def _reading_pages(html_dir: Path) -> list[Path]:
    return sorted([*html_dir.glob("chapters/*.html"), *html_dir.glob("exercises/ex*.html")])


def built_reading_pages(edition: str, editions: dict[str, tuple[Path, str]] | None = None) -> tuple[Path, list[Path]]:
    """The built edition's folder (from ``editions``, default :data:`EDITIONS`) and its chapter and
    exercise pages; fails if it is not built."""
    html_dir, command = (editions or EDITIONS)[edition]
    pages = _reading_pages(html_dir)
    if len(pages) < 14:
        pytest.fail(f"{html_dir}: the {edition} edition is not built; run `{command}`.", pytrace=False)
    return html_dir, pages


@pytest.mark.build
@pytest.mark.parametrize("edition", list(EDITIONS))
def test_every_table_of_the_built_book_is_made_for_reading(edition):
    html_dir, pages = built_reading_pages(edition)
    found, tables = [], 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        tables += len(tables_of(text))
        found += [f"{page.relative_to(html_dir)}: {problem}" for problem in table_problems(text)]
    assert tables >= 40
    assert not found, f"{len(found)} table problem(s):\n" + "\n".join(found[:60])


@pytest.mark.build
def test_the_vantage_table_is_a_stacked_reading_table():
    page = (HTML / "chapters" / "00-reading-the-sources.html").read_text(encoding="utf-8")
    assert 'class="alliance-table alliance-stack"' in page
    css = (HTML / "_static" / "alliance.css").read_text(encoding="utf-8")
    assert "table.alliance-stack td::before" in css and "overflow-wrap: anywhere" in css
