"""Grade a class's submissions: who submitted what, what each earned, and what went wrong.

Command line (the Makefile's ``make grade SUBMISSIONS=... OUT=... ROSTER=...``)::

    python -m alliance.classroom.grading SUBMISSIONS --out OUT [--roster roster.csv] [--jobs N] [--shard i/n]
                               [--memory 2G] [--processes 64] [--cell-timeout 60] [--total-timeout 300]
                               [--no-sandbox]
    python -m alliance.classroom.grading merge OUT SHARD_OUT [SHARD_OUT ...] [--roster roster.csv]

``SUBMISSIONS`` is a folder, a folder with one sub-folder per student, or a Canvas "download
submissions" zip (:func:`alliance.classroom.roster.submissions.collect`). Every file gets a row of ``OUT/results.json``
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

The package, by job:

* :mod:`~alliance.classroom.grading.notebook`: reading a submitted file (without running it);
* :mod:`~alliance.classroom.grading.tampering`: notes on what a notebook tries;
* :mod:`~alliance.classroom.grading.execution`: running the code cells in the runner, in the sandbox;
* :mod:`~alliance.classroom.grading.submission`: grading one file;
* :mod:`~alliance.classroom.grading.batch`: grading a class or a shard, merging shards (:func:`grade`,
  :func:`merge`, :func:`finish`);
* :mod:`~alliance.classroom.grading.regrade`: grading again into a folder (marks kept, sheets superseded);
* :mod:`~alliance.classroom.grading.privacy`: class files one ``git add`` from a commit;
* :mod:`~alliance.classroom.grading.__main__`: the command line.
"""
from __future__ import annotations

from alliance import lazy_exports

#: Each public name of the package and the module that defines it: ``from alliance.classroom.grading import
#: grade`` keeps working, and importing one module does not import the others.
_EXPORTS: dict[str, str] = {
    "MAX_NOTES": "alliance.classroom.grading.execution",
    "MAX_REPORT_BYTES": "alliance.classroom.grading.execution",
    "PREVIOUS_RESULTS": "alliance.classroom.grading.regrade",
    "RunReport": "alliance.classroom.grading.execution",
    "anonymous_code": "alliance.classroom.grading.regrade",
    "answer_owner": "alliance.classroom.grading.regrade",
    "blank_items": "alliance.classroom.grading.notebook",
    "carry_marks": "alliance.classroom.grading.regrade",
    "code_cells": "alliance.classroom.grading.notebook",
    "earlier_run": "alliance.classroom.grading.regrade",
    "error_note": "alliance.classroom.grading.execution",
    "finish": "alliance.classroom.grading.batch",
    "git_exposure": "alliance.classroom.grading.privacy",
    "grade": "alliance.classroom.grading.batch",
    "grade_submission": "alliance.classroom.grading.submission",
    "hidden_paths": "alliance.classroom.grading.batch",
    "listing_fingerprint": "alliance.classroom.grading.batch",
    "main": "alliance.classroom.grading.__main__",
    "member_path": "alliance.classroom.grading.regrade",
    "merge": "alliance.classroom.grading.batch",
    "parse_shard": "alliance.classroom.grading.batch",
    "privacy_warnings": "alliance.classroom.grading.privacy",
    "read_notebook": "alliance.classroom.grading.notebook",
    "regrade_report": "alliance.classroom.grading.regrade",
    "run_submission": "alliance.classroom.grading.execution",
    "runner_command": "alliance.classroom.grading.execution",
    "runner_env": "alliance.classroom.grading.execution",
    "shard_of": "alliance.classroom.grading.batch",
    "superseded_note": "alliance.classroom.grading.regrade",
    "superseded_sheets": "alliance.classroom.grading.regrade",
    "tampering_notes": "alliance.classroom.grading.tampering",
    "unmerged_sheets": "alliance.classroom.grading.regrade",
    "unreadable_note": "alliance.classroom.grading.tampering",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
