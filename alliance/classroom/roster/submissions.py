"""The submitted files of a folder, a folder per student or a Canvas "Download Submissions" zip, each with
its bytes and what its name says (Canvas user, late, upload order).

Every file is kept, notebooks or not; a file that could not be taken (over the size limits) has empty
``data`` and a ``problem``.
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

#: A submitted file larger than this is not read (``problem`` says so).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Once this many bytes were read from one zip or folder, the remaining files are not read.
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: A zip with more members than this: the ones beyond are listed but not read.
MAX_MEMBERS = 10_000
#: Folder and file names never collected (besides names starting with a dot).
SKIPPED_NAMES = frozenset({".ipynb_checkpoints", "__pycache__", "__MACOSX", "Thumbs.db", "desktop.ini"})


#: ``smithjane[_LATE]_123_456_ex03.ipynb``; ``[LATE_]anon_Ab3x9_456_ex03.ipynb``; ``..._123_text.html``.
_CANVAS_FILE = re.compile(r"^(?P<slug>\w+?)(?:_(?P<late>late))?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$",
                          re.IGNORECASE)
_CANVAS_ANON = re.compile(r"^(?:(?P<late>late)_)?(?P<user>anon_[A-Za-z0-9]+)_(?P<attachment>\d+)_(?P<file>.+)$",
                          re.IGNORECASE)
_CANVAS_ENTRY = re.compile(r"^(?P<slug>\w+?)(?:_(?P<late>late))?_(?P<user>\d+|anon_[A-Za-z0-9]+)"
                           r"_(?P<file>text|link)\.html$", re.IGNORECASE)


@dataclass
class Submission:
    """One submitted file, as collected (nothing read from it yet)."""

    source: str                    # path relative to the folder given, or "<zip name>!<member>"
    data: bytes = b""
    canvas_slug: str = ""          # Canvas's name slug ("smithjane"), "" if not a Canvas name
    canvas_user_id: str = ""       # Canvas user id ("anon_Ab3x9" in an anonymised assignment)
    canvas_submission_id: str = ""  # Canvas's id of the uploaded file (grows with every upload)
    late: bool = False             # Canvas marked it late
    folder: str = ""               # the per-student folder it is in, "" if none
    order: str = ""                # sorts one student's submissions in time (see canvas_order)
    problem: str = ""              # why the file was not read ("" if it was)

    @property
    def filename(self) -> str:
        """The file's own name (last part of the path or member)."""
        return self.source.rsplit("!", 1)[-1].rsplit("/", 1)[-1]


class CanvasName(NamedTuple):
    """What a Canvas submissions file name says."""

    slug: str
    user_id: str
    attachment_id: str
    late: bool
    filename: str


def parse_canvas_name(filename: str) -> CanvasName | None:
    """The parts of a Canvas submissions file name, or ``None`` if it is not one."""
    for pattern in (_CANVAS_ANON, _CANVAS_FILE, _CANVAS_ENTRY):
        if match := pattern.match(filename):
            parts = match.groupdict()
            slug = parts.get("slug") or ""
            return CanvasName(slug=slug.lower(), user_id=parts["user"], late=bool(parts.get("late")),
                              attachment_id=parts.get("attachment") or "", filename=parts["file"])
    return None


def canvas_order(attachment_id: str) -> str:
    """The ``order`` of a Canvas file: its attachment id, zero-padded so that text sorts as numbers."""
    return attachment_id.zfill(20)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")


def _skipped(parts: Sequence[str]) -> bool:
    return any(p.startswith(".") or p in SKIPPED_NAMES for p in parts)


