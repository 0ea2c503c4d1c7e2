"""The "perspectives compared" tables: one row per source, one column per point of comparison.

Several chapters end a section with a table that sets the five sources side by side: counts or
rates, the paragraphs where something occurs, and a verified quotation in the source's own words.
These helpers build such a frame from per-source values; the chapter shows it with
:func:`alliance.tables.reading_table`.

>>> table = comparison_table({"Date": dates, "In its own words": own_words(key_lines)},   # doctest: +SKIP
...                          order=["jpress2017", "su2017", "yuan2018", "ling2018", "miller2018"])
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

import pandas as pd

from alliance.citations import series_words
from alliance.quotes import Quotation, q
from alliance.reference import display_date, display_interval

__all__ = ["checked_facts", "cited_words", "claims_against_checked_facts", "comparison_table", "dated_against",
           "dates_with_basis", "distance_table", "event_in_words", "explanation_in_words", "own_words",
           "paragraph_list", "verified_quotations"]


class Quoted(Protocol):
    """A verified quotation as :func:`alliance.q` returns it: its words and its paragraph."""

    text: str
    para: int


def paragraph_list(paragraphs: pd.DataFrame) -> pd.Series:
    """The paragraphs of each source in ``paragraphs`` (columns ``source_id``, ``para``), as "¶3, ¶9",
    indexed by source id (a source with no row is absent, not empty)."""
    return paragraphs.groupby("source_id")["para"].apply(lambda paras: ", ".join(f"¶{p}" for p in paras))


def own_words(quotations: Mapping[str, Quoted]) -> dict[str, str]:
    """Each source's verified quotation as a table cell: “words” (¶N)."""
    return {source_id: f"“{quoted.text}” (¶{quoted.para})" for source_id, quoted in quotations.items()}


def verified_quotations(**words: str) -> dict[str, Quotation]:
    """Each source's words (the keyword is the source id) as a verified inline quotation
    (:func:`alliance.q`): words not found in that source fail the build."""
    if not words:
        raise ValueError("verified_quotations: no quotation to verify.")
    return {source_id: q(source_id, text) for source_id, text in words.items()}


def cited_words(quotations: Mapping[str, Quotation]) -> dict[str, str]:
    """Each source's verified quotation as a table cell with its full citation:
    “words” (authors, outlet, date, ¶N)."""
    return {source_id: str(quoted) for source_id, quoted in quotations.items()}


def dates_with_basis(documents: pd.DataFrame) -> dict[str, str]:
    """Each source's date (rows of ``corpus.documents``) at its precision, with what it is the date of:
    "26 July 2018 (published)"."""
    return {d.source_id: f"{display_date(d.date, d.date_precision)} ({d.date_basis})" for d in documents.itertuples()}


def dated_against(documents: pd.DataFrame, when: pd.Timestamp) -> pd.DataFrame:
    """Each source's dates (``date``, ``date_precision``, ``date_basis``, ``date_start`` of
    ``corpus.documents``), indexed by ``source_id``, with ``days_after`` (the days from ``when`` to the
    source's ``date_start``, negative before it) and ``dated_after`` (whether that is after ``when``)."""
    dates = documents.set_index("source_id")[["date", "date_precision", "date_basis", "date_start"]].copy()
    dates["days_after"] = (pd.to_datetime(dates["date_start"]) - pd.Timestamp(when)).dt.days
    dates["dated_after"] = dates["days_after"] > 0
    return dates


def distance_table(dates: pd.DataFrame, when: pd.Timestamp, event: str) -> pd.DataFrame:
    """The sources of ``dates`` (from :func:`dated_against`) in date order: each date at its precision,
    its basis, its distance from ``when`` (the day of ``event``, e.g. "the summit") no more exact than
    the date, and whether it is dated after ``event``."""
    in_order = dates.sort_values("date_start", kind="stable")
    return pd.DataFrame({
        "date": [display_date(d, p) for d, p in zip(in_order["date_start"], in_order["date_precision"])],
        "date_basis": in_order["date_basis"],
        f"Distance from {event} (at the date's precision)": [
            display_interval(d, p, when, event) for d, p in zip(in_order["date_start"], in_order["date_precision"])],
        f"Dated after {event}": in_order["dated_after"],
    }, index=in_order.index)


