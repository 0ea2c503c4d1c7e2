"""Hand marking's command line: ``python -m alliance.classroom.marking export OUT`` (``make marking``) and
``... merge OUT marks.csv [...]`` (``make merge-marks``).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from alliance.classroom.marking.merge import merge_marks
from alliance.classroom.marking.page import export_marking, left_out
from alliance.classroom.marking.reading import sheet_runs
from alliance.classroom.marking.sheet import MARKS_CSV, MarkingError, run_id
from alliance.classroom.results import GradingRun


def main(argv: Sequence[str] | None = None) -> int:
    """Export the marking page and sheet, or merge filled sheets into results.json."""
    parser = argparse.ArgumentParser(prog="python -m alliance.classroom.marking", description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write OUT/marking/index.html and OUT/marking/marks.csv")
    export.add_argument("out", type=Path)
    merge = commands.add_parser("merge", help="merge filled marking sheets into OUT/results.json")
    merge.add_argument("out", type=Path)
    merge.add_argument("marks", type=Path, nargs="+", help="one sheet, or one per marker")
    merge.add_argument("--clear-blank", action="store_true", help="a blank mark or comment clears the merged one")
    merge.add_argument("--replace", action="store_true", help="let these sheets replace marks merged from others")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not (args.out / "results.json").is_file():
        parser.error(f"{args.out}/results.json not found: grade the submissions first (make grade).")
    try:
        if args.command == "export":
            page, sheet = export_marking(args.out)
            old = sheet.parent / MARKS_CSV
            current = run_id(GradingRun.load(args.out))
            if sheet.name != MARKS_CSV and current and (runs := sheet_runs(old)) and current not in runs:
                print(f"{old} is superseded (from an earlier grading run): left as it is; the new sheet is "
                      f"{sheet.name}, with every kept mark filled in. Mark there the answers that changed (copy "
                      f"what still applies from the old sheet), then move the old sheet out of {sheet.parent}.")
            elif sheet.name != MARKS_CSV:
                print(f"{old} holds marks or comments not merged yet: left as it is; "
                      f"the new sheet is {sheet.name}. Merge the old one first if you still need it:\n"
                      f"  make merge-marks OUT={args.out} MARKS={old}")
            print(f"wrote {page}\nwrote {sheet}  (fill in mark and comment, then: "
                  f"make merge-marks OUT={args.out} MARKS={sheet})")
            for line in left_out(GradingRun.load(args.out)):
                print(line)
        else:
            run = merge_marks(args.out, args.marks, args.clear_blank, args.replace)
            left = sum(len(r.unmarked) for r in run.results if r.counted)
            print(f"merged {' '.join(map(str, args.marks))} into {args.out}/results.json; gradebook rewritten; "
                  f"{left} written answer(s) and judgement(s) still to mark")
    except MarkingError as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
