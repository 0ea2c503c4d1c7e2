"""Load the seeds into pandas tables: documents, paragraphs, sentences and tokens.

Each seed is split into blocks at blank lines, and each line is classified by the rules in
``data/segment_rules.csv`` (furniture, byline, heading, note); unmatched lines are the
author's body text. Consecutive lines of one kind form one segment. Every segment except
furniture gets a paragraph number ¶1..¶n, in reading order, so numbers are stable as long
as the seed and the rules are. Furniture is kept (``kind == 'furniture'``), never counted
as the author's words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from alliance import paths
from alliance.errors import SourceError
from alliance.sources import load_metadata, verify_seeds

#: Kinds of segment whose words are the author's own.
AUTHOR_KINDS: frozenset[str] = frozenset({"title", "heading", "body"})
_BLOCK_SPLIT = re.compile(r"\n[ \t\xa0]*\n")
_SENTENCE_SPLIT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][”\"’)]))\s+(?=[A-Z“\"(‘])")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*\d|\d")


@dataclass(frozen=True)
class Rule:
    """One line-classification rule from ``data/segment_rules.csv``."""

    kind: str
    pattern: re.Pattern[str]
    description: str


def load_rules(csv_path: Path | None = None) -> list[Rule]:
    """Read the segmentation rules, in file order (first match wins)."""
    table = pd.read_csv(csv_path or paths.SEGMENT_RULES_CSV, dtype=str, keep_default_na=False)
    return [Rule(r.kind, re.compile(r.pattern), r.description) for r in table.itertuples()]


def _classify(line: str, rules: list[Rule]) -> tuple[str, str]:
    for rule in rules:
        if rule.pattern.search(line.strip()):
            return rule.kind, rule.description
    return "body", ""


def segment_text(text: str, rules: list[Rule]) -> list[dict[str, object]]:
    """Split one seed's text into classified segments (dicts), in reading order."""
    segments: list[dict[str, object]] = []
    seen_title = False
    for block_no, block in enumerate(b for b in _BLOCK_SPLIT.split(text) if b.strip()):
        current: dict[str, object] | None = None
        for line in block.splitlines():
            if not line.strip():
                continue
            kind, why = _classify(line, rules)
            if kind == "body" and not seen_title:
                kind, why = "title", "first line that is not furniture"
            if current and current["kind"] == kind and kind != "title":
                current["text"] = f"{current['text']}\n{line.strip()}"
                continue
            current = {"block": block_no, "kind": kind, "rule": why, "text": line.strip()}
            segments.append(current)
            if kind == "title":
                seen_title = True
    return segments


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (incl. no-break spaces and newlines) to one space."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def split_sentences(text: str) -> list[str]:
    """A simple rule-based sentence splitter, good enough for counting."""
    return [s for s in _SENTENCE_SPLIT.split(normalize_space(text)) if s]


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (letters, inner hyphens/apostrophes) and numbers."""
    return [t.lower().replace("’", "'") for t in _TOKEN.findall(text)]


class Corpus:
    """The sources as tables. Build with :func:`load_corpus`.

    Attributes
    ----------
    documents : one row per source, metadata plus word counts.
    segments : every segment including furniture (``para`` is <NA> for furniture).
    paragraphs : numbered segments only (¶1..¶n per source); ``is_authors_text`` marks
        title, headings and body.
    sentences, tokens : derived from the author's text only.
    """

    def __init__(self, metadata: pd.DataFrame, texts: dict[str, str], rules: list[Rule]):
        rows = []
        for source_id, text in texts.items():
            number = 0
            for order, seg in enumerate(segment_text(text, rules)):
                para = pd.NA
                if seg["kind"] != "furniture":
                    number += 1
                    para = number
                rows.append({"source_id": source_id, "order": order, "para": para, **seg})
        seg_df = pd.DataFrame(rows)
        seg_df["para"] = seg_df["para"].astype("Int64")
        seg_df["text_normalized"] = seg_df["text"].map(normalize_space)
        seg_df["is_furniture"] = seg_df["kind"].eq("furniture")
        seg_df["is_authors_text"] = seg_df["kind"].isin(AUTHOR_KINDS)
        seg_df["words"] = seg_df["text"].map(lambda t: len(tokenize(t)))
        self.segments: pd.DataFrame = seg_df
        self.paragraphs: pd.DataFrame = seg_df[~seg_df["is_furniture"]].reset_index(drop=True)
        authors = self.paragraphs[self.paragraphs["is_authors_text"]]
        sent_rows = [
            {"source_id": p.source_id, "para": p.para, "sentence": i + 1, "text": s}
            for p in authors.itertuples() for i, s in enumerate(split_sentences(p.text))
        ]
        self.sentences: pd.DataFrame = pd.DataFrame(sent_rows)
        tok_rows = [
            {"source_id": p.source_id, "para": p.para, "position": i, "token": t}
            for p in authors.itertuples() for i, t in enumerate(tokenize(p.text))
        ]
        self.tokens: pd.DataFrame = pd.DataFrame(tok_rows)
        docs = metadata.copy()
        docs["words"] = authors.groupby("source_id")["words"].sum().reindex(docs.index).fillna(0).astype(int)
        docs["paragraphs"] = self.paragraphs.groupby("source_id")["para"].max().reindex(docs.index)
        docs["furniture_segments"] = seg_df[seg_df["is_furniture"]].groupby("source_id").size().reindex(
            docs.index).fillna(0).astype(int)
        docs["sentences"] = self.sentences.groupby("source_id").size().reindex(docs.index).fillna(0).astype(int)
        self.documents: pd.DataFrame = docs.reset_index(drop=True)
        self._raw: dict[str, str] = texts

    @property
    def source_ids(self) -> list[str]:
        """The ids of the sources, in metadata order."""
        return list(self.documents["source_id"])

    def source(self, source_id: str) -> pd.Series:
        """The metadata row of one source, or a :class:`SourceError` listing the known ids."""
        match = self.documents[self.documents["source_id"] == source_id]
        if match.empty:
            raise SourceError(
                f"Unknown source id {source_id!r}. Known ids (data/sources.csv): {', '.join(self.source_ids)}.")
        return match.iloc[0]

    def paragraph(self, source_id: str, para: int) -> str:
        """The text of ¶``para`` of a source."""
        self.source(source_id)
        rows = self.paragraphs[(self.paragraphs["source_id"] == source_id) & (self.paragraphs["para"] == para)]
        if rows.empty:
            last = int(self.paragraphs[self.paragraphs["source_id"] == source_id]["para"].max())
            raise SourceError(f"Source {source_id!r} has paragraphs ¶1-¶{last}; there is no ¶{para}.")
        return str(rows.iloc[0]["text"])

    def text_of(self, source_id: str, authors_only: bool = True) -> str:
        """All numbered (or only the author's) paragraphs of a source, joined by blank lines."""
        self.source(source_id)
        rows = self.paragraphs[self.paragraphs["source_id"] == source_id]
        if authors_only:
            rows = rows[rows["is_authors_text"]]
        return "\n\n".join(rows["text"])

    def raw_text(self, source_id: str) -> str:
        """The seed file's full text, as it is on disk."""
        self.source(source_id)
        return self._raw[source_id]


def build_corpus(metadata_csv: Path | None = None, seeds_dir: Path | None = None,
                 rules_csv: Path | None = None) -> Corpus:
    """Validate metadata and seeds, then segment every seed. Uncached."""
    metadata = load_metadata(metadata_csv)
    files = verify_seeds(metadata, seeds_dir)
    texts = {sid: path.read_text(encoding="utf-8") for sid, path in files.items()}
    return Corpus(metadata, texts, load_rules(rules_csv))


@lru_cache(maxsize=8)
def _cached(metadata_csv: str, seeds_dir: str, rules_csv: str, stamp: tuple[float, ...]) -> Corpus:
    return build_corpus(Path(metadata_csv), Path(seeds_dir), Path(rules_csv))


def load_corpus(metadata_csv: Path | None = None, seeds_dir: Path | None = None,
                rules_csv: Path | None = None) -> Corpus:
    """The course corpus (cached per process; re-read when any input file changes)."""
    m = Path(metadata_csv or paths.METADATA_CSV)
    s = Path(seeds_dir or paths.SEEDS_DIR)
    r = Path(rules_csv or paths.SEGMENT_RULES_CSV)
    files = [m, r, *sorted(s.glob("*.txt"))] if s.exists() else [m, r]
    stamp = tuple(f.stat().st_mtime_ns for f in files if f.exists()) + (len(files),)
    return _cached(str(m), str(s), str(r), stamp)
