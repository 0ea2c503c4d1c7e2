"""Who submitted what: the course roster, the submitted files, and matching one to the other.

* :func:`load_roster` reads the roster CSV (``student_id, name``, optionally ``email, section``),
  or a Canvas gradebook export as it is.
* :func:`collect` lists the submitted files of a folder (recursive), of a folder with one
  sub-folder per student, or of a Canvas "Download Submissions" zip, as :class:`Submission`
  objects holding each file's bytes. Every file is kept, notebooks or not; a file that could not
  be taken (over the size limits) has empty ``data`` and a ``problem``.
* :func:`match` decides, for each submission once its notebook was read statically
  (:func:`alliance.classroom.written.read_identity`, :func:`alliance.exercises.exercise_id`), which
  student it is from, and which submission of a student counts when there are several.

**Canvas file names.** Canvas names each uploaded file of a submissions zip
``<name>[_LATE]_<user id>_<attachment id>_<file name>``, where ``<name>`` is the student's
*sortable name* ("Last, First") lowercased with every character that is not a letter, digit or
``_`` removed (``smithjane``), ``LATE`` marks a late submission (older downloads write it
lowercase), and an anonymised assignment has ``anon_<anonymous id>`` instead of name and user id.
Re-uploads of the same file name get ``-1``, ``-2``... before the extension (the file name
part is kept as it is). Text entries and URLs are ``<name>[_LATE]_<user id>_text.html`` and
``..._link.html``. (Read from Canvas's ``ContentZipper``, which builds these names.) The
attachment id grows with every upload, so it orders one student's submissions in time.

**Matching**, first evidence that names exactly one roster student wins:

1. the student id written in the notebook's identity cell (if it is on the roster);
2. the Canvas name of the file (if exactly one roster name gives that slug; a roster name
   "Jane Q Smith" or "Smith, Jane Q" gives the slugs of all its rotations, ``smithjaneq``,
   ``qsmithjane``, ``janeqsmith``, since Canvas's sortable name splits surnames its own way);
3. the per-student folder name: a student id, an email, or an email's local part;
4. the email written in the notebook (``student_email``);
5. the name written in the notebook (if exactly one roster name gives its slug).

Other evidence that names a *different* student is reported in the note as a conflict (a
notebook whose id is not the Canvas uploader's is worth a look). A submission nothing matches
is ``unmatched`` and listed, never dropped. When one student has several submissions of one
exercise, the most recent by :attr:`Submission.order` counts; the others are ``duplicate``
(``counted`` False) with a note naming the one that counts. Unmatched Canvas files of the same
Canvas user are de-duplicated the same way.

Command line: ``python -m alliance.classroom.roster ROSTER SUBMISSIONS`` prints the matching table
(source, exercise, student, status, note) and, per exercise, the roster students with no
submission, without grading anything.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import stat
import sys
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from alliance.errors import CourseError
from alliance.classroom.written import Identity, load_notebook, read_identity

if TYPE_CHECKING:
    from alliance.classroom.results import GradingRun

ROSTER_COLUMNS: tuple[str, ...] = ("student_id", "name", "email", "section")
#: The columns a roster must have; ``email`` and ``section`` may be left out.
REQUIRED_COLUMNS: tuple[str, ...] = ("student_id", "name")
#: A Canvas gradebook export ("Export Entire Gradebook"): its columns for the roster's.
CANVAS_EXPORT_COLUMNS: dict[str, str] = {"student_id": "sis_user_id", "name": "student", "section": "section"}
#: Rows of a Canvas gradebook export that are not students (the points row, Canvas's test student).
CANVAS_NOT_STUDENTS = frozenset({"points possible", "student, test", "test student"})
#: A submitted file larger than this is not read (``problem`` says so).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Once this many bytes were read from one zip or folder, the remaining files are not read.
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: A zip with more members than this: the ones beyond are listed but not read.
MAX_MEMBERS = 10_000
#: Folder and file names never collected (besides names starting with a dot).
SKIPPED_NAMES = frozenset({".ipynb_checkpoints", "__pycache__", "__MACOSX", "Thumbs.db", "desktop.ini"})

MATCHED, UNMATCHED, DUPLICATE = "matched", "unmatched", "duplicate"

#: ``smithjane[_LATE]_123_456_ex03.ipynb``; ``[LATE_]anon_Ab3x9_456_ex03.ipynb``; ``..._123_text.html``.
_CANVAS_FILE = re.compile(r"^(?P<slug>\w+?)(?:_(?P<late>late))?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$",
                          re.IGNORECASE)
_CANVAS_ANON = re.compile(r"^(?:(?P<late>late)_)?(?P<user>anon_[A-Za-z0-9]+)_(?P<attachment>\d+)_(?P<file>.+)$",
                          re.IGNORECASE)
_CANVAS_ENTRY = re.compile(r"^(?P<slug>\w+?)(?:_(?P<late>late))?_(?P<user>\d+|anon_[A-Za-z0-9]+)"
                           r"_(?P<file>text|link)\.html$", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+")


class RosterError(CourseError):
    """The roster CSV cannot be used: missing columns, blank or duplicate ids (all listed)."""


# --------------------------------------------------------------------------- roster


def name_slug(text: str) -> str:
    """A name reduced as Canvas reduces it: lowercased, only letters and digits (``Smith, Jane`` → ``smithjane``)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def name_slugs(name: str) -> frozenset[str]:
    """Every slug a roster name may have in Canvas: its words in each rotation.

    "Jane Q Smith" and "Smith, Jane Q" both give ``janeqsmith``, ``qsmithjane``, ``smithjaneq``.
    """
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    words = [w for w in (name_slug(part) for part in name.split()) if w]
    return frozenset("".join(words[i:] + words[:i]) for i in range(len(words)))


