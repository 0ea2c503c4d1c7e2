"""What the course says about its sources: quotations in the sentence, paragraph citations,
checked absences, computed comparisons, vantage descriptions, glossary and events (issue 8)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alliance import paths
from alliance.background import all_rows
from alliance.citations import (parse_absence, parse_evidence, parse_inline_quote, parse_para_citations,
                                parse_reference)
from alliance.errors import CitationError, QuotationError
from alliance.prose import (course_files, hand_typed_comparisons, hand_typed_descriptions, sentences_of,
                            uncited)
from alliance.quotes import locate
from tests._root import REPO_ROOT

ROOT = REPO_ROOT


# --- the three roles -------------------------------------------------------------------------

def test_inline_quote_is_verified_and_located():
    found = parse_inline_quote("yuan2018: comprehensive security institution")
    assert (found.source_id, found.cite_as) == ("yuan2018", "Yuan")
    assert "comprehensive security institution" in " ".join(
        ROOT.joinpath("seeds", "001_ff4a2435c73922ad.txt").read_text(encoding="utf-8").split())
    assert found.para == locate("yuan2018", "comprehensive security institution")


def test_inline_quote_errors_say_what_is_wrong():
    with pytest.raises(QuotationError, match="Closest passage"):
        parse_inline_quote("yuan2018: comprehensive security organisation")
    with pytest.raises(QuotationError, match="cite that source instead"):
        parse_inline_quote("su2017: goods with prices")
    with pytest.raises(CitationError, match="unknown source"):
        parse_inline_quote("nobody2019: alliance")
    with pytest.raises(CitationError, match="not 'source_id: words'"):
        parse_inline_quote("no colon here")


def test_paragraph_citations_parse_ranges_and_reject_missing_paragraphs():
    (su, ling) = parse_para_citations("su2017:4; ling2018:5-8,12")
    assert su.paras == (4,) and su.label == "¶4"
    assert ling.paras == (5, 6, 7, 8, 12) and ling.label == "¶5–8, ¶12"
    assert su.url().endswith("appendix/sources/su2017.html#su2017-p4")
    with pytest.raises(CitationError, match="su2017 has no ¶99"):
        parse_para_citations("su2017:99")
    with pytest.raises(CitationError, match="unknown source"):
        parse_para_citations("xx2017:1")
    with pytest.raises(CitationError, match="first < last"):
        parse_para_citations("su2017:6-4")


def test_absence_is_counted_and_a_false_absence_fails():
    found = parse_absence("miller2018: Article V")
    assert found.count == 0 and found.paragraphs > 0
    with pytest.raises(CitationError, match="Absence claim is false: su2017 uses “Article V” 1 time"):
        parse_absence("su2017: Article V")
    with pytest.raises(CitationError, match="Diaoyu"):
        parse_absence("su2017: Senkaku|Diaoyu")


def _mini_book(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """A one-page Sphinx project with the course's roles; strict build (-W)."""
    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(
        "extensions = ['myst_parser']\n"
        "def setup(app):\n"
        "    from alliance.book.sphinxext.roles import quote_role, para_role, absent_role, background_role, institution_role, RenderEvidence\n"
        "    app.add_role('q', quote_role); app.add_role('para', para_role); app.add_role('absent', absent_role)\n"
        "    app.add_role('bg', background_role); app.add_role('inst', institution_role)\n"
        "    app.add_transform(RenderEvidence)\n",
        encoding="utf-8")
    (src / "index.md").write_text("# Test\n\n" + body + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT)


