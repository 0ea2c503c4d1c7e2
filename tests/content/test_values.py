"""Answers carried out of a submission as JSON are checked exactly like the values themselves."""
from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from alliance.exercises import WrongShape, canonical
from alliance.values import MAX_ITEMS, ChartSpec, Unreadable, decode, describe, encode


def _through_json(value):
    return decode(json.loads(json.dumps(encode(value))))


def _chart():
    data = pd.DataFrame({"year": [2017, 2018], "value": [1.5, 2.25]})
    return alt.Chart(data, title="A title").mark_bar().encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("value:Q", title="Value"))


VALUES = {
    "int keys and tuples": {2017: (68.85, "basis"), 2018: (67.0, "other")},
    "numpy scalars": [np.int64(3), np.float64(2.5), np.bool_(True)],
    "nan and text": [float("nan"), "  Quoted, Text. "],
    "set": {"b", "a"},
    "series": pd.Series({"x": 1, "y": 2}),
    "frame with index": pd.DataFrame({"count": [1, 2]}, index=pd.Index(["a", "b"], name="term")),
    "frame multiindex": pd.DataFrame({"n": [1, 2]},
                                     index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "y"])),
    "date": pd.Timestamp("2018-03-08"),
    "nested": {"a": [1, {"b": (2, 3)}]},
    "array": np.array([1.0, 2.0]),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_round_trip_keeps_the_canonical_form(name):
    value = VALUES[name]
    assert canonical(_through_json(value), ordered=False) == canonical(value, ordered=False)


def test_frame_compared_on_index_columns_after_round_trip():
    frame = VALUES["frame with index"]
    assert canonical(_through_json(frame), columns=["term", "count"]) == canonical(frame, columns=["term", "count"])


def test_chart_becomes_a_spec_with_the_same_signature():
    chart = _chart()
    rebuilt = _through_json(chart)
    assert isinstance(rebuilt, ChartSpec)
    assert canonical(rebuilt) == canonical(chart)
    assert describe(rebuilt).startswith("a chart (bar): A title")


def test_integer_keys_stay_integers():
    assert list(_through_json({2017: 1})) == [2017]


class Liar:
    """Claims to equal everything: the kind of object a submission could return."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


def test_objects_that_are_not_data_are_unreadable():
    rebuilt = _through_json(Liar())
    assert isinstance(rebuilt, Unreadable) and "Liar" in rebuilt.reason
    with pytest.raises(WrongShape):
        canonical(rebuilt)


def test_too_large_is_unreadable():
    assert isinstance(_through_json(list(range(MAX_ITEMS + 1))), Unreadable)


def test_malformed_data_is_unreadable_not_an_error():
    for bad in ({"t": "num", "v": "x"}, {"t": "map", "items": [[{"t": "list", "items": [{"t": "map", "items": []}]},
                                                              {"t": "none"}]]}, {"t": "what"}, [], {"t": "frame"}):
        assert isinstance(decode(bad), Unreadable), bad


def test_placeholder_stays_not_answered():
    assert _through_json(...) is Ellipsis
    assert describe(Ellipsis) == "not answered (...)"