def _id_key(student_id: str) -> str:
    return student_id.strip().casefold()


@dataclass(frozen=True)
class Student:
    """One row of the roster."""

    student_id: str
    name: str
    email: str = ""
    section: str = ""

    @property
    def slugs(self) -> frozenset[str]:
        return name_slugs(self.name)

    @property
    def label(self) -> str:
        """How the matching table names the student: ``Jane Smith (s001)``."""
        return f"{self.name} ({self.student_id})" if self.name else self.student_id


@dataclass
class Roster:
    """The students of the course, with lookups by id, email and name slug."""

    students: list[Student] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_id = {_id_key(s.student_id): s for s in self.students}
        self._by_email: dict[str, list[Student]] = {}
        self._by_local: dict[str, list[Student]] = {}
        self._by_slug: dict[str, list[Student]] = {}
        self._by_digits: dict[str, list[Student]] = {}
        for student in self.students:
            if student.email.strip():
                email = student.email.strip().casefold()
                self._by_email.setdefault(email, []).append(student)
                self._by_local.setdefault(email.partition("@")[0], []).append(student)
            for slug in student.slugs:
                self._by_slug.setdefault(slug, []).append(student)
            if student.student_id.strip().isdigit():
                self._by_digits.setdefault(student.student_id.strip().lstrip("0"), []).append(student)

    def __len__(self) -> int:
        return len(self.students)

    def by_id(self, student_id: str) -> Student | None:
        """The student with this id (case and surrounding spaces ignored; an all-digit id also
        without its leading zeros, as ``student_id = 0123`` cannot be written and ``123`` is)."""
        found = self._by_id.get(_id_key(student_id))
        if found is None and student_id.strip().isdigit():
            same = self._by_digits.get(student_id.strip().lstrip("0"), [])
            found = same[0] if len(same) == 1 else None
        return found

    def by_email(self, email: str) -> Student | None:
        """The one student with this email (case ignored); ``None`` if none or several."""
        same = self._by_email.get(email.strip().casefold(), [])
        return same[0] if len(same) == 1 else None

    def by_email_local(self, local: str) -> Student | None:
        """The one student whose email's local part (before ``@``) is ``local``."""
        same = self._by_local.get(local.strip().casefold(), [])
        return same[0] if len(same) == 1 else None

    def by_slug(self, slug: str) -> list[Student]:
        """The students one of whose name slugs is ``slug`` (several: the slug is ambiguous)."""
        return list(self._by_slug.get(name_slug(slug), [])) if name_slug(slug) else []

    def by_folder(self, folder: str) -> Student | None:
        """The student a per-student folder is named after: id, email, or email's local part."""
        return self.by_id(folder) or self.by_email(folder) or self.by_email_local(folder)


