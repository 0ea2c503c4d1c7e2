"""Grade a class's submissions: who submitted what, what each earned, and what went wrong.

Command line (the Makefile's ``make grade SUBMISSIONS=... OUT=... ROSTER=...``)::

    python -m alliance.classroom.grading SUBMISSIONS --out OUT [--roster roster.csv] [--jobs N] [--shard i/n]
                               [--memory 2G] [--processes 64] [--cell-timeout 60] [--total-timeout 300]
                               [--no-sandbox]
    python -m alliance.classroom.grading merge OUT SHARD_OUT [SHARD_OUT ...] [--roster roster.csv]

``SUBMISSIONS`` is a folder, a folder with one sub-folder per student, or a Canvas "download
submissions" zip (:func:`alliance.classroom.roster.collect`). Every file gets a row of ``OUT/results.json``
(:mod:`alliance.classroom.results`) and ``OUT/grades.csv``: unreadable, unmatched and duplicate files are
listed, never dropped.

How one submission is graded:

* Which exercise it answers is read from the notebook's metadata, the student's name and id from
  its identity cell, and its written answers from their cells — all read from the file, without
  running it (:mod:`alliance.classroom.written`).
* Its code cells run in a fresh Python (:mod:`alliance.classroom.runner`) inside a sandbox
  (:mod:`alliance.classroom.sandbox`: read-only file system but for an in-memory scratch folder, no network,
  limits on memory, processes and file size), with a time limit per cell and per submission.
* The runner sends each answer variable out as plain JSON (:mod:`alliance.values`); the grading
  process rebuilds the values and checks them against the answer key here. Nothing the
  submission runs can change how its answers are compared.
* Limits reached and errors become notes ("memory limit of 2 GB reached in cell 5").

Submissions are graded in parallel (one per core by default). A class too large for one machine
is graded in shards (``--shard 2/8`` grades every eighth file, starting from the second) on
several machines; ``merge`` combines the shards' outputs and then matches the roster, exactly as
an unsharded run does.
"""
from __future__ import annotations

import argparse
import ast
import asyncio
import hashlib
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from alliance.exercises import check, exercise_id, judgement_points, load_key, questions
from alliance.classroom.results import GradingRun, ItemResult, SubmissionResult
from alliance.classroom.sandbox import SCRATCH, Limits, Sandbox, SandboxUnavailable, make_sandbox, parse_size, size_text
from alliance.values import decode, describe
from alliance.classroom.roster import collect, match_roster, roster_digest
from alliance.classroom.written import MAX_NOTEBOOK_BYTES, read_identity, written_answers

#: The most a runner may report (answers included) before it is stopped.
MAX_REPORT_BYTES = 64 * 1024 ** 2
#: The most notes about failing cells kept per submission.
MAX_NOTES = 30


# --------------------------------------------------------------------------- reading a file


def read_notebook(data: bytes) -> tuple[NotebookNode | None, str]:
    """Read submitted bytes as a notebook; returns ``(notebook, "")`` or ``(None, reason)``."""
    if not data.strip():
        return None, "empty file: not a notebook"
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"file larger than {size_text(MAX_NOTEBOOK_BYTES)}: not graded"
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, f"not a notebook: invalid JSON ({str(err)[:80]})"
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return None, "not a notebook: JSON without notebook cells"
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as err:  # nbformat raises several kinds on malformed notebooks
        return None, f"not a readable notebook ({type(err).__name__})"
    return nb, ""


def code_cells(nb: NotebookNode) -> list[list[Any]]:
    """``[number, source]`` of each non-empty code cell, numbered as in the notebook (from 1)."""
    return [[n, cell.source] for n, cell in enumerate(nb.cells, start=1)
            if cell.get("cell_type") == "code" and isinstance(cell.get("source"), str) and cell.source.strip()]


def blank_items(exercise: str, written: dict[str, str]) -> list[ItemResult]:
    """One item per question of the key (and per judgement), before anything is checked."""
    items = []
    for entry in questions(exercise):
        qid, kind, points = entry["id"], entry["kind"], float(entry.get("points", 1))
        if kind == "written":
            items.append(ItemResult(qid, "written", points, None, "marked by hand with the rubric",
                                    written.get(qid, "")))
        else:
            items.append(ItemResult(qid, kind, points, 0.0, "", ""))
        if kind == "criticism":
            judged = judgement_points(entry)
            items.append(ItemResult(f"{qid}-judgement", "judgement", judged, None,
                                    "marked by hand with the rubric" if judged else "comments only",
                                    written.get(f"{qid}-judgement", "")))
    return items


# --------------------------------------------------------------------------- what a notebook tries


