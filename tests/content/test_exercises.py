"""Unit tests of instant feedback (alliance.exercises): canonical forms, check(), answer keys."""
import json

import altair as alt
import pandas as pd
import pytest

from alliance import load_corpus
from alliance.exercises import (ANSWERS_DIR, NotAnswered, canonical, check, load_key, questions,
                                solution_notebooks)


def test_every_notebook_has_a_key_with_five_questions_of_each_kind():
    import nbformat
    from alliance.exercises import exercise_id

    notebooks = solution_notebooks()
    assert [p.name[:4] for p in notebooks] == [f"ex0{i}" for i in range(7)]
    for path in notebooks:
        ex = exercise_id(nbformat.read(path, as_version=4))
        assert ex == path.name[:4]
        kinds = [q["kind"] for q in questions(ex)]
        assert len(kinds) >= 5, path
        assert kinds.count("code") >= 2 and "chart" in kinds and "criticism" in kinds and "written" in kinds
        for q in questions(ex):
            if q["kind"] != "written":
                assert len(q["sha256"]) == 64, (ex, q["id"])


def test_canonical_forms():
    assert canonical(3) == canonical(3.0) == canonical(3.001)
    assert canonical(" Da  Nang. ") == canonical("da nang")
    assert canonical([1, 2]) != canonical([2, 1])
    assert canonical([1, 2], ordered=False) == canonical([2, 1], ordered=False)
    assert canonical({"a": 1, "b": 2}) == canonical(pd.Series({"b": 2, "a": 1}))
    assert canonical(pd.Timestamp("2017-11-05")) == canonical("2017-11-05")
    with pytest.raises(NotAnswered):
        canonical(...)


def test_check_says_correct_or_not_yet_with_a_hint():
    docs = load_corpus().documents
    right = docs.sort_values("words", ascending=False)["source_id"].tolist()
    ok = check("ex00", "q1", right)
    assert ok.correct and "correct" in repr(ok) and "alliance-feedback-correct" in ok._repr_html_()
    wrong = check("ex00", "q1", list(reversed(right)))
    assert not wrong.correct and "not yet" in repr(wrong) and "Hint:" in repr(wrong)
    assert "not yet answered" in repr(check("ex00", "q1", ...))
    assert "not yet" in repr(check("ex00", "q1", object()))        # never raises on a bad answer
    with pytest.raises(KeyError):
        check("ex00", "q99", right)


def test_chart_answers_need_titles():
    data = pd.DataFrame({"source_id": ["a"], "mean_words": [1.0]})
    untitled = alt.Chart(data).mark_bar().encode(x="mean_words:Q", y="source_id:N")
    assert "title" in repr(check("ex00", "q3", untitled))


def test_keys_do_not_contain_the_answers():
    docs = load_corpus().documents
    right = docs.sort_values("words", ascending=False)["source_id"].tolist()
    text = (ANSWERS_DIR / "ex00.json").read_text(encoding="utf-8")
    assert canonical(right) not in text and json.dumps(right) not in text
    assert "Manila" not in (ANSWERS_DIR / "ex04.json").read_text(encoding="utf-8")
    assert load_key("ex04")["salt"]


def test_a_chart_question_may_compare_the_colour_channel():
    """ex03 q3 asks for bars coloured by basis: the same bars without colour are not the answer."""
    import altair as alt

    from alliance.exercises import chart_signature

    frame = pd.DataFrame({"year": [2016, 2017], "value": [1.0, 2.0], "basis": ["a", "b"]})
    plain = alt.Chart(frame, title="T").mark_bar().encode(x=alt.X("year:O", title="Year"),
                                                         y=alt.Y("value:Q", title="Value"))
    coloured = plain.encode(color="basis:N")
    circles = alt.Chart(frame, title="T").mark_circle().encode(x=alt.X("year:O", title="Year"),
                                                              y=alt.Y("value:Q", title="Value"))
    dots = circles.mark_point()
    assert chart_signature(plain) == chart_signature(coloured)
    assert chart_signature(plain, channels=["color"]) != chart_signature(coloured, channels=["color"])
    assert chart_signature(circles) == chart_signature(dots)
