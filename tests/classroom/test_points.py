"""Each notebook's points, computed from its answer key by kind, agree with what the notebook and the guide say.

Kinds: automatic (code, chart and the coded part of a source-criticism question), written (marked by hand)
and judgement (a source-criticism question's judgement, marked by hand out of the key's ``judgement_points``).
Everything is read from the keys, so a question added to a notebook and its key is counted without editing
this file.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from alliance.exercises import AUTO_KINDS, exercise_id, judgement_points, load_key, points_by_kind, solution_notebooks
from alliance.classroom.marking.texts import read_exercise_text
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
GUIDE = (ROOT / "instructors.md").read_text(encoding="utf-8")
NOTEBOOKS = {exercise_id(json.loads(p.read_text(encoding="utf-8"))): p for p in solution_notebooks()}
#: A question's line: ``*Code · 1 point · `q1`*``, ``*Source criticism · 1 point + 2 points for the judgement · `q4`*``.
QUESTION_LINE = re.compile(r"^\*(?P<label>[^*·]+?) · (?P<points>\d+(?:\.\d+)?) points? "
                           r"(?:\+ (?P<judgement>\d+(?:\.\d+)?) points? for the judgement )?· `(?P<qid>q\d+)`\*$", re.M)


def _cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]


def _stated_points(path: Path) -> dict[str, tuple[float, float]]:
    """Question id → (points, judgement points) as the notebook's question lines state them."""
    found = {}
    for source in _cells(path):
        for line in QUESTION_LINE.finditer(source):
            found[line["qid"]] = (float(line["points"]), float(line["judgement"] or 0))
    return found


def _guide_table() -> dict[str, list[str]]:
    """The guide's points table: notebook → [automatic, written, judgement, total, marked by hand]."""
    header = "| Notebook | Automatic | Written | Judgement | Total | Marked by hand |"
    assert GUIDE.count(header) == 1, "instructors.md needs one points table"
    lines = GUIDE.split(header, 1)[1].strip().splitlines()[1:]
    rows = {}
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def test_points_by_kind_reads_the_key() -> None:
    key = load_key("ex03")
    automatic = sum(q["points"] for q in key["questions"] if q["kind"] in AUTO_KINDS)
    found = points_by_kind("ex03")
    written = sum(q["points"] for q in key["questions"] if q["kind"] == "written")
    assert found["automatic"] == automatic and found["written"] == written > 0
    assert found["judgement"] == sum(judgement_points(q) for q in key["questions"]) == 4
    assert found["total"] == found["automatic"] + found["written"] + found["judgement"]
    # an old key without judgement_points: the judgement keeps 0 points (a comment only)
    assert judgement_points({"id": "q4", "kind": "criticism", "points": 1}) == 0
    assert judgement_points({"id": "q6", "kind": "written", "points": 3, "judgement_points": 2}) == 0
    with pytest.raises(ValueError, match="judgement_points"):
        judgement_points({"id": "q4", "kind": "criticism", "judgement_points": -1})


@pytest.mark.parametrize("exercise", sorted(NOTEBOOKS))
def test_question_lines_state_the_points_of_the_key(exercise: str) -> None:
    stated = _stated_points(NOTEBOOKS[exercise])
    expected = {q["id"]: (float(q.get("points", 1)), judgement_points(q)) for q in load_key(exercise)["questions"]}
    assert stated == expected


@pytest.mark.parametrize("exercise", sorted(NOTEBOOKS))
def test_each_judgement_with_points_has_a_lead_in_and_a_rubric_of_its_points(exercise: str) -> None:
    text = read_exercise_text(NOTEBOOKS[exercise])
    cells = _cells(NOTEBOOKS[exercise])
    for entry in load_key(exercise)["questions"]:
        points = judgement_points(entry)
        if not points:
            continue
        shown = f"{points:g}"
        judgement = text.questions[f"{entry['id']}-judgement"]
        assert judgement.rubric_title == f"Marking rubric ({shown} points)", (exercise, entry["id"])
        assert len(re.findall(r"^- \*\*1 point\*\*", judgement.rubric, re.M)) == points, (exercise, entry["id"])
        lead = [c for c in cells if c.startswith(f"**Your judgement** ({entry['id']}:")]
        assert len(lead) == 1 and lead[0].startswith(f"**Your judgement** ({entry['id']}: {shown} points, marked "
                                                     f"with the rubric"), (exercise, lead)
        assert "no points" not in lead[0]


def test_the_guide_points_table_matches_the_keys() -> None:
    rows = _guide_table()
    assert sorted(rows) == sorted(NOTEBOOKS)
    for exercise, cells in rows.items():
        points = points_by_kind(exercise)
        by_hand = points["written"] + points["judgement"]
        assert cells == [f"{points['automatic']:g}", f"{points['written']:g}", f"{points['judgement']:g}",
                         f"{points['total']:g}", f"{by_hand:g} of {points['total']:g} ({by_hand / points['total']:.0%})"]


def test_the_syllabus_points_match_the_keys() -> None:
    section = GUIDE.split("## Syllabus", 1)[1].split("\n## ", 1)[0]
    assert "| Points (automatic + written + judgement) |" in section
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines()
            if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == len(NOTEBOOKS)
    for row in rows:
        exercise = re.search(r"`(ex\d\d) <exercises/", row[3])[1]
        p = points_by_kind(exercise)
        assert row[4] == f"{p['total']:g} ({p['automatic']:g} + {p['written']:g} + {p['judgement']:g})", row


def test_the_pages_no_longer_say_judgements_carry_no_points() -> None:
    pages = [ROOT / "instructors.md", ROOT / "exercises" / "index.md", ROOT / "intro.md", ROOT / "how-to-use.md"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"judgements? (gets?|takes?|carr(y|ies)) (a )?comments? (only|and no points)|"
                             r"carries no points", text), page.name
    for path in NOTEBOOKS.values():
        assert "it gets a comment and no points" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("exercise", sorted(NOTEBOOKS))
def test_points_marked_by_hand_are_at_least_half_of_the_notebook(exercise: str) -> None:
    points = points_by_kind(exercise)
    by_hand = points["written"] + points["judgement"]
    assert by_hand >= points["total"] / 2, f"{exercise}: {by_hand:g} of {points['total']:g} points marked by hand"
