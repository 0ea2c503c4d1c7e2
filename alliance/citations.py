"""What the course's prose says about a source, checked at build time.

Three inline forms, written in the sentence that uses them (MyST roles, see ``sphinxext``):

* ``{q}`yuan2018: comprehensive security institution``` — an inline quotation, verified
  verbatim like :func:`alliance.quotes.q`; ``{q}`yuan2018 ¶12: …``` pins it to a paragraph.
* ``{para}`su2017:4``` — a paragraph citation, rendered "Su ¶4" and linked to the source reader;
  ``su2017:4-6``, ``su2017:4,7`` and ``su2017:4; ling2018:6`` cite several.
* ``{absent}`miller2018: Article V``` — a claim of absence backed by a count: the build computes
  how often the words occur in the source's own text and fails unless the count is 0.

Each parser raises :class:`~alliance.errors.CitationError` (or ``QuotationError``) with a message
that names the problem, so the build fails where the sentence is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from alliance import paths
from alliance.corpus import Corpus, load_corpus, normalize_space
from alliance.errors import CitationError
from alliance.quotes import locate

_SPEC = re.compile(r"^\s*(?P<source>[a-z][a-z0-9_]*)\s*:\s*(?P<paras>[0-9][0-9,\s\-–]*)\s*$")
_QUOTE = re.compile(r"^\s*(?P<source>[a-z][a-z0-9_]*)\s*(?:¶\s*(?P<para>\d+))?\s*:\s*(?P<text>.+?)\s*$", re.S)


@dataclass(frozen=True)
class ParaCitation:
    """Paragraphs of one source, as cited: ``source_id`` and the paragraph numbers, in order."""

    source_id: str
    paras: tuple[int, ...]

    @property
    def label(self) -> str:
        """How the citation reads: "¶4", "¶4–6" or "¶4, ¶7" (without the source's name)."""
        runs: list[list[int]] = []
        for p in self.paras:
            if runs and p == runs[-1][-1] + 1:
                runs[-1].append(p)
            else:
                runs.append([p])
        return ", ".join(f"¶{r[0]}" if len(r) == 1 else f"¶{r[0]}–{r[-1]}" for r in runs)

    def url(self, reader_prefix: str = "") -> str:
        """Link to the first cited paragraph in the source reader (``reader_prefix`` + file)."""
        anchor = f"{self.source_id}-p{self.paras[0]}"
        if reader_prefix:
            return f"{reader_prefix}{self.source_id}.html#{anchor}"
        return paths.reader_url(self.source_id, anchor)


def _expand(paras: str, spec: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in re.split(r"\s*,\s*", paras.strip()):
        if not part:
            continue
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 1:
            out.append(int(bounds[0]))
        elif len(bounds) == 2 and int(bounds[0]) < int(bounds[1]):
            out.extend(range(int(bounds[0]), int(bounds[1]) + 1))
        else:
            raise CitationError(f"Paragraph range {part!r} in {spec!r} is not 'first-last' with first < last.")
    return tuple(out)


def parse_para_citations(spec: str, corpus: Corpus | None = None) -> list[ParaCitation]:
    """Parse and check ``"su2017:4; ling2018:6-7"``; every paragraph must exist in its source."""
    corpus = corpus or load_corpus()
    cites: list[ParaCitation] = []
    for chunk in (c for c in spec.split(";") if c.strip()):
        match = _SPEC.match(chunk)
        if not match:
            raise CitationError(f"Paragraph citation {chunk.strip()!r} is not 'source_id:N' "
                                "(e.g. 'su2017:4', 'ling2018:6-7', 'yuan2018:3,9').")
        source_id = match["source"]
        if source_id not in corpus.source_ids:
            raise CitationError(f"Paragraph citation {chunk.strip()!r}: unknown source {source_id!r}; "
                                f"known: {', '.join(corpus.source_ids)}.")
        paras = _expand(match["paras"], chunk.strip())
        numbered = set(corpus.paragraphs.loc[corpus.paragraphs["source_id"] == source_id, "para"].astype(int))
        missing = [p for p in paras if p not in numbered]
        if missing:
            raise CitationError(f"Paragraph citation {chunk.strip()!r}: {source_id} has no "
                                f"¶{', ¶'.join(map(str, missing))} (its paragraphs are ¶{min(numbered)}–¶{max(numbered)}).")
        cites.append(ParaCitation(source_id, paras))
    if not cites:
        raise CitationError("Empty paragraph citation.")
    return cites


@dataclass(frozen=True)
class InlineQuote:
    """A verified inline quotation written in a sentence: source, words, paragraph found."""

    source_id: str
    text: str
    para: int
    cite_as: str


def parse_inline_quote(spec: str, corpus: Corpus | None = None) -> InlineQuote:
    """Parse ``"yuan2018: words"`` (or ``"yuan2018 ¶12: words"``) and verify the words verbatim."""
    corpus = corpus or load_corpus()
    match = _QUOTE.match(spec)
    if not match:
        raise CitationError(f"Inline quotation {spec!r} is not 'source_id: words' "
                            "(e.g. 'yuan2018: comprehensive security institution').")
    source_id, text = match["source"], normalize_space(match["text"])
    if source_id not in corpus.source_ids:
        raise CitationError(f"Inline quotation {spec!r}: unknown source {source_id!r}; "
                            f"known: {', '.join(corpus.source_ids)}.")
    para = locate(source_id, text, int(match["para"]) if match["para"] else None, corpus)
    return InlineQuote(source_id, text, para, str(corpus.source(source_id)["cite_as"]))


@dataclass(frozen=True)
class Absence:
    """A checked claim of absence: ``words`` occur ``count`` (= 0) times in ``source_id``."""

    source_id: str
    words: str
    count: int
    cite_as: str
    paragraphs: int
    #: "the " before a name that describes an unsigned text ("the Japanese press report"), else "".
    article: str = ""

    @property
    def owner(self) -> str:
        """The source as the note's possessive names it: "Miller", "the Japanese press report"."""
        return f"{self.article}{self.cite_as}"


def count_phrase(corpus: Corpus, source_id: str, words: str) -> int:
    """Occurrences of ``words`` (case-insensitive, whole words) in the author's own paragraphs."""
    pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words.split())) + r"(?!\w)", re.I)
    paras = corpus.paragraphs[(corpus.paragraphs["source_id"] == source_id) & corpus.paragraphs["is_authors_text"]]
    return sum(len(pattern.findall(text)) for text in paras["text_normalized"])


