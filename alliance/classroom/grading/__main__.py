"""Grading's command line: ``python -m alliance.classroom.grading SUBMISSIONS --out OUT`` (``make grade``), or
``... merge OUT SHARD_OUT ...``.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alliance.classroom.grading.batch import grade, merge, parse_shard
from alliance.classroom.grading.privacy import privacy_warnings
from alliance.classroom.grading.regrade import regrade_report, superseded_note, superseded_sheets, unmerged_sheets
from alliance.classroom.sandbox import Limits, SandboxUnavailable, parse_size


def main(argv: list[str] | None = None) -> int:
    """Grade submissions into OUT (or merge the outputs of shards)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["merge"]:
        parser = argparse.ArgumentParser(prog="python -m alliance.classroom.grading merge",
                                         description="Merge the outputs of shards 1/n ... n/n into OUT.")
        parser.add_argument("out", type=Path)
        parser.add_argument("shards", type=Path, nargs="+")
        parser.add_argument("--roster", type=Path)
        args = parser.parse_args(argv[1:])
        run = merge(args.out, args.shards, args.roster)
        print(f"Merged {len(args.shards)} shard(s): {len(run.results)} submission(s) into {args.out}.")
        return 0
    parser = argparse.ArgumentParser(prog="python -m alliance.classroom.grading", description=main.__doc__)
    parser.add_argument("submissions", type=Path, help="a folder, a folder per student, or a Canvas zip")
    parser.add_argument("--out", type=Path, help="output folder (default: SUBMISSIONS-graded)")
    parser.add_argument("--roster", type=Path, help="CSV: student_id, name, email, section")
    parser.add_argument("--jobs", type=int, default=None, help="submissions at once (default: one per core)")
    parser.add_argument("--shard", type=parse_shard, default=(1, 1), help="grade only shard i of n (i/n)")
    parser.add_argument("--memory", type=parse_size, default=Limits.memory, help="per submission (default 2G)")
    parser.add_argument("--processes", type=int, default=Limits.processes)
    parser.add_argument("--cell-timeout", type=float, default=Limits.cell_timeout, help="seconds per cell")
    parser.add_argument("--total-timeout", type=float, default=Limits.total_timeout, help="seconds per submission")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run submissions without a sandbox (only on a machine you accept to put at risk)")
    args = parser.parse_args(argv)
    out = args.out or args.submissions.with_name(args.submissions.stem + "-graded")
    limits = Limits(memory=args.memory, processes=args.processes, cell_timeout=args.cell_timeout,
                    total_timeout=args.total_timeout)
    for warning in privacy_warnings([args.submissions, out, *([args.roster] if args.roster else [])]):
        print(warning, file=sys.stderr)
    unmerged = unmerged_sheets(out)
    if unmerged and args.shard == (1, 1):
        print(f"Not graded: {', '.join(map(str, unmerged))} hold(s) marks not merged yet, and grading again gives "
              f"a new run that refuses them. Merge them first (make merge-marks OUT={out} MARKS=...), or move "
              f"them out of {out / 'marking'} if you do not need them.", file=sys.stderr)
        return 4
    for line in superseded_note(superseded_sheets(out), out) if args.shard == (1, 1) else []:
        print(line, file=sys.stderr)
    if args.no_sandbox:
        print("Warning: grading WITHOUT a sandbox (--no-sandbox): submissions can read and write your files "
              "and use the network.", file=sys.stderr)
    try:
        run = grade(args.submissions, out, args.roster, limits, args.jobs, args.shard, not args.no_sandbox,
                    progress=True)
    except SandboxUnavailable as err:
        print(f"Not graded: {err}", file=sys.stderr)
        return 3
    noted = sum(1 for r in run.results if r.notes)
    unmatched = sum(1 for r in run.results if r.match == "unmatched")
    print(f"Graded {len(run.results)} submission(s) in {run.settings['seconds']} s into {out} "
          f"({noted} with notes, {unmatched} unmatched).")
    from alliance.classroom.gradebook import missing_report

    for line in [*regrade_report(run, out), *(missing_report(out) if args.roster else [])]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
