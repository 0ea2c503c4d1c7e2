"""Checked facts from ``data/reference`` (byte-for-byte copies of the course's shared reference files), each with its address."""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from alliance import paths
# The data page's tables of text are made by the course's one table helper (re-exported here).
from alliance.tables import text_table  # noqa: F401


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
    table["cited_as"] = [
        url if prov == "reference" else f"{sid} ¶{para}"
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