def comparison_table(columns: Mapping[str, Mapping[str, object] | pd.Series], order: Sequence[str],
                     missing: object = "none", index_name: str = "source_id") -> pd.DataFrame:
    """One row per source of ``order`` (in that order), one column per heading of ``columns``.

    Each column maps source ids to values; a source a column does not name gets ``missing``
    ("none": no paragraph, no quotation). The index holds the source ids, named ``index_name``
    (``source_id``, which :func:`alliance.tables.reading_table` shows as the sources' names).
    """
    frame = pd.DataFrame({heading: pd.Series(values) if not isinstance(values, pd.Series) else values
                          for heading, values in columns.items()})
    unknown = sorted(set(frame.index) - set(order))
    if unknown:
        raise KeyError(f"comparison_table: values for sources not in the order given: {unknown}.")
    frame = frame.reindex(list(order))
    for heading in frame.columns[frame.isna().any()]:
        column = frame[heading].astype(object)
        frame[heading] = column.where(column.notna(), missing)
    return frame.rename_axis(index_name)


def event_in_words(event: pd.Series) -> str:
    """A checked event (a row of :func:`alliance.reference.load_timeline`) as a reader reads it: its
    dates and what happened ("10 November 2017: Trump speaks … in Da Nang")."""
    return f"{display_date(event.date, event.date_precision, event.end_date)}: {event.event}"


#: Advice a figure's ``basis`` gives the course's authors ("…: do not mix with the JETRO series"),
#: left out where a reader sees the basis.
_AUTHORS_ADVICE = re.compile(r": do not mix[^)]*")


def checked_facts(claim: pd.Series, events: pd.DataFrame, figures: pd.DataFrame) -> list[tuple[str, str]]:
    """The checked values a claim (a row of ``data/source-checks.csv``) is compared with, one per event
    or series, each in words with its address: the event ``reference_key`` of ``events`` (indexed by
    event id) with its dates and the record's note, or each series of ``figures`` whose name starts
    with ``reference_key``, in the ``reference_years``: its name in words, the year, the value in US$ bn
    and its basis."""
    if claim.reference_table == "events":
        event = events.loc[claim.reference_key]
        note = f"; the record's note: {event.note}" if isinstance(event.get("note"), str) and event.note else ""
        return [(event_in_words(event) + note, event.source_url)]
    if claim.reference_table != "figures":
        raise ValueError(f"checked_facts: no checked table {claim.reference_table!r} (events or figures).")
    years = [int(y) for y in str(claim.reference_years).split(";")]
    series = figures[figures["series"].str.startswith(claim.reference_key) & figures["year"].isin(years)]
    return [(f"{series_words(r.series)}, {r.year}: {'-' if r.value_usd_billion < 0 else ''}"
             f"US${abs(r.value_usd_billion):g} bn; basis: {_AUTHORS_ADVICE.sub('', r.basis)}", r.source_url)
            for r in series.itertuples()]


def explanation_in_words(text: str, events: pd.DataFrame) -> str:
    """A verdict's explanation (``data/source-checks.csv``) with each "(event <id>)" written out as the
    checked event it names, so a reader sees a date and an event, not a file's id."""
    def written_out(found: re.Match[str]) -> str:
        return f"(the checked event of {event_in_words(events.loc[found[1]])})"

    return re.sub(r"\(event (\w+)\)", written_out, text)


def claims_against_checked_facts(checks: pd.DataFrame, events: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """Each claim of ``checks`` (with its ``para``) beside each checked fact it is set against
    (:func:`checked_facts`): columns check_id, source_id, para, claim, checked_fact, address, verdict."""
    return pd.DataFrame([
        {"check_id": r.check_id, "source_id": r.source_id, "para": r.para, "claim": r.claim,
         "checked_fact": fact, "address": address, "verdict": r.verdict}
        for _, r in checks.iterrows() for fact, address in checked_facts(r, events, figures)])


def claimed_points(claims: pd.DataFrame, value: str) -> pd.DataFrame:
    """The figures sources cite (rows of ``data/ch3-figures-cited.csv``: ``year_stated``, ``value``,
    ``source_id``, ``para``) as points to draw beside checked figures: ``year``, the figure under the
    name ``value``, a ``label`` "Cited by <source id> ¶<para>" and the ``basis`` "as the source states it"."""
    if claims.empty:
        raise ValueError("claimed_points: no cited figure to draw.")
    return pd.DataFrame({
        "year": claims["year_stated"].astype(int),
        value: claims["value"],
        "label": [f"Cited by {s} ¶{p}" for s, p in zip(claims["source_id"], claims["para"])],
        "basis": "as the source states it",
    })
