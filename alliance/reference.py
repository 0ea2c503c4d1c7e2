"""Checked facts from ``data/reference`` (byte-for-byte copies of the course's shared reference files), each with its address."""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alliance import paths


@dataclass(frozen=True)
class Link:
    """A cell that is a link with its own words (``Link(row.source_url, "checked page")``)."""

    url: str
    text: str

    def __str__(self) -> str:
        return self.text


def _read_dated(path: Path) -> pd.DataFrame:
    """A CSV of events as strings, with ``date`` and ``end_date`` parsed (empty end: NaT)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table["date"] = pd.to_datetime(table["date"])
    table["end_date"] = pd.to_datetime(table["end_date"].replace("", None))
    return table


def load_events() -> pd.DataFrame:
    """Dated events with ``source_url`` (``date`` and ``end_date`` parsed)."""
    return _read_dated(paths.REFERENCE_DIR / "context-events.csv")


def load_figures() -> pd.DataFrame:
    """Yearly figures, one series per ``series``; never mix two ``basis`` values."""
    table = pd.read_csv(paths.REFERENCE_DIR / "context-figures.csv", keep_default_na=False)
    table["year"] = table["year"].astype(int)
    return table


def ref_link(url: str, label: str | None = None) -> str:
    """An HTML link showing a checked fact's public address."""
    return f'<a class="alliance-ref" href="{html.escape(url)}">{html.escape(label or url)}</a>'


#: What an event of ``data/events.csv`` rests on, by its ``provenance``, in a reader's words.
BASED_ON: dict[str, str] = {"reference": "checked reference", "seed": "a source's claim"}


#: How precise a date of ``data/events.csv`` or ``data/sources.csv`` is (``date_precision``).
PRECISIONS: tuple[str, ...] = ("day", "month", "year")


def _timestamp(date: object) -> pd.Timestamp:
    """``date`` (a ``Timestamp``, a ``datetime.date`` or an ISO string such as ``2017-01``) as a ``Timestamp``."""
    stamp = pd.Timestamp(str(date)) if isinstance(date, str) else pd.Timestamp(date)
    if pd.isna(stamp):
        raise ValueError(f"display_date: {date!r} is not a date.")
    return stamp


def display_date(date: object, precision: str = "day", end: object = None) -> str:
    """A date as a reader reads it, no more exact than its source: ``day`` → "5 November 2017",
    ``month`` → "November 2017" (a month-only date is stored as its first day), ``year`` → "2017".
    With ``end`` (a day-precise span), "5–7 November 2017" or "30 April – 2 May 2018"."""
    if precision not in PRECISIONS:
        raise ValueError(f"display_date: precision is one of {PRECISIONS}, not {precision!r}.")
    start = _timestamp(date)
    if precision == "year":
        return f"{start.year}"
    if precision == "month":
        return f"{start:%B %Y}"
    if end is None or (not isinstance(end, str) and pd.isna(end)) or end == "":
        return f"{start.day} {start:%B %Y}"
    finish = _timestamp(end)
    if finish == start:
        return f"{start.day} {start:%B %Y}"
    if (finish.year, finish.month) == (start.year, start.month):
        return f"{start.day}–{finish.day} {finish:%B %Y}"
    if finish.year == start.year:
        return f"{start.day} {start:%B} – {finish.day} {finish:%B %Y}"
    return f"{start.day} {start:%B %Y} – {finish.day} {finish:%B %Y}"


