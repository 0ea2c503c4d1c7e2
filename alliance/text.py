"""Counting words and terms in the corpus: lexicons, rates per 1,000 words, keyword in context."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from alliance import paths
from alliance.corpus import Corpus, normalize_space


#: Small counts as prose writes them.
_COUNT_WORDS = "zero one two three four five six seven eight nine ten".split()


def count_word(n: int) -> str:
    """A count as prose writes it: a word from zero to ten, else digits with thousands separators."""
    n = int(n)
    return _COUNT_WORDS[n] if 0 <= n < len(_COUNT_WORDS) else f"{n:,}"


def per_thousand(count: float, words: float) -> float:
    """Occurrences per 1,000 words (0 when there are no words)."""
    return 0.0 if not words else round(1000.0 * count / words, 2)


def load_lexicon(name: str) -> pd.DataFrame:
    """A term list from ``data/lexicons/<name>.csv`` (columns term, pattern, group, note).

    ``pattern`` is a case-insensitive regular expression; when empty, the term itself is
    matched as a whole word.
    """
    path = Path(paths.DATA_DIR / "lexicons" / f"{name}.csv")
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.csv"))
        raise FileNotFoundError(f"{path}: no such lexicon. Known lexicons: {known}.")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("term", "pattern", "group", "note"):
        if col not in table.columns:
            raise ValueError(f"{path}: missing column {col!r} (need term, pattern, group, note).")
    return table


def _regex(term: str, pattern: str = "") -> re.Pattern[str]:
    return re.compile(pattern or rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)


def term_counts(corpus: Corpus, terms: pd.DataFrame | list[str]) -> pd.DataFrame:
    """Count each term in each source's own words (not furniture).

    ``terms`` is a lexicon table or a list of terms. Returns one row per source and term with
    ``count``, ``words`` (the source's length) and ``per_1000``.
    """
    if isinstance(terms, list):
        terms = pd.DataFrame({"term": terms, "pattern": "", "group": "", "note": ""})
    rows = []
    for doc in corpus.documents.itertuples():
        text = normalize_space(corpus.text_of(doc.source_id))
        for t in terms.itertuples():
            n = len(_regex(t.term, t.pattern).findall(text))
            rows.append({"source_id": doc.source_id, "term": t.term, "group": t.group, "count": n,
                         "words": doc.words, "per_1000": per_thousand(n, doc.words)})
    return pd.DataFrame(rows)


#: The mark for words left out of a keyword-in-context line.
ELLIPSIS = "…"


def left_context(text: str, width: int) -> str:
    """The end of ``text`` (the words before a match), at most about ``width`` characters, cut
    only between words: a word that the cut would halve is left out, and "…" marks the cut."""
    if len(text) <= width:
        return text
    kept = text[len(text) - width:]
    if not text[len(text) - width - 1].isspace() and not kept[:1].isspace():
        kept = kept.split(None, 1)[1] if len(kept.split(None, 1)) > 1 else ""
    kept = kept.lstrip()
    return f"{ELLIPSIS} {kept}" if kept else ELLIPSIS


def right_context(text: str, width: int) -> str:
    """The start of ``text`` (the words after a match), at most about ``width`` characters, cut
    only between words: a word that the cut would halve is left out, and "…" marks the cut."""
    if len(text) <= width:
        return text
    kept = text[:width]
    if not text[width].isspace() and not kept[-1:].isspace():
        kept = kept.rsplit(None, 1)[0] if len(kept.rsplit(None, 1)) > 1 else ""
    kept = kept.rstrip()
    return f"{kept} {ELLIPSIS}" if kept else ELLIPSIS


def kwic(corpus: Corpus, term: str, pattern: str = "", width: int = 50) -> pd.DataFrame:
    """Keyword in context: every match of ``term`` in the author's text, with its paragraph.

    ``left`` and ``right`` hold up to about ``width`` characters of the paragraph on each side,
    in whole words: where the paragraph goes on, "…" marks the cut (:func:`left_context`,
    :func:`right_context`).
    """
    regex = _regex(term, pattern)
    rows = []
    paras = corpus.paragraphs[corpus.paragraphs["is_authors_text"]]
    for p in paras.itertuples():
        text = p.text_normalized
        for m in regex.finditer(text):
            rows.append({"source_id": p.source_id, "para": int(p.para),
                         "left": left_context(text[:m.start()], width),
                         "match": m.group(0), "right": right_context(text[m.end():], width)})
    return pd.DataFrame(rows, columns=["source_id", "para", "left", "match", "right"])


def theme_mentions(paragraphs: pd.DataFrame, lexicon: pd.DataFrame) -> pd.DataFrame:
    """How often each term of ``lexicon`` (its ``pattern``, case-insensitive) occurs in each of
    ``paragraphs`` (rows of ``corpus.paragraphs``): one row per paragraph and term found, with
    ``paragraph`` ("yuan2018 ¶10"), ``source_id``, ``theme`` (the term) and ``count``."""
    rows = [{"paragraph": f"{p.source_id} ¶{p.para}", "source_id": p.source_id, "theme": t.term, "count": n}
            for p in paragraphs.itertuples() for t in lexicon.itertuples()
            if (n := len(re.findall(t.pattern, p.text_normalized, flags=re.IGNORECASE)))]
    return pd.DataFrame(rows, columns=["paragraph", "source_id", "theme", "count"])


def rates_per_thousand(counts: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The rows of :func:`term_counts` summed over ``by`` (which must hold ``source_id``, e.g.
    ``["source_id", "group"]``): one row per combination, with ``count`` (the sum), ``words`` (the
    source's length) and ``per_1000`` (:func:`per_thousand` of the two)."""
    if "source_id" not in by:
        raise ValueError("rates_per_thousand: a rate needs the source's length, so `by` must hold 'source_id'.")
    summed = counts.groupby(list(by), as_index=False).agg(count=("count", "sum"), words=("words", "first"))
    summed["per_1000"] = [per_thousand(n, w) for n, w in zip(summed["count"], summed["words"])]
    return summed


def rate_difference(rates: pd.DataFrame, plus: str, minus: str) -> pd.Series:
    """Each source's rate per 1,000 words of group ``plus`` minus that of group ``minus`` (``rates``:
    ``source_id``, ``group``, ``per_1000``, as :func:`rates_per_thousand` gives them), rounded to 2
    places: a Series named ``balance``, indexed by ``source_id``."""
    missing = sorted({plus, minus} - set(rates["group"]))
    if missing:
        raise ValueError(f"rate_difference: no group(s) {missing} in the rates.")
    wide = rates.pivot(index="source_id", columns="group", values="per_1000")
    return (wide[plus] - wide[minus]).round(2).rename("balance")


def sentences_matching(corpus: Corpus, patterns: "pd.Series | list[str]") -> pd.DataFrame:
    """The sentences of the authors' own text (``corpus.sentences`` in paragraphs of the author's
    text) that match any of ``patterns`` (regular expressions, case-insensitive)."""
    patterns = list(patterns)
    if not patterns:
        raise ValueError("sentences_matching: no pattern to look for.")
    regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    authors = corpus.paragraphs.loc[corpus.paragraphs["is_authors_text"], ["source_id", "para"]]
    sentences = corpus.sentences.merge(authors, on=["source_id", "para"])
    return sentences[[bool(regex.search(text)) for text in sentences["text"]]]


def actor_mentions(sentences: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """How many of ``sentences`` (with ``source_id`` and ``text``) name each actor of the lexicon
    ``actors`` (its ``term`` and ``pattern``, case-insensitive): one row per source and actor named,
    with ``sentences``. A sentence naming several actors counts once for each."""
    patterns = {row.term: re.compile(row.pattern, re.IGNORECASE) for row in actors.itertuples()}
    rows = [{"source_id": s.source_id, "actor": actor, "para": s.para}
            for s in sentences.itertuples() for actor, pattern in patterns.items() if pattern.search(s.text)]
    found = pd.DataFrame(rows, columns=["source_id", "actor", "para"])
    return found.groupby(["source_id", "actor"], as_index=False).size().rename(columns={"size": "sentences"})


def paragraphs_matching(corpus: Corpus, patterns: "pd.Series | list[str]", ignore_case: bool = True) -> pd.DataFrame:
    """The paragraphs of the authors' own text (rows of ``corpus.paragraphs``) in which any of
    ``patterns`` (regular expressions, case-insensitive unless ``ignore_case=False``) occurs."""
    compiled = [re.compile(p, re.IGNORECASE if ignore_case else 0) for p in patterns]
    if not compiled:
        raise ValueError("paragraphs_matching: no pattern to look for.")
    authors_text = corpus.paragraphs[corpus.paragraphs["is_authors_text"]]
    return authors_text[authors_text["text_normalized"].map(lambda text: any(p.search(text) for p in compiled))]


def sources_using_only(counts: pd.DataFrame, term: str) -> list[str]:
    """The sources (ids, sorted) that use ``term`` and no other term of ``counts`` (rows of
    :func:`term_counts`: ``source_id``, ``term``, ``count``)."""
    if term not in set(counts["term"]):
        raise ValueError(f"sources_using_only: no term {term!r} in the counts.")
    used = counts[counts["count"] > 0]
    return sorted(set(used.loc[used["term"] == term, "source_id"]) - set(used.loc[used["term"] != term, "source_id"]))


def figure_as_written(value_as_written: str, quoted_text: str) -> str:
    """A figure a source cites, as its quotation writes it: ``value_as_written``, after "more than "
    when ``quoted_text`` has the two together (a "US$ " between them ignored): "more than 340 billion"."""
    has_more_than = f"more than {value_as_written}" in quoted_text.replace("US$ ", "")
    return ("more than " if has_more_than else "") + value_as_written
