"""How evidence reads on the page (alliance.book.citation_style): one small Sphinx book, built once, with
one paragraph per case (each case's paragraph starts with its own marker word)."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from tests.content.test_claims import _mini_book

#: Marker word -> MyST of the paragraph.
CASES = {
    "Once": "Once: Su calls it a {q}`su2017 ¶4: cornerstone` ({para}`su2017:4`). Later Su returns "
            "to it ({para}`su2017:4`), and Miller agrees ({para}`miller2018:3; su2017:4`).",
    "Again": "Again: a new paragraph cites it again ({para}`su2017:4`).",
    "Range": "Range: Yuan says so ({para}`yuan2018:6`). The argument runs on ({para}`yuan2018:5-7`).",
    "Quoted": "Quoted: one source calls it a {q}`yuan2018: comprehensive security institution`. "
              "Yuan also writes of {q}`yuan2018: Japan and the ROK`.",
    "Absent": "Absent: two texts never use the phrase ({absent}`jpress2017: America First`; "
              "{absent}`miller2018: America First`). The end.",
    "Alone": "Alone: Miller never writes Article V {absent}`miller2018: Article V`.",
    "Needed": "Needed: Su says so ({para}`su2017:4`). As in {para}`su2017:4`, it is old.",
    "Names": "Names: Yuan and Su differ ({para}`su2017:4`). Su and Miller agree "
             "({para}`su2017:5; miller2018:3`). Su stands alone ({para}`su2017:6`).",
    "Tidy": "Tidy: Miller disagrees ({para}`su2017:4`; {para}`miller2018:3`) with it.",
    "Twice": "Twice: Miller disagrees ({para}`miller2018:3`) ({para}`miller2018:3`) here.",
    "Before": "Before: Miller disagrees ({para}`miller2018:3`). The report says so "
              "({para}`miller2018:3`; checked: [a page](https://www.mofa.go.jp/x)).",
    "Row": "Row: Miller disagrees ({para}`miller2018:3`). Trump took office then "
           "({para}`miller2018:3`; {bg}`inauguration`).",
}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> BeautifulSoup:
    tmp_path = tmp_path_factory.mktemp("citations")
    done = _mini_book(tmp_path, "\n\n".join(CASES.values()))
    assert done.returncode == 0, done.stderr
    return BeautifulSoup((tmp_path / "out" / "index.html").read_text(encoding="utf-8"), "html.parser")


def paragraph(page: BeautifulSoup, marker: str) -> BeautifulSoup:
    return next(p for p in page.select("p") if p.get_text().startswith(marker + ":"))


def seen(page: BeautifulSoup, marker: str) -> str:
    """The paragraph's text as a sighted reader sees it (the notes shown on hover left out)."""
    copy = BeautifulSoup(str(paragraph(page, marker)), "html.parser")
    for note in copy.select(".alliance-note-text"):
        note.decompose()
    return " ".join(copy.get_text().split()).split(": ", 1)[1]


def test_a_paragraph_cites_each_source_paragraph_once(page):
    # the second sentence names Su and Miller: Miller's citation keeps its name
    assert seen(page, "Once") == "Su calls it a “cornerstone”. Later Su returns to it, and Miller agrees (Miller ¶3)."
    assert seen(page, "Again") == "a new paragraph cites it again (Su ¶4)."
    assert len(paragraph(page, "Once").select("a.alliance-p-su2017-4")) == 1  # the quoted words


def test_part_of_a_range_already_cited_is_left_out(page):
    assert seen(page, "Range") == "Yuan says so (¶6). The argument runs on (Yuan ¶5, ¶7)."
    link = paragraph(page, "Range").select("a.alliance-para-link")[-1]
    assert {"alliance-p-yuan2018-5", "alliance-p-yuan2018-7"} <= set(link["class"])


def test_a_quotation_names_its_source_only_where_the_sentence_does_not(page):
    assert seen(page, "Quoted") == ("one source calls it a “comprehensive security institution” (Yuan). "
                                    "Yuan also writes of “Japan and the ROK”.")


def test_absences_in_brackets_become_one_note(page):
    assert seen(page, "Absent") == "two texts never use the phrase (0 uses in either). The end."
    notes = paragraph(page, "Absent").select("a.alliance-absence-link")
    assert len(notes) == 1
    note = notes[0].select_one(".alliance-note-text").get_text()
    assert re.search(r"“America First”: 0 times in the \d+ paragraphs of the Japanese press report[’']s own text; "
                     r"“America First”: 0 times in the \d+ paragraphs of Miller[’']s own text", note)


def test_an_absence_outside_brackets_reads_as_a_bracketed_note(page):
    assert seen(page, "Alone") == "Miller never writes Article V (0 uses)."


def test_a_citation_the_sentence_needs_is_kept(page):
    assert seen(page, "Needed") == "Su says so (¶4). As in Su ¶4, it is old."


def test_a_name_is_dropped_only_where_the_sentence_names_that_source_alone(page):
    assert seen(page, "Names") == "Yuan and Su differ (Su ¶4). Su and Miller agree (Su ¶5; Miller ¶3). Su stands alone (¶6)."


@pytest.mark.parametrize("marker, expected", [
    ("Tidy", "Miller disagrees (Su ¶4; Miller ¶3) with it."),
    ("Twice", "Miller disagrees (¶3) here."),
    # a repeated citation dropped before other evidence takes its separator with it
    ("Before", "Miller disagrees (¶3). The report says so (checked: a page)."),
    ("Row", "Miller disagrees (¶3). Trump took office then (TradeArabia, press report)."),
])
def test_brackets_and_separators_stay_tidy(page, marker, expected):
    assert seen(page, marker) == expected
