"""Citation popovers: the cited paragraph's text, one hover, keyboard focus or tap away.

The book's evidence links (``{para}``, ``{q}``, ``{absent}`` and the links of ``quote()``) are
``<a class="alliance-para-link">`` into the source reader. Each link to paragraphs also carries one
class per cited paragraph, ``alliance-p-<source_id>-<N>`` (:func:`paragraph_classes`); an absence
link carries ``alliance-absence-link`` instead. The popover's script (vanilla JS, the course's own,
``alliance/book/popover.js``, published as ``_static/alliance-popover.js``) reads those classes and shows
the paragraphs' text from ``window.allianceParagraphs``, which ``_static/alliance-paragraphs.js``
(:func:`paragraphs_script`, written at build from the corpus) defines. Both are loaded, deferred,
only by pages that hold citation links.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # the corpus (pandas) is imported only when the data is written
    from alliance.corpus import Corpus

#: The popover's script and the paragraph data, as the build writes them into the book's ``_static/``.
#: (The script lives in the package, not in the project's ``_static/``: Jupyter Book would load every
#: ``.js`` file there on every page.)
POPOVER_JS = "alliance-popover.js"
POPOVER_SOURCE = Path(__file__).with_name("popover.js")
PARAGRAPHS_JS = "alliance-paragraphs.js"
#: Every evidence link has this class; absence links have ``ABSENCE_LINK_CLASS`` too.
LINK_CLASS = "alliance-para-link"
ABSENCE_LINK_CLASS = "alliance-absence-link"
#: First line of the data file (what it is and where it comes from).
PARAGRAPHS_HEADER = "/* alliance: the sources' paragraphs for the citation popovers (from the corpus) */"

#: A link as ``alliance.quotes.Quotation`` writes it in a cell's output: only the link class, and
#: an address ending in the paragraph's anchor (``…/su2017.html#su2017-p4``).
_QUOTE_LINK = re.compile(r'<a class="alliance-para-link" href="(?P<href>[^"#]*#(?P<source>[a-z][a-z0-9_]*)-p(?P<para>\d+))"')
_LINK_CLASS_ATTR = re.compile(r'class="[^"]*\balliance-para-link\b')


def paragraph_key(source_id: str, para: int) -> str:
    """The key of ¶``para`` of ``source_id`` in the paragraph data: ``su2017-4``."""
    return f"{source_id}-{int(para)}"


def paragraph_classes(source_id: str, paras: Iterable[int]) -> list[str]:
    """One class per cited paragraph, in order and without repeats: ``alliance-p-su2017-4``, …"""
    return list(dict.fromkeys(f"alliance-p-{paragraph_key(source_id, p)}" for p in paras))


def paragraph_data(corpus: "Corpus") -> dict[str, dict[str, str]]:
    """Every numbered paragraph of the corpus: key (:func:`paragraph_key`) -> the source's short
    citation name (``cite_as``) and the paragraph's text on one line."""
    from alliance.corpus import normalize_space

    names = {sid: str(corpus.source(sid)["cite_as"]) for sid in corpus.source_ids}
    rows = corpus.paragraphs.sort_values(["source_id", "para"])
    return {paragraph_key(row.source_id, row.para): {"cite": names[row.source_id], "text": normalize_space(row.text)}
            for row in rows.itertuples(index=False)}


def paragraphs_script(data: dict[str, dict[str, str]]) -> str:
    """The data file's JavaScript: ``window.allianceParagraphs = {...};`` (compact JSON)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"{PARAGRAPHS_HEADER}\nwindow.allianceParagraphs={payload};\n"


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds exactly that; returns whether it wrote."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def write_popover_files(static_dir: Path, corpus: "Corpus") -> list[str]:
    """Write the popover's script and ``alliance-paragraphs.js`` (from ``corpus``) into ``static_dir``
    where they changed; returns the names written (none on a build that changes nothing)."""
    files = {POPOVER_JS: POPOVER_SOURCE.read_text(encoding="utf-8"),
             PARAGRAPHS_JS: paragraphs_script(paragraph_data(corpus))}
    return [name for name, text in files.items() if write_if_changed(static_dir / name, text)]


def has_citation_links(body: object) -> bool:
    """Whether a page's HTML body holds an evidence link (and so needs the popover's scripts)."""
    return isinstance(body, str) and bool(_LINK_CLASS_ATTR.search(body))


def classify_quote_links(body: str) -> str:
    """Give the links that ``quote()``/``q()`` wrote in cell outputs their paragraph class (their
    HTML is stored in the executed notebooks, so the class is added when the page is written)."""
    def classify(match: re.Match) -> str:
        classes = " ".join([LINK_CLASS, *paragraph_classes(match["source"], [int(match["para"])])])
        return f'<a class="{classes}" href="{match["href"]}"'

    return _QUOTE_LINK.sub(classify, body)
