"""Grade a folder of submitted exercise notebooks into ``<folder>/grades.csv``.

Command line (the Makefile's ``make grade SUBMISSIONS=folder``)::

    python -m alliance.grading submissions/ [--cell-timeout 60] [--total-timeout 300] [--jobs 1]

* Which exercise a file answers is read from the notebook's own metadata
  (``metadata.alliance.exercise``), never from its file name: students rename files, and one
  folder may hold several exercises.
* Each submission runs top to bottom in its own fresh kernel, in a scratch working folder, with
  errors allowed (a failing cell does not stop the others), a per-cell time limit (the kernel
  is interrupted and the next cell runs) and an overall time limit (the kernel is killed).
* Then one extra cell reads each answer variable and checks it with
  :func:`alliance.exercises.check`. Code, chart and source-criticism questions get their points
  or zero; written questions are left blank, to mark by hand with the rubric.
* A submission that is not a notebook, is empty, crashes, kills its kernel or runs out of time
  gets zero on what could not be checked and a note in the ``error`` column. The batch always
  finishes.

Running a submission executes the student's code: run the grader on a machine (or container)
you are willing to let that code run on.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from alliance.exercises import exercise_id, load_key, questions

GRADES_CSV = "grades.csv"
DEFAULT_CELL_TIMEOUT = 60
DEFAULT_TOTAL_TIMEOUT = 300
_MARKER = "ALLIANCE-SCORES"


@dataclass
class Grade:
    """One row of ``grades.csv``: the result of grading one submitted file."""

    file: str
    exercise: str = ""
    scores: dict[str, float | None] = field(default_factory=dict)
    max_points: float = 0.0
    by_hand: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        """Sum of the automatically checked points."""
        return float(sum(v for v in self.scores.values() if v is not None))


def list_submissions(folder: Path) -> list[Path]:
    """Every regular file under ``folder`` except ``grades.csv``, hidden files and checkpoints."""
    found = []
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or rel.as_posix() == GRADES_CSV:
            continue
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        found.append(path)
    return found


def read_submission(path: Path) -> tuple[NotebookNode | None, str]:
    """Read a file as a notebook; returns ``(notebook, "")`` or ``(None, reason)``."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        return None, f"cannot read the file ({err.strerror})"
    if not raw.strip():
        return None, "empty file: not a notebook"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, f"not a notebook: invalid JSON ({str(err)[:80]})"
    if not isinstance(data, dict) or "cells" not in data:
        return None, "not a notebook: JSON without notebook cells"
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as err:  # nbformat raises several kinds on malformed notebooks
        return None, f"not a readable notebook ({type(err).__name__})"
    return nb, ""


def _score_cell(exercise: str, nonce: str) -> NotebookNode:
    source = (
        "import json as _alliance_json\n"
        "from alliance.exercises import score_namespace as _alliance_score\n"
        f"print('{_MARKER}-{nonce} ' + _alliance_json.dumps(_alliance_score({exercise!r}, globals())))"
    )
    return nbformat.v4.new_code_cell(source)


def _cell_errors(nb: NotebookNode, limit: int, cell_timeout: float) -> list[str]:
    notes = []
    for index, cell in enumerate(nb.cells[:limit]):
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            if out.get("ename") == "KeyboardInterrupt":
                notes.append(f"cell {index + 1}: stopped after the {cell_timeout:g} s cell time limit")
            else:
                notes.append(f"cell {index + 1}: {out.get('ename')}: {str(out.get('evalue', ''))[:80]}")
    return notes


def _read_scores(cell: NotebookNode, nonce: str) -> dict[str, float] | None:
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    for line in text.splitlines():
        if line.startswith(f"{_MARKER}-{nonce} "):
            return {k: float(v) for k, v in json.loads(line.split(" ", 1)[1]).items()}
    return None


