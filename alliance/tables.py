"""Tables made for reading: the one helper every table of a chapter or an exercise page goes through.

``reading_table(frame, labels=..., links=...)`` shows a ``DataFrame`` (or a ``Series``) as an HTML
table that a student can read:

* no index column: a meaningful (named) index becomes ordinary columns, pandas' row numbers are dropped;
* every cell in full (pandas cuts text at 50 characters with "..."; nothing is cut here); a
  ``source_id`` cell shows the source's name (``cite_as``: "Yuan");
* column labels in words: each code name (``per_1000``, ``cited_as``, ``source_id``, a source id) is
  looked up in ``labels`` and then in :data:`COLUMN_LABELS`; a code name with no label in words
  raises :class:`TableLabelError` instead of reaching the page;
* every cell's text HTML-escaped (a ``<date>`` placeholder shows as written); the address columns
  (``source_url``, ``address`` or those named in ``links``) are links to follow;
* the course's inline roles (``{para}``, ``{q}``, ``{absent}``, ``{term}``) in a cell are written in
  plain words (“Su ¶4”), never shown as raw MyST;
* the class ``alliance-table`` (``_static/alliance.css``) wraps long words and addresses to the text
  column's width; ``stack=True`` (the vantage table) shows one block of labelled lines per row.

:func:`table_problems` finds what the helper prevents in a built page (the build test runs it on
every chapter and exercise page of both editions).
"""
from __future__ import annotations

import datetime as dt
import functools
import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pandas as pd

from alliance import paths
from alliance.reference import Link  # noqa: F401  (a cell that is a link; chapters import it from here)

#: A code name: lowercase words joined by underscores (``date_basis``, ``per_1000``).
CODE_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
#: A bare lowercase identifier (``term``, ``su2017``): a code name too when it heads a column.
BARE_IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*$")
#: The course's inline roles, as written in MyST (``{para}`su2017:4` ``).
MYST_ROLE = re.compile(r"\{(?P<role>[a-z][a-z:-]*)\}`(?P<spec>[^`]*)`")
#: Columns whose cells are addresses, shown as links.
ADDRESS_COLUMNS: tuple[str, ...] = ("source_url", "address", "url", "cited_as")
#: CSS classes of every reading table, and of one stacked at phone width.
TABLE_CLASS = "alliance-table"
STACK_CLASS = "alliance-stack"
#: The keyword-in-context columns (``alliance.text.kwic``): words around a match, cut between words
#: with a marked "…", so a cell of theirs may end with " …" (class :data:`CONTEXT_CLASS`).
CONTEXT_COLUMNS: tuple[str, ...] = ("left", "right")
CONTEXT_CLASS = "alliance-context"
#: How a context cell marks the words left out (``alliance.text.ELLIPSIS`` after a space).
CONTEXT_CUT = " …"
#: Code names of the course's tables (corpus, lexicons, ``data/`` and reference files) in words.
COLUMN_LABELS: dict[str, str] = {
    "source_id": "Source", "para": "¶", "paras": "¶", "left": "Before", "match": "Match", "right": "After",
    "term": "Term", "group": "Group", "count": "Count", "words": "Words", "per_1000": "Per 1,000 words",
    "date": "Date", "end_date": "End date", "date_start": "First day of the date", "date_basis": "Date basis",
    "date_as_given": "Date as given", "date_precision": "Date precision", "event": "Event",
    "event_id": "Event id", "cited_as": "Cited as", "cite_as": "Source", "provenance": "Provenance", "based_on": "Based on",
    "source_url": "Address", "address": "Address", "url": "Address", "note": "Note", "notes": "Notes",
    "authors": "Author(s)", "title": "Title", "perspective": "Vantage point", "affiliation": "Affiliation",
    "outlet": "Outlet", "genre": "Genre", "audience": "Likely audience", "outlet_type": "Kind of outlet",
    "outlet_country": "Outlet's country", "check_id": "Check", "claim": "Claim",
    "checked_fact": "Checked fact", "verdict": "Verdict", "explanation": "Explanation",
    "reference_key": "Reference row", "value_as_written": "Value as written", "unit": "Unit",
    "what": "What", "verified": "Verified", "year": "Year", "series": "Series", "basis": "Basis",
    "value_usd_billion": "Value (US$ bn)", "deficit": "Deficit", "rule": "Rule", "segments": "Segments",
    "sentences": "Sentences", "actor": "Actor", "mentions": "Mentions", "paragraphs": "Paragraphs",
    "sources": "Sources", "frame": "Frame", "kind": "Kind", "text": "Text", "lexicon": "Lexicon",
    "pattern": "Pattern", "rate": "Rate",
}


