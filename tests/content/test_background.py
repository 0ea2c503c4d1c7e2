"""Background facts beyond the sources (issue 18): every reference row complete, every background
statement citing its row, every chapter opening with its question and what a newcomer needs to know."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from alliance import paths
from alliance.background import (EVENT_KIND, TIMELINE_LABELS, all_rows, background_row, background_table,
                                 background_timeline, check_rows, institution_keys, institution_row, site_name)
from alliance.errors import CitationError
from alliance.prose import background_boxes, course_files, unsourced_background
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


def test_every_reference_row_has_fact_key_words_kind_and_address():
    rows = all_rows()  # raises, listing every incomplete row
    assert len([k for k in rows if k.startswith("inst:")]) == len(pd.read_csv(paths.REFERENCE_DIR / "context-institutions.csv"))
    assert {"inauguration", "treaty-article-5", "constitution-article-9"} <= set(rows)


@pytest.mark.parametrize("column", ["fact", "evidence", "kind", "source_url"])
def test_a_row_without_fact_key_words_kind_or_address_fails(tmp_path, column):
    copy = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, copy)
    table = pd.read_csv(copy / "context-background.csv", dtype=str, keep_default_na=False)
    table.loc[2, column] = ""
    table.to_csv(copy / "added-background.csv", index=False)
    (copy / "context-background.csv").write_text(table.iloc[:0].to_csv(index=False), encoding="utf-8")
    with pytest.raises(CitationError, match=rf"added-background.csv line 4: no {column}"):
        all_rows(copy)


def test_an_institution_row_without_its_page_fails():
    table = pd.read_csv(paths.REFERENCE_DIR / "context-institutions.csv", dtype=str, keep_default_na=False)
    table["key"] = institution_keys(table)
    table.loc[0, "source_url"] = "variety.com/2017"
    assert check_rows(table, "x.csv", "key") == ["x.csv line 2: source_url is not an address: 'variety.com/2017'"]


def test_a_topic_used_twice_or_an_unnamed_site_fails(tmp_path):
    copy = tmp_path / "reference"
    shutil.copytree(paths.REFERENCE_DIR, copy)
    shared = pd.read_csv(copy / "context-background.csv", dtype=str, keep_default_na=False)
    shared.iloc[:1].to_csv(copy / "added-background.csv", index=False)
    with pytest.raises(CitationError, match="topic 'treaty-article-5' is already in context-background.csv"):
        all_rows(copy)
    with pytest.raises(CitationError, match="no short name"):
        site_name("https://example.org/page")


def test_unknown_topic_and_key_fail_naming_what_exists():
    with pytest.raises(CitationError, match="no such topic"):
        background_row("moon-landing")
    with pytest.raises(CitationError, match=r"keys: CGTN-1, CGTN-2"):
        institution_row("BBC-1")
    assert institution_row("JIIA-2").kind == "self-description"
    assert background_row("inauguration").link_text == "TradeArabia, press report"


def test_added_rows_keep_the_shared_columns():
    shared = pd.read_csv(paths.REFERENCE_DIR / "context-background.csv", nrows=0).columns.tolist()
    added = pd.read_csv(paths.REFERENCE_DIR / "added-background.csv", nrows=0).columns.tolist()
    assert added == shared
    assert list(background_table().columns[:len(shared)]) == shared


def test_a_background_statement_without_its_row_is_found(tmp_path):
    page = tmp_path / "chapter.md"
    page.write_text("# A chapter\n\n```{admonition} What you need to know\n:class: alliance-background\n"
                    "Trump took office on 20 January 2017 ({bg}`inauguration`). Article 9 forbids war.\n```\n",
                    encoding="utf-8")
    assert [text for _, text in unsourced_background(page)] == ["Article 9 forbids war."]
    page.write_text(page.read_text(encoding="utf-8").replace("forbids war.", "forbids war ({bg}`constitution-article-9`)."),
                    encoding="utf-8")
    assert unsourced_background(page) == []


def test_no_background_statement_in_the_course_lacks_its_row():
    problems = [f"{path.name} {where}: {text}" for path in course_files() for where, text in unsourced_background(path)]
    assert not problems, "\n".join(problems)


def _words(markdown: str) -> int:
    bare = re.sub(r"\{(bg|inst|para|q|absent|term|ref)\}`([^`]*)`", " ", markdown)
    return len(re.findall(r"[\w’'$%-]+", bare))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_each_chapter_opens_with_its_question_and_what_you_need_to_know(chapter):
    text = chapter.read_text(encoding="utf-8")
    boxes = background_boxes(text)
    assert len(boxes) == 1, f"{chapter.name}: {len(boxes)} 'What you need to know' boxes"
    assert _words(boxes[0][1]) <= 160, f"{chapter.name}: the box has {_words(boxes[0][1])} words (about 150 at most)"
    question = re.search(r"```\{admonition\} The question\n:class: alliance-question\n(.+?)\n```", text, re.S)
    assert question and "?" in question.group(1), f"{chapter.name}: no question box ending in a question"
    assert text.index(":class: alliance-question") < text.index(":class: alliance-background") < text.index("## ")
    assert ":class: alliance-takeaways" in text, f"{chapter.name}: no key takeaways"


def test_the_sources_are_introduced_and_tabled_once():
    """The vantage table is printed in chapter 1 only; later chapters refer to it."""
    printing = [p.name for p in CHAPTERS if "vantage_table()" in p.read_text(encoding="utf-8")]
    assert printing == ["00-reading-the-sources.md"]


@pytest.mark.parametrize("finding, home", [
    ("Yukota", "02-transactionalism.md"),
    ("remained at US$ 270 billion", "05-us-factor-sino-japanese.md"),
])
def test_a_finding_is_taught_in_one_chapter(finding, home):
    """A discrepancy between a source and the checked record is quoted and discussed in one chapter;
    the others refer to that section."""
    quoting = sorted(p.name for p in CHAPTERS if finding in p.read_text(encoding="utf-8"))
    assert quoting == [home], quoting


def test_the_background_timeline_joins_dated_rows_and_checked_events_in_date_order():
    from alliance.reference import load_events

    timeline = background_timeline()
    dated = background_table().query("date != ''")
    events = load_events()
    # every dated row is there, with its label; an event is left out only where a row has its date
    assert set(TIMELINE_LABELS) == set(dated["topic"])
    assert set(TIMELINE_LABELS.values()) <= set(timeline["event"])
    kept = events[~events["date"].dt.strftime("%Y-%m-%d").isin(set(dated["date"]))]
    assert len(timeline) == len(dated) + len(kept)
    assert timeline["event"].iloc[0] == events.sort_values("date")["event"].iloc[0]
    assert timeline["date"].iloc[-1] == "28 August 2020" and timeline["date"].iloc[0] == "8 September 1951"
    # each line links to its page, named by its site and its kind of page
    first_row = timeline[timeline["event"] == TIMELINE_LABELS["inauguration"]]["page"].iloc[0]
    assert (first_row.url, first_row.text) == (background_row("inauguration").url, "TradeArabia, press report")
    assert all(str(link).endswith(EVENT_KIND) for link in timeline["page"] if "checked" in str(link))
    assert "3–4 February 2017" in set(timeline["date"])  # a visit over two days keeps its span


def test_background_page_cites_every_added_row():
    page = (ROOT / "background.md").read_text(encoding="utf-8")
    added = pd.read_csv(paths.REFERENCE_DIR / "added-background.csv", dtype=str, keep_default_na=False)
    missing = [topic for topic in added["topic"] if f"{{bg}}`{topic}`" not in page]
    assert not missing, f"rows added for the background page but not cited there: {missing}"


def test_a_link_names_its_site_once():
    """A kind that repeats the site's name ("press release (College of Charleston)") reads once."""
    assert institution_row("EWI-2").link_text == "College of Charleston, press release"
