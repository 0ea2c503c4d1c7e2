"""Who submitted what: the roster, collecting a folder or a Canvas zip, matching to the roster."""
from __future__ import annotations

import dataclasses
import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from alliance.classroom.roster import submissions as submissions_module
from alliance.exercises import EXERCISES_DIR
from alliance.classroom.results import SubmissionResult
from alliance.classroom.roster.__main__ import main
from alliance.classroom.roster.matching import DUPLICATE, MATCHED, UNMATCHED, Candidate, match, read_candidate
from alliance.classroom.roster.students import Roster, RosterError, Student, load_roster, name_slugs
from alliance.classroom.roster.submissions import collect, parse_canvas_name
from alliance.editions.solutions import strip_solutions
from alliance.classroom.written import Identity

EX03 = EXERCISES_DIR / "ex03-trade-frictions.ipynb"
EX00 = EXERCISES_DIR / "ex00-reading-the-sources.ipynb"

ROSTER_CSV = (
    "\ufeffStudent ID,Name,EMAIL,Section,Notes\n"
    "s001,Jane Smith,jane.smith@uni.edu,A,\n"
    "s002,Taro Yamada,tyamada@uni.edu,B,exchange\n"
    "s003,Maria de la Cruz,mcruz@uni.edu,A,\n"
    "s004,\"Smith, John\",john@uni.edu,B,\n"
    "s005,Ann Lee,ann.lee@uni.edu,A,\n"
    ",,,,\n"
)


@pytest.fixture()
def roster(tmp_path: Path) -> Roster:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")
    return load_roster(path)


def notebook(path: Path = EX03, name: str = "...", student_id: str = "...", email: str = "") -> bytes:
    """A student edition with its identity cell filled in, as saved bytes."""
    nb = strip_solutions(nbformat.read(path, as_version=4))
    cell = next(c for c in nb.cells if "identity" in c.metadata.get("tags", []))
    cell.source = f'student_name = "{name}"\nstudent_id = "{student_id}"\n'
    cell.source += f'student_email = "{email}"\n' if email else ""
    return nbformat.writes(nb).encode("utf-8")


def by_source(matches) -> dict:
    return {m.source.rsplit("!", 1)[-1]: m for m in matches}


# --------------------------------------------------------------------------- roster


def test_load_roster_headers_bom_extra_columns(roster: Roster) -> None:
    assert [s.student_id for s in roster.students] == ["s001", "s002", "s003", "s004", "s005"]
    assert roster.students[1] == Student("s002", "Taro Yamada", "tyamada@uni.edu", "B")
    assert roster.by_id(" S001 ").name == "Jane Smith"
    assert roster.by_email("JOHN@uni.edu").student_id == "s004"
    assert roster.by_email_local("ann.lee").student_id == "s005"
    assert [s.student_id for s in roster.by_slug("smithjohn")] == ["s004"]
    assert [s.student_id for s in roster.by_slug("cruzmariadela")] == ["s003"]
    assert roster.by_id("s999") is None and roster.by_slug("nobody") == []


def test_roster_problems_are_all_named_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name,email,section\ns1,A,,\n,B,,\ns1,C,,\nS1,D,,\n", encoding="utf-8")
    with pytest.raises(RosterError) as error:
        load_roster(path)
    message = str(error.value)
    assert "3 problem(s)" in message
    assert "line 3: blank student_id (B)" in message
    assert "line 4: student_id 's1' is already on line 2" in message
    assert "line 5: student_id 'S1' is already on line 2" in message


def test_roster_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("id,name\n1,A\n", encoding="utf-8")
    with pytest.raises(RosterError, match=r"line 1: missing column\(s\) student_id; the header must name student_id and name"):
        load_roster(path)


def test_roster_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes("student_id,name,email,section\n1,Jos\xe9,,\n".encode("latin-1"))
    with pytest.raises(RosterError, match="not UTF-8"):
        load_roster(path)


def test_numeric_id_without_leading_zeros() -> None:
    roster = Roster([Student("00123", "A B"), Student("456", "C D")])
    assert roster.by_id("123").student_id == "00123"
    assert roster.by_id("0456").student_id == "456"


