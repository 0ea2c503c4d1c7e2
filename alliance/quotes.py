"""Verified quotations: the only way the course quotes a source.

``quote(source_id, text)`` renders a block quotation with its attribution and a link to the
paragraph in the source reader; ``q(source_id, text)`` renders a short inline one. Both raise
:class:`QuotationError` unless the text is verbatim in the cited source (only whitespace may
differ). An ellipsis (``…`` or ``...``) may join verbatim pieces; each piece is checked, in order,
within one paragraph.
"""
from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from alliance import paths
from alliance.corpus import Corpus, load_corpus, normalize_space
from alliance.errors import QuotationError

_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")


def _pieces(text: str) -> list[str]:
    return [p for p in (normalize_space(x) for x in _ELLIPSIS.split(text)) if p]


def _contains_in_order(haystack: str, pieces: list[str]) -> bool:
    start = 0
    for piece in pieces:
        found = haystack.find(piece, start)
        if found < 0:
            return False
        start = found + len(piece)
    return True


def _closest(corpus: Corpus, source_id: str, needle: str) -> tuple[int, str, float]:
    """The paragraph window of a source most similar to ``needle`` (para, passage, ratio)."""
    best = (0, "", 0.0)
    paras = corpus.paragraphs[corpus.paragraphs["source_id"] == source_id]
    for row in paras.itertuples():
        hay = row.text_normalized
        matcher = difflib.SequenceMatcher(None, hay, needle, autojunk=False)
        m = matcher.find_longest_match(0, len(hay), 0, len(needle))
        start = max(0, m.a - m.b)
        window = hay[start:start + len(needle)]
        ratio = difflib.SequenceMatcher(None, window, needle, autojunk=False).ratio()
        if ratio > best[2]:
            best = (int(row.para), window, ratio)
    return best


def locate(source_id: str, text: str, para: int | None = None, corpus: Corpus | None = None) -> int:
    """Return the paragraph number where ``text`` is verbatim in the source, or raise.

    The error names the source and its file, shows the closest passage, and says if the text
    is verbatim in another source (a quotation attributed to the wrong source).
    """
    corpus = corpus or load_corpus()
    meta = corpus.source(source_id)
    pieces = _pieces(text)
    if not pieces:
        raise QuotationError(f"Empty quotation attributed to {source_id!r}.")
    paras = corpus.paragraphs[corpus.paragraphs["source_id"] == source_id]
    if para is not None:
        paras = paras[paras["para"] == para]
        if paras.empty:
            corpus.paragraph(source_id, para)  # raises with the valid range
    for row in paras.itertuples():
        if _contains_in_order(row.text_normalized, pieces):
            return int(row.para)
    where = f"{source_id!r} ({meta['file_name']})" + (f" ¶{para}" if para is not None else "")
    message = [f"Quotation is not verbatim in {where}: “{normalize_space(text)}”."]
    others = corpus.paragraphs[corpus.paragraphs["source_id"] != source_id]
    for row in others.itertuples():
        if _contains_in_order(row.text_normalized, pieces):
            message.append(f"It is verbatim in {row.source_id!r} ¶{row.para}: cite that source instead.")
            break
    furniture = corpus.segments[corpus.segments["source_id"].eq(source_id) & corpus.segments["is_furniture"]]
    if any(_contains_in_order(t, pieces) for t in furniture["text_normalized"]):
        message.append("It is in the page furniture (navigation, contact lines), which is not the author's text.")
    best_para, passage, ratio = _closest(corpus, source_id, pieces[0] if len(pieces) > 1 else normalize_space(text))
    if passage:
        message.append(f"Closest passage (¶{best_para}, {ratio:.0%} similar): “{passage}”.")
    message.append("Copy the words exactly from seeds/ (only whitespace may differ).")
    raise QuotationError(" ".join(message))


def _short_authors(authors: str) -> str:
    names = [a.strip() for a in authors.split(";") if a.strip()]
    return " and ".join(names) if names else "Unsigned"


@dataclass(frozen=True)
class Quotation:
    """A verified quotation. Displays as HTML in notebooks and in the book."""

    source_id: str
    text: str
    para: int
    authors: str
    cite_as: str
    outlet: str
    date: str
    date_basis: str
    inline: bool = False

    @property
    def anchor(self) -> str:
        """Id of the paragraph in the source reader page."""
        return f"{self.source_id}-p{self.para}"

    @property
    def url(self) -> str:
        """Link to the cited paragraph in the source reader (see :func:`alliance.paths.reader_url`)."""
        return paths.reader_url(self.source_id, self.anchor)

    @property
    def citation(self) -> str:
        """Plain-text attribution: authors, outlet, date, paragraph."""
        when = self.date if self.date_basis == "published" else f"{self.date} ({self.date_basis})"
        return f"{_short_authors(self.authors)}, {self.outlet}, {when}, ¶{self.para}"

    def __str__(self) -> str:
        return f"“{normalize_space(self.text)}” ({self.citation})"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        words = html.escape(normalize_space(self.text))
        url = self.url
        link = f'<a class="alliance-para-link" href="{html.escape(url)}">¶{self.para}</a>' if url else f"¶{self.para}"
        if self.inline:
            label = html.escape(self.cite_as)
            return (f'<span class="alliance-quote-inline" data-source="{self.source_id}">“{words}” '
                    f'({label}, {link})</span>')
        when = self.date if self.date_basis == "published" else f"{self.date}, {self.date_basis}"
        cite = f' cite="{html.escape(url)}"' if url else ""
        caption = (f"— {html.escape(_short_authors(self.authors))}, <cite>{html.escape(self.outlet)}</cite>, "
                   f"{html.escape(when)}, {link}")
        return (f'<figure class="alliance-quote" data-source="{self.source_id}" data-para="{self.para}">'
                f"<blockquote{cite}><p>{words}</p></blockquote>"
                f"<figcaption>{caption}</figcaption></figure>")


def _make(source_id: str, text: str, para: int | None, inline: bool, corpus: Corpus | None) -> Quotation:
    corpus = corpus or load_corpus()
    found = locate(source_id, text, para, corpus)
    meta = corpus.source(source_id)
    return Quotation(source_id, text, found, meta["authors"], meta["cite_as"], meta["outlet"], meta["date"],
                     meta["date_basis"], inline)


def quote(source_id: str, text: str, para: int | None = None, corpus: Corpus | None = None) -> Quotation:
    """A verified block quotation of ``source_id`` (optionally pinned to ¶``para``)."""
    return _make(source_id, text, para, False, corpus)


def q(source_id: str, text: str, para: int | None = None, corpus: Corpus | None = None) -> Quotation:
    """A verified short inline quotation: “text” (Author, ¶N)."""
    return _make(source_id, text, para, True, corpus)