def _header_key(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def load_roster(path: Path) -> Roster:
    """Read the roster CSV: columns ``student_id, name`` and, if you have them, ``email, section``
    (header case-insensitive, spaces as underscores, any order, extra columns ignored; UTF-8 with or
    without BOM). A Canvas gradebook export (columns ``Student, ID, SIS User ID, SIS Login ID,
    Section``) is read as it is: ``SIS User ID`` is the student id, ``Student`` the name; its
    "Points Possible" row and Canvas's test student are skipped.

    Blank rows are skipped. Raises :class:`RosterError` listing every problem with its line
    number: missing columns, blank or duplicate student ids, a file that is not UTF-8.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterError(f"{path}: not UTF-8 text (byte {error.start}); save the roster as UTF-8 CSV.") from None
    except OSError as error:
        raise RosterError(f"{path}: cannot read the roster ({error.strerror}).") from None
    reader = csv.reader(text.splitlines())
    header = [_header_key(h) for h in next(reader, [])]
    canvas = "student_id" not in header and all(c in header for c in ("sis_user_id", "student"))
    columns = dict(CANVAS_EXPORT_COLUMNS) if canvas else {c: c for c in ROSTER_COLUMNS}
    missing = [c for c in REQUIRED_COLUMNS if columns[c] not in header]
    if missing:
        raise RosterError(f"{path}, line 1: missing column(s) {', '.join(missing)}; the header must name "
                          f"student_id and name (email and section if you have them), or be a Canvas gradebook "
                          f"export (Student, SIS User ID, Section); found {', '.join(header) or 'nothing'}.")
    where = {column: header.index(name) for column, name in columns.items() if name in header}
    problems: list[str] = []
    seen: dict[str, int] = {}
    students: list[Student] = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {c: (row[i].strip() if i < len(row) else "") for c, i in where.items()}
        if canvas and values["name"].casefold() in CANVAS_NOT_STUDENTS:
            continue
        key = _id_key(values["student_id"])
        if not key:
            problems.append(f"line {line}: blank student_id ({values['name'] or 'no name'})")
            continue
        if key in seen:
            problems.append(f"line {line}: student_id {values['student_id']!r} is already on line {seen[key]}")
            continue
        seen[key] = line
        students.append(Student(**values))
    if problems:
        raise RosterError(f"{path}: {len(problems)} problem(s) in the roster:\n  " + "\n  ".join(problems))
    return Roster(students)


def roster_digest(path: Path) -> str:
    """A digest of the roster file's bytes: a changed roster has another one."""
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def missing_by_exercise(roster: Roster, handed_in: Iterable[tuple[str | None, str]],
                        exercises: Iterable[str] = ()) -> dict[str, list[Student]]:
    """Per exercise, the roster students with no submission of it matched to them.

    ``handed_in`` holds (student id or None, exercise) of every matched submission; the exercises are
    those handed in by anyone, and ``exercises``.
    """
    have = {(sid, exercise) for sid, exercise in handed_in if sid and exercise}
    every = sorted({exercise for _, exercise in have} | {e for e in exercises if e})
    order = sorted(roster.students, key=lambda s: (s.section, s.name, s.student_id))
    return {exercise: [s for s in order if (s.student_id, exercise) not in have] for exercise in every}


def missing_text(missing: dict[str, list[Student]], limit: int = 30) -> list[str]:
    """Lines naming the students with no submission, per exercise (at most ``limit`` names each)."""
    lines = []
    for exercise, students in missing.items():
        if not students:
            lines.append(f"  {exercise}: every roster student handed it in")
            continue
        names = ", ".join(s.label for s in students[:limit])
        more = f", and {len(students) - limit} more" if len(students) > limit else ""
        lines.append(f"  {exercise}: {len(students)} with no submission: {names}{more}")
    return lines


# --------------------------------------------------------------------------- submissions


@dataclass
class Submission:
    """One submitted file, as collected (nothing read from it yet)."""

    source: str                    # path relative to the folder given, or "<zip name>!<member>"
    data: bytes = b""
    canvas_slug: str = ""          # Canvas's name slug ("smithjane"), "" if not a Canvas name
    canvas_user_id: str = ""       # Canvas user id ("anon_Ab3x9" in an anonymised assignment)
    canvas_submission_id: str = ""  # Canvas's id of the uploaded file (grows with every upload)
    late: bool = False             # Canvas marked it late
    folder: str = ""               # the per-student folder it is in, "" if none
    order: str = ""                # sorts one student's submissions in time (see canvas_order)
    problem: str = ""              # why the file was not read ("" if it was)

    @property
    def filename(self) -> str:
        """The file's own name (last part of the path or member)."""
        return self.source.rsplit("!", 1)[-1].rsplit("/", 1)[-1]


class CanvasName(NamedTuple):
    """What a Canvas submissions file name says."""

    slug: str
    user_id: str
    attachment_id: str
    late: bool
    filename: str


def parse_canvas_name(filename: str) -> CanvasName | None:
    """The parts of a Canvas submissions file name, or ``None`` if it is not one."""
    for pattern in (_CANVAS_ANON, _CANVAS_FILE, _CANVAS_ENTRY):
        if match := pattern.match(filename):
            parts = match.groupdict()
            slug = parts.get("slug") or ""
            return CanvasName(slug=slug.lower(), user_id=parts["user"], late=bool(parts.get("late")),
                              attachment_id=parts.get("attachment") or "", filename=parts["file"])
    return None


def canvas_order(attachment_id: str) -> str:
    """The ``order`` of a Canvas file: its attachment id, zero-padded so that text sorts as numbers."""
    return attachment_id.zfill(20)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")


def _skipped(parts: Sequence[str]) -> bool:
    return any(p.startswith(".") or p in SKIPPED_NAMES for p in parts)


def _describe(submission: Submission, relative_parts: Sequence[str], modified: str) -> Submission:
    """Fill in the Canvas fields, the per-student folder and the order from a file's path."""
    canvas = parse_canvas_name(relative_parts[-1])
    if canvas:
        submission.canvas_slug = canvas.slug
        submission.canvas_user_id = canvas.user_id
        submission.canvas_submission_id = canvas.attachment_id
        submission.late = canvas.late
    submission.folder = relative_parts[0] if len(relative_parts) > 1 else ""
    submission.order = canvas_order(canvas.attachment_id) if canvas and canvas.attachment_id else modified
    return submission


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def collect_folder(root: Path) -> list[Submission]:
    """Every file under ``root`` (recursive; hidden files and folders, ``.ipynb_checkpoints`` and
    ``__pycache__`` skipped; symbolic links listed, not followed)."""
    root = Path(root)
    submissions: list[Submission] = []
    total = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _skipped([d]))
        for name in sorted(files):
            path = Path(folder) / name
            parts = path.relative_to(root).parts
            if _skipped(parts):
                continue
            info = path.lstat()
            submission = _describe(Submission(source="/".join(parts)), parts, _iso(info.st_mtime))
            if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
                submission.problem = "not a regular file (a symbolic link or device): not read"
            elif info.st_size > MAX_FILE_BYTES:
                submission.problem = f"file of {_mb(info.st_size)}, over the {_mb(MAX_FILE_BYTES)} limit: not read"
            elif total + info.st_size > MAX_TOTAL_BYTES:
                submission.problem = f"over the {_mb(MAX_TOTAL_BYTES)} limit for all files together: not read"
            else:
                submission.data = path.read_bytes()
                total += len(submission.data)
            submissions.append(submission)
    return sorted(submissions, key=lambda s: s.source)