def test_name_slugs_are_canvas_sortable_names() -> None:
    assert name_slugs("Jane Q. Smith") == {"janeqsmith", "qsmithjane", "smithjaneq"}
    assert name_slugs("O'Brien, Seán") == {"obrienseán", "seánobrien"}
    assert "smithjane" in name_slugs("SMITH, Jane")


# --------------------------------------------------------------------------- Canvas names


@pytest.mark.parametrize("member, slug, user, attachment, late, filename", [
    ("smithjane_101_9001_ex03-trade-frictions.ipynb", "smithjane", "101", "9001", False, "ex03-trade-frictions.ipynb"),
    ("smithjane_late_101_9001_ex03.ipynb", "smithjane", "101", "9001", True, "ex03.ipynb"),
    ("smithjane_LATE_101_9001_ex03-trade-frictions-2.ipynb", "smithjane", "101", "9001", True,
     "ex03-trade-frictions-2.ipynb"),
    ("smithjane_101_9001_my_work_v2.ipynb", "smithjane", "101", "9001", False, "my_work_v2.ipynb"),
    ("anon_Ab3x9_9001_ex03.ipynb", "", "anon_Ab3x9", "9001", False, "ex03.ipynb"),
    ("LATE_anon_Ab3x9_9001_ex03.ipynb", "", "anon_Ab3x9", "9001", True, "ex03.ipynb"),
    ("smithjane_101_text.html", "smithjane", "101", "", False, "text"),
    ("smithjane_late_101_link.html", "smithjane", "101", "", True, "link"),
])
def test_parse_canvas_name(member, slug, user, attachment, late, filename) -> None:
    parsed = parse_canvas_name(member)
    assert (parsed.slug, parsed.user_id, parsed.attachment_id, parsed.late, parsed.filename) == \
        (slug, user, attachment, late, filename)


@pytest.mark.parametrize("name", ["ex03-trade-frictions.ipynb", "smithjane_ex03.ipynb", "report.pdf"])
def test_not_canvas_names(name: str) -> None:
    assert parse_canvas_name(name) is None


# --------------------------------------------------------------------------- a Canvas zip


