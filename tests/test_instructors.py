"""The course guide (instructors.md) states what the repository holds: chapters, notebooks, points."""
from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "instructors.md").read_text(encoding="utf-8")


def _syllabus_rows() -> list[list[str]]:
    section = GUIDE.split("## Syllabus", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"^\| \d+ \|", line)]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def test_syllabus_has_one_week_per_chapter_in_book_order():
    chapters = sorted(p.stem for p in (ROOT / "chapters").glob("*.md"))
    rows = _syllabus_rows()
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(chapters) + 1)]
    for row, chapter in zip(rows, chapters):
        assert row[1] == f"{{doc}}`chapters/{chapter}`", row
        labels = re.findall(r"\{numref\}`([\w-]+)`", row[2])
        text = (ROOT / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
        assert labels == re.findall(r"^:label: (ex-[\w-]+)$", text, re.M), chapter


def test_syllabus_points_match_the_answer_keys():
    for row in _syllabus_rows():
        exercise = re.search(r"\{doc\}`(ex\d\d) <exercises/(ex\d\d-[\w-]+)>`", row[3])
        assert exercise and (ROOT / "exercises" / f"{exercise[2]}.ipynb").exists(), row[3]
        key = json.loads((ROOT / "data" / "answers" / f"{exercise[1]}.json").read_text(encoding="utf-8"))
        automatic = sum(q["points"] for q in key["questions"] if q["kind"] != "written")
        written = sum(q["points"] for q in key["questions"] if q["kind"] == "written")
        assert row[4] == f"{automatic + written:g} ({automatic:g} + {written:g})", (exercise[1], row[4])
