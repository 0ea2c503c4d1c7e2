"""alliance.book.reading: how a built page reads (unit tests on small pages; the built chapters' targets)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from alliance.book.reading import TARGETS, measure_chapters, measure_page, sentences, words
from tests._root import REPO_ROOT

PAGE = """<html><body><article class="bd-article">
<p>Su calls the alliance a <span class="alliance-quote-inline">“<a class="alliance-para-link alliance-p-su2017-4"
 href="x.html#su2017-p4"><span class="alliance-quoted">cornerstone</span></a>” <span class="alliance-cite-mark">(Su)</span></span>.
 It is old (<span class="alliance-para-cite"><a class="alliance-para-link" href="x.html#su2017-p4">Su ¶4</a></span>).
 Miller agrees (<span class="alliance-para-cite"><a class="alliance-para-link" href="x.html#miller2018-p3">Miller ¶3–5</a></span>)
 and again (<span class="alliance-para-cite"><a class="alliance-para-link" href="x.html#miller2018-p4">Miller ¶4</a></span>).
 Yuan never says it<span class="alliance-absence"> (<a class="alliance-para-link alliance-absence-link" href="x.html">0 uses<span
 class="alliance-note-text"> (“it”: 0 times in the 25 paragraphs of Yuan’s own text)</span></a>)</span>.</p>
<div class="cell"><div class="cell_input"><pre>counts = term_counts(corpus, lexicon)</pre></div></div>
<details class="hide above-input"><summary>Show code</summary><div class="cell_input"><pre>hidden code words here</pre></div></details>
<p>See <a class="reference external" href="https://example.org/a">https://example.org/a</a> for more.</p>
</article></body></html>"""


def test_words_and_sentences():
    assert words("Su ¶4 says US$ 270 billion, twice.") == 7
    assert sentences("One. Two words here. “Three” too.") == ["One.", "Two words here.", "“Three” too."]


def test_measures_of_a_small_page():
    r = measure_page(PAGE, "p")
    assert r.repeats == 2  # Su ¶4 after the quotation of ¶4; Miller ¶4 inside ¶3–5
    assert r.code_words == 4  # the shown cell only: folded code is not visible
    # apparatus: "(Su)", "Su ¶4", "Miller ¶3–5", "Miller ¶4", the absence mark (not its hidden note)
    # and the address printed as link text
    assert r.apparatus_words == sum(words(t) for t in ("(Su)", "Su ¶4", "Miller ¶3–5", "Miller ¶4", "(0 uses)",
                                                         "https://example.org/a"))
    assert r.reading_words > r.apparatus_words
    assert r.longest_sentence == max(words(s) for s in sentences(
        "Su calls the alliance a “cornerstone” (Su). It is old (Su ¶4). Miller agrees (Miller ¶3–5) and again "
        "(Miller ¶4). Yuan never says it (0 uses). See https://example.org/a for more."))
    assert r.sentences_with_para_mark == pytest.approx(2 / 5)
    assert r.meets_targets()["repeats"] is False


HTML = REPO_ROOT / "_build" / "html"


@pytest.mark.build
def test_built_chapters_meet_the_reading_targets():
    """Every chapter: apparatus <= 6 % of reading words, no repeated (source, ¶), no sentence over 60
    words, code <= 10 % of visible words (make bench reports the same figures)."""
    rows = measure_chapters(HTML)
    assert len(rows) == len(list((REPO_ROOT / "chapters").glob("*.md")))
    missed = [f"{r.page}: {k} ({getattr(r, k)} vs {TARGETS[k]})" for r in rows for k, ok in r.meets_targets().items() if not ok]
    assert not missed, "\n".join(missed)


@pytest.mark.build
def test_each_chapter_opens_with_its_reading_time():
    """The time printed under each chapter's title agrees with the measure of the built page
    (within two minutes or a tenth: the page's figure is counted before the evidence is rendered)."""
    rows = measure_chapters(HTML)
    assert rows
    for row in rows:
        page = (HTML / "chapters" / f"{row.page}.html").read_text(encoding="utf-8")
        shown = re.search(r'<p class="alliance-reading-time">Reading time: about (\d+) minutes</p>', page)
        assert shown, f"{row.page}: no reading time under the title"
        title = page.index("<h1", page.index("<article"))
        assert title < page.index("alliance-reading-time") < page.index("<h2", title), row.page
        allowed = max(2, 0.1 * row.reading_minutes)
        assert abs(int(shown.group(1)) - row.reading_minutes) <= allowed, (row.page, shown.group(1), row.reading_minutes)