def _zip_parts(names: Sequence[str]) -> dict[str, list[str]]:
    """Each member's path parts, without a top folder that every member shares (a zipped folder)."""
    parts = {name: [p for p in name.split("/") if p] for name in names}
    tops = {p[0] for p in parts.values() if p}
    if len(tops) == 1 and all(len(p) > 1 for p in parts.values()):
        parts = {name: p[1:] for name, p in parts.items()}
    return parts


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes, str]:
    """A member's bytes (never more than the limit, whatever its header says), or a problem."""
    if info.flag_bits & 0x1:
        return b"", "encrypted zip member: not read"
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, RuntimeError, EOFError) as error:
        return b"", f"zip member could not be read ({error}): not read"
    if len(data) > MAX_FILE_BYTES:
        return b"", f"zip member over the {_mb(MAX_FILE_BYTES)} limit once uncompressed: not read"
    return data, ""


def collect_zip(path: Path) -> list[Submission]:
    """Every member of a zip (a Canvas submissions download or any zip of files), guarded:
    members over :data:`MAX_FILE_BYTES`, beyond :data:`MAX_TOTAL_BYTES` read in all, or beyond
    :data:`MAX_MEMBERS` are listed with a ``problem`` and no data."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        return [Submission(source=path.name, problem=f"not a readable zip file ({error})")]
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir() and not _skipped(i.filename.split("/"))]
        parts = _zip_parts([i.filename for i in infos])
        submissions: list[Submission] = []
        total = 0
        for count, info in enumerate(sorted(infos, key=lambda i: i.filename), start=1):
            modified = datetime(*info.date_time, tzinfo=timezone.utc).isoformat(timespec="seconds") \
                if info.date_time[0] >= 1980 else ""
            submission = _describe(Submission(source=f"{path.name}!{info.filename}"), parts[info.filename], modified)
            if count > MAX_MEMBERS:
                submission.problem = f"beyond the first {MAX_MEMBERS:,} files of the zip: not read"
            elif info.file_size > MAX_FILE_BYTES:
                submission.problem = (f"zip member of {_mb(info.file_size)}, over the {_mb(MAX_FILE_BYTES)} "
                                      "limit: not read")
            elif total + info.file_size > MAX_TOTAL_BYTES:
                submission.problem = f"over the {_mb(MAX_TOTAL_BYTES)} limit for the whole zip: not read"
            else:
                submission.data, submission.problem = _read_member(archive, info)
                total += len(submission.data)
            submissions.append(submission)
    return submissions


def collect(path: Path) -> list[Submission]:
    """The submitted files at ``path``: a ``.zip`` file (Canvas download or any zip), else a folder
    (of files, or of one sub-folder per student). Sorted by source; every file is listed."""
    path = Path(path)
    if path.suffix.lower() == ".zip" and path.is_file():
        return collect_zip(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such folder or .zip file of submissions.")
    return collect_folder(path)


# --------------------------------------------------------------------------- matching


class Candidate(NamedTuple):
    """A submission once its notebook was read: what :func:`match` decides from."""

    submission: Submission
    exercise: str = ""                  # the notebook's exercise id, "" if unreadable
    identity: Identity = Identity()


def read_candidate(submission: Submission) -> Candidate:
    """Read a submission's notebook statically: its exercise id and identity cell."""
    from alliance.exercises import exercise_id

    nb = load_notebook(submission.data) if submission.data else None
    if nb is None:
        return Candidate(submission)
    return Candidate(submission, exercise_id(nb) or "", read_identity(nb))