async def run_notebook(nb: NotebookNode, exercise: str, cell_timeout: float,
                       total_timeout: float) -> tuple[dict[str, float] | None, list[str]]:
    """Execute a submission plus the scoring cell in a fresh kernel; returns (scores, notes).

    ``scores`` is ``None`` when the scoring cell could not run (time limit, dead kernel).
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    nonce = secrets.token_hex(8)
    work = nbformat.from_dict(json.loads(json.dumps(nb)))
    work.cells = [c for c in work.cells if c.get("cell_type") in ("code", "markdown", "raw")]
    n_cells = len(work.cells)
    work.cells.append(_score_cell(exercise, nonce))
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="alliance-grade-") as scratch:
        client = NotebookClient(
            work, timeout=int(max(1, cell_timeout)), interrupt_on_timeout=True, allow_errors=True,
            kernel_name="python3", shutdown_kernel="immediate", record_timing=False,
            resources={"metadata": {"path": scratch}},
        )
        start = time.monotonic()
        over_time = f"stopped after the {total_timeout:g} s total time limit"
        try:
            await asyncio.wait_for(client.async_execute(), timeout=total_timeout)
        except asyncio.TimeoutError:
            notes.append(over_time)
        except DeadKernelError:
            # killing the kernel at the total limit can surface as a dead kernel
            if time.monotonic() - start >= total_timeout:
                notes.append(over_time)
                return None, _cell_errors(work, n_cells, cell_timeout) + notes
            alive = client.km is not None and await client.km._async_is_alive()
            notes.append(f"stopped: the kernel no longer answered after the {cell_timeout:g} s cell time limit "
                         "(a loop that ignores interrupts?)" if alive else
                         "the kernel died (the notebook crashed Python)")
        except Exception as err:  # any other failure of the run must not stop the batch
            notes.append(f"could not run: {type(err).__name__}: {str(err)[:80]}")
        finally:
            km = client.km
            if km is not None and km.has_kernel:
                try:
                    await km._async_shutdown_kernel(now=True)
                except Exception:
                    pass
    notes = _cell_errors(work, n_cells, cell_timeout) + notes
    return _read_scores(work.cells[-1], nonce), notes


async def grade_file(path: Path, root: Path, cell_timeout: float = DEFAULT_CELL_TIMEOUT,
                     total_timeout: float = DEFAULT_TOTAL_TIMEOUT) -> Grade:
    """Grade one submitted file (never raises: every problem becomes a note)."""
    start = time.monotonic()
    grade = Grade(file=path.relative_to(root).as_posix())
    nb, problem = read_submission(path)
    if nb is None:
        grade.errors.append(problem)
        grade.seconds = round(time.monotonic() - start, 1)
        return grade
    exercise = exercise_id(nb)
    if not exercise:
        grade.errors.append("no exercise id in the notebook metadata (alliance.exercise): "
                            "start from the student edition")
        grade.seconds = round(time.monotonic() - start, 1)
        return grade
    try:
        load_key(exercise)
    except KeyError:
        grade.errors.append(f"unknown exercise id {exercise!r} in the notebook metadata")
        grade.seconds = round(time.monotonic() - start, 1)
        return grade
    grade.exercise = exercise
    for entry in questions(exercise):
        if entry["kind"] == "written":
            grade.scores[entry["id"]] = None
            grade.by_hand.append(entry["id"])
        else:
            grade.scores[entry["id"]] = 0.0
            grade.max_points += float(entry.get("points", 1))
    if not any(c.get("cell_type") == "code" and c.get("source", "").strip() for c in nb.cells):
        grade.errors.append("empty notebook: no code to run")
        grade.seconds = round(time.monotonic() - start, 1)
        return grade
    scores, notes = await run_notebook(nb, exercise, cell_timeout, total_timeout)
    grade.errors.extend(notes)
    if scores is None:
        if not notes:
            grade.errors.append("the answers could not be read")
    else:
        grade.scores.update(scores)
    grade.seconds = round(time.monotonic() - start, 1)
    return grade


def question_columns(grades: list[Grade]) -> list[str]:
    """q1..qN, N the largest number of questions among the graded exercises."""
    n = max((len(g.scores) for g in grades), default=0)
    return [f"q{i}" for i in range(1, n + 1)]


def write_csv(grades: list[Grade], target: Path) -> Path:
    """Write ``grades.csv``: file, exercise, q1..qN, total, max_points, to_mark_by_hand, seconds, error."""
    qcols = question_columns(grades)
    header = ["file", "exercise", *qcols, "total", "max_points", "to_mark_by_hand", "seconds", "error"]
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for g in grades:
            cells = [("" if g.scores.get(q) is None else f"{g.scores[q]:g}") for q in qcols]
            writer.writerow([g.file, g.exercise, *cells, f"{g.total:g}", f"{g.max_points:g}",
                             " ".join(g.by_hand), f"{g.seconds:g}", "; ".join(g.errors)[:500]])
    return target


async def _grade_all(files: list[Path], root: Path, cell_timeout: float, total_timeout: float,
                     jobs: int) -> list[Grade]:
    gate = asyncio.Semaphore(max(1, jobs))

    async def one(path: Path) -> Grade:
        async with gate:
            try:
                return await grade_file(path, root, cell_timeout, total_timeout)
            except Exception as err:  # last line of defence: the batch always finishes
                return Grade(file=path.relative_to(root).as_posix(),
                             errors=[f"grader error: {type(err).__name__}: {str(err)[:80]}"])

    return list(await asyncio.gather(*(one(p) for p in files)))


def grade_folder(folder: Path, cell_timeout: float = DEFAULT_CELL_TIMEOUT,
                 total_timeout: float = DEFAULT_TOTAL_TIMEOUT, jobs: int = 1) -> tuple[Path, list[Grade]]:
    """Grade every file of ``folder``; writes and returns ``folder/grades.csv`` and the grades."""
    folder = Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder}: not a folder of submissions.")
    os.environ.setdefault("ALLIANCE_CHART_MODE", "book")
    files = list_submissions(folder)
    grades = asyncio.run(_grade_all(files, folder, cell_timeout, total_timeout, jobs))
    return write_csv(grades, folder / GRADES_CSV), grades


def main(argv: list[str] | None = None) -> int:
    """Grade a folder of submitted notebooks into <folder>/grades.csv."""
    parser = argparse.ArgumentParser(prog="python -m alliance.grading", description=main.__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT, help="seconds per cell")
    parser.add_argument("--total-timeout", type=float, default=DEFAULT_TOTAL_TIMEOUT,
                        help="seconds per submission")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time")
    args = parser.parse_args(argv)
    target, grades = grade_folder(args.folder, args.cell_timeout, args.total_timeout, args.jobs)
    flagged = sum(1 for g in grades if g.errors)
    print(f"Graded {len(grades)} file(s) into {target} ({flagged} with notes in the error column).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