def parse_absence(spec: str, corpus: Corpus | None = None) -> Absence:
    """Parse ``"miller2018: Article V"`` and check the words never occur in the source's text.

    Several spellings may be given with ``|`` (``"su2017: Senkaku|Diaoyu"``); all must be absent.
    """
    corpus = corpus or load_corpus()
    match = _QUOTE.match(spec)
    if not match or match["para"]:
        raise CitationError(f"Absence claim {spec!r} is not 'source_id: words' (e.g. 'miller2018: Article V').")
    source_id = match["source"]
    if source_id not in corpus.source_ids:
        raise CitationError(f"Absence claim {spec!r}: unknown source {source_id!r}.")
    variants = [normalize_space(v) for v in match["text"].split("|") if v.strip()]
    counts = {v: count_phrase(corpus, source_id, v) for v in variants}
    found = {v: n for v, n in counts.items() if n}
    if found:
        detail = ", ".join(f"“{v}” {n} time{'s' if n != 1 else ''}" for v, n in found.items())
        raise CitationError(f"Absence claim is false: {source_id} uses {detail}. Rewrite the sentence.")
    paras = corpus.paragraphs[(corpus.paragraphs["source_id"] == source_id) & corpus.paragraphs["is_authors_text"]]
    unsigned = str(corpus.source(source_id)["authors"]) == "Unsigned"
    return Absence(source_id, " or ".join(f"“{v}”" for v in variants), 0,
                   str(corpus.source(source_id)["cite_as"]), len(paras), "the " if unsigned else "")