_SCORE_CLAIM = re.compile(r"score", re.I)
_QUESTION_POINTS = re.compile(r"\bq\d+\b\W{0,3}:\s*\d")


def _alliance_names(tree: ast.AST) -> set[str]:
    """Names a cell binds to the course package or its modules and functions (``import alliance.x as e``)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name.split(".")[0]) for a in node.names if a.name.split(".")[0] == "alliance"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "alliance":
            names |= {a.asname or a.name for a in node.names}
    return names


def tampering_notes(cells: list[list[Any]]) -> list[str]:
    """Notes on cells that try to change the grading: reassigning parts of the course package (the
    checker) or printing a claim of scores. Neither has any effect (answers are checked by the grading
    process, outside the notebook, and what a notebook prints is never read); the notes make them visible."""
    notes: list[str] = []
    bound: set[str] = set()
    for number, source in cells:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        bound |= _alliance_names(tree)
        changed = sorted({ast.unparse(t) for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AugAssign))
                          for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                          if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in bound})
        if changed:
            notes.append(f"cell {number} changes the course's checking code ({', '.join(changed)[:80]}): no effect, "
                         f"answers are checked by the grader outside the notebook")
        claims = [c.value for c in ast.walk(tree) if isinstance(c, ast.Constant) and isinstance(c.value, str)
                  and _SCORE_CLAIM.search(c.value) and _QUESTION_POINTS.search(c.value)]
        if claims:
            notes.append(f"cell {number} prints a claim of scores ({claims[0][:40]!r}): ignored, what a notebook "
                         f"prints is never read")
    return notes


def unreadable_note(variables: list[str], answers: dict[str, Any]) -> str:
    """A note naming the answers that could not be read as plain data (an object that is not a value), or ""."""
    unreadable = [v for v in variables if describe(answers.get(v, Ellipsis)).startswith("could not be read")]
    if not unreadable:
        return ""
    return (f"{', '.join(unreadable)}: not plain data (an object of the notebook's own making?), so not checked and "
            f"no points")


# --------------------------------------------------------------------------- running it


@dataclass
class RunReport:
    """What the runner reported about one submission, read in the grading process."""

    answers: dict[str, Any] = field(default_factory=dict)   # decoded values by variable
    notes: list[str] = field(default_factory=list)
    finished: bool = False


def error_note(error: dict[str, Any], limits: Limits) -> str:
    """A runner's ``error`` line as a note an instructor and a student can read."""
    cell = int(error.get("cell", 0))
    kind = str(error.get("kind", ""))
    text = {
        "memory": f"memory limit of {size_text(limits.memory)} reached in cell {cell}",
        "processes": f"process limit of {limits.processes} reached in cell {cell}",
        "file_size": f"file size limit of {size_text(limits.file_size)} reached in cell {cell}",
        "disk": f"the {size_text(limits.scratch)} scratch folder filled up in cell {cell}",
        "read_only": f"cell {cell} tried to write outside its own folder (the file system is read-only while grading)",
        "network": f"cell {cell} tried to use the network (there is none while grading)",
        "timeout": f"cell {cell}: stopped after the {limits.cell_timeout:g} s cell time limit",
    }.get(kind)
    return text or f"cell {cell}: {str(error.get('ename', 'Error'))[:40]}: {str(error.get('evalue', ''))[:80]}"


def runner_command(limits: Limits) -> list[str]:
    """The runner's command line (inside or outside the sandbox)."""
    return [sys.executable, "-m", "alliance.classroom.runner", "--memory", str(limits.memory), "--processes",
            str(limits.processes), "--file-size", str(limits.file_size), "--cell-timeout", str(limits.cell_timeout)]


def runner_env(home: Path) -> dict[str, str]:
    """A small, fixed environment: nothing of the grader's own (tokens, paths) reaches a submission."""
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "ALLIANCE_ROOT") if k in os.environ}
    return {**keep, "HOME": str(home), "TMPDIR": str(home), "ALLIANCE_CHART_MODE": "book", "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "IPYTHONDIR": str(home / ".ipython"),
            "MPLCONFIGDIR": str(home / ".matplotlib"), "XDG_CACHE_HOME": str(home / ".cache")}


