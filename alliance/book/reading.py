"""How a built chapter page reads: words, citation apparatus, repeats, sentence length, code share.

Measured on the HTML a student sees (``_build/html/chapters/*.html``), with the book's own markup
classes telling prose, quoted words, citation apparatus and code apart:

* **reading words**: the visible words of the article, less the code a reader sees in code cells;
* **apparatus**: the words of evidence marks ― paragraph citations (``alliance-para-cite``), the marks
  after inline quotations (everything in ``alliance-quote-inline`` but the quoted words), absence
  notes (``alliance-absence``), bibliography citations (``bibtex-citation``) and addresses printed
  as link text;
* **repeats**: paragraph citations of a (source, ¶) that the same paragraph already cited;
* **sentences**: the course's own prose (paragraphs and list items, not block quotations, code or
  tables), split at sentence ends;
* **code share**: words of code cells shown open, over visible words (folded code is not visible).

``python -m alliance.book.reading [HTML_DIR]`` prints a table; ``tools/bench.py`` reports the same figures.
"""
from __future__ import annotations

import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

from alliance.paths import HTML_DIR

#: Words per minute of an adult reading non-fiction on screen (the usual figure for reading time).
WORDS_PER_MINUTE = 238
#: Targets of the reading layer (issue 17): apparatus share, repeats, longest sentence, code share.
TARGETS = {"apparatus_share": 0.06, "repeats": 0, "longest_sentence": 60, "code_share": 0.10}

_WORD = re.compile(r"[A-Za-z0-9¶$][\w'’\-.,$]*[\w$]|[A-Za-z0-9¶$]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s*[”’\"]?\s+(?=[“‘\"(A-Z0-9])")
_ANCHOR = re.compile(r"#(?P<source>[a-z][a-z0-9_]*)-p(?P<para>\d+)$")
_PARA_CLASS = re.compile(r"^alliance-p-(?P<source>[a-z][a-z0-9_]*)-(?P<para>\d+)$")
_PARA_LABEL = re.compile(r"¶\s*(\d+)(?:\s*[–-]\s*¶?\s*(\d+))?")
#: Classes whose whole text is citation apparatus.
APPARATUS_CLASSES = ("alliance-para-cite", "alliance-absence", "bibtex-citation", "alliance-cite-mark")


def words(text: str) -> int:
    """Number of words in ``text`` (numbers and ¶ marks count as words)."""
    return len(_WORD.findall(text))