@dataclass
class Match:
    """Who a submission is from, and whether it counts. Fields line up with
    :class:`alliance.classroom.results.SubmissionResult` (see :meth:`result_fields`)."""

    submission: Submission
    exercise: str = ""
    identity: Identity = Identity()
    student_id: str | None = None
    student_name: str = ""     # the roster's name when matched, else the name in the notebook
    section: str = ""
    status: str = UNMATCHED    # matched | unmatched | duplicate
    note: str = ""             # how it was matched, or why not; conflicts; which one counts
    counted: bool = True       # False for a submission superseded by a later one, or unmatched to a roster

    @property
    def source(self) -> str:
        return self.submission.source

    @property
    def late(self) -> bool:
        return self.submission.late

    def result_fields(self) -> dict[str, object]:
        """The fields of ``SubmissionResult`` this match fills (``SubmissionResult(**...)``)."""
        return {"submission": self.source, "exercise": self.exercise, "student_id": self.student_id,
                "student_name": self.student_name, "section": self.section, "match": self.status,
                "match_note": self.note, "late": self.late, "counted": self.counted}


def _evidence(candidate: Candidate, roster: Roster) -> list[tuple[str, Student | None, str]]:
    """Each piece of evidence: (what it is, the student it names or None, why not)."""
    submission, identity = candidate.submission, candidate.identity
    found: list[tuple[str, Student | None, str]] = []
    if identity.student_id:
        student = roster.by_id(identity.student_id)
        found.append(("student id in the notebook", student,
                      "" if student else f"the notebook's student id {identity.student_id!r} is not on the roster"))
    if submission.canvas_slug:
        same = roster.by_slug(submission.canvas_slug)
        why = "" if len(same) == 1 else \
            f"Canvas name {submission.canvas_slug} is not a roster name" if not same else \
            f"Canvas name {submission.canvas_slug} fits {len(same)} roster names"
        found.append((f"Canvas name {submission.canvas_slug}", same[0] if len(same) == 1 else None, why))
    if submission.folder:
        student = roster.by_folder(submission.folder)
        found.append((f"folder name {submission.folder}", student,
                      "" if student else f"folder name {submission.folder!r} is not a student id or email"))
    if identity.email:
        student = roster.by_email(identity.email)
        found.append(("email in the notebook", student,
                      "" if student else f"the notebook's email {identity.email!r} is not on the roster"))
    if identity.name:
        same = sorted({s for slug in name_slugs(identity.name) for s in roster.by_slug(slug)},
                      key=lambda s: s.student_id)
        found.append(("name in the notebook", same[0] if len(same) == 1 else None,
                      "" if len(same) == 1 else f"the notebook's name {identity.name!r} is "
                      + ("not on the roster" if not same else f"{len(same)} roster names")))
    return found