async def run_submission(cells: list[list[Any]], variables: list[str], limits: Limits,
                         sandbox: Sandbox | None, slot: int = 0) -> RunReport:
    """Run the cells in the runner (sandboxed unless ``sandbox`` is None) and read its report."""
    report = RunReport()
    with tempfile.TemporaryDirectory(prefix="alliance-grade-") as host_scratch:
        if sandbox is not None:
            home = SCRATCH
            command = sandbox.command(runner_command(limits), SCRATCH, limits, slot)
        else:
            home = Path(host_scratch)
            command = runner_command(limits)
        proc = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, cwd=host_scratch, env=runner_env(home),
            start_new_session=True, limit=MAX_REPORT_BYTES)
        job = json.dumps({"cells": cells, "variables": variables}).encode("utf-8")
        state = {"cell": 0, "bytes": 0}
        errors: list[dict[str, Any]] = []

        async def read() -> None:
            proc.stdin.write(job)
            await proc.stdin.drain()
            proc.stdin.close()
            while True:
                line = await proc.stdout.readline()
                if not line:
                    return
                state["bytes"] += len(line)
                if state["bytes"] > MAX_REPORT_BYTES:
                    report.notes.append(f"the submission reported more than {size_text(MAX_REPORT_BYTES)}: stopped")
                    return
                _read_line(line.decode("utf-8", "replace"), report, errors, state)

        timed_out = False
        try:
            await asyncio.wait_for(read(), timeout=limits.total_timeout)
        except asyncio.TimeoutError:
            timed_out = True
        except (ValueError, asyncio.LimitOverrunError, BrokenPipeError, ConnectionResetError):
            pass  # an over-long line or a runner that died while reading its job: reported below
        finally:
            _kill(proc)
            returncode = await proc.wait()
    report.notes[:0] = [error_note(e, limits) for e in errors]
    if timed_out:
        where = f" in cell {state['cell']}" if state["cell"] else ""
        report.notes.append(f"stopped after the {limits.total_timeout:g} s total time limit{where}")
    elif not report.finished:
        where = f" in cell {state['cell']}" if state["cell"] else " before the first cell"
        if returncode is not None and returncode < 0:
            name = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else str(-returncode)
            report.notes.append(f"the Python process was killed ({name}){where}")
        else:
            report.notes.append(f"the notebook ended the Python process{where} (exit code {returncode})")
    return report


def _read_line(line: str, report: RunReport, errors: list[dict[str, Any]], state: dict[str, int]) -> None:
    word, _, rest = line.rstrip("\n").partition(" ")
    try:
        if word == "cell":
            state["cell"] = int(rest)
        elif word == "error" and len(errors) < MAX_NOTES:
            data = json.loads(rest)
            if isinstance(data, dict) and data not in errors:  # a forked process repeats its parent's lines
                errors.append(data)
        elif word == "answers":
            data = json.loads(rest)
            if isinstance(data, dict):
                report.answers = {str(k): decode(v) for k, v in data.items()}
        elif word == "done":
            report.finished = True
    except (ValueError, TypeError):
        pass  # a line the submission forged or broke: ignored


def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --------------------------------------------------------------------------- one submission


async def grade_submission(submission: Any, limits: Limits, sandbox: Sandbox | None, slot: int = 0) -> SubmissionResult:
    """Grade one collected file (a :class:`alliance.classroom.roster.Submission`); never raises."""
    start = time.monotonic()
    result = SubmissionResult(submission=submission.source, sha256=hashlib.sha256(submission.data).hexdigest(),
                              late=bool(submission.late), sandboxed=sandbox is not None)
    result.evidence = {"canvas_slug": submission.canvas_slug, "canvas_user_id": submission.canvas_user_id,
                       "canvas_submission_id": submission.canvas_submission_id, "folder": submission.folder,
                       "order": submission.order}
    try:
        await _grade_into(result, submission, limits, sandbox, slot)
    except Exception as err:  # last line of defence: the batch always finishes
        result.notes.append(f"grader error: {type(err).__name__}: {str(err)[:80]}")
    result.seconds = round(time.monotonic() - start, 2)
    return result


async def _grade_into(result: SubmissionResult, submission: Any, limits: Limits, sandbox: Sandbox | None,
                      slot: int) -> None:

    if submission.problem:
        result.notes.append(submission.problem)
        return
    nb, problem = read_notebook(submission.data)
    if nb is None:
        result.notes.append(problem)
        return
    identity = read_identity(nb)
    result.student_name = identity.name
    result.evidence.update(notebook_id=identity.student_id, notebook_name=identity.name,
                           notebook_email=identity.email)
    exercise = exercise_id(nb)
    if not exercise:
        result.notes.append("no exercise id in the notebook metadata (alliance.exercise): start from the student edition")
        return
    try:
        load_key(exercise)
    except KeyError:
        result.notes.append(f"unknown exercise id {exercise!r} in the notebook metadata")
        return
    result.exercise = exercise
    result.items = blank_items(exercise, written_answers(nb))
    cells = code_cells(nb)
    if not cells:
        result.notes.append("empty notebook: no code to run")
        return
    auto = [e for e in questions(exercise) if e["kind"] != "written"]
    report = await run_submission(cells, [e["variable"] for e in auto], limits, sandbox, slot)
    result.notes.extend(report.notes)
    result.notes.extend(tampering_notes(cells))
    unreadable = unreadable_note([e["variable"] for e in auto], report.answers)
    result.notes.extend([unreadable] if unreadable else [])
    for entry in auto:
        item = result.item(entry["id"])
        value = report.answers.get(entry["variable"], Ellipsis)
        feedback = check(exercise, entry["id"], value)
        item.score = item.points if feedback.correct else 0.0
        item.message = feedback.message
        item.answer = describe(value)


