"""Running one submission's code cells in the runner, sandboxed, and reading its report: the answers as plain
values, notes on limits and errors.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliance.classroom.sandbox import SCRATCH, Limits, Sandbox, size_text
from alliance.values import decode

#: The most a runner may report (answers included) before it is stopped.
MAX_REPORT_BYTES = 64 * 1024 ** 2
#: The most notes about failing cells kept per submission.
MAX_NOTES = 30


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
