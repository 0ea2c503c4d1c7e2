"""Counting helpers and reference tables (alliance.text, alliance.reference)."""
from __future__ import annotations

import pandas as pd
import pytest

from alliance import load_corpus
from alliance.paths import DATA_DIR
from alliance.reference import (display_date, display_interval, load_events, load_figures, load_timeline,
                                months_between, timeline_rows)
from alliance.text import ELLIPSIS, kwic, left_context, per_thousand, right_context, term_counts


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_per_thousand():
    assert per_thousand(5, 500) == 10.0
    assert per_thousand(3, 0) == 0.0


def test_term_counts_whole_words_in_authors_text(corpus):
    counts = term_counts(corpus, ["Diaoyu", "Senkaku", "Homepage"]).set_index(["source_id", "term"])
    assert counts.loc[("su2017", "Diaoyu"), "count"] == 1
    assert counts.loc[("miller2018", "Senkaku"), "count"] == 1
    assert counts.xs("Homepage", level="term")["count"].sum() == 0  # furniture is not counted
    row = counts.loc[("su2017", "Diaoyu")]
    assert row["per_1000"] == per_thousand(1, row["words"])


def test_kwic_gives_paragraphs(corpus):
    table = kwic(corpus, "Diaoyu")
    counts = term_counts(corpus, ["Diaoyu"])
    assert set(table["source_id"]) == set(counts.loc[counts["count"] > 0, "source_id"])
    assert len(table) == counts["count"].sum() and {"su2017", "yuan2018"} <= set(table["source_id"])
    assert all(corpus.paragraph(r.source_id, r.para).find(r.match) >= 0 for r in table.itertuples())


def test_context_is_cut_between_words_and_the_cut_is_marked():
    text = "the alliance remains the cornerstone of peace"
    assert left_context(text, 100) == text and right_context(text, 100) == text      # nothing cut, no mark
    assert left_context(text, 14) == f"{ELLIPSIS} of peace"          # "…rnerstone" would halve a word
    assert right_context(text, 14) == f"the alliance {ELLIPSIS}"     # "remai" would halve a word
    assert right_context(text, 12) == f"the alliance {ELLIPSIS}"     # the cut falls just after a word
    assert left_context("abcdefghij", 4) == ELLIPSIS == right_context("abcdefghij", 4)


def test_kwic_context_is_whole_words_of_its_paragraph(corpus):
    table = kwic(corpus, "alliance", width=30)
    assert len(table) > 10
    for row in table.itertuples():
        paragraph = corpus.paragraphs.set_index(["source_id", "para"]).loc[(row.source_id, row.para), "text_normalized"]
        words = paragraph.split()
        left = row.left.removeprefix(f"{ELLIPSIS} ")
        right = row.right.removesuffix(f" {ELLIPSIS}")
        assert left + row.match + right in paragraph
        assert len(left.strip()) <= 30 and len(right.strip()) <= 30
        # the first word kept on the left and the last on the right are whole words of the paragraph
        if row.left.startswith(ELLIPSIS) and left.split():
            assert left.split()[0] in words
        if row.right.endswith(ELLIPSIS) and right.split():
            assert right.split()[-1] in words
    assert table["left"].str.startswith(ELLIPSIS).any() and table["right"].str.endswith(ELLIPSIS).any()


def test_a_date_reads_at_its_precision():
    assert display_date("2017-11-01", "month") == "November 2017"
    assert display_date(pd.Timestamp("2017-01-01"), "month") == "January 2017"
    assert display_date("2015-01-01", "year") == "2015"
    assert display_date(pd.Timestamp("2018-06-12"), "day") == "12 June 2018"
    assert display_date("2017-11-05", "day", pd.Timestamp("2017-11-07")) == "5–7 November 2017"
    assert display_date("2018-04-30", "day", "2018-05-02") == "30 April – 2 May 2018"
    assert display_date("2017-02-10", "day", pd.NaT) == "10 February 2017"
    with pytest.raises(ValueError, match="precision"):
        display_date("2017-11-01", "week")


def test_a_distance_is_no_more_exact_than_its_date():
    summit = pd.Timestamp("2018-06-12")
    assert display_interval("2018-07-26", "day", summit, "the summit") == "44 days after the summit"
    assert display_interval("2018-05-15", "day", summit, "the summit") == "28 days before the summit"
    assert display_interval("2018-06-12", "day", summit, "the summit") == "the day of the summit"
    assert months_between("2017-01-01", summit) == 17
    assert display_interval("2017-01", "month", summit, "the summit") == "about 17 months before the summit"
    assert display_interval("2015", "year", summit, "the summit") == "about 3 years before the summit"


def test_timeline_rows_are_in_date_order_at_their_precision():
    events = load_timeline(["trump_japan_visit2017", "ch2_yukota_ling2017", "abe_trump_summit2017"])
    rows = timeline_rows(events)
    assert list(rows.columns) == ["date", "event", "based_on", "cited_as"]
    assert list(rows["date"]) == ["10 February 2017", "November 2017", "5–7 November 2017"]
    assert rows["event"].iloc[1].startswith("Trump's")       # the month-only row, stored as 1 November
    assert len(load_timeline(["ch2_yukota_ling2017"])) == 1 and list(events["event_id"])[0] == "trump_japan_visit2017"
    with pytest.raises(KeyError, match="nope"):
        timeline_rows(events, ["date", "nope"])


def test_reference_tables_have_addresses():
    events, figures = load_events(), load_figures()
    assert events["source_url"].str.startswith("http").all()
    assert figures["source_url"].str.startswith("http").all()
    assert figures.groupby("series")["basis"].nunique().max() >= 1


def test_event_rows_are_traceable(corpus):
    """Every row of data/events.csv cites a checked reference row or an existing seed paragraph."""
    timeline = load_timeline()
    assert timeline["event_id"].is_unique
    reference = load_events()
    checked = set(zip(reference["date"], reference["source_url"]))
    for row in timeline.itertuples():
        if row.provenance == "reference":
            assert (row.date, row.source_url) in checked, row.event_id
        else:
            assert row.provenance == "seed", row.event_id
            assert corpus.paragraph(row.source_id, int(row.para)), row.event_id


def test_timeline_selection_keeps_order_and_rejects_unknown():
    ids = ["guidelines2015", "treaty1951"]
    assert list(load_timeline(ids)["event_id"]) == ids
    with pytest.raises(KeyError, match="nope"):
        load_timeline(["nope"])


def test_lexicons_are_documented_tables():
    for path in sorted((DATA_DIR / "lexicons").glob("*.csv")):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert {"term", "pattern", "group", "note"} <= set(table.columns), path.name
        assert table["term"].str.strip().ne("").all(), path.name