def test_strict_build_renders_the_roles(tmp_path):
    done = _mini_book(tmp_path, "Yuan calls it a {q}`yuan2018: comprehensive security institution`, and Su "
                                "welcomes the agreement ({para}`su2017:4`); {absent}`miller2018: Article V`.")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    # the quoted words link to their paragraph; the sentence names Yuan, so no name follows them
    assert re.search(r'“<a class="alliance-para-link alliance-p-yuan2018-6 reference internal" '
                     r'href="appendix/sources/yuan2018.html#yuan2018-p6"><span class="alliance-quoted">'
                     r'comprehensive security institution</span></a>”</span>', page)
    assert "(Yuan)" not in page
    # the sentence names Yuan and Su: the citation keeps its name ("¶4" alone would be ambiguous)
    assert 'href="appendix/sources/su2017.html#su2017-p4">Su ¶4</a>' in page
    assert "“Article V”: 0 times in the 7 paragraphs of Miller" in page and ">0 uses<" in page


def test_strict_build_renders_background_facts_as_named_links(tmp_path):
    done = _mini_book(tmp_path, "Trump took office on 20 January 2017 ({bg}`inauguration`); CGTN was launched "
                                "in 2017 ({inst}`CGTN-1`).")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="alliance-ref alliance-bg reference external" '
                     r'href="https://www.tradearabia.com/news/INTNEWS_319514.html" title="Donald Trump took the oath '
                     r'[^"]*">TradeArabia, press report</a>', page)
    assert ">Variety, press report</a>" in page


@pytest.mark.parametrize("role, message", [
    ("{q}`yuan2018: comprehensive security organisation`", "not verbatim"),
    ("{para}`su2017:40`", "su2017 has no ¶40"),
    ("{absent}`su2017: Diaoyu`", "Absence claim is false"),
    ("{bg}`trump-moon-landing`", "no such topic"),
    ("{inst}`CGTN-9`", "no such row"),
])
def test_strict_build_fails_on_a_bad_role(tmp_path, role, message):
    done = _mini_book(tmp_path, f"A sentence with {role} in it.")
    assert done.returncode != 0
    assert message in done.stderr and "index.md:3" in done.stderr


# --- the course's prose ----------------------------------------------------------------------

def test_no_quotation_is_defined_away_from_its_sentence():
    """Inline quotations live in the sentence ({q}); none is glued from a hidden cell."""
    glued = []
    for path in course_files():
        text = path.read_text(encoding="utf-8")
        glued += [f"{path.name}: {m.group(0)[:60]}" for m in re.finditer(r"glue\(\s*\\?[\"'][^\"']+\\?[\"']\s*,\s*q\(", text)]
    assert not glued, "\n".join(glued)


def test_every_paragraph_that_names_a_source_carries_its_evidence():
    problems = [f"{s.file}:{s.line}: {s.text[:160]}" for path in course_files() for s in uncited(path)]
    assert not problems, (f"{len(problems)} sentence(s) name a source for which their paragraph has no {{q}}, "
                          "{para}, {absent} or block quotation, and carry no evidence of their own:\n" + "\n".join(problems))


def test_scanner_finds_uncited_sentences(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# T\n\nIntro line.\n\nSu welcomes the agreement. Miller sees risks ({para}`miller2018:4`).\n"
                    "Does Yuan agree? Ling and Liu write:\n\n```{code-cell} ipython3\nquote(\"ling2018\", \"x\")\n```\n\n"
                    "```{admonition} Note\n:class: tip\nThe CGTN op-ed is short.\n```\n", encoding="utf-8")
    flagged = [s.text for s in uncited(page)]
    assert flagged == ["Su welcomes the agreement.", "The CGTN op-ed is short."]
    lines = {s.text: s.line for s in sentences_of(page)}
    assert lines["Su welcomes the agreement."] == "5"
    # the rule is the paragraph's: a sentence may name a source its paragraph cites
    page.write_text("# T\n\nMiller sees risks ({para}`miller2018:4`). Miller adds more.\n\nMiller ends here.\n\n"
                    "Ling and Liu write:\n\n```{code-cell} ipython3\nquote(\"ling2018\", \"x\")\n```\n\n"
                    "Yuan and Su write:\n\n```{code-cell} ipython3\nquote(\"su2017\", \"x\")\n```\n", encoding="utf-8")
    assert [s.text for s in uncited(page)] == ["Miller ends here.", "Yuan and Su write:"]
    # an outlet two sources share ("CAIFC journal": Yuan, Ling and Liu) is met by evidence of either
    page.write_text("# T\n\nYuan, in the CAIFC journal, writes:\n\n```{code-cell} ipython3\nquote(\"yuan2018\", \"x\")\n```\n\n"
                    "The CAIFC journal carries it.\n", encoding="utf-8")
    assert [s.text for s in uncited(page)] == ["The CAIFC journal carries it."]