@dataclass(frozen=True)
class ReferenceRow:
    """A row of a checked reference file: ``file`` (stem), ``key`` (date, or series:year), the row."""

    file: str
    key: str
    label: str
    url: str


def parse_reference(spec: str) -> ReferenceRow:
    """Parse and check ``ref:context-events:2017-11-12`` or ``ref:context-figures:<series>:<year>``.

    Where several events share a date, a word of the event names the one meant
    (``ref:context-events:2018-03-08:CPTPP``).

    Rows are looked up in the tables :mod:`alliance.reference` loads (the checked copies).
    """
    from alliance.reference import load_events, load_figures

    parts = spec.strip().split(":")
    if len(parts) < 3 or parts[0] != "ref":
        raise CitationError(f"Reference citation {spec!r} is not 'ref:context-events:<date>' or "
                            "'ref:context-figures:<series>:<year>'.")
    name = parts[1]
    if name == "context-events" and len(parts) in (3, 4):
        table = load_events()
        rows = table[table["date"].dt.strftime("%Y-%m-%d") == parts[2]]
        if len(parts) == 4:
            rows = rows[rows["event"].str.contains(parts[3], case=False, regex=False)]
        elif len(rows) > 1:
            raise CitationError(f"Reference citation {spec!r} matches {len(rows)} events on that date; add a word "
                                f"of the one meant, e.g. '{spec}:{rows.iloc[1]['event'].split()[0]}'.")
    elif name == "context-figures" and len(parts) == 4:
        table = load_figures()
        rows = table[(table["series"] == parts[2]) & (table["year"].astype(str) == parts[3])]
    elif name in ("context-background", "added-background", "context-institutions") and len(parts) == 3:
        from alliance.background import background_row, institution_row

        fact = institution_row(parts[2]) if name == "context-institutions" else background_row(parts[2])
        return ReferenceRow(name, parts[2], fact.fact, fact.url)
    elif not (paths.REFERENCE_DIR / f"{name}.csv").exists():
        raise CitationError(f"Reference citation {spec!r}: no file data/reference/{name}.csv.")
    else:
        raise CitationError(f"Reference citation {spec!r}: unknown form for {name}.")
    if rows.empty:
        raise CitationError(f"Reference citation {spec!r}: no such row in data/reference/{name}.csv.")
    row = rows.iloc[0]
    label = row["event"] if name == "context-events" else (
        f"{series_words(row['series'])}, {row['year']}: {row['value_usd_billion']} US$ bn ({row['basis']})")
    return ReferenceRow(name, ":".join(parts[2:]), str(label), str(row["source_url"]))


#: Words of a figure series' id written as a reader writes them (the rest stay lower case).
SERIES_WORDS: dict[str, str] = {"us": "US", "china": "China", "japan": "Japan",
                                "mofcom": "(MOFCOM, China's Ministry of Commerce)"}
#: Two countries that stand side by side in an id name one relation, written with a hyphen.
_COUNTRY_PAIR = re.compile(r"\b(US|China|Japan) (US|China|Japan)\b")


def series_words(series: str) -> str:
    """A figure series' id in words, first letter capitalised: ``us_goods_trade_balance_with_japan``
    gives "US goods trade balance with Japan", ``china_japan_trade_total_mofcom`` "China-Japan trade
    total (MOFCOM, China's Ministry of Commerce)" (a page shows words, not the file's id)."""
    words = _COUNTRY_PAIR.sub(r"\1-\2", " ".join(SERIES_WORDS.get(word, word) for word in series.split("_")))
    return words[:1].upper() + words[1:]


#: Pages of the course that define its own method (a glossary row about method may cite one).
COURSE_PAGES: dict[str, str] = {"checks": "appendix/checks.md", "data": "appendix/data.md"}