# --------------------------------------------------------------------------- a class


def shard_of(items: list[Any], shard: tuple[int, int]) -> list[Any]:
    """Shard ``i`` of ``n`` (1-based): every n-th item, starting from the i-th."""
    index, count = shard
    return items[index - 1::count]


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/8"`` → ``(2, 8)``; refuses anything else with a message."""
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: expected i/n, e.g. 2/8") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"--shard {text!r}: i must be between 1 and n")
    return index, count


def hidden_paths(source: Path, out: Path) -> list[Path]:
    """What a submission must not see: the class's files, the output, the solutions and the built book."""
    from alliance import paths

    return [source, out, paths.PROJECT_ROOT / "exercises", paths.BUILD_DIR]


def listing_fingerprint(sources: list[str]) -> str:
    """Identifies the list of submissions: shards of one class share it, so merge can check them."""
    return hashlib.sha256("\n".join(sources).encode("utf-8")).hexdigest()[:16]


async def _grade_all(submissions: list[Any], limits: Limits, sandbox: Sandbox | None, jobs: int,
                     progress: bool) -> list[SubmissionResult]:
    slots: asyncio.Queue[int] = asyncio.Queue()
    for slot in range(max(1, jobs)):
        slots.put_nowait(slot)
    done = [0]

    async def one(submission: Any) -> SubmissionResult:
        slot = await slots.get()
        try:
            return await grade_submission(submission, limits, sandbox, slot)
        finally:
            slots.put_nowait(slot)
            done[0] += 1
            if progress and (done[0] % 50 == 0 or done[0] == len(submissions)):
                print(f"  graded {done[0]} of {len(submissions)}", file=sys.stderr, flush=True)

    return list(await asyncio.gather(*(one(s) for s in submissions)))


def grade(source: Path, out: Path, roster: Path | None = None, limits: Limits = Limits(), jobs: int | None = None,
          shard: tuple[int, int] = (1, 1), sandboxed: bool = True, progress: bool = False) -> GradingRun:
    """Grade every submission of ``source`` into ``out`` (``results.json``, ``grades.csv``).

    With ``shard=(i, n)`` and ``n > 1`` only that shard is graded and nothing is matched yet:
    :func:`merge` combines the shards. Raises :class:`SandboxUnavailable` when ``sandboxed`` and no
    sandbox works here.
    """
    source, out = Path(source), Path(out)
    start = time.monotonic()
    sandbox = make_sandbox(hidden_paths(source, out)) if sandboxed else None
    everything = collect(source)
    chosen = shard_of(everything, shard)
    jobs = jobs or os.cpu_count() or 1
    results = asyncio.run(_grade_all(chosen, limits, sandbox, jobs, progress))
    settings = {"source": str(source), "sandbox": str(sandbox.bwrap) if sandbox else "none (--no-sandbox)",
                "limits": limits.describe(), "jobs": jobs, "shard": f"{shard[0]}/{shard[1]}",
                "submissions": len(everything), "fingerprint": listing_fingerprint([s.source for s in everything]),
                "seconds": round(time.monotonic() - start, 1)}
    run = GradingRun(results=results, settings=settings)
    if shard[1] > 1:
        run.save(out)
        return run
    return finish(run, out, roster)


