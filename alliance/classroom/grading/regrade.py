"""Grading again into a folder that holds a run: anonymous codes and unchanged answers' hand marks kept,
marking sheets left unmerged or superseded named.

Before a marked answer is dropped, the earlier results are backed up.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from alliance.classroom.results import GradingRun, SubmissionResult

#: Where grading again keeps the earlier results.json when it drops any merged hand mark.
PREVIOUS_RESULTS = "results.previous.json"


def member_path(submission: str) -> str:
    """A submission's path inside what was graded: ``zip!member`` → ``member`` (a zip's own name, such as a
    browser's ``submissions (1).zip`` for a second download, says nothing about the answers)."""
    return submission.split("!", 1)[1] if "!" in submission else submission


def anonymous_code(salt: str, submission: str) -> str:
    """The code markers see for a submission: ``S`` and six characters, the same for the same salt."""
    return "S" + hashlib.sha256(f"{salt}\n{submission}".encode()).hexdigest()[:6].upper()


def earlier_run(out: Path) -> GradingRun | None:
    """The run already in ``out`` (graded before into the same folder), if any."""
    try:
        return GradingRun.load(out) if (Path(out) / "results.json").is_file() else None
    except (OSError, ValueError, TypeError, KeyError):
        return None


def answer_owner(result: SubmissionResult) -> tuple[str, str]:
    """Whose answer to which exercise a submission holds: the roster's student id when matched, else
    the file's path inside the submissions (a zip's name left out)."""
    who = f"student {result.student_id}" if result.student_id else f"file {member_path(result.submission)}"
    return who, result.exercise


def carry_marks(previous: GradingRun, run: GradingRun) -> tuple[int, list[str]]:
    """Copy hand marks and comments of ``previous`` into ``run`` where the answer did not change.

    An answer is found by its content, not by the file's name: the counted submission of the same
    student and exercise (or, unmatched, the same file inside the submissions), then the question and
    the answer's digest. Returns how many were kept and, for each marked answer not kept,
    ``"<submission> <question>: <why>"`` (the answer changed, or the submission or question is gone).
    """
    by_owner = {answer_owner(r): r for r in run.results if r.counted and r.exercise}
    by_file = {(member_path(r.submission), r.exercise): r for r in run.results if r.exercise}
    kept, lost = 0, []
    for result in previous.results:
        marked = [i for i in result.items if i.by_hand and (i.score is not None or i.comment)]
        if not marked:
            continue
        target = by_owner.get(answer_owner(result)) if result.counted else None
        target = target or by_file.get((member_path(result.submission), result.exercise))
        for item in marked:
            new = next((i for i in target.items if i.id == item.id), None) if target else None
            if new is None:
                lost.append(f"{member_path(result.submission)} {item.id}: no longer in the submissions")
            elif new.digest != item.digest:
                was = member_path(result.submission)
                now = member_path(target.submission)
                lost.append(f"{now} {item.id}: the answer changed, to mark again"
                            + (f" (marked in {was})" if was != now else ""))
            else:
                new.score, new.comment, new.marked_by = item.score, item.comment, item.marked_by
                new.commented_by = item.commented_by
                kept += 1
    return kept, lost


def regrade_report(run: GradingRun, out: Path) -> list[str]:
    """What grading again into ``out`` kept of the earlier run's hand marks, and what needs marking again."""
    if "marks_kept" not in run.settings:
        return []
    lost = run.settings.get("marks_not_kept", [])
    lines = [f"Graded again into {out}: kept {run.settings['marks_kept']} hand mark(s) and comment(s) of the "
             f"earlier grading (answers unchanged); {len(lost)} marked answer(s) not kept"
             + (":" if lost else ".")]
    lines += [f"  {entry}" for entry in lost[:50]]
    lines += [f"  ... and {len(lost) - 50} more (results.json, settings.marks_not_kept)"] if len(lost) > 50 else []
    if run.settings.get("previous_results"):
        lines.append(f"The earlier results, with every mark merged before, are kept in "
                     f"{run.settings['previous_results']}.")
    if (Path(out) / "feedback").is_dir():
        lines.append(f"The feedback pages in {Path(out) / 'feedback'} are the earlier grading's: "
                     f"make feedback OUT={out} rewrites them.")
    return lines


def unmerged_sheets(out: Path) -> list[Path]:
    """Marking sheets in ``out/marking`` of ``out``'s run holding marks or comments not merged into it yet
    (a sheet of an earlier run is superseded, :func:`superseded_sheets`, not unmerged)."""
    from alliance.classroom.marking.page import MARKING_DIR, unmerged_rows

    previous = earlier_run(out)
    folder = Path(out) / MARKING_DIR
    if previous is None or not folder.is_dir():
        return []
    superseded = set(superseded_sheets(out))
    return [sheet for sheet in sorted(folder.glob("*.csv"))
            if sheet not in superseded and unmerged_rows(previous, sheet)]


def superseded_sheets(out: Path) -> list[Path]:
    """Marking sheets in ``out/marking`` exported from an earlier grading run than the one ``out`` holds."""
    from alliance.classroom.marking.page import MARKING_DIR
    from alliance.classroom.marking.reading import sheet_runs
    from alliance.classroom.marking.sheet import run_id

    current = earlier_run(out)
    folder = Path(out) / MARKING_DIR
    if current is None or not run_id(current) or not folder.is_dir():
        return []
    return [sheet for sheet in sorted(folder.glob("*.csv"))
            if (runs := sheet_runs(sheet)) and run_id(current) not in runs]


def superseded_note(sheets: list[Path], out: Path) -> list[str]:
    """What to do with sheets of an earlier grading run: they are superseded, and how to go on."""
    if not sheets:
        return []
    return [f"Superseded: {', '.join(map(str, sheets))} come(s) from an earlier grading run of {out} and cannot be "
            f"merged any more. Marks merged from them are kept for every answer that did not change; the answers "
            f"that changed are listed when grading again. To go on: make marking OUT={out} (a fresh sheet, with "
            f"every kept mark filled in), mark there the answers listed as changed, then make merge-marks; move "
            f"the superseded sheet(s) out of {Path(out) / 'marking'} (kept as a record if you like)."]
