"""The helpers that let a chapter's step fit one cell: chart descriptions written from the data
(alliance.describe), counts shared by several chapters (alliance.text) and the comparisons of claims
with checked facts (alliance.compare)."""
from __future__ import annotations

import pandas as pd
import pytest

from alliance import load_corpus
from alliance.compare import (checked_facts, cited_words, claimed_points, claims_against_checked_facts,
                              dated_against, dates_with_basis, distance_table, explanation_in_words,
                              verified_quotations)
from alliance.describe import (describe_paragraph_mentions, describe_zeros, shared_groups_description,
                               stacked_rates_description, term_rates_description, theme_bubbles_description,
                               timeline_description)
from alliance.errors import QuotationError
from alliance.text import (actor_mentions, paragraphs_matching, rate_difference, rates_per_thousand,
                           sentences_matching, sources_using_only)

EVENTS = pd.DataFrame({
    "date": pd.to_datetime(["2017-02-10", "2017-02-11", "2018-06-12"]),
    "event": ["Summit", "Su's op-ed", "Singapore summit"],
    "provenance": ["reference", "seed", "reference"],
    "cited_as": ["", "Su ¶2", ""],
})


def test_timeline_description_names_checked_events_and_the_sources_points() -> None:
    assert timeline_description(EVENTS) == (
        "Timeline of 3 points from February 2017 to June 2018, round for checked reference events and square for "
        "what a source says. 2 checked events: Summit; Singapore summit. 1 point from the sources: "
        "Su's op-ed (Su ¶2).")
    with_semicolon = EVENTS.assign(event=["Summit; joint statement", "Su's op-ed", "Singapore summit"])
    assert "2 checked events: Summit, joint statement; Singapore summit." in timeline_description(with_semicolon)
    with pytest.raises(ValueError):
        timeline_description(EVENTS.iloc[0:0])
    with pytest.raises(KeyError):
        timeline_description(EVENTS.drop(columns="cited_as"))


COUNTS = pd.DataFrame({"source_id": ["su2017", "su2017", "yuan2018", "yuan2018"], "term": ["a", "b", "a", "b"],
                       "group": ["money", "trade", "money", "trade"], "count": [1, 0, 4, 2],
                       "words": [1000, 1000, 2000, 2000]})


def test_rates_per_thousand_sums_counts_over_the_keys() -> None:
    by_group = rates_per_thousand(COUNTS, ["source_id", "group"])
    assert list(by_group.columns) == ["source_id", "group", "count", "words", "per_1000"]
    assert list(by_group["per_1000"]) == [1.0, 0.0, 2.0, 1.0]
    totals = rates_per_thousand(COUNTS, ["source_id"])
    assert list(totals["count"]) == [1, 6] and list(totals["per_1000"]) == [1.0, 3.0]
    with pytest.raises(ValueError):      # a rate needs the source's length
        rates_per_thousand(COUNTS, ["group"])


def test_stacked_rates_description_ranks_on_the_focus_group() -> None:
    by_group = rates_per_thousand(COUNTS, ["source_id", "group"])
    assert stacked_rates_description(by_group, ["money", "trade"], focus="money") == (
        "Stacked bar chart of matches per 1,000 words for two groups of terms (money, trade) in each source. "
        "From highest to lowest for money, per 1,000 words: Yuan (2.0), Su (1.0). "
        "Highest per 1,000 words, by group: money, Yuan (2.0); trade, Yuan (1.0).")
    with pytest.raises(ValueError):
        stacked_rates_description(by_group, ["money", "trade"], focus="burdens")


def test_term_rates_description_adds_leaders_single_users_and_more() -> None:
    rates = COUNTS.assign(per_1000=[1.0, 0.0, 2.0, 1.0])
    assert term_rates_description(rates, "Bars per term.", "One more sentence.") == (
        "Bars per term. Highest per 1,000 words: a, Yuan (2.0); b, Yuan (1.0). Only Yuan: b. One more sentence.")
    with pytest.raises(ValueError):
        term_rates_description(rates, " ")