def test_no_hand_typed_comparison_about_computed_data():
    problems = [f"{p.name} {where}: {text[:120]}" for p in course_files() for where, text in hand_typed_descriptions(p)]
    problems += [f"{s.file}:{s.line}: {s.text[:120]}" for p in course_files() for s in hand_typed_comparisons(p)]
    assert not problems, "Comparisons typed by hand (compute them and insert with glue):\n" + "\n".join(problems)


def test_scanner_finds_hand_typed_comparisons(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# T\n\nMiller uses the word most often ({para}`miller2018:4`).\n\n"
                    "Miller uses the word {glue}`n` times, the most.\n\n"
                    "```{code-cell} ipython3\nshow(chart, \"Bars. Yuan leads on every term.\")\n"
                    "show(chart, describe_leaders(df, 'term', 'count'))\n```\n", encoding="utf-8")
    assert [s.text[:12] for s in hand_typed_comparisons(page)] == ["Miller uses "]
    assert [text for _, text in hand_typed_descriptions(page)] == ["Bars. Yuan leads on every term."]


# --- one description of each source ------------------------------------------------------------

VANTAGE_FIELDS = ["affiliation", "outlet", "outlet_country", "outlet_type", "genre", "audience", "perspective"]


def test_every_source_is_described_with_the_same_fields():
    meta = pd.read_csv(paths.METADATA_CSV, dtype=str, keep_default_na=False)
    for field in VANTAGE_FIELDS:
        assert meta[field].str.strip().ne("").all(), field
    # the affiliation is as the text states it: its words are in the cited paragraphs
    from alliance import load_corpus

    corpus = load_corpus()
    for row in meta.itertuples():
        if not row.affiliation_paras:
            assert row.affiliation.startswith("Not stated"), row.source_id
            continue
        text = " ".join(corpus.paragraph(row.source_id, int(p)) for p in row.affiliation_paras.split(",")).lower()
        words = {w for w in re.findall(r"[a-z]{4,}", row.affiliation.lower())}
        missing = sorted(w for w in words if w not in text)
        assert not missing, f"{row.source_id}: affiliation words not in ¶{row.affiliation_paras}: {missing}"
        assert f"¶{row.affiliation_paras}" in row.perspective, row.source_id


#: Descriptions of outlets that data/sources.csv does not hold: only a checked institution row cited in
#: the same sentence ({inst}`CGTN-1` says "state-owned") may support one.
UNSUPPORTED_LABELS = re.compile(
    r"\bstate[- ](broadcaster|media|outlet|journal|television|TV|news|agency|press|newspaper|run|owned|"
    r"controlled|backed|funded)\b|\bmouthpiece\b|\bpropaganda\b|\bofficial media\b|\bgovernment (outlet|media)\b",
    re.I)


def test_prose_labels_sources_as_the_metadata_does():
    problems = []
    for path in course_files() + [ROOT / "data" / "glossary.csv"]:
        for s in (sentences_of(path) if path.suffix != ".csv" else []):
            for m in ([] if "{inst}" in s.text else UNSUPPORTED_LABELS.finditer(s.bare)):
                problems.append(f"{s.file}:{s.line}: “{m.group(0)}”")
    glossary = (ROOT / "data" / "glossary.csv").read_text(encoding="utf-8")
    problems += [f"data/glossary.csv: “{m.group(0)}”" for m in UNSUPPORTED_LABELS.finditer(glossary)]
    assert not problems, "\n".join(problems)