def sentences(text: str) -> list[str]:
    """``text`` split into sentences (a sentence ends at . ! or ? before a capital, digit or quote)."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


@dataclass(frozen=True)
class PageReading:
    """The reading measures of one page."""

    page: str
    reading_words: int
    apparatus_words: int
    apparatus_share: float
    repeats: int
    sentences: int
    sentences_with_para_mark: float
    longest_sentence: int
    mean_sentence: float
    code_words: int
    code_share: float
    reading_minutes: float

    def meets_targets(self) -> dict[str, bool]:
        """Whether each measure meets :data:`TARGETS`."""
        return {
            "apparatus_share": self.apparatus_share <= TARGETS["apparatus_share"],
            "repeats": self.repeats <= TARGETS["repeats"],
            "longest_sentence": self.longest_sentence <= TARGETS["longest_sentence"],
            "code_share": self.code_share <= TARGETS["code_share"],
        }


def _hidden(tag: Any) -> bool:
    """Whether ``tag`` sits inside something a reader does not see without a click."""
    for parent in [tag, *tag.parents]:
        name = getattr(parent, "name", None)
        if name == "details" and not parent.has_attr("open"):
            summary = parent.find("summary")
            if summary is None or tag is not summary and summary not in [tag, *tag.parents]:
                return True
        classes = parent.get("class", []) if hasattr(parent, "get") else []
        if any(c in classes for c in ("visually-hidden", "alliance-note-text", "toggle-details__container")):
            return True
        if name in ("script", "style", "template", "noscript"):
            return True
    return False


def _cited_pairs(link: Any) -> list[tuple[str, int]]:
    """The (source, ¶) pairs a citation link cites: its ``alliance-p-…`` classes, else its address
    and label (``¶5–7`` is three paragraphs)."""
    pairs = [(m["source"], int(m["para"])) for c in link.get("class", []) if (m := _PARA_CLASS.match(c))]
    if pairs:
        return pairs
    match = _ANCHOR.search(link.get("href", ""))
    if not match:
        return []
    source = match["source"]
    out: list[tuple[str, int]] = []
    for first, last in _PARA_LABEL.findall(link.get_text()):
        out.extend((source, p) for p in range(int(first), int(last or first) + 1))
    return out or [(source, int(match["para"]))]


def _repeats(block: Any) -> int:
    """Citation marks in ``block`` (a paragraph) that cite only (source, ¶) pairs cited before in it."""
    seen: set[tuple[str, int]] = set()
    repeats = 0
    for link in block.select("a.alliance-para-link"):
        pairs = _cited_pairs(link)
        in_quote = link.find_parent(class_="alliance-quote-inline") is not None and "¶" not in link.get_text()
        if pairs and not in_quote and all(p in seen for p in pairs):
            repeats += 1
        seen.update(pairs)
    return repeats


def _visible_text(tag: Any) -> str:
    """The text of ``tag`` a sighted reader sees (hidden notes and folded parts left out)."""
    return " ".join(str(s) for s in tag.find_all(string=True) if not _hidden(s.parent))


def _apparatus_text(article: Any) -> list[str]:
    """Texts of the citation apparatus a reader sees."""
    texts: list[str] = []
    for tag in article.select(", ".join(f".{c}" for c in APPARATUS_CLASSES)):
        if not _hidden(tag) and not any(p in tag.parents for p in article.select(".alliance-quote-inline")):
            texts.append(_visible_text(tag))
    for span in article.select(".alliance-quote-inline"):
        if _hidden(span):
            continue
        quoted = " ".join(_visible_text(q) for q in span.select(".alliance-quoted"))
        whole = _visible_text(span)
        if not span.select(".alliance-quoted"):
            match = re.match(r"\s*“(.*)”(.*)$", whole, re.S)
            quoted, rest = (match[1], match[2]) if match else (whole, "")
            texts.append(rest)
        else:
            texts.append(whole.replace(quoted, " ", 1) if quoted in whole else "")
    for link in article.select("a.reference.external"):
        if not _hidden(link) and re.match(r"https?://", link.get_text().strip()):
            if not link.find_parent(class_=list(APPARATUS_CLASSES)):
                texts.append(link.get_text())
    return texts


def measure_page(html: str, page: str = "") -> PageReading:
    """The reading measures of one built page's HTML."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article.bd-article") or soup.body or soup
    for tag in article.select("script, style, .headerlink, .toggle-details__summary, button"):
        tag.decompose()
    visible_words = 0
    code_words = 0
    for node in article.find_all(string=True):
        if _hidden(node.parent):
            continue
        n = words(str(node))
        visible_words += n
        if node.find_parent(class_="cell_input") is not None:
            code_words += n
    apparatus = sum(words(t) for t in _apparatus_text(article))
    reading = visible_words - code_words
    blocks = [b for b in article.select("p, li") if not _hidden(b)
              and b.find_parent(["blockquote", "table"]) is None and b.find_parent(class_="cell_output") is None
              and b.find_parent(class_="cell_input") is None and b.find("p") is None]
    said = [s for b in blocks for s in sentences(_visible_text(b))]
    lengths = [words(s) for s in said] or [0]
    return PageReading(
        page=page, reading_words=reading, apparatus_words=apparatus,
        apparatus_share=round(apparatus / reading, 4) if reading else 0.0,
        repeats=sum(_repeats(b) for b in blocks),
        sentences=len(said),
        sentences_with_para_mark=round(sum("¶" in s for s in said) / len(said), 4) if said else 0.0,
        longest_sentence=max(lengths), mean_sentence=round(sum(lengths) / len(lengths), 1),
        code_words=code_words, code_share=round(code_words / visible_words, 4) if visible_words else 0.0,
        reading_minutes=round(reading / WORDS_PER_MINUTE, 1),
    )


def measure_chapters(html_dir: Path) -> list[PageReading]:
    """The reading measures of every chapter page of a built book (``html_dir/chapters/*.html``)."""
    return [measure_page(p.read_text(encoding="utf-8"), p.stem) for p in sorted((html_dir / "chapters").glob("*.html"))]


def longest_sentences(html: str, limit: int = 60) -> list[str]:
    """The course's own sentences on a page that run past ``limit`` words (to find and rewrite them)."""
    from bs4 import BeautifulSoup

    article = BeautifulSoup(html, "html.parser").select_one("article.bd-article")
    blocks = [b for b in article.select("p, li") if b.find_parent(["blockquote", "table"]) is None
              and b.find_parent(class_="cell_output") is None and b.find("p") is None]
    return [s for b in blocks for s in sentences(_visible_text(b)) if words(s) > limit]


def table(rows: Iterable[PageReading]) -> str:
    """The measures as a Markdown table, targets in the header."""
    head = ("| chapter | reading words | apparatus (≤ 6 %) | repeats (0) | sentences with ¶ | "
            "longest sentence (≤ 60) | mean sentence | code (≤ 10 %) | reading time |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        lines.append(f"| {r.page} | {r.reading_words:,} | {r.apparatus_share:.1%} | {r.repeats} | "
                     f"{r.sentences_with_para_mark:.0%} | {r.longest_sentence} | {r.mean_sentence} | "
                     f"{r.code_share:.1%} | {r.reading_minutes:.0f} min |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the reading table of a built book's chapters (default ``_build/html``)."""
    import json

    args = argv if argv is not None else sys.argv[1:]
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    html_dir = Path(args[0]) if args else HTML_DIR
    rows = measure_chapters(html_dir)
    print(json.dumps([asdict(r) for r in rows], indent=1) if as_json else table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