def test_sources_using_only_one_term() -> None:
    counts = pd.DataFrame({"source_id": ["su2017", "su2017", "yuan2018", "yuan2018"],
                           "term": ["Asia-Pacific", "India", "Asia-Pacific", "India"], "count": [2, 0, 1, 3]})
    assert sources_using_only(counts, "Asia-Pacific") == ["su2017"]
    assert sources_using_only(counts, "India") == []
    with pytest.raises(ValueError):
        sources_using_only(counts, "Quad")


def test_theme_bubbles_description_lists_themes_and_empty_paragraphs() -> None:
    mentions = pd.DataFrame({"paragraph": ["yuan2018 ¶10", "yuan2018 ¶10", "ling2018 ¶17"],
                             "theme": ["China", "India", "China"], "count": [2, 1, 1]})
    paragraphs = ["yuan2018 ¶8", "yuan2018 ¶10", "ling2018 ¶17"]
    assert theme_bubbles_description(mentions, paragraphs, where="that mention X") == (
        "Circles for each theme found in the 3 paragraphs that mention X (2 by Yuan, 1 by Ling and Liu), sized by "
        "the number of occurrences. Themes by paragraph: Yuan ¶10: China (2), India (1); Ling and Liu ¶17: China (1). "
        "Paragraphs with no theme: Yuan ¶8.")
    with pytest.raises(ValueError):
        theme_bubbles_description(mentions, [], where="that mention X")


def test_describe_paragraph_mentions_groups_paragraphs_by_source() -> None:
    per_para = pd.DataFrame({"source_id": ["yuan2018", "yuan2018", "ling2018"], "para": [8, 9, 17],
                             "frame": ["Indo-Pacific"] * 3, "mentions": [2, 1, 1]})
    assert describe_paragraph_mentions(per_para, "frame", "Indo-Pacific") == \
        "Indo-Pacific: Yuan ¶8 (2), ¶9 (1); Ling and Liu ¶17 (1)."
    with pytest.raises(ValueError):
        describe_paragraph_mentions(per_para, "frame", "Asia-Pacific")


def test_sentences_and_paragraphs_matching_keep_the_authors_text_only() -> None:
    corpus = load_corpus()
    sentences = sentences_matching(corpus, [r"\bDiaoyu\b"])
    assert len(sentences) and sentences["text"].str.contains("Diaoyu").all()
    own = corpus.paragraphs.loc[corpus.paragraphs["is_authors_text"], ["source_id", "para"]]
    assert set(zip(sentences["source_id"], sentences["para"])) <= set(zip(own["source_id"], own["para"]))
    paragraphs = paragraphs_matching(corpus, ["indo-pacific"])
    assert paragraphs["is_authors_text"].all() and len(paragraphs) > 0
    assert paragraphs_matching(corpus, ["indo-pacific"], ignore_case=False).empty   # the texts write "Indo-Pacific"
    with pytest.raises(ValueError):
        sentences_matching(corpus, [])
    with pytest.raises(ValueError):
        paragraphs_matching(corpus, [])


def test_actor_mentions_counts_a_sentence_once_per_actor_named() -> None:
    sentences = pd.DataFrame({"source_id": ["su2017", "su2017", "yuan2018"], "para": [4, 5, 15],
                              "text": ["Japan and the US pay.", "Japan pays.", "Allies pay."]})
    actors = pd.DataFrame({"term": ["Japan", "United States"], "pattern": [r"\bjapan\b", r"\bUS\b"]})
    found = actor_mentions(sentences, actors)
    assert found.to_dict("records") == [{"source_id": "su2017", "actor": "Japan", "sentences": 2},
                                        {"source_id": "su2017", "actor": "United States", "sentences": 1}]