#: Labels for an outlet or an institution that only a checked row can support (issue 18): they may
#: stand only in a sentence that cites an institution row ({inst}`KEY`), or in a glossary row whose
#: evidence cites ``ref:context-institutions:KEY``; data/sources.csv cites no row, so never there.
ROW_LABELS = re.compile(
    r"\bstate[- ](linked|run|owned|affiliated)\b|\b(?:US |U\.S\. |American |Chinese |Japanese )?think[- ]tanks?\b"
    r"|\bgovernment[- ](linked|affiliated|run)\b|\bunited[- ]front\b", re.I)


def test_labels_stand_only_beside_the_institution_row_that_supports_them():
    problems = []
    for path in course_files():
        for s in sentences_of(path):
            bare = re.sub(r"“[^”]*”", "", s.bare)  # the sources' own words, quoted, are not the course's label
            for m in ROW_LABELS.finditer(bare):
                if "{inst}" not in s.text:
                    problems.append(f"{s.file}:{s.line}: “{m.group(0)}” without an {{inst}} row in the sentence")
    glossary = pd.read_csv(ROOT / "data" / "glossary.csv", dtype=str, keep_default_na=False)
    for row in glossary.itertuples():
        for m in ROW_LABELS.finditer(f"{row.term} {row.definition}"):
            if "ref:context-institutions:" not in row.sources:
                problems.append(f"data/glossary.csv, {row.term!r}: “{m.group(0)}” without a context-institutions row")
    meta = pd.read_csv(paths.METADATA_CSV, dtype=str, keep_default_na=False)
    for field in VANTAGE_FIELDS:
        for source_id, value in zip(meta["source_id"], meta[field]):
            problems += [f"data/sources.csv, {source_id} {field}: “{m.group(0)}”" for m in ROW_LABELS.finditer(value)]
    assert not problems, "\n".join(problems)


def test_row_labels_pattern_catches_what_it_should(tmp_path):
    for label in ("a Chinese state-linked journal", "a US think tank", "the think-tank blog", "state-run media"):
        assert ROW_LABELS.search(label), label
    assert not ROW_LABELS.search("an institute blog based in the United States")


def test_no_pronouns_for_authors():
    """No text states an author's gender: prose uses names, not he/she, after naming an author."""
    pronoun = re.compile(r"\b(he|she|his|her|him|hers|himself|herself)\b", re.I)
    names = re.compile(r"\b(Su|Yuan|Ling|Liu|Miller)\b")
    problems = []
    for path in course_files():
        for s in sentences_of(path):
            bare = re.sub(r"“[^”]*”|\"[^\"]*\"", "", s.bare)  # words inside quotation marks are the sources'
            bare = re.sub(r"\(https?://[^)]*\)|<https?://[^>]*>", "", bare)  # addresses are not prose
            if names.search(bare) and pronoun.search(bare):
                problems.append(f"{s.file}:{s.line}: {s.text[:120]}")
    assert not problems, "\n".join(problems)


# --- glossary and events --------------------------------------------------------------------------

def test_every_glossary_row_cites_paragraphs_or_reference_rows():
    table = pd.read_csv(ROOT / "data" / "glossary.csv", dtype=str, keep_default_na=False)
    assert {"term", "definition", "sources", "chapter"} <= set(table.columns)
    for row in table.itertuples():
        assert row.sources.strip(), f"glossary row {row.term!r} cites nothing"
        parse_evidence(row.sources)  # raises on a missing paragraph or reference row