def match_one(candidate: Candidate, roster: Roster) -> Match:
    """Who one submission is from (duplicates are decided by :func:`match`, over all of them)."""
    candidate = Candidate(*candidate)
    result = Match(candidate.submission, candidate.exercise, candidate.identity,
                   student_name=candidate.identity.name)
    evidence = _evidence(candidate, roster)
    chosen = next(((what, student) for what, student, _ in evidence if student), None)
    notes: list[str] = []
    if candidate.submission.problem:
        notes.append(candidate.submission.problem)
    if chosen is None:
        reasons = [why for _, _, why in evidence if why]
        notes.append("no match: " + ("; ".join(reasons) if reasons else
                                     "no student id, name or email in the notebook, no Canvas or folder name"))
    else:
        what, student = chosen
        result.student_id, result.student_name, result.section = student.student_id, student.name, student.section
        result.status = MATCHED
        notes.append(f"matched by {what}")
        notes += [f"conflict: {other} names {named.label}" for other, named, _ in evidence
                  if named and named != student and not other.startswith("name in the notebook")]
        notes += [why for what_, named, why in evidence if why and what_.startswith("student id")]
    result.note = "; ".join(notes)
    return result


def _duplicate_group(result: Match) -> tuple[str, ...] | None:
    """Submissions of one group are one student's tries at one exercise."""
    if not result.exercise:
        return None
    if result.student_id is not None:
        return ("student", result.student_id, result.exercise)
    if result.submission.canvas_user_id:
        return ("canvas", result.submission.canvas_user_id, result.exercise)
    return None