def _describe(submission: Submission, relative_parts: Sequence[str], modified: str) -> Submission:
    """Fill in the Canvas fields, the per-student folder and the order from a file's path."""
    canvas = parse_canvas_name(relative_parts[-1])
    if canvas:
        submission.canvas_slug = canvas.slug
        submission.canvas_user_id = canvas.user_id
        submission.canvas_submission_id = canvas.attachment_id
        submission.late = canvas.late
    submission.folder = relative_parts[0] if len(relative_parts) > 1 else ""
    submission.order = canvas_order(canvas.attachment_id) if canvas and canvas.attachment_id else modified
    return submission


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def collect_folder(root: Path) -> list[Submission]:
    """Every file under ``root`` (recursive; hidden files and folders, ``.ipynb_checkpoints`` and
    ``__pycache__`` skipped; symbolic links listed, not followed)."""
    root = Path(root)
    submissions: list[Submission] = []
    total = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _skipped([d]))
        for name in sorted(files):
            path = Path(folder) / name
            parts = path.relative_to(root).parts
            if _skipped(parts):
                continue
            info = path.lstat()
            submission = _describe(Submission(source="/".join(parts)), parts, _iso(info.st_mtime))
            if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
                submission.problem = "not a regular file (a symbolic link or device): not read"
            elif info.st_size > MAX_FILE_BYTES:
                submission.problem = f"file of {_mb(info.st_size)}, over the {_mb(MAX_FILE_BYTES)} limit: not read"
            elif total + info.st_size > MAX_TOTAL_BYTES:
                submission.problem = f"over the {_mb(MAX_TOTAL_BYTES)} limit for all files together: not read"
            else:
                submission.data = path.read_bytes()
                total += len(submission.data)
            submissions.append(submission)
    return sorted(submissions, key=lambda s: s.source)


def _zip_parts(names: Sequence[str]) -> dict[str, list[str]]:
    """Each member's path parts, without a top folder that every member shares (a zipped folder)."""
    parts = {name: [p for p in name.split("/") if p] for name in names}
    tops = {p[0] for p in parts.values() if p}
    if len(tops) == 1 and all(len(p) > 1 for p in parts.values()):
        parts = {name: p[1:] for name, p in parts.items()}
    return parts


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes, str]:
    """A member's bytes (never more than the limit, whatever its header says), or a problem."""
    if info.flag_bits & 0x1:
        return b"", "encrypted zip member: not read"
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, RuntimeError, EOFError) as error:
        return b"", f"zip member could not be read ({error}): not read"
    if len(data) > MAX_FILE_BYTES:
        return b"", f"zip member over the {_mb(MAX_FILE_BYTES)} limit once uncompressed: not read"
    return data, ""


def collect_zip(path: Path) -> list[Submission]:
    """Every member of a zip (a Canvas submissions download or any zip of files), guarded:
    members over :data:`MAX_FILE_BYTES`, beyond :data:`MAX_TOTAL_BYTES` read in all, or beyond
    :data:`MAX_MEMBERS` are listed with a ``problem`` and no data."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        return [Submission(source=path.name, problem=f"not a readable zip file ({error})")]
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir() and not _skipped(i.filename.split("/"))]
        parts = _zip_parts([i.filename for i in infos])
        submissions: list[Submission] = []
        total = 0
        for count, info in enumerate(sorted(infos, key=lambda i: i.filename), start=1):
            modified = datetime(*info.date_time, tzinfo=timezone.utc).isoformat(timespec="seconds") \
                if info.date_time[0] >= 1980 else ""
            submission = _describe(Submission(source=f"{path.name}!{info.filename}"), parts[info.filename], modified)
            if count > MAX_MEMBERS:
                submission.problem = f"beyond the first {MAX_MEMBERS:,} files of the zip: not read"
            elif info.file_size > MAX_FILE_BYTES:
                submission.problem = (f"zip member of {_mb(info.file_size)}, over the {_mb(MAX_FILE_BYTES)} "
                                      "limit: not read")
            elif total + info.file_size > MAX_TOTAL_BYTES:
                submission.problem = f"over the {_mb(MAX_TOTAL_BYTES)} limit for the whole zip: not read"
            else:
                submission.data, submission.problem = _read_member(archive, info)
                total += len(submission.data)
            submissions.append(submission)
    return submissions


def collect(path: Path) -> list[Submission]:
    """The submitted files at ``path``: a ``.zip`` file (Canvas download or any zip), else a folder
    (of files, or of one sub-folder per student). Sorted by source; every file is listed."""
    path = Path(path)
    if path.suffix.lower() == ".zip" and path.is_file():
        return collect_zip(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such folder or .zip file of submissions.")
    return collect_folder(path)