def merge(out: Path, shard_dirs: list[Path], roster: Path | None = None) -> GradingRun:
    """Combine the outputs of the shards ``1/n`` ... ``n/n`` of one class, then match and write ``out``.

    Refuses shards of different classes, a missing or repeated shard, and overlapping submissions.
    """
    runs = [GradingRun.load(d) for d in shard_dirs]
    problems = []
    fingerprints = {r.settings.get("fingerprint") for r in runs}
    if len(fingerprints) != 1:
        problems.append("the shards come from different lists of submissions (different fingerprints)")
    shards = sorted(r.settings.get("shard", "?") for r in runs)
    count = {s.split("/")[-1] for s in shards}
    expected = [f"{i}/{n}" for n in count for i in range(1, int(n) + 1)] if len(count) == 1 else []
    if shards != sorted(expected):
        problems.append(f"expected shards {sorted(expected) or '1/n ... n/n'}, got {shards}")
    results = [r for run in runs for r in run.results]
    sources = [r.submission for r in results]
    if len(set(sources)) != len(sources):
        problems.append("a submission appears in more than one shard")
    total = runs[0].settings.get("submissions") if runs else 0
    if not problems and len(results) != total:
        problems.append(f"the shards hold {len(results)} submissions, the class {total}")
    if problems:
        raise ValueError("cannot merge: " + "; ".join(problems))
    settings = {**runs[0].settings, "shard": f"merged from {len(runs)} shards",
                "seconds": round(sum(r.settings.get("seconds", 0) for r in runs), 1)}
    return finish(GradingRun(results=results, settings=settings), out, roster)


def finish(run: GradingRun, out: Path, roster: Path | None) -> GradingRun:
    """Match the roster, give anonymous codes, write ``results.json`` and the gradebook files.

    The gradebook files (:func:`alliance.classroom.gradebook.write_gradebook`): ``grades.csv``, the summary and,
    with a roster, the Canvas import ``canvas.csv``.

    Grading again into a folder that holds a run keeps that run's anonymous codes (a code depends on
    the file's path inside the submissions, never on the zip's name) and, for every answer that did
    not change (same student, exercise and answer digest, whatever the file is called), its hand mark
    and comment; ``settings["marks_not_kept"]`` lists the marked answers that changed or are gone.
    Before a marked answer is dropped, the earlier ``results.json`` is copied to
    ``results.previous.json`` (``settings["previous_results"]``).
    """
    import shutil

    from alliance.classroom.gradebook import write_gradebook

    run.results.sort(key=lambda r: r.submission)
    match_roster(run, roster)
    previous = earlier_run(out)
    salt = str(previous.settings.get("anon_salt") or "") if previous else ""
    salt = salt or secrets.token_hex(8)
    for result in run.results:
        result.anon = anonymous_code(salt, member_path(result.submission))
    run.settings.update(anon_salt=salt, run_id=secrets.token_hex(4), roster=str(roster) if roster else "",
                        roster_sha256=roster_digest(roster) if roster else "")
    if previous is not None:
        kept, lost = carry_marks(previous, run)
        earlier = [*previous.settings.get("earlier_runs", []), previous.settings.get("run_id", "")]
        run.settings.update(earlier_runs=[r for r in earlier if r], marks_kept=kept, marks_not_kept=lost)
        if lost:
            backup = Path(out) / PREVIOUS_RESULTS
            shutil.copyfile(Path(out) / "results.json", backup)
            run.settings["previous_results"] = str(backup)
    run.save(out)
    write_gradebook(out, roster)
    return run


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


# --------------------------------------------------------------------------- command line


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
    from alliance.classroom.marking import MARKING_DIR, unmerged_rows

    previous = earlier_run(out)
    folder = Path(out) / MARKING_DIR
    if previous is None or not folder.is_dir():
        return []
    superseded = set(superseded_sheets(out))
    return [sheet for sheet in sorted(folder.glob("*.csv"))
            if sheet not in superseded and unmerged_rows(previous, sheet)]


def superseded_sheets(out: Path) -> list[Path]:
    """Marking sheets in ``out/marking`` exported from an earlier grading run than the one ``out`` holds."""
    from alliance.classroom.marking import MARKING_DIR, run_id, sheet_runs

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


def git_exposure(path: Path) -> Path | None:
    """The git work tree holding ``path`` when git does not ignore it (one ``git add`` from a commit)."""
    import subprocess

    path = Path(path).absolute()
    folder = path if path.is_dir() else path.parent
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=20)
        if top.returncode != 0:
            return None
        ignored = subprocess.run(["git", "-C", str(folder), "check-ignore", "-q", "--", str(path)],
                                 capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return None if ignored.returncode == 0 else Path(top.stdout.strip())


def privacy_warnings(paths: list[Path]) -> list[str]:
    """A warning for each class file or folder inside a git work tree that does not ignore it."""
    warnings = []
    for path in paths:
        tree = git_exposure(path)
        if tree is not None:
            warnings.append(f"Warning: {path} is inside the git work tree {tree} and git does not ignore it: "
                            f"students' names, ids and marks are one `git add` away from a commit (and a public "
                            f"fork). Keep class files outside the course repository (see the course guide), or "
                            f"add the folder to that tree's .gitignore.")
    return warnings


if __name__ == "__main__":
    sys.exit(main())
