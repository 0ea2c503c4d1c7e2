"""The course roster: the roster CSV or a Canvas gradebook export, its students found by id, email, folder or
Canvas name, and who handed in nothing.

The CSV has the columns ``student_id, name``, optionally ``email, section``; a Canvas export is read as it is.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from alliance.errors import CourseError

ROSTER_COLUMNS: tuple[str, ...] = ("student_id", "name", "email", "section")
#: The columns a roster must have; ``email`` and ``section`` may be left out.
REQUIRED_COLUMNS: tuple[str, ...] = ("student_id", "name")
#: A Canvas gradebook export ("Export Entire Gradebook"): its columns for the roster's.
CANVAS_EXPORT_COLUMNS: dict[str, str] = {"student_id": "sis_user_id", "name": "student", "section": "section"}
#: Rows of a Canvas gradebook export that are not students (the points row, Canvas's test student).
CANVAS_NOT_STUDENTS = frozenset({"points possible", "student, test", "test student"})


_NOT_WORD = re.compile(r"[\W_]+")


class RosterError(CourseError):
    """The roster CSV cannot be used: missing columns, blank or duplicate ids (all listed)."""


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
