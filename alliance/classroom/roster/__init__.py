"""Who submitted what: the course roster, the submitted files, and matching one to the other.

* :func:`load_roster` reads the roster CSV (``student_id, name``, optionally ``email, section``),
  or a Canvas gradebook export as it is.
* :func:`collect` lists the submitted files of a folder (recursive), of a folder with one
  sub-folder per student, or of a Canvas "Download Submissions" zip, as :class:`Submission`
  objects holding each file's bytes. Every file is kept, notebooks or not; a file that could not
  be taken (over the size limits) has empty ``data`` and a ``problem``.
* :func:`match` decides, for each submission once its notebook was read statically
  (:func:`alliance.classroom.written.read_identity`, :func:`alliance.exercises.exercise_id`), which
  student it is from, and which submission of a student counts when there are several.

**Canvas file names.** Canvas names each uploaded file of a submissions zip
``<name>[_LATE]_<user id>_<attachment id>_<file name>``, where ``<name>`` is the student's
*sortable name* ("Last, First") lowercased with every character that is not a letter, digit or
``_`` removed (``smithjane``), ``LATE`` marks a late submission (older downloads write it
lowercase), and an anonymised assignment has ``anon_<anonymous id>`` instead of name and user id.
Re-uploads of the same file name get ``-1``, ``-2``... before the extension (the file name
part is kept as it is). Text entries and URLs are ``<name>[_LATE]_<user id>_text.html`` and
``..._link.html``. (Read from Canvas's ``ContentZipper``, which builds these names.) The
attachment id grows with every upload, so it orders one student's submissions in time.

**Matching**, first evidence that names exactly one roster student wins:

1. the student id written in the notebook's identity cell (if it is on the roster);
2. the Canvas name of the file (if exactly one roster name gives that slug; a roster name
   "Jane Q Smith" or "Smith, Jane Q" gives the slugs of all its rotations, ``smithjaneq``,
   ``qsmithjane``, ``janeqsmith``, since Canvas's sortable name splits surnames its own way);
3. the per-student folder name: a student id, an email, or an email's local part;
4. the email written in the notebook (``student_email``);
5. the name written in the notebook (if exactly one roster name gives its slug).

Other evidence that names a *different* student is reported in the note as a conflict (a
notebook whose id is not the Canvas uploader's is worth a look). A submission nothing matches
is ``unmatched`` and listed, never dropped. When one student has several submissions of one
exercise, the most recent by :attr:`Submission.order` counts; the others are ``duplicate``
(``counted`` False) with a note naming the one that counts. Unmatched Canvas files of the same
Canvas user are de-duplicated the same way.

Command line: ``python -m alliance.classroom.roster ROSTER SUBMISSIONS`` prints the matching table
(source, exercise, student, status, note) and, per exercise, the roster students with no
submission, without grading anything.

The package, by job:

* :mod:`~alliance.classroom.roster.students`: the roster (:func:`load_roster`, :class:`Roster`, :class:`Student`);
* :mod:`~alliance.classroom.roster.submissions`: the submitted files (:func:`collect`, :class:`Submission`);
* :mod:`~alliance.classroom.roster.matching`: matching them (:func:`match`, :func:`match_roster`);
* :mod:`~alliance.classroom.roster.__main__`: the command line.
"""
from __future__ import annotations

from alliance import lazy_exports

#: Each public name of the package and the module that defines it: ``from alliance.classroom.roster import
#: load_roster`` keeps working, and importing one module does not import the others.
_EXPORTS: dict[str, str] = {
    "CANVAS_EXPORT_COLUMNS": "alliance.classroom.roster.students",
    "CANVAS_NOT_STUDENTS": "alliance.classroom.roster.students",
    "Candidate": "alliance.classroom.roster.matching",
    "CanvasName": "alliance.classroom.roster.submissions",
    "DUPLICATE": "alliance.classroom.roster.matching",
    "MATCHED": "alliance.classroom.roster.matching",
    "MAX_FILE_BYTES": "alliance.classroom.roster.submissions",
    "MAX_MEMBERS": "alliance.classroom.roster.submissions",
    "MAX_TOTAL_BYTES": "alliance.classroom.roster.submissions",
    "Match": "alliance.classroom.roster.matching",
    "REQUIRED_COLUMNS": "alliance.classroom.roster.students",
    "ROSTER_COLUMNS": "alliance.classroom.roster.students",
    "Roster": "alliance.classroom.roster.students",
    "RosterError": "alliance.classroom.roster.students",
    "SKIPPED_NAMES": "alliance.classroom.roster.submissions",
    "Student": "alliance.classroom.roster.students",
    "Submission": "alliance.classroom.roster.submissions",
    "UNMATCHED": "alliance.classroom.roster.matching",
    "canvas_order": "alliance.classroom.roster.submissions",
    "collect": "alliance.classroom.roster.submissions",
    "collect_folder": "alliance.classroom.roster.submissions",
    "collect_zip": "alliance.classroom.roster.submissions",
    "load_roster": "alliance.classroom.roster.students",
    "main": "alliance.classroom.roster.__main__",
    "match": "alliance.classroom.roster.matching",
    "match_one": "alliance.classroom.roster.matching",
    "match_roster": "alliance.classroom.roster.matching",
    "matching_table": "alliance.classroom.roster.__main__",
    "missing_by_exercise": "alliance.classroom.roster.students",
    "missing_text": "alliance.classroom.roster.students",
    "name_slug": "alliance.classroom.roster.students",
    "name_slugs": "alliance.classroom.roster.students",
    "parse_canvas_name": "alliance.classroom.roster.submissions",
    "read_candidate": "alliance.classroom.roster.matching",
    "roster_digest": "alliance.classroom.roster.students",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