def months_between(earlier: object, later: object) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s (January to June: 5)."""
    first, last = _timestamp(earlier), _timestamp(later)
    return (last.year - first.year) * 12 + last.month - first.month


def display_interval(date: object, precision: str, anchor: object, anchor_name: str) -> str:
    """How far ``date`` lies from ``anchor`` (a day-precise date called ``anchor_name``), no more exact
    than ``date``: "527 days before the summit", "44 days after the summit", "the day of the summit";
    a month-only date gives months ("about 17 months before the summit"), a year-only date years."""
    if precision not in PRECISIONS:
        raise ValueError(f"display_interval: precision is one of {PRECISIONS}, not {precision!r}.")
    start, fixed = _timestamp(date), _timestamp(anchor)
    if precision == "day":
        days = int((start - fixed).days)
        if days == 0:
            return f"the day of {anchor_name}"
        return f"{abs(days):,} day{'s' if abs(days) != 1 else ''} {'after' if days > 0 else 'before'} {anchor_name}"
    if precision == "month":
        months = months_between(fixed, start)
        if months == 0:
            return f"the month of {anchor_name}"
        return f"about {abs(months)} month{'s' if abs(months) != 1 else ''} {'after' if months > 0 else 'before'} {anchor_name}"
    years = int(start.year - fixed.year)
    if years == 0:
        return f"the year of {anchor_name}"
    return f"about {abs(years)} year{'s' if abs(years) != 1 else ''} {'after' if years > 0 else 'before'} {anchor_name}"


def timeline_rows(events: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Events of :func:`load_timeline` made for a table: in date order (rows of the same date keep
    their order), each ``date`` shown at its ``date_precision`` with its ``end_date``
    (:func:`display_date`: "5–7 November 2017", "November 2017"). ``columns`` picks the columns to
    keep (default: ``date``, ``event``, ``based_on``, ``cited_as``); ``end_date`` is folded into ``date``."""
    keep = columns or ["date", "event", "based_on", "cited_as"]
    missing = [c for c in keep if c not in events.columns]
    if missing:
        raise KeyError(f"timeline_rows: no column(s) {missing}; columns: {list(events.columns)}.")
    ordered = events.sort_values("date", kind="stable").reset_index(drop=True)
    precision = ordered["date_precision"] if "date_precision" in ordered else pd.Series("day", index=ordered.index)
    end = ordered["end_date"] if "end_date" in ordered else pd.Series(None, index=ordered.index)
    shown = ordered[keep].copy()
    if "date" in keep:
        shown["date"] = [display_date(d, p, e) for d, p, e in zip(ordered["date"], precision, end)]
    return shown


def load_timeline(event_ids: list[str] | None = None) -> pd.DataFrame:
    """Events from ``data/events.csv`` (each row cites a checked address or a seed paragraph).

    Pass ``event_ids`` to select rows, in that order; an unknown id raises ``KeyError``.
    ``provenance`` is ``reference`` (``source_url`` is the checked address) or ``seed``
    (``source_id`` and ``para`` point into a source: what a source says, not a checked fact).
    ``based_on`` says the same in a reader's words ("checked reference" or "a source's claim"),
    for the tables and charts a reader sees.
    """
    table = _read_dated(paths.DATA_DIR / "events.csv")
    table["para"] = pd.to_numeric(table["para"].replace("", None)).astype("Int64")
    table["based_on"] = table["provenance"].map(BASED_ON)
    names = dict(zip(*pd.read_csv(paths.METADATA_CSV, usecols=["source_id", "cite_as"]).T.values))
    table["cited_as"] = [
        url if prov == "reference" else f"{names.get(sid, sid)} ¶{para}"
        for prov, url, sid, para in zip(table["provenance"], table["source_url"], table["source_id"], table["para"])
    ]
    if event_ids is None:
        return table
    indexed = table.set_index("event_id", drop=False)
    unknown = [e for e in event_ids if e not in indexed.index]
    if unknown:
        raise KeyError(f"data/events.csv has no event(s) {unknown}.")
    return indexed.loc[event_ids].reset_index(drop=True)


def load_data(name: str) -> pd.DataFrame:
    """A documented table of the course, ``data/<name>.csv`` (see the data page for each)."""
    path = paths.DATA_DIR / f"{name}.csv"
    if not path.exists():
        known = sorted(p.stem for p in paths.DATA_DIR.glob("*.csv"))
        raise FileNotFoundError(f"{path}: no such table. Tables in data/: {known}.")
    return pd.read_csv(path, keep_default_na=False)




def __getattr__(name: str) -> object:
    """Frozen path: notebooks handed out before the tables moved import ``text_table`` from here
    (``from alliance.reference import load_data, text_table``); it lives in :mod:`alliance.tables`,
    which imports this module, so it is looked up on use, not at import."""
    if name == "text_table":
        import importlib

        return importlib.import_module("alliance.tables").text_table
    raise AttributeError(f"module 'alliance.reference' has no attribute {name!r}")