class TableLabelError(ValueError):
    """A column would reach the page headed by a code name, or two columns by the same words:
    give each column a label in words of its own."""


@functools.cache
def _source_names() -> dict[str, str]:
    """Each source id and how the course names the source (``cite_as`` in ``data/sources.csv``)."""
    table = pd.read_csv(paths.METADATA_CSV, dtype=str, keep_default_na=False)
    return dict(zip(table["source_id"], table["cite_as"]))


def column_label(name: object, labels: Mapping[str, str] | None = None) -> str:
    """The heading in words for column ``name``: ``labels``, then :data:`COLUMN_LABELS`, then a
    source id's name; a heading already in words is kept (first letter capitalised).
    Raises :class:`TableLabelError` for a code name with no label."""
    text = str(name)
    if labels and text in labels:
        return labels[text]
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if text in _source_names():
        return _source_names()[text]
    if CODE_NAME.match(text) or BARE_IDENTIFIER.match(text):
        raise TableLabelError(
            f"reading_table: column {text!r} is a code name. Give it a heading in words, "
            f"reading_table(frame, labels={{{text!r}: '…'}}), or add it to alliance.tables.COLUMN_LABELS.")
    return text[:1].upper() + text[1:]


def plain_words(text: str) -> str:
    """``text`` with the course's inline roles written as they read on the page, in plain words:
    ``{para}`su2017:4` `` → "Su ¶4", ``{q}`su2017: words` `` → “words” (Su, ¶N), ``{absent}`` →
    “words”: 0 times in Su's N paragraphs, ``{term}`Article V` `` → "Article V"."""
    if "`" not in text:
        return text

    def spoken(found: re.Match[str]) -> str:
        from alliance.citations import ROLE_PARSERS, ROLE_SEGMENTS

        role, spec = found["role"], found["spec"]
        if role in ROLE_PARSERS:
            return "".join(words for words, _ in ROLE_SEGMENTS[role](ROLE_PARSERS[role](spec), ""))
        # {term}`Article V`, {term}`words <Article V>`, {cite:t}`key`: the words shown.
        return re.sub(r"\s*<[^>]*>$", "", spec)

    return MYST_ROLE.sub(spoken, text)


def _flat_frame(data: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """``data`` without an index to show: a named index becomes columns, row numbers are dropped."""
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    if isinstance(frame.columns, pd.MultiIndex):
        frame = frame.set_axis([" ".join(str(p) for p in c if str(p)) for c in frame.columns], axis=1)
    if any(name is not None for name in frame.index.names) or not pd.api.types.is_integer_dtype(frame.index):
        # A named index, or labels that are not row numbers (an unnamed one is headed "index",
        # a code name, so it must be named: ``.rename_axis("Source")``).
        frame = frame.reset_index()
    else:
        frame = frame.reset_index(drop=True)
    frame.columns.name = None
    return frame


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _missing(value: object) -> bool:
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _has_floats(column: pd.Series) -> bool:
    """Whether ``column`` holds fractional numbers (floats, even whole ones such as 4.0), not counts."""
    return any(_is_number(v) and not _missing(v) and not isinstance(v, numbers.Integral) for v in column)


def _decimals(column: pd.Series) -> int:
    """0 for a column of whole numbers (counts that pandas holds as floats), else 2."""
    values = [v for v in column if _is_number(v) and not _missing(v)]
    floats = [float(v) for v in values if isinstance(v, (float,)) or type(v).__name__.startswith("float")]
    return 2 if any(not math.isclose(v, round(v)) for v in floats) else 0


def cell_text(value: object, decimals: int = 2) -> str:
    """One cell as the words it shows (not escaped): numbers rounded to ``decimals`` for reading,
    dates without a midnight time, lists joined with commas, missing values as a dash."""
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(cell_text(v, decimals) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value))
    if _is_number(value):
        if isinstance(value, numbers.Integral):
            return str(int(value))
        return f"{float(value):.{decimals}f}"
    return plain_words(str(value))


