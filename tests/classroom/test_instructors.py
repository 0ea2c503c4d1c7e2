"""The course guide (instructors.md) states what the repository holds: chapters, notebooks, points."""
from __future__ import annotations

import json
import re
from pathlib import Path
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
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
        judgement = sum(q.get("judgement_points", 0) for q in key["questions"] if q["kind"] == "criticism")
        assert row[4] == f"{automatic + written + judgement:g} ({automatic:g} + {written:g} + {judgement:g})", \
            (exercise[1], row[4])


def test_the_class_files_the_guide_names_are_kept_out_of_git():
    """Every roster, submissions and output path the guide's commands use is outside the repository or
    ignored by git in it, and the guide says to keep class files outside the repository."""
    import subprocess

    assert "Keep\nthem **outside the course repository**" in GUIDE
    values = re.findall(r"\b(?:SUBMISSIONS|ROSTER|OUT|MARKS)=\"?([^\s`\"]+(?: [^\s`\"=]+\.csv)*)", GUIDE)
    paths = {p for value in values for p in value.split() if p not in ("...", "folder")}
    assert {"roster.csv", "submissions.zip", "graded/week1", "demo/submissions.zip", "marks-ana.csv"} <= paths
    for path in sorted(paths):
        if path.startswith(("~", "/")):
            continue
        ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", path.replace("/i", "/1")])
        assert ignored.returncode == 0, f"{path} is not ignored by git"


def test_the_commands_the_tools_print_are_the_guides():
    from alliance.classroom import sandbox
    from alliance.classroom.marking import __main__ as marking

    assert sandbox.REPAIR_COMMAND == "make install" and "`make install` notices that" in GUIDE
    assert "GRADE_FLAGS=--no-sandbox" in sandbox._NO_SANDBOX_HINT and "GRADE_FLAGS=--no-sandbox" in GUIDE
    assert "make merge-marks OUT=" in GUIDE and "make merge-marks OUT=" in Path(marking.__file__).read_text()
