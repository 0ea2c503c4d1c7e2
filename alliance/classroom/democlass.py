"""A synthetic class to try the whole grading cycle on: a roster and a Canvas submissions zip.

Used by ``make bench`` (1,400 submissions: 200 students, 7 notebooks each), by the end-to-end
test, and by instructors who want to rehearse the cycle before a real class::

    python -m alliance.classroom.democlass OUT [--students 200] [--exercises ex00,ex03] [--seed 1] [--hostile all]

writes ``OUT/roster.csv`` and ``OUT/submissions.zip`` (Canvas "download submissions" names:
``lastfirst_12345_67890_ex03-trade-frictions.ipynb``, ``lastfirst_late_...`` for late work).

Each submission is the student edition (:func:`alliance.editions.solutions.strip_solutions`) filled in
one of these ways, drawn with a fixed seed: ``full`` (every solution), ``partial`` (the first
questions only), ``empty`` (handed in untouched) or one of the :data:`HOSTILE` cases. A few
extras make the matching work: a student absent from the roster, a student who writes no id
(matched by the Canvas name only), a duplicate (the same exercise handed in twice) and a file
that is not a notebook. ``--hostile all`` (or a list of cases) makes the first submissions every
hostile case, so that even a small rehearsal shows the sandbox at work. The names are invented
(``Student 001``), not people.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from alliance.exercises import exercise_id, solution_notebooks
from alliance.editions.solutions import strip_solutions
from alliance.editions.tags import IDENTITY_TAG, PLACEHOLDER_TAG, SOLUTION_TAG, STUDENT_TAG, cell_tags

#: Hostile cells, each added to a full submission: what a grader must survive without giving points.
HOSTILE: dict[str, str] = {
    "replaced_checker": ("import alliance.exercises as _e\n_e.check = lambda *a, **k: True\n"
                         "_e.score_namespace = lambda ex, ns: {q: 1.0 for q in ('q1','q2','q3','q4','q5')}\n"
                         "_e.answer_digest = lambda *a: 'forged'"),
    "memory_hog": "hog = bytearray(6 * 1024 ** 3)",
    "fork_bomb": ("import os, time\nfor _ in range(10_000):\n    if os.fork() == 0:\n"
                  "        time.sleep(5)\n        os._exit(0)"),
    "writes_outside": ("import os\nfor target in [os.path.expanduser('~/stolen.txt'), '/tmp/alliance-stolen.txt',\n"
                       "               os.path.abspath('../../grades.csv')]:\n    open(target, 'w').write('x')"),
    "network": "import urllib.request\nurllib.request.urlopen('https://example.com', timeout=5).read()",
    "infinite_loop": "while True:\n    pass",
    "exits_python": "import os\nos._exit(0)",
    "lying_object": ("class _Always:\n    def __eq__(self, other):\n        return True\n"
                     "answer_q1 = answer_q2 = answer_q5 = _Always()"),
    "forged_scores": "print('ALLIANCE-SCORES {\"q1\": 1, \"q2\": 1, \"q3\": 1, \"q4\": 1, \"q5\": 1}')",
}
#: Where a hostile cell goes: the loop and the exit run before the answers, the others after.
HOSTILE_FIRST = {"infinite_loop", "exits_python", "memory_hog", "fork_bomb"}


@dataclass(frozen=True)
class Student:
    """An invented student of the synthetic class."""

    student_id: str
    first: str
    last: str
    section: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        return f"s{self.student_id}@example.edu"

    @property
    def canvas_slug(self) -> str:
        return f"{self.last}{self.first}".lower().replace(" ", "")


def students(count: int) -> list[Student]:
    """``count`` invented students with ids 100001..., in two sections."""
    return [Student(str(100000 + n), "Student", f"{n:03d}", f"S{1 + n % 2}") for n in range(1, count + 1)]


def _answers_by_placeholder(solution: NotebookNode) -> dict[str, str]:
    """For each student placeholder (its first line), the solution code that replaces it."""
    found: dict[str, str] = {}
    cells = solution.cells
    for i, cell in enumerate(cells):
        tags = cell_tags(cell)
        if cell.cell_type == "code" and STUDENT_TAG in tags:
            parts = []
            for later in cells[i + 1:]:
                if SOLUTION_TAG not in cell_tags(later) or later.cell_type != "code":
                    break
                parts.append(later.source)
            found[cell.source.splitlines()[0]] = "\n\n".join(parts)
    return found


def fill(solution: NotebookNode, kind: str, student: Student | None, answered: int = 99,
         hostile: str = "") -> NotebookNode:
    """The student edition of ``solution`` filled in: ``answered`` questions, identity, a hostile cell."""
    nb = strip_solutions(solution)
    answers = _answers_by_placeholder(solution)
    done = 0
    for cell in nb.cells:
        tags = cell_tags(cell)
        if IDENTITY_TAG in tags and student is not None:
            cell.source = (f'student_name = "{student.name}"\nstudent_id = "{student.student_id}"'
                           if kind != "no_id" else f'student_name = "{student.name}"\nstudent_id = "..."')
        elif cell.cell_type == "code" and STUDENT_TAG in tags and kind != "empty" and done < answered:
            cell.source = answers.get(cell.source.splitlines()[0], cell.source)
            done += 1
        elif cell.cell_type == "markdown" and any(PLACEHOLDER_TAG.match(t) for t in tags) \
                and kind != "empty" and done < answered:
            cell.source = ("The two texts place the frictions differently: one reads them as pressure, the other "
                           "as negotiation. (A synthetic answer.)")
    if hostile:
        position = 2 if hostile in HOSTILE_FIRST else len(nb.cells)
        nb.cells.insert(position, nbformat.v4.new_code_cell(HOSTILE[hostile]))
    return nb


@dataclass(frozen=True)
class Planned:
    """One file of the synthetic zip and what it is meant to test."""

    member: str
    student: Student | None
    exercise: str
    kind: str       # full, partial, empty, no_id, hostile:<case>, not_a_notebook, duplicate, unknown_student
    late: bool


def plan(count: int, exercises: list[str], seed: int = 1, hostile_share: float = 0.02,
         hostile_cases: list[str] | None = None) -> list[Planned]:
    """What the synthetic class hands in (deterministic for a seed).

    With ``hostile_cases`` the first submissions are those hostile cases, in order, and no other
    submission is hostile.
    """
    rng = random.Random(seed)
    forced = list(hostile_cases or [])
    names = {exercise_id(nbformat.read(p, as_version=4)): p.name for p in solution_notebooks()}
    cases = sorted(HOSTILE)
    planned, sub_id, hostile_index = [], 500000, 0
    roster = students(count)
    for student in roster:
        for ex in exercises:
            sub_id += 1
            roll = rng.random()
            if forced:
                kind = f"hostile:{forced.pop(0)}"
            elif hostile_cases is None and roll < hostile_share:
                kind = f"hostile:{cases[hostile_index % len(cases)]}"
                hostile_index += 1
            elif roll < 0.55:
                kind = "full"
            elif roll < 0.85:
                kind = "partial"
            elif roll < 0.95:
                kind = "empty"
            else:
                kind = "no_id"
            late = rng.random() < 0.05
            member = f"{student.canvas_slug}{'_late' if late else ''}_{student.student_id[-4:]}_{sub_id}_{names[ex]}"
            planned.append(Planned(member, student, ex, kind, late))
    first = roster[0]
    ex = exercises[0]
    planned.append(Planned(f"{first.canvas_slug}_{first.student_id[-4:]}_{sub_id + 1}_{names[ex].replace('.ipynb', '-1.ipynb')}",
                           first, ex, "duplicate", False))
    stranger = Student("999999", "Visiting", "Auditor", "S9")
    planned.append(Planned(f"{stranger.canvas_slug}_9999_{sub_id + 2}_{names[ex]}", stranger, ex, "unknown_student", False))
    planned.append(Planned(f"{roster[-1].canvas_slug}_{roster[-1].student_id[-4:]}_{sub_id + 3}_notes.txt",
                           roster[-1], ex, "not_a_notebook", False))
    return planned


def write_class(out: Path, count: int = 200, exercises: list[str] | None = None, seed: int = 1,
                hostile_share: float = 0.02, hostile_cases: list[str] | None = None) -> tuple[Path, Path, list[Planned]]:
    """Write ``out/roster.csv`` and ``out/submissions.zip``; returns their paths and the plan."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    solutions = {exercise_id(nbformat.read(p, as_version=4)): nbformat.read(p, as_version=4)
                 for p in solution_notebooks()}
    exercises = exercises or sorted(solutions)
    planned = plan(count, exercises, seed, hostile_share, hostile_cases)
    roster_path = out / "roster.csv"
    with open(roster_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name", "email", "section"])
        for s in students(count):
            writer.writerow([s.student_id, s.name, s.email, s.section])
    zip_path = out / "submissions.zip"
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in planned:
            archive.writestr(item.member, _content(item, solutions[item.exercise]))
    return roster_path, zip_path, planned


def _content(item: Planned, solution: NotebookNode) -> bytes:
    if item.kind == "not_a_notebook":
        return b"My notes for the exercise (not a notebook)."
    if item.kind.startswith("hostile:"):
        nb = fill(solution, "full", item.student, hostile=item.kind.split(":", 1)[1])
    elif item.kind in ("full", "duplicate", "unknown_student", "no_id"):
        nb = fill(solution, item.kind, item.student)
    elif item.kind == "partial":
        nb = fill(solution, "partial", item.student, answered=2)
    else:
        nb = fill(solution, "empty", item.student)
    return nbformat.writes(nb).encode("utf-8")


def hostile_cases(text: str) -> list[str]:
    """``--hostile all`` or ``--hostile memory_hog,network``: the hostile cases asked for, in order."""
    cases = sorted(HOSTILE) if text.strip() == "all" else [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in cases if c not in HOSTILE]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown hostile case(s) {', '.join(unknown)}; "
                                         f"choose 'all' or from {', '.join(sorted(HOSTILE))}")
    return cases


def main(argv: list[str] | None = None) -> int:
    """Write a synthetic class (roster and Canvas zip) into OUT."""
    parser = argparse.ArgumentParser(prog="python -m alliance.classroom.democlass", description=main.__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--exercises", type=lambda s: s.split(","), default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hostile", type=hostile_cases, default=None,
                        help=f"'all', or some of {','.join(sorted(HOSTILE))}: the first submissions are these "
                             "hostile notebooks (and no other is)")
    args = parser.parse_args(argv)
    if args.hostile and len(args.hostile) > args.students * len(args.exercises or [None] * 7):
        parser.error(f"--hostile: {len(args.hostile)} cases need at least as many submissions")
    roster, archive, planned = write_class(args.out, args.students, args.exercises, args.seed,
                                           hostile_cases=args.hostile)
    kinds: dict[str, int] = {}
    for item in planned:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    print(f"{len(planned)} submissions in {archive}, roster {roster}: {json.dumps(kinds, sort_keys=True)}")
    graded = args.out / "graded"
    print(f"Next, as the course guide goes on:\n  .venv/bin/python -m alliance.classroom.roster {roster} {archive}\n"
          f"  make grade SUBMISSIONS={archive} ROSTER={roster} OUT={graded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