def parse_evidence(spec: str, corpus: Corpus | None = None) -> tuple[list[ParaCitation], list[ReferenceRow]]:
    """Seed paragraphs and reference rows separated by ``;`` (the glossary's ``sources`` column).

    Besides ``su2017:6`` and ``ref:…`` rows, a row about the course's own method may cite one of
    the course's data files (``data:data/sources.csv``, ``data:seeds/<file>``) or method pages
    (``course:checks``); each must exist. They are returned as :class:`ReferenceRow` with an
    empty url.
    """
    seeds: list[str] = []
    refs: list[ReferenceRow] = []
    for chunk in (c.strip() for c in spec.split(";") if c.strip()):
        if chunk.startswith("ref:"):
            refs.append(parse_reference(chunk))
        elif chunk.startswith("data:"):
            target = paths.PROJECT_ROOT / chunk[len("data:"):]
            if not target.is_file():
                raise CitationError(f"Evidence {chunk!r}: no such file in the course.")
            refs.append(ReferenceRow("data", chunk[len("data:"):], chunk[len("data:"):], ""))
        elif chunk.startswith("course:"):
            page = COURSE_PAGES.get(chunk[len("course:"):])
            if page is None or not (paths.PROJECT_ROOT / page).is_file():
                raise CitationError(f"Evidence {chunk!r}: not one of the course's method pages {sorted(COURSE_PAGES)}.")
            refs.append(ReferenceRow("course", chunk[len("course:"):], page, ""))
        else:
            seeds.append(chunk)
    cites = parse_para_citations("; ".join(seeds), corpus) if seeds else []
    if not cites and not refs:
        raise CitationError("No evidence cited: give seed paragraphs ('su2017:6') or reference rows.")
    return cites, refs


#: The parser behind each inline role of the course (the build and ``alliance.prose`` share it).
def parse_background(text: str) -> "FactRow":
    """``{bg}`topic```: a row of the background files (an unknown topic fails)."""
    from alliance.background import background_row

    return background_row(text)


def parse_institution(text: str) -> "FactRow":
    """``{inst}`KEY```: a row of the institutions file (``CGTN-1``, ``JIIA-2``…; an unknown key fails)."""
    from alliance.background import institution_row

    return institution_row(text)


ROLE_PARSERS = {"q": parse_inline_quote, "para": parse_para_citations, "absent": parse_absence,
                "bg": parse_background, "inst": parse_institution}

#: A piece of rendered citation text: the words, and the address they link to (or ``None``).
Segment = tuple[str, "str | None"]


def quote_segments(found: InlineQuote, reader_prefix: str) -> list[Segment]:
    """How ``{q}`` reads: “words” (Cite, ¶N), the paragraph linked to the source reader."""
    return [(f"“{found.text}” ({found.cite_as}, ", None),
            (f"¶{found.para}", ParaCitation(found.source_id, (found.para,)).url(reader_prefix)), (")", None)]


def para_segments(cites: list[ParaCitation], reader_prefix: str) -> list[Segment]:
    """How ``{para}`` reads: "Su ¶4; Ling and Liu ¶6–7", each citation linked to the reader."""
    corpus = load_corpus()
    out: list[Segment] = []
    for i, cite in enumerate(cites):
        if i:
            out.append(("; ", None))
        out.append((f"{corpus.source(cite.source_id)['cite_as']} {cite.label}", cite.url(reader_prefix)))
    return out


def absence_segments(found: Absence, reader_prefix: str) -> list[Segment]:
    """How ``{absent}`` reads: “words”: 0 times in Miller's N paragraphs (linked to the reader)."""
    return [(f"{found.words}: 0 times in ", None),
            (f"{found.owner}'s {found.paragraphs} paragraphs", f"{reader_prefix}{found.source_id}.html")]


#: How each inline role reads once parsed: the book (``sphinxext``) and the notebook editions
#: (``editions``) turn these segments into HTML nodes and Markdown links respectively.
ROLE_SEGMENTS = {"q": quote_segments, "para": para_segments, "absent": absence_segments}