def _link(address: str, text: str) -> str:
    """A followable link; ``text`` is the site's name, the full address is its title."""
    escaped = html.escape(address)
    title = f' title="{escaped}"' if text != address else ""
    return f'<a class="alliance-ref" href="{escaped}"{title}>{html.escape(text)}</a>'


def site_name(address: str) -> str:
    """A short name for an address: the site's name where the course knows it ("Japan Times",
    ``alliance.background.SITE_NAMES``), else its host without ``www.`` (``mofa.go.jp``)."""
    from alliance.background import known_site_name

    return known_site_name(address) or (urlsplit(address).hostname or address).lower().removeprefix("www.")


@dataclass(frozen=True)
class ReadingTable:
    """A table ready to show: its HTML (``_repr_html_`` for Jupyter) and its frame, as shown."""

    html: str
    frame: pd.DataFrame

    def _repr_html_(self) -> str:
        return self.html

    def to_html(self) -> str:
        """The table's HTML."""
        return self.html

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def reading_table(data: pd.DataFrame | pd.Series, labels: Mapping[str, str] | None = None,
                  links: Sequence[str] = (), stack: bool = False, link_text: str = "site",
                  caption: str | None = None, decimals: int | None = None) -> ReadingTable:
    """``data`` as a table made for reading (see the module's docstring).

    ``labels`` maps column names to headings in words (beyond :data:`COLUMN_LABELS`); ``links``
    names the columns (besides :data:`ADDRESS_COLUMNS`) whose cells are addresses; ``link_text``
    is ``"site"`` (the link shows the site's name) or ``"address"`` (the whole address);
    ``stack=True`` shows each row as a block of labelled lines (the same lines for every row);
    ``decimals`` gives every column of fractional numbers (floats) the same number of places, so that
    a column whose rates happen to be whole ("4.00") reads like the others (default: 2 places, or none
    for a column of whole numbers)."""
    frame = _flat_frame(data)
    unknown = [c for c in links if c not in frame.columns]
    if unknown:
        raise KeyError(f"reading_table: no column(s) {unknown} to show as links; columns: {list(frame.columns)}.")
    if link_text not in ("site", "address"):
        raise ValueError(f"reading_table: link_text is 'site' or 'address', not {link_text!r}.")
    headings = [column_label(c, labels) for c in frame.columns]
    repeated = sorted({h for h in headings if headings.count(h) > 1})
    if repeated:
        named = {h: [str(c) for c, g in zip(frame.columns, headings) if g == h] for h in repeated}
        raise TableLabelError(
            f"reading_table: two or more columns would be headed the same: {named}. "
            "Give each a heading of its own with labels={...}, or show only one of them.")
    linked = {str(c) for c in links} | {str(c) for c in frame.columns if str(c) in ADDRESS_COLUMNS}
    numeric = [bool(len(frame)) and all(_is_number(v) or _missing(v) for v in frame[c]) for c in frame.columns]
    places_of = [_decimals(frame[c]) if decimals is None or not _has_floats(frame[c]) else decimals
                 for c in frame.columns]
    classes = TABLE_CLASS + (f" {STACK_CLASS}" if stack else "")
    out = [f'<table class="{classes}">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    number_class = ' class="alliance-num"'
    out.append("<thead><tr>" + "".join(
        f'<th scope="col"{number_class if num else ""}>{html.escape(h)}</th>'
        for h, num in zip(headings, numeric)) + "</tr></thead>")
    out.append("<tbody>")
    shown: list[list[str]] = []
    for row in frame.itertuples(index=False, name=None):
        cells, texts = [], []
        for value, name, heading, num, places in zip(row, frame.columns, headings, numeric, places_of):
            text = cell_text(value, places)
            texts.append(text)
            if str(name) == "source_id" and isinstance(value, str) and value in _source_names():
                value = _source_names()[value]          # a source by its name ("Yuan"), as the prose names it
                text = texts[-1] = value
            if isinstance(value, Link):
                content = _link(value.url, value.text)
            elif str(name) in linked and isinstance(value, str) and re.match(r"https?://\S+$", value.strip()):
                content = _link(value.strip(), site_name(value.strip()) if link_text == "site" else value.strip())
            else:
                content = html.escape(text)
            context = f' class="{CONTEXT_CLASS}"' if str(name) in CONTEXT_COLUMNS and not num else ""
            cells.append(f'<td data-label="{html.escape(heading)}"{number_class if num else context}>{content}</td>')
        shown.append(texts)
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return ReadingTable("".join(out), pd.DataFrame(shown, columns=headings))


def text_table(frame: pd.DataFrame, links: Sequence[str] = ()) -> ReadingTable:
    """A table of a data file, headed by its own column names (the data page documents them):
    :func:`reading_table` with each column labelled as it is named and the whole address shown."""
    return reading_table(frame, labels={str(c): str(c) for c in frame.columns}, links=links, link_text="address")


# Checking built pages.

#: Raw MyST in a table: a role (``{para}`…` ``) or a backtick-quoted span.
_RAW_MYST = re.compile(r"\{(para|q|absent|term|cite(:[a-z]+)?|glue:?[a-z]*|ref|doc)\}|`[^`]+`")


@dataclass
class _Table:
    # A keyword-in-context cell's tag is "td.context".
    head: list[list[tuple[str, str]]]     # rows of (tag, text) in <thead>
    body: list[list[tuple[str, str]]]     # rows of (tag, text) in <tbody> (or without a <thead>)


class _Tables(HTMLParser):
    """Every ``<table>`` of a page: its header and body rows, each cell's tag and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self._stack: list[_Table] = []
        self._section = "body"
        self._row: list[tuple[str, str]] | None = None
        self._cell: tuple[str, list[str]] | None = None
        self._context = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._stack.append(_Table([], []))
            self._section = "body"
        elif not self._stack:
            return
        elif tag == "thead":
            self._section = "head"
        elif tag in ("tbody", "tfoot"):
            self._section = "body"
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = (tag, [])
            self._context = CONTEXT_CLASS in (dict(attrs).get("class") or "").split()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif not self._stack:
            return
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            tag_name = f"{self._cell[0]}.context" if self._context else self._cell[0]
            self._row.append((tag_name, " ".join("".join(self._cell[1]).split())))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self._stack[-1]
            (table.head if self._section == "head" else table.body).append(self._row)
            self._row = None
        elif tag == "thead":
            self._section = "body"
        elif tag == "table":
            self.tables.append(self._stack.pop())

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._skip:
            self._cell[1].append(data)


def tables_of(page_html: str) -> list[_Table]:
    """The tables of a page of HTML, in order."""
    parser = _Tables()
    parser.feed(page_html)
    return parser.tables


def _code_heading(text: str) -> bool:
    return bool(CODE_NAME.match(text) or BARE_IDENTIFIER.match(text))


def table_problems(page_html: str) -> list[str]:
    """What keeps the tables of a built page from being read: a cell cut short ("..."/"…" at its
    end, except the marked cut " …" of a keyword-in-context cell), an index column (row headers in the body, a blank top-left heading), a heading that is a
    code name, or raw MyST in a cell. One line per problem, naming the table (1-based) and the cell."""
    problems: list[str] = []
    for number, table in enumerate(tables_of(page_html), start=1):
        where = f"table {number}"
        for row in table.head:
            for tag, text in row:
                if not text:
                    problems.append(f"{where}: a blank heading (an index column's corner)")
                elif _code_heading(text):
                    problems.append(f"{where}: heading {text!r} is a code name")
        row_headings = [row[0][1] for row in table.body if row and row[0][0] == "th"]
        if row_headings:
            problems.append(f"{where}: {len(row_headings)} row heading(s) in the body, an index column "
                            f"({', '.join(map(repr, row_headings[:3]))}…)")
        for row in table.body:
            for tag, text in row:
                marked_cut = tag.endswith(".context") and text.endswith(CONTEXT_CUT)
                if text.endswith(("...", "…")) and not marked_cut:
                    problems.append(f"{where}: cell cut short: {text[-60:]!r}")
                if _RAW_MYST.search(text):
                    problems.append(f"{where}: raw MyST in a cell: {text[:80]!r}")
    return problems


def pages_problems(pages: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """:func:`table_problems` of each ``(name, html)`` page that has any."""
    found = {name: table_problems(text) for name, text in pages}
    return {name: problems for name, problems in found.items() if problems}