def test_claimed_points_label_each_cited_figure() -> None:
    claims = pd.DataFrame({"year_stated": ["2017"], "value": [68.85], "source_id": ["yuan2018"], "para": [16]})
    points = claimed_points(claims, "deficit")
    assert points.to_dict("records") == [{"year": 2017, "deficit": 68.85, "label": "Cited by yuan2018 ¶16",
                                          "basis": "as the source states it"}]
    with pytest.raises(ValueError):
        claimed_points(claims.iloc[0:0], "deficit")


def test_claims_are_set_against_each_checked_fact() -> None:
    events = pd.DataFrame({"date": pd.to_datetime(["2018-05-09"]), "date_precision": ["day"],
                           "end_date": [pd.Timestamp("2018-05-11")], "event": ["Li's visit"],
                           "source_url": ["https://example.org/li"]}, index=pd.Index(["li_visit2018"], name="event_id"))
    figures = pd.DataFrame({"series": ["trade_total_a", "trade_total_b", "other"], "year": [2017, 2017, 2017],
                            "value_usd_billion": [300.0, 297.0, 1.0], "basis": ["A", "B", "C"],
                            "source_url": ["https://a", "https://b", "https://c"]})
    checks = pd.DataFrame({"check_id": ["c1", "c2"], "source_id": ["yuan2018", "yuan2018"], "para": [2, 16],
                           "claim": ["first visit", "US$270 billion"], "reference_table": ["events", "figures"],
                           "reference_key": ["li_visit2018", "trade_total"], "reference_years": ["", "2017"],
                           "verdict": ["depends on the count", "differs"]})
    compared = claims_against_checked_facts(checks, events, figures)
    assert list(compared.columns) == ["check_id", "source_id", "para", "claim", "checked_fact", "address", "verdict"]
    assert list(compared["check_id"]) == ["c1", "c2", "c2"]          # one row per series of a figure claim
    assert compared["checked_fact"].iloc[0].endswith(": Li's visit")
    assert list(compared["checked_fact"].iloc[1:]) == ["Trade total a, 2017: US$300 bn; basis: A",
                                                       "Trade total b, 2017: US$297 bn; basis: B"]
    assert list(compared["address"]) == ["https://example.org/li", "https://a", "https://b"]
    with pytest.raises(ValueError):
        checked_facts(checks.iloc[0].replace({"events": "treaties"}), events, figures)


DOCUMENTS = pd.DataFrame({
    "source_id": ["yuan2018", "su2017", "miller2018"],
    "date": ["2018-04", "2017-02-11", "2018-07-26"],
    "date_precision": ["month", "day", "day"],
    "date_basis": ["received", "published", "published"],
    "date_start": ["2018-04-01", "2017-02-11", "2018-07-26"],
})
SUMMIT = pd.Timestamp("2018-06-12")


def test_dated_against_counts_days_from_the_event_by_source() -> None:
    dates = dated_against(DOCUMENTS, SUMMIT)
    assert dates.index.name == "source_id"
    assert dates["days_after"].to_dict() == {"yuan2018": -72, "su2017": -486, "miller2018": 44}
    assert dates.index[dates["dated_after"]].tolist() == ["miller2018"]


def test_distance_table_puts_sources_in_date_order_at_their_precision() -> None:
    table = distance_table(dated_against(DOCUMENTS, SUMMIT), SUMMIT, "the summit")
    assert table.index.tolist() == ["su2017", "yuan2018", "miller2018"]
    assert table["date"].tolist() == ["11 February 2017", "April 2018", "26 July 2018"]
    assert table["Distance from the summit (at the date's precision)"].tolist()[2] == "44 days after the summit"
    assert table["Dated after the summit"].tolist() == [False, False, True]


def test_dates_with_basis_reads_each_date_with_what_it_dates() -> None:
    assert dates_with_basis(DOCUMENTS) == {"yuan2018": "April 2018 (received)", "su2017": "11 February 2017 (published)",
                                           "miller2018": "26 July 2018 (published)"}


