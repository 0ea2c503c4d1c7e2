"""The "perspectives compared" tables: one row per source, one column per point of comparison.

Several chapters end a section with a table that sets the five sources side by side: counts or
rates, the paragraphs where something occurs, and a verified quotation in the source's own words.
These helpers build such a frame from per-source values; the chapter shows it with
:func:`alliance.tables.reading_table`.

>>> table = comparison_table({"Date": dates, "In its own words": own_words(key_lines)},   # doctest: +SKIP
...                          order=["jpress2017", "su2017", "yuan2018", "ling2018", "miller2018"])
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import pandas as pd

__all__ = ["comparison_table", "own_words", "paragraph_list"]


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