@pytest.fixture()
def canvas_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Canvas download: matched by id, by Canvas name, late, a resubmission, a conflict,
    an unmatched file, a non-notebook, an oversized member, and Mac junk."""
    monkeypatch.setattr(submissions_module, "MAX_FILE_BYTES", 300_000)
    path = tmp_path / "submissions.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        jane = notebook(name="Jane Smith", student_id="s001")
        archive.writestr("smithjane_101_9001_ex03-trade-frictions.ipynb", jane)
        archive.writestr("smithjane_101_9010_ex03-trade-frictions-1.ipynb", jane)
        archive.writestr("smithjane_101_9011_notes.pdf", b"%PDF-1.4 not a notebook")
        archive.writestr("yamadataro_102_9002_ex03-trade-frictions.ipynb", notebook())
        archive.writestr("cruzmariadela_LATE_103_9003_ex03-trade-frictions.ipynb", notebook())
        archive.writestr("leeann_105_9005_ex03-trade-frictions.ipynb", notebook(name="John Smith", student_id="s004"))
        archive.writestr("nobodyhere_106_9006_ex03-trade-frictions.ipynb", notebook(name="No Body", student_id="x9"))
        archive.writestr("yamadataro_102_9012_ex00-reading-the-sources.ipynb", b"{" + b" " * 400_000 + b"}")
        archive.writestr("__MACOSX/._smithjane_101_9001_ex03-trade-frictions.ipynb", b"junk")
        archive.writestr(".DS_Store", b"junk")
    return path


def test_collect_canvas_zip(canvas_zip: Path) -> None:
    submissions = collect(canvas_zip)
    sources = [s.source for s in submissions]
    assert sources == sorted(sources) and len(sources) == 8          # junk skipped, nothing else dropped
    assert all(s.startswith("submissions.zip!") for s in sources)
    found = {s.filename: s for s in submissions}
    late = found["cruzmariadela_LATE_103_9003_ex03-trade-frictions.ipynb"]
    assert (late.canvas_slug, late.canvas_user_id, late.canvas_submission_id, late.late) == \
        ("cruzmariadela", "103", "9003", True)
    big = found["yamadataro_102_9012_ex00-reading-the-sources.ipynb"]
    assert big.data == b"" and "over the 0.3 MB limit" in big.problem
    assert found["smithjane_101_9011_notes.pdf"].data.startswith(b"%PDF")
    assert found["smithjane_101_9010_ex03-trade-frictions-1.ipynb"].order > \
        found["smithjane_101_9001_ex03-trade-frictions.ipynb"].order
    assert [s.source for s in collect(canvas_zip)] == sources                # deterministic


def test_match_canvas_zip(canvas_zip: Path, roster: Roster) -> None:
    matches = match([read_candidate(s) for s in collect(canvas_zip)], roster)
    found = by_source(matches)

    first = found["smithjane_101_9001_ex03-trade-frictions.ipynb"]
    again = found["smithjane_101_9010_ex03-trade-frictions-1.ipynb"]
    assert (again.student_id, again.status, again.counted) == ("s001", MATCHED, True)
    assert "matched by student id in the notebook" in again.note and "most recent of 2" in again.note
    assert (first.student_id, first.status, first.counted) == ("s001", DUPLICATE, False)
    assert "smithjane_101_9010_ex03-trade-frictions-1.ipynb (later) counts" in first.note

    by_name = found["yamadataro_102_9002_ex03-trade-frictions.ipynb"]
    assert (by_name.student_id, by_name.student_name, by_name.section) == ("s002", "Taro Yamada", "B")
    assert by_name.status == MATCHED and by_name.note == "matched by Canvas name yamadataro"

    late = found["cruzmariadela_LATE_103_9003_ex03-trade-frictions.ipynb"]
    assert (late.student_id, late.late, late.status) == ("s003", True, MATCHED)

    conflict = found["leeann_105_9005_ex03-trade-frictions.ipynb"]
    assert conflict.student_id == "s004" and conflict.status == MATCHED
    assert "conflict: Canvas name leeann names Ann Lee (s005)" in conflict.note

    nobody = found["nobodyhere_106_9006_ex03-trade-frictions.ipynb"]
    assert (nobody.student_id, nobody.status, nobody.counted, nobody.student_name) == (None, UNMATCHED, False, "No Body")
    assert "the notebook's student id 'x9' is not on the roster" in nobody.note
    assert "Canvas name nobodyhere is not a roster name" in nobody.note

    pdf = found["smithjane_101_9011_notes.pdf"]
    assert (pdf.exercise, pdf.student_id, pdf.status, pdf.counted) == ("", "s001", MATCHED, True)

    big = found["yamadataro_102_9012_ex00-reading-the-sources.ipynb"]
    assert big.exercise == "" and big.student_id == "s002" and "limit" in big.note
    assert len(matches) == 8


def test_unmatched_canvas_user_resubmission_is_a_duplicate(roster: Roster) -> None:
    older = submissions_module.Submission("z!stranger_7_100_ex03.ipynb", canvas_slug="stranger", canvas_user_id="7",
                                     order=submissions_module.canvas_order("100"))
    newer = dataclasses.replace(older, source="z!stranger_7_99999_ex03.ipynb",
                                order=submissions_module.canvas_order("99999"))
    results = match([Candidate(older, "ex03"), Candidate(newer, "ex03")], roster)
    assert [(m.status, m.counted) for m in results] == [(DUPLICATE, False), (UNMATCHED, False)]
    assert "not counted: it counts for nobody until it is matched" in results[1].note


def test_match_fields_line_up_with_results(roster: Roster) -> None:
    submission = submissions_module.Submission("a.ipynb", late=True)
    result = match([(submission, "ex03", Identity("Jane Smith", "s001"))], roster)[0]
    fields = result.result_fields()
    assert set(fields) <= {f.name for f in dataclasses.fields(SubmissionResult)}
    made = SubmissionResult(**fields)
    assert (made.student_id, made.match, made.late, made.counted, made.section) == ("s001", MATCHED, True, True, "A")


# --------------------------------------------------------------------------- folders


def test_collect_and_match_per_student_folders(tmp_path: Path, roster: Roster) -> None:
    root = tmp_path / "hand-ins"
    files = {
        "s002/ex03.ipynb": notebook(),                                     # folder = student id
        "s002/ex03-final.ipynb": notebook(),                               # later: counts
        "ann.lee@uni.edu/work.ipynb": notebook(EX00),                      # folder = email
        "mcruz/ex00.ipynb": notebook(EX00),                                # folder = email's local part
        "loose.ipynb": notebook(email="John@Uni.edu"),                     # email in the notebook
        "zz-unknown/ex03.ipynb": notebook(),                               # unmatched
        "s002/.ipynb_checkpoints/ex03-checkpoint.ipynb": notebook(),
        "s002/__pycache__/x.pyc": b"",
        ".hidden/ex03.ipynb": notebook(),
        "s001/readme.txt": b"my notes",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    os.utime(root / "s002/ex03.ipynb", (1_700_000_000, 1_700_000_000))
    os.utime(root / "s002/ex03-final.ipynb", (1_700_000_900, 1_700_000_900))
    submissions = collect(root)
    assert [s.source for s in submissions] == ["ann.lee@uni.edu/work.ipynb", "loose.ipynb", "mcruz/ex00.ipynb",
                                               "s001/readme.txt", "s002/ex03-final.ipynb", "s002/ex03.ipynb",
                                               "zz-unknown/ex03.ipynb"]
    assert submissions[4].order == "2023-11-14T22:28:20+00:00" and submissions[4].folder == "s002"
    found = by_source(match([read_candidate(s) for s in submissions], roster))
    assert (found["s002/ex03-final.ipynb"].status, found["s002/ex03.ipynb"].status) == (MATCHED, DUPLICATE)
    assert found["s002/ex03-final.ipynb"].note.startswith("matched by folder name s002")
    assert found["ann.lee@uni.edu/work.ipynb"].student_id == "s005"
    assert found["mcruz/ex00.ipynb"].student_id == "s003"
    assert (found["loose.ipynb"].student_id, found["loose.ipynb"].note) == ("s004", "matched by email in the notebook")
    assert found["zz-unknown/ex03.ipynb"].status == UNMATCHED
    assert found["s001/readme.txt"].student_id == "s001" and found["s001/readme.txt"].exercise == ""


def test_name_in_the_notebook_is_the_last_resort(roster: Roster) -> None:
    only_name = match([(submissions_module.Submission("a.ipynb"), "ex03", Identity(name="Taro YAMADA"))], roster)[0]
    assert (only_name.student_id, only_name.note) == ("s002", "matched by name in the notebook")
    ambiguous = Roster([*roster.students, Student("s006", "Jane Smith")])
    twice = match([(submissions_module.Submission("b.ipynb"), "ex03", Identity(name="Jane Smith"))], ambiguous)[0]
    assert twice.status == UNMATCHED and "2 roster names" in twice.note


def test_collect_refuses_what_is_neither_folder_nor_zip(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        collect(tmp_path / "missing")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    [only] = collect(broken)
    assert only.source == "broken.zip" and "not a readable zip" in only.problem


def test_command_prints_the_matching_table(canvas_zip: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")
    assert main([str(path), str(canvas_zip)]) == 0
    out = capsys.readouterr().out
    header, *rows = out.split("\n\n")[0].splitlines()
    assert header.split() == ["source", "exercise", "student", "status", "note"]
    assert len(rows) == 8
    row = next(r for r in rows if "yamadataro_102_9002" in r)
    assert "ex03" in row and "Taro Yamada (s002)" in row and "matched by Canvas name yamadataro" in row
    assert "8 file(s): 6 matched, 1 duplicate (not counted), 1 unmatched; 2 without an exercise id" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n", encoding="utf-8")
    assert main([str(bad), str(canvas_zip)]) == 2


def test_zip_total_and_member_count_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submissions_module, "MAX_TOTAL_BYTES", 2_500)
    monkeypatch.setattr(submissions_module, "MAX_MEMBERS", 4)
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(5):
            archive.writestr(f"file{index}.txt", b"x" * 1_000)
    problems = [s.problem for s in collect(path)]
    assert problems[:2] == ["", ""]
    assert "limit for the whole zip" in problems[2] and "limit for the whole zip" in problems[3]
    assert "beyond the first 4 files" in problems[4]
    assert [len(s.data) for s in collect(path)] == [1_000, 1_000, 0, 0, 0]
