"""The matching check's command line: ``python -m alliance.classroom.roster ROSTER SUBMISSIONS`` prints who
submitted what, and who did not, without grading.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from alliance.classroom.roster.matching import DUPLICATE, MATCHED, UNMATCHED, Match, match, read_candidate
from alliance.classroom.roster.students import RosterError, load_roster, missing_by_exercise, missing_text
from alliance.classroom.roster.submissions import collect


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
