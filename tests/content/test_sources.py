"""Metadata table and seed integrity (alliance.sources)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from alliance.corpus import build_corpus
from alliance.errors import MetadataError, SourceError
from alliance.sources import REQUIRED_COLUMNS, load_metadata
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
SHARED = ROOT.parent / "shared"


def _edit_csv(path: Path, row: int, column: str, value: str) -> None:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[row, column] = value
    table.to_csv(path, index=False)


def test_metadata_has_one_valid_row_per_seed():
    meta = load_metadata()
    seeds = sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    assert sorted(meta["file_name"]) == seeds
    assert set(REQUIRED_COLUMNS) <= set(meta.columns)
    assert meta["source_id"].is_unique


def test_seed_hashes_match_metadata():
    meta = load_metadata()
    for row in meta.itertuples():
        assert hashlib.sha256((ROOT / "seeds" / row.file_name).read_bytes()).hexdigest() == row.sha256


@pytest.mark.skipif(not (SHARED / "seeds").exists(), reason="../shared/seeds not beside this clone")
def test_seeds_are_byte_for_byte_copies_of_shared():
    for path in (SHARED / "seeds").glob("*.txt"):
        assert (ROOT / "seeds" / path.name).read_bytes() == path.read_bytes()


@pytest.mark.skipif(not (SHARED / "reference").exists(), reason="../shared/reference not beside this clone")
def test_reference_files_are_byte_for_byte_copies_of_shared():
    for path in (SHARED / "reference").iterdir():
        assert (ROOT / "data" / "reference" / path.name).read_bytes() == path.read_bytes()


def test_altered_seed_fails_naming_the_file(corpus_copy):
    seed = corpus_copy["seeds"] / "002_b0c21617a70affee.txt"
    seed.write_bytes(seed.read_bytes().replace(b"cornerstone", b"keystone"))
    with pytest.raises(SourceError, match=r"002_b0c21617a70affee\.txt: sha256 is .* altered"):
        build_corpus(corpus_copy["metadata"], corpus_copy["seeds"], corpus_copy["rules"])


def test_missing_seed_fails_naming_the_file(corpus_copy):
    (corpus_copy["seeds"] / "004_54ac8c57ddfe14e5.txt").unlink()
    with pytest.raises(SourceError, match=r"004_54ac8c57ddfe14e5\.txt: seed file for source 'miller2018' is missing"):
        build_corpus(corpus_copy["metadata"], corpus_copy["seeds"], corpus_copy["rules"])


def test_seed_without_metadata_row_fails(corpus_copy):
    (corpus_copy["seeds"] / "005_new.txt").write_text("A new text\n\nBody.\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"005_new\.txt: seed file has no row in data/sources\.csv"):
        build_corpus(corpus_copy["metadata"], corpus_copy["seeds"], corpus_copy["rules"])


def test_bad_date_names_row(corpus_copy):
    _edit_csv(corpus_copy["metadata"], 2, "date", "2017-13")
    with pytest.raises(MetadataError, match=r"sources\.csv, row 4 \(source_id='jpress2017'\): date '2017-13'"):
        load_metadata(corpus_copy["metadata"])


def test_date_not_matching_precision_fails(corpus_copy):
    _edit_csv(corpus_copy["metadata"], 0, "date", "2017-02")
    with pytest.raises(MetadataError, match=r"row 2 .*precision 'day'"):
        load_metadata(corpus_copy["metadata"])


def test_duplicate_id_names_row(corpus_copy):
    _edit_csv(corpus_copy["metadata"], 3, "source_id", "su2017")
    with pytest.raises(MetadataError, match=r"row 5: duplicate source_id 'su2017'"):
        load_metadata(corpus_copy["metadata"])


def test_missing_column_is_named(corpus_copy):
    table = pd.read_csv(corpus_copy["metadata"], dtype=str, keep_default_na=False).drop(columns=["genre"])
    table.to_csv(corpus_copy["metadata"], index=False)
    with pytest.raises(MetadataError, match=r"missing column\(s\) \['genre'\]"):
        load_metadata(corpus_copy["metadata"])


@pytest.mark.parametrize(("column", "value", "message"), [
    ("genre", "editorial", r"genre 'editorial' is not one of"),
    ("sha256", "abc", r"sha256 must be 64 lowercase hex digits"),
    ("source_id", "Bad Id", r"source_id must be"),
    ("title", "", r"column 'title' is empty"),
])
def test_malformed_fields_are_reported(corpus_copy, column, value, message):
    _edit_csv(corpus_copy["metadata"], 1, column, value)
    with pytest.raises(MetadataError, match=message):
        load_metadata(corpus_copy["metadata"])


def test_sixth_source_needs_only_a_file_and_a_row(corpus_copy):
    text = "A Sixth Text\n\nBlog | July 1, 2018\n\nFirst paragraph of the author.\n\nprint PRINT\n\nSecond one.\n"
    path = corpus_copy["seeds"] / "005_sixth.txt"
    path.write_text(text, encoding="utf-8")
    table = pd.read_csv(corpus_copy["metadata"], dtype=str, keep_default_na=False)
    new = table.iloc[-1].copy()
    new["source_id"], new["file_name"] = "sixth2018", path.name
    new["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    pd.concat([table, new.to_frame().T]).to_csv(corpus_copy["metadata"], index=False)
    corpus = build_corpus(corpus_copy["metadata"], corpus_copy["seeds"], corpus_copy["rules"])
    assert "sixth2018" in corpus.source_ids
    paras = corpus.paragraphs[corpus.paragraphs["source_id"] == "sixth2018"]
    assert list(paras["kind"]) == ["title", "byline", "body", "body"]
    assert re.search("Second one", corpus.paragraph("sixth2018", 4))


# --- who is speaking: the institutions each source names (issue 18) ---------------------------

def test_who_is_speaking_describes_every_source_with_the_same_fields():
    from alliance.sources import NO_PAGE, WHO_FIELDS, who_is_speaking

    table = who_is_speaking()
    assert list(table.columns) == list(WHO_FIELDS)
    assert set(table["source_id"]) == set(load_metadata().index)
    assert table.ne("").all().all()
    # what was not found is said, not guessed: the Asian Forum Japan and the Japanese report's outlet
    unfound = table[(table["own_description"] == NO_PAGE + ".") & (table["third_party"] == NO_PAGE + ".")]
    assert sorted(unfound["institution"]) == ["Asian Forum Japan", "Not named in the text"]
    assert list(unfound["source_id"]) == ["jpress2017", "miller2018"]


def test_who_is_speaking_names_each_institution_where_the_text_does():
    from alliance import load_corpus
    from alliance.sources import speakers

    corpus = load_corpus()
    table = pd.read_csv(ROOT / "data" / "source-institutions.csv", dtype=str, keep_default_na=False)
    for row in table.itertuples():
        segments = corpus.segments[corpus.segments["source_id"] == row.source_id]
        if row.paras:
            first, _, last = row.paras.partition("-")
            numbers = range(int(first), int(last) + 1) if last else [int(p) for p in row.paras.split(",")]
            text = " ".join(corpus.paragraph(row.source_id, n) for n in numbers)
        else:  # named only in the saved page's furniture
            text = " ".join(segments.loc[segments["is_furniture"], "text"])
        if row.name_in_text:
            assert row.name_in_text in text, (row.source_id, row.name_in_text)
        else:  # an outlet the text does not name: the source names no institution at all
            assert row.source_id == "jpress2017" and not row.institution
    assert [s.institution for s in speakers("su2017")] == [
        "CGTN", "China Institute of International Studies (CIIS)"]


def test_who_is_speaking_asks_the_same_of_each_side():
    """Both the CIIS (Su) and the JIIA (Miller) describe a tie to their country's foreign ministry."""
    from alliance.sources import speakers

    own = {s.institution: " ".join(r.fact for r in s.own) for s in speakers()}
    assert "Ministry of Foreign Affairs" in own["China Institute of International Studies (CIIS)"]
    assert "Ministry of Foreign Affairs" in own["Japan Institute of International Affairs (JIIA)"]
    ewi = next(s for s in speakers("miller2018") if s.institution.endswith("(EWI)"))
    assert [r.key for r in ewi.third_party] == ["EWI-1", "EWI-2"] and not ewi.own


def test_speaker_with_an_unknown_source_fails(tmp_path):
    from alliance.sources import speakers

    path = tmp_path / "source-institutions.csv"
    text = (ROOT / "data" / "source-institutions.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("su2017,outlet", "nobody2019,outlet", 1), encoding="utf-8")
    with pytest.raises(MetadataError, match="row 2: unknown source 'nobody2019'"):
        speakers(csv_path=path)