def test_every_glossary_row_names_the_page_that_introduces_it():
    """The column ``chapter`` holds the label of a chapter or of the background page."""
    labels = {m.group(1) for path in [*sorted((ROOT / "chapters").glob("*.md")), ROOT / "background.md"]
              for m in [re.match(r"\((\S+)\)=", path.read_text(encoding="utf-8").split("# ", 1)[0].strip().splitlines()[-1])] if m}
    assert "background" in labels and "reading-the-sources" in labels
    table = pd.read_csv(ROOT / "data" / "glossary.csv", dtype=str, keep_default_na=False)
    unknown = table[~table["chapter"].isin(labels)]
    assert unknown.empty, f"glossary rows whose chapter is no page's label: {unknown[['term', 'chapter']].values.tolist()}"
    assert {"Article 9", "abandonment", "entrapment", "free riding", "host-nation support"} <= set(
        table.loc[table["chapter"] == "background", "term"])


def test_evidence_parser_rejects_bad_rows():
    with pytest.raises(CitationError, match="no such row"):
        parse_reference("ref:context-events:1999-01-01")
    with pytest.raises(CitationError):
        parse_evidence("")
    cites, refs = parse_evidence("su2017:6; ref:context-events:2017-02-10")
    assert cites[0].paras == (6,) and refs[0].url.startswith("http")


def test_event_rows_that_name_a_paragraph_name_one_that_contains_the_event():
    events = pd.read_csv(ROOT / "data" / "events.csv", dtype=str, keep_default_na=False)
    seeds = events[events["provenance"] == "seed"]
    assert len(seeds) > 0
    for row in seeds.itertuples():
        assert row.evidence, f"{row.event_id}: a seed event quotes the words that show it (column evidence)"
        assert locate(row.source_id, row.evidence, int(row.para)) == int(row.para), row.event_id


def test_glossary_quotations_are_verbatim_in_the_rows_they_cite():
    """Words a glossary row puts in quotation marks stand in a paragraph or reference row it cites."""
    from alliance import load_corpus
    from alliance.corpus import normalize_space

    corpus = load_corpus()
    table = pd.read_csv(ROOT / "data" / "glossary.csv", dtype=str, keep_default_na=False)
    problems = []
    for row in table.itertuples():
        cites, refs = parse_evidence(row.sources)
        texts = [corpus.paragraph(c.source_id, p) for c in cites for p in c.paras]
        for ref in refs:
            if ref.file in ("context-events", "context-figures"):
                texts.append((ROOT / "data" / "reference" / f"{ref.file}.csv").read_text(encoding="utf-8"))
            elif ref.file == "data":
                texts.append((ROOT / ref.key).read_text(encoding="utf-8"))
            elif ref.file in ("context-background", "added-background", "context-institutions"):
                texts.append(f"{ref.label} {all_rows()[('inst:' if ref.file == 'context-institutions' else '') + ref.key].evidence}")
        hay = normalize_space(" ".join(texts)).replace("’", "'")
        definition = re.sub(r"\{para\}`[^`]*`", "", row.definition)
        for quoted in re.findall(r"\"([^\"]+)\"", definition):
            if normalize_space(quoted).replace("’", "'") not in hay:
                problems.append(f"{row.term}: “{quoted}”")
    assert not problems, "\n".join(problems)


def test_a_reference_date_shared_by_two_events_needs_a_word_of_the_event():
    with pytest.raises(CitationError, match="matches 2 events"):
        parse_reference("ref:context-events:2018-03-08")
    assert "CPTPP" in parse_reference("ref:context-events:2018-03-08:CPTPP").label
    assert "Section 232" in parse_reference("ref:context-events:2018-03-08:section 232").label


def test_sentences_split_after_a_word_that_ends_like_an_abbreviation():
    """"journal." and "group." end sentences; "p. 4", "et al." and "U.S." do not."""
    from alliance.prose import _split

    assert _split("It was in the same journal. Then the group. See p. 4 and Smith et al. for more. The U.S. said no.") == [
        "It was in the same journal.", "Then the group.", "See p. 4 and Smith et al. for more.", "The U.S. said no."]
