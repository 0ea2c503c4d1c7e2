"""Answer values carried out of a submission's kernel as plain JSON, then rebuilt for checking.

Grading never compares answers inside the process that ran the submission: a submission can
replace any function there (``check``, the scoring code, ``==``). Instead the runner
(:mod:`alliance.classroom.runner`) turns each answer variable into tagged JSON with :func:`encode`, and the
grading process rebuilds ordinary values with :func:`decode` (plain Python, pandas frames, a
:class:`ChartSpec` for an Altair chart) and checks them with :func:`alliance.exercises.check`.
Nothing from the submission is executed or unpickled in the grading process: the worst a
submission can do is report a value, which still has to match the answer key's digest.

Tags: ``none``, ``ellipsis``, ``bool``, ``num``, ``str``, ``date``, ``na``, ``list``, ``set``,
``map`` (key/value pairs, so integer keys stay integers), ``frame`` (a DataFrame: columns, index
and rows), ``chart`` (a Vega-Lite spec) and ``unreadable`` (with the reason).
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Limits on what one answer may hold (a submission could return a huge or deeply nested value).
MAX_ITEMS = 200_000
MAX_DEPTH = 30
MAX_TEXT = 100_000


class _TooLarge(Exception):
    pass


@dataclass(frozen=True)
class ChartSpec:
    """A chart answer rebuilt in the grading process: its Vega-Lite specification only."""

    spec: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The specification, as Altair's ``Chart.to_dict()`` gives it."""
        return self.spec


@dataclass(frozen=True)
class Unreadable:
    """An answer the runner could not turn into data (an unknown type, too large, an error)."""

    reason: str


def encode(value: Any) -> dict[str, Any]:
    """Tagged JSON for one answer value (runs in the submission's process)."""
    budget = [MAX_ITEMS]
    try:
        return _encode(value, budget, 0)
    except _TooLarge as err:
        return {"t": "unreadable", "why": str(err)}
    except Exception as err:  # a hostile object may fail in any way while being read
        return {"t": "unreadable", "why": f"{type(err).__name__} while reading the answer"}


def _encode(v: Any, budget: list[int], depth: int) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge(f"more than {MAX_ITEMS:,} values")
    if depth > MAX_DEPTH:
        raise _TooLarge(f"nested more than {MAX_DEPTH} levels deep")
    sub = lambda x: _encode(x, budget, depth + 1)  # noqa: E731
    if v is None:
        return {"t": "none"}
    if v is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(v, (bool, np.bool_)):
        return {"t": "bool", "v": bool(v)}
    if isinstance(v, numbers.Integral):
        return {"t": "num", "v": int(v)}
    if isinstance(v, numbers.Real):
        x = float(v)
        return {"t": "num", "v": x if math.isfinite(x) else repr(x)}
    if isinstance(v, str):
        if len(v) > MAX_TEXT:
            raise _TooLarge(f"a text longer than {MAX_TEXT:,} characters")
        return {"t": "str", "v": str(v)}
    if isinstance(v, pd.Timestamp):
        return {"t": "date", "v": v.strftime("%Y-%m-%d")}
    if v is pd.NA:
        return {"t": "na"}
    if isinstance(v, pd.DataFrame):
        if v.size > MAX_ITEMS:
            raise _TooLarge(f"a table of more than {MAX_ITEMS:,} cells")
        return {"t": "frame",
                "columns": [sub(c) for c in v.columns],
                "index_names": [None if n is None else str(n) for n in v.index.names],
                "index": [sub(list(i) if isinstance(i, tuple) else i) for i in v.index],
                "rows": [[sub(x) for x in row] for row in v.itertuples(index=False, name=None)]}
    if isinstance(v, pd.Series):
        v = v.to_dict()
    if isinstance(v, Mapping):
        return {"t": "map", "items": [[sub(k), sub(x)] for k, x in v.items()]}
    if hasattr(v, "to_dict") and type(v).__module__.startswith("altair"):
        return {"t": "chart", "spec": v.to_dict()}
    if isinstance(v, (set, frozenset)):
        return {"t": "set", "items": [sub(x) for x in v]}
    if isinstance(v, (list, tuple, np.ndarray, pd.Index)):
        return {"t": "list", "items": [sub(x) for x in list(v)]}
    raise _TooLarge(f"an answer of type {type(v).__name__}")


def decode(data: Any) -> Any:
    """Rebuild a value from :func:`encode`'s JSON (runs in the grading process; never executes code).

    Malformed data gives an :class:`Unreadable`.
    """
    try:
        return _decode(data, 0)
    except (KeyError, TypeError, ValueError, IndexError, RecursionError) as err:
        return Unreadable(f"malformed answer data ({type(err).__name__})")


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(x) for x in value)
    if isinstance(value, (dict, ChartSpec, Unreadable)):
        raise TypeError("unhashable key")
    return value


def _decode(d: Any, depth: int) -> Any:
    import pandas as pd

    if depth > MAX_DEPTH + 2 or not isinstance(d, dict):
        raise ValueError("bad node")
    tag = d["t"]
    sub = lambda x: _decode(x, depth + 1)  # noqa: E731
    if tag == "none":
        return None
    if tag == "ellipsis":
        return Ellipsis
    if tag == "bool":
        return bool(d["v"])
    if tag == "num":
        v = d["v"]
        if isinstance(v, str):
            return float(v)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError("not a number")
        return v
    if tag == "str":
        return str(d["v"])
    if tag == "date":
        return pd.Timestamp(str(d["v"]))
    if tag == "na":
        return pd.NA
    if tag == "list":
        return [sub(x) for x in d["items"]]
    if tag == "set":
        return {_hashable(sub(x)) for x in d["items"]}
    if tag == "map":
        return {_hashable(sub(k)): sub(v) for k, v in d["items"]}
    if tag == "frame":
        columns = [_hashable(sub(c)) for c in d["columns"]]
        rows = [[sub(x) for x in row] for row in d["rows"]]
        names = [None if n is None else str(n) for n in d["index_names"]]
        labels = [_hashable(sub(i)) for i in d["index"]]
        if len(names) > 1:
            index = pd.MultiIndex.from_tuples(labels, names=names) if labels else None
        else:
            index = pd.Index(labels, name=names[0] if names else None)
        return pd.DataFrame(rows, columns=columns, index=index)
    if tag == "chart":
        if not isinstance(d["spec"], dict):
            raise TypeError("chart spec is not an object")
        return ChartSpec(d["spec"])
    if tag == "unreadable":
        return Unreadable(str(d.get("why", "unreadable")))
    raise ValueError(f"unknown tag {tag!r}")


def describe(value: Any, limit: int = 300) -> str:
    """A short text form of an answer, for feedback pages and the marking sheet."""
    if value is Ellipsis:
        return "not answered (...)"
    if isinstance(value, Unreadable):
        return f"could not be read: {value.reason}"
    if isinstance(value, ChartSpec):
        spec = value.spec
        mark = spec.get("mark")
        mark = mark.get("type") if isinstance(mark, dict) else mark
        title = spec.get("title")
        title = title.get("text") if isinstance(title, dict) else title
        text = f"a chart ({mark or 'layered'}){': ' + str(title) if title else ''}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