def test_verified_quotations_verify_each_sources_words() -> None:
    found = verified_quotations(su2017="However, the US-Japan alliance still faces uncertainties.")
    assert list(found) == ["su2017"] and found["su2017"].para > 0
    assert cited_words(found)["su2017"].startswith("“However, the US-Japan alliance still faces uncertainties.” (")
    with pytest.raises(QuotationError):
        verified_quotations(su2017="However, the US-Japan alliance faces no uncertainty at all.")
    with pytest.raises(ValueError):
        verified_quotations()


TONE = pd.DataFrame({"source_id": ["su2017", "su2017", "yuan2018", "yuan2018"],
                     "group": ["continuity", "uncertainty", "continuity", "uncertainty"],
                     "per_1000": [1.0, 3.333, 5.0, 1.0]})


def test_rate_difference_subtracts_one_group_from_another_by_source() -> None:
    balance = rate_difference(TONE, "continuity", "uncertainty")
    assert balance.name == "balance" and balance.to_dict() == {"su2017": -2.33, "yuan2018": 4.0}
    with pytest.raises(ValueError):
        rate_difference(TONE, "continuity", "risk")


def test_shared_groups_description_names_common_and_rare_groups() -> None:
    shared = pd.DataFrame({"group": ["money", "trade", "war"], "sources": [1, 3, 3]})
    assert shared_groups_description(shared, ["war", "trade", "money"], sources=3, few=1) == (
        "Themes with matches in all three sources: war, trade. Themes with matches in one source or fewer: money.")
    assert shared_groups_description(shared, ["war", "trade", "money"], sources=4).endswith(
        "all four sources: none. Themes with matches in two sources or fewer: money.")
    with pytest.raises(ValueError):
        shared_groups_description(shared.rename(columns={"sources": "n"}), ["war"], sources=3)


def test_checked_facts_give_an_events_note_and_leave_out_advice_to_authors() -> None:
    events = pd.DataFrame({"date": ["2018-05-08"], "date_precision": ["day"], "end_date": ["2018-05-11"],
                           "event": ["Li's visit"], "note": ["first since 2010"], "source_url": ["https://li"]},
                          index=pd.Index(["li_visit2018"], name="event_id"))
    figures = pd.DataFrame({"series": ["us_balance"], "year": [2017], "value_usd_billion": [-68.8],
                            "basis": ["goods (census: do not mix with the JETRO series)"], "source_url": ["https://u"]})
    event_claim = pd.Series({"reference_table": "events", "reference_key": "li_visit2018", "reference_years": ""})
    [(fact, address)] = checked_facts(event_claim, events, figures)
    assert fact.endswith(": Li's visit; the record's note: first since 2010") and address == "https://li"
    figure_claim = pd.Series({"reference_table": "figures", "reference_key": "us_balance", "reference_years": "2017"})
    assert checked_facts(figure_claim, events, figures) == [
        ("US balance, 2017: -US$68.8 bn; basis: goods (census)", "https://u")]
    assert explanation_in_words("as the summit (event li_visit2018) shows", events).startswith(
        "as the summit (the checked event of 8")


def test_describe_zeros_names_sources_in_corpus_order_with_the_unsigned_texts_article() -> None:
    counts = pd.DataFrame({"source_id": ["miller2018", "jpress2017", "su2017", "yuan2018"], "count": [0, 0, 0, 3]})
    assert describe_zeros(counts, "count", what="the labels") == (
        "Su, the Japanese press report and Miller use none of the labels.")
    assert describe_zeros(counts[counts["source_id"] == "jpress2017"], "count", what="the labels") == (
        "The Japanese press report uses none of the labels.")
    assert describe_zeros(counts[counts["count"] > 0], "count") == "Every source uses at least one of these terms."


def test_series_words_write_a_figure_series_as_a_reader_reads_it() -> None:
    from alliance.citations import series_words

    assert series_words("us_goods_trade_balance_with_japan") == "US goods trade balance with Japan"
    assert series_words("china_japan_trade_total_mofcom") == (
        "China-Japan trade total (MOFCOM, China's Ministry of Commerce)")