def match(candidates: Iterable[Candidate | tuple[Submission, str, Identity]], roster: Roster) -> list[Match]:
    """Match every candidate to the roster and mark superseded duplicates (same order as given).

    In each group of one student's submissions of one exercise, the one with the greatest
    ``order`` (then source) counts; the others get status ``duplicate``, ``counted`` False. With a
    roster, an ``unmatched`` submission is not counted either (it counts for nobody, and is left out of
    the marking sheet); without one nothing is matched and every file counts.
    """
    results = [match_one(c, roster) for c in candidates]
    groups: dict[tuple[str, ...], list[Match]] = {}
    for result in results:
        if (group := _duplicate_group(result)) is not None:
            groups.setdefault(group, []).append(result)
    for members in groups.values():
        if len(members) < 2:
            continue
        latest = max(members, key=lambda m: (m.submission.order, m.source))
        latest.note += f"; counts: the most recent of {len(members)} submissions of {latest.exercise}"
        for member in members:
            if member is not latest:
                member.status, member.counted = DUPLICATE, False
                member.note += f"; duplicate: {latest.source} (later) counts instead"
    if roster.students:
        for result in results:
            if result.status == UNMATCHED:
                result.counted = False
                result.note += "; not counted: it counts for nobody until it is matched"
    return results


# --------------------------------------------------------------------------- command line


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(r, widths)), r[-1]]).rstrip() for r in rows)


def matching_table(matches: Sequence[Match]) -> str:
    """The matching table the command prints: source, exercise, student, status, note."""
    rows = [["source", "exercise", "student", "status", "note"]]
    for m in matches:
        student = f"{m.student_name} ({m.student_id})" if m.student_id else (m.student_name or "-")
        rows.append([m.source, m.exercise or "-", student, m.status + (" (late)" if m.late else ""), m.note])
    return _table(rows)


def match_roster(run: GradingRun, roster_path: Path | None) -> None:
    """Fill each result's student, match status and ``counted`` from the roster (:func:`match`).

    Matching reads only what grading recorded (``evidence``), so shards are matched after their merge.
    Without a roster nothing is matched, but one Canvas user's repeated submissions are still found.
    """
    roster = load_roster(roster_path) if roster_path else Roster([])
    candidates = []
    for r in run.results:
        e = r.evidence
        submission = Submission(source=r.submission, late=r.late, canvas_slug=e.get("canvas_slug", ""),
                                canvas_user_id=e.get("canvas_user_id", ""),
                                canvas_submission_id=e.get("canvas_submission_id", ""),
                                folder=e.get("folder", ""), order=e.get("order", ""))
        identity = Identity(name=e.get("notebook_name", ""), student_id=e.get("notebook_id", ""),
                            email=e.get("notebook_email", ""))
        candidates.append(Candidate(submission, r.exercise, identity))
    for result, found in zip(run.results, match(candidates, roster)):
        fields = found.result_fields()
        for name in ("student_id", "student_name", "section", "match", "match_note", "counted"):
            setattr(result, name, fields[name])
        if roster_path is None:
            result.match_note = "no roster given" + (f"; {result.match_note}" if result.match_note else "")



def main(argv: list[str] | None = None) -> int:
    """Print who submitted what (before grading): match a folder or Canvas zip to the roster."""
    parser = argparse.ArgumentParser(prog="python -m alliance.classroom.roster", description=main.__doc__)
    parser.add_argument("roster", type=Path, help="roster CSV: student_id, name[, email, section], or a Canvas "
                        "gradebook export")
    parser.add_argument("submissions", type=Path, help="a folder of submissions or a Canvas submissions .zip")
    args = parser.parse_args(argv)
    try:
        roster = load_roster(args.roster)
        submissions = collect(args.submissions)
    except (RosterError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    matches = match([read_candidate(s) for s in submissions], roster)
    print(matching_table(matches))
    counts = {status: sum(m.status == status for m in matches) for status in (MATCHED, DUPLICATE, UNMATCHED)}
    not_notebooks = sum(not m.exercise for m in matches)
    print(f"\n{len(matches)} file(s): {counts[MATCHED]} matched, {counts[DUPLICATE]} duplicate (not counted), "
          f"{counts[UNMATCHED]} unmatched; {not_notebooks} without an exercise id (not a notebook, or unreadable); "
          f"roster of {len(roster)} student(s).")
    handed_in = [(m.student_id, m.exercise) for m in matches if m.status == MATCHED]
    missing = missing_by_exercise(roster, handed_in, (m.exercise for m in matches))
    if missing:
        print("\nRoster students with no submission, per exercise:")
        print("\n".join(missing_text(missing)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
