"""How evidence reads on the page (alliance.citation_style), built by Sphinx from one-page books."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from test_claims import _mini_book


def _body(tmp_path, text: str) -> BeautifulSoup:
    done = _mini_book(tmp_path, text)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(page, "html.parser").select_one("div.body, div[role=main], body")


def _paragraphs(soup: BeautifulSoup) -> list[str]:
    """The paragraphs' text as a sighted reader sees it (the notes shown on hover left out)."""
    for note in soup.select(".alliance-note-text"):
        note.decompose()
    return [" ".join(p.get_text().split()) for p in soup.select("p")]


def test_a_paragraph_cites_each_source_paragraph_once(tmp_path):
    soup = _body(tmp_path, "Su calls it a {q}`su2017 ¶4: cornerstone` ({para}`su2017:4`). Later Su returns "
                           "to it ({para}`su2017:4`), and Miller agrees ({para}`miller2018:3; su2017:4`).\n\n"
                           "A new paragraph cites it again ({para}`su2017:4`).")
    first, second = _paragraphs(soup)[-2:]
    # the second sentence names Su and Miller: Miller's citation keeps its name
    assert first == ("Su calls it a “cornerstone”. Later Su returns to it, and Miller agrees (Miller ¶3).")
    assert second == "A new paragraph cites it again (Su ¶4)."
    assert len(soup.select("a.alliance-p-su2017-4")) == 2  # the quoted words, and the next paragraph's mark


def test_part_of_a_range_already_cited_is_left_out(tmp_path):
    soup = _body(tmp_path, "Yuan says so ({para}`yuan2018:6`). The argument runs on ({para}`yuan2018:5-7`).")
    text = _paragraphs(soup)[-1]
    assert text == "Yuan says so (¶6). The argument runs on (Yuan ¶5, ¶7)."
    link = soup.select("a.alliance-para-link")[-1]
    assert {"alliance-p-yuan2018-5", "alliance-p-yuan2018-7"} <= set(link["class"])


def test_a_quotation_names_its_source_only_where_the_sentence_does_not(tmp_path):
    soup = _body(tmp_path, "One source calls it a {q}`yuan2018: comprehensive security institution`. "
                           "Yuan also writes of {q}`yuan2018: Japan and the ROK`.")
    text = _paragraphs(soup)[-1]
    assert text == ("One source calls it a “comprehensive security institution” (Yuan). "
                    "Yuan also writes of “Japan and the ROK”.")


def test_absences_in_brackets_become_one_note(tmp_path):
    soup = _body(tmp_path, "Two texts never use the phrase ({absent}`jpress2017: America First`; "
                           "{absent}`miller2018: America First`). The end.")
    text = _paragraphs(soup)[-1]
    assert text == "Two texts never use the phrase (0 uses in either). The end."
    notes = _body(tmp_path / "again", "Two texts never use the phrase ({absent}`jpress2017: America First`; "
                                     "{absent}`miller2018: America First`). The end.").select("a.alliance-absence-link")
    assert len(notes) == 1
    note = notes[0].select_one(".alliance-note-text").get_text()
    assert re.search(r"“America First”: 0 times in the \d+ paragraphs of Japanese press report[’']s own text; "
                     r"“America First”: 0 times in the \d+ paragraphs of Miller[’']s own text", note)


def test_an_absence_outside_brackets_reads_as_a_bracketed_note(tmp_path):
    text = _paragraphs(_body(tmp_path, "Miller never writes Article V {absent}`miller2018: Article V`."))[-1]
    assert text == "Miller never writes Article V (0 uses)."


def test_a_citation_the_sentence_needs_is_kept(tmp_path):
    text = _paragraphs(_body(tmp_path, "Su says so ({para}`su2017:4`). As in {para}`su2017:4`, it is old."))[-1]
    assert text == "Su says so (¶4). As in Su ¶4, it is old."


def test_a_name_is_dropped_only_where_the_sentence_names_that_source_alone(tmp_path):
    text = _paragraphs(_body(tmp_path, "Yuan and Su differ ({para}`su2017:4`). Su and Miller agree "
                                       "({para}`su2017:5; miller2018:3`). Su stands alone ({para}`su2017:6`)."))[-1]
    assert text == "Yuan and Su differ (Su ¶4). Su and Miller agree (Su ¶5; Miller ¶3). Su stands alone (¶6)."


@pytest.mark.parametrize("source, expected", [
    ("Miller disagrees ({para}`su2017:4`; {para}`miller2018:3`) with it.", "Miller disagrees (Su ¶4; Miller ¶3) with it."),
    ("Miller disagrees ({para}`miller2018:3`) ({para}`miller2018:3`) here.", "Miller disagrees (¶3) here."),
])
def test_brackets_and_separators_stay_tidy(tmp_path, source, expected):
    assert _paragraphs(_body(tmp_path, source))[-1] == expected
