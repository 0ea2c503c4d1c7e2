"""Counting helpers and reference tables (alliance.text, alliance.reference)."""
from __future__ import annotations

import pandas as pd
import pytest

from alliance import load_corpus
from alliance.paths import DATA_DIR
from alliance.reference import load_events, load_figures, load_timeline
from alliance.text import kwic, per_thousand, term_counts


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
