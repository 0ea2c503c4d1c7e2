"""Grading a class, or one shard of it, in parallel, and merging shards; then matching the roster and writing
``results.json`` and the gradebook.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from alliance.classroom.grading.regrade import PREVIOUS_RESULTS, anonymous_code, carry_marks, earlier_run, member_path
from alliance.classroom.grading.submission import grade_submission
from alliance.classroom.results import GradingRun, SubmissionResult
from alliance.classroom.roster.matching import match_roster
from alliance.classroom.roster.students import roster_digest
from alliance.classroom.roster.submissions import collect
from alliance.classroom.sandbox import Limits, Sandbox, make_sandbox


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
