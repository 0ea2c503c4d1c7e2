"""Warnings when a class's files (submissions, output, roster) sit in a git work tree that does not ignore them."""
from __future__ import annotations

from pathlib import Path


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
