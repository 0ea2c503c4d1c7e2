"""Segmentation, paragraph numbering, furniture and derived tables (alliance.corpus)."""
from __future__ import annotations

import pytest

from alliance.corpus import build_corpus, load_corpus, load_rules, segment_text, split_sentences, tokenize
from alliance.errors import SourceError


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_documents_one_row_per_source(corpus):
    assert corpus.source_ids == ["su2017", "yuan2018", "jpress2017", "ling2018", "miller2018"]
    assert (corpus.documents["words"] > 300).all()


def test_paragraphs_are_numbered_1_to_n_without_gaps(corpus):
    for source_id, group in corpus.paragraphs.groupby("source_id"):
        assert list(group["para"]) == list(range(1, len(group) + 1)), source_id


def test_numbering_is_stable_across_loads(corpus):
    again = build_corpus()
    cols = ["source_id", "para", "kind", "text"]
    assert again.paragraphs[cols].equals(corpus.paragraphs[cols])


def test_known_paragraphs(corpus):
    assert corpus.paragraph("su2017", 1) == "Uncertainties Linger in US-Japan Relations"
    assert corpus.paragraph("yuan2018", 2).startswith("Premier Li Keqiang paid a visit to Japan recently")
    assert corpus.paragraphs.set_index(["source_id", "para"]).loc[("yuan2018", 3), "kind"] == "heading"


def test_furniture_is_kept_apart_and_not_counted(corpus):
    furniture = corpus.segments[corpus.segments["is_furniture"]]
    texts = " ".join(furniture["text"])
    for marker in ["Login Set as Homepage", "Your location:", "print PRINT", "Trending Japan",
                   "Tel: 86-10-82005566", "Adjust font size", "Website:http://www.caifc.org.cn"]:
        assert marker in texts
    assert furniture["para"].isna().all()
    assert not corpus.paragraphs["text"].str.contains("82005566").any()
    assert not corpus.tokens["token"].isin(["homepage", "82005566"]).any()


def test_bylines_and_notes_are_not_authors_words(corpus):
    paras = corpus.paragraphs.set_index(["source_id", "para"])
    assert paras.loc[("su2017", 2), "kind"] == "byline"
    assert not paras.loc[("su2017", 2), "is_authors_text"]
    notes = corpus.paragraphs[corpus.paragraphs["kind"] == "note"]
    assert notes["text"].str.contains("EastWest Institute").any()
    words_by_source = corpus.documents.set_index("source_id")["words"]
    authors_words = corpus.paragraphs[corpus.paragraphs["is_authors_text"]].groupby("source_id")["words"].sum()
    assert (words_by_source == authors_words.reindex(words_by_source.index)).all()


def test_segment_splits_furniture_line_out_of_a_block():
    rules = load_rules()
    segs = segment_text("Title\n\nCGTN, May 1, 2017 | x\nAdjust font size: + -\n\nBody text.\n", rules)
    assert [s["kind"] for s in segs] == ["title", "byline", "furniture", "body"]


def test_sentences_and_tokens():
    assert split_sentences("One here. Two “there.” Three?") == ["One here.", "Two “there.”", "Three?"]
    assert tokenize("Japan’s US$270 billion, U.S.-Japan") == ["japan's", "us", "270", "billion", "u", "s", "japan"]


def test_unknown_source_id_lists_known_ids(corpus):
    with pytest.raises(SourceError, match=r"Unknown source id 'nope'.*su2017"):
        corpus.source("nope")


def test_paragraph_out_of_range(corpus):
    with pytest.raises(SourceError, match=r"'su2017' has paragraphs ¶1-¶14; there is no ¶99"):
        corpus.paragraph("su2017", 99)
