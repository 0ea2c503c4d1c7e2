"""Run one submission's code cells, inside its sandbox, and report what happened and its answers.

Started by the grading process (:mod:`alliance.classroom.grading`), usually inside bubblewrap
(:mod:`alliance.classroom.sandbox`)::

    python -m alliance.classroom.runner --memory BYTES --processes N --file-size BYTES --cell-timeout S [--drop-to UID]

It reads a JSON job on standard input: ``{"cells": [[number, source], ...], "variables": [...]}``
(the notebook's code cells, numbered as in the notebook, and the answer variables to report).
Before running anything it becomes ``UID`` (when started as root) and sets its limits, so the
submission's code runs with them. Each cell runs in one IPython shell (magics work), with a time
limit (``KeyboardInterrupt`` at the limit, as a kernel's interrupt); a failing cell does not stop
the next. Afterwards each answer variable is written out as tagged JSON
(:func:`alliance.values.encode`).

The report goes to the original standard output, one line per event (the submission's own
output is discarded): ``cell N`` when cell N starts, ``error {json}`` when it fails,
``answers {json}`` and ``done`` at the end. The grading process reads it with a size limit and
trusts nothing in it but values to check: everything here runs beside the submission's code.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import resource
import signal
import socket
import sys
import time
from typing import Any, TextIO

#: Error kinds the grading process turns into notes about limits.
KINDS = ("memory", "processes", "file_size", "disk", "read_only", "network", "timeout")


class CellTimeout(KeyboardInterrupt):
    """Raised in the running cell when it reaches the cell time limit."""


def drop_privileges(uid: int) -> None:
    """Become ``uid`` (with the same group id and no supplementary groups): root's processes are not limited."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def set_limits(memory: int, processes: int, file_size: int) -> None:
    """Address space, processes (of this user) and file size, for this process and its children."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def error_kind(err: BaseException | None) -> str:
    """Which limit (if any) an exception from a cell shows: one of :data:`KINDS` or ``""``.

    Follows the exception's causes and a ``URLError``'s reason: a library often wraps the error.
    """
    seen = 0
    while err is not None and seen < 10:
        kind = _own_kind(err)
        if kind:
            return kind
        reason = getattr(err, "reason", None)
        err = reason if isinstance(reason, BaseException) else (err.__cause__ or err.__context__)
        seen += 1
    return ""


def _own_kind(err: BaseException) -> str:
    if isinstance(err, CellTimeout):
        return "timeout"
    if isinstance(err, MemoryError):
        return "memory"
    if isinstance(err, socket.gaierror):
        return "network"
    if isinstance(err, OSError):
        code = err.errno
        if code == errno.EAGAIN and isinstance(err, BlockingIOError):
            return "processes"
        if code == errno.EFBIG:
            return "file_size"
        if code in (errno.ENOSPC, errno.EDQUOT):
            return "disk"
        if code in (errno.EROFS, errno.EACCES, errno.EPERM) and err.filename:
            return "read_only"
        if code in (errno.ENETUNREACH, errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
            return "network"
    return ""


def _quiet_output() -> TextIO:
    """Keep the real standard output for the report; send everything else to /dev/null."""
    report = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")
    sys.stderr = sys.stdout
    return report


def _on_alarm(signum: int, frame: Any) -> None:
    raise CellTimeout()


def run_cells(cells: list[list[Any]], variables: list[str], cell_timeout: float, report: TextIO) -> None:
    """Run the cells in one IPython shell; report starts, errors and the encoded answers."""
    from IPython.core.interactiveshell import InteractiveShell

    from alliance.values import encode

    shell = InteractiveShell.instance(colors="nocolor", history_length=0)
    signal.signal(signal.SIGALRM, _on_alarm)
    for number, source in cells:
        report.write(f"cell {int(number)}\n")
        signal.setitimer(signal.ITIMER_REAL, cell_timeout)
        try:
            outcome = shell.run_cell(str(source), store_history=False, silent=False)
            err = outcome.error_in_exec or outcome.error_before_exec
        except CellTimeout as timeout:  # the alarm fell outside the cell's own code
            err = timeout
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if err is not None:
            report.write("error " + json.dumps({
                "cell": int(number), "ename": type(err).__name__, "evalue": str(err)[:200],
                "kind": error_kind(err)}) + "\n")
    answers = {name: encode(shell.user_ns.get(name, Ellipsis)) for name in variables}
    report.write("answers " + json.dumps(answers, separators=(",", ":")) + "\n")
    report.flush()


def probe() -> int:
    """Check the sandbox from inside: write in the scratch folder, find no network."""
    with open("probe.txt", "w", encoding="utf-8") as handle:
        handle.write("ok")
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()
    except OSError:
        pass
    print("probe ok", os.getuid())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the job read on standard input (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m alliance.classroom.runner", description=main.__doc__)
    parser.add_argument("--memory", type=int, default=2 * 1024 ** 3)
    parser.add_argument("--processes", type=int, default=64)
    parser.add_argument("--file-size", type=int, default=100 * 1024 ** 2)
    parser.add_argument("--cell-timeout", type=float, default=60.0)
    parser.add_argument("--drop-to", type=int, default=None)
    parser.add_argument("--probe", action="store_true")
    args = parser.parse_args(argv)
    if args.drop_to is not None:
        drop_privileges(args.drop_to)
    if args.probe:
        return probe()
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    # jsonschema's optional IRI checker builds a grammar at import (about 0.9 s of every
    # submission); Altair validates without it.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    report = _quiet_output()
    set_limits(args.memory, args.processes, args.file_size)
    start = time.monotonic()
    run_cells(job["cells"], job["variables"], args.cell_timeout, report)
    report.write(f"seconds {time.monotonic() - start:.2f}\ndone\n")
    report.flush()
    os._exit(0)  # skip interpreter shutdown: atexit handlers belong to the submission


if __name__ == "__main__":
    sys.exit(main())
