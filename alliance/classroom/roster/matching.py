"""Matching each submission to a roster student (the first evidence naming exactly one wins) and choosing
which of a student's submissions of an exercise counts.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from alliance.classroom.roster.students import Roster, Student, load_roster, name_slugs
from alliance.classroom.roster.submissions import Submission
from alliance.classroom.written import Identity, load_notebook, read_identity

if TYPE_CHECKING:
    from alliance.classroom.results import GradingRun

MATCHED, UNMATCHED, DUPLICATE = "matched", "unmatched", "duplicate"


class Candidate(NamedTuple):
    """A submission once its notebook was read: what :func:`match` decides from."""

    submission: Submission
    exercise: str = ""                  # the notebook's exercise id, "" if unreadable
    identity: Identity = Identity()


def read_candidate(submission: Submission) -> Candidate:
    """Read a submission's notebook statically: its exercise id and identity cell."""
    from alliance.exercises import exercise_id

    nb = load_notebook(submission.data) if submission.data else None
    if nb is None:
        return Candidate(submission)
    return Candidate(submission, exercise_id(nb) or "", read_identity(nb))


@dataclass
class Match:
    """Who a submission is from, and whether it counts. Fields line up with
    :class:`alliance.classroom.results.SubmissionResult` (see :meth:`result_fields`)."""

    submission: Submission
    exercise: str = ""
    identity: Identity = Identity()
    student_id: str | None = None
    student_name: str = ""     # the roster's name when matched, else the name in the notebook
    section: str = ""
    status: str = UNMATCHED    # matched | unmatched | duplicate
    note: str = ""             # how it was matched, or why not; conflicts; which one counts
    counted: bool = True       # False for a submission superseded by a later one, or unmatched to a roster

    @property
    def source(self) -> str:
        return self.submission.source

    @property
    def late(self) -> bool:
        return self.submission.late

    def result_fields(self) -> dict[str, object]:
        """The fields of ``SubmissionResult`` this match fills (``SubmissionResult(**...)``)."""
        return {"submission": self.source, "exercise": self.exercise, "student_id": self.student_id,
                "student_name": self.student_name, "section": self.section, "match": self.status,
                "match_note": self.note, "late": self.late, "counted": self.counted}


def _evidence(candidate: Candidate, roster: Roster) -> list[tuple[str, Student | None, str]]:
    """Each piece of evidence: (what it is, the student it names or None, why not)."""
    submission, identity = candidate.submission, candidate.identity
    found: list[tuple[str, Student | None, str]] = []
    if identity.student_id:
        student = roster.by_id(identity.student_id)
        found.append(("student id in the notebook", student,
                      "" if student else f"the notebook's student id {identity.student_id!r} is not on the roster"))
    if submission.canvas_slug:
        same = roster.by_slug(submission.canvas_slug)
        why = "" if len(same) == 1 else \
            f"Canvas name {submission.canvas_slug} is not a roster name" if not same else \
            f"Canvas name {submission.canvas_slug} fits {len(same)} roster names"
        found.append((f"Canvas name {submission.canvas_slug}", same[0] if len(same) == 1 else None, why))
    if submission.folder:
        student = roster.by_folder(submission.folder)
        found.append((f"folder name {submission.folder}", student,
                      "" if student else f"folder name {submission.folder!r} is not a student id or email"))
    if identity.email:
        student = roster.by_email(identity.email)
        found.append(("email in the notebook", student,
                      "" if student else f"the notebook's email {identity.email!r} is not on the roster"))
    if identity.name:
        same = sorted({s for slug in name_slugs(identity.name) for s in roster.by_slug(slug)},
                      key=lambda s: s.student_id)
        found.append(("name in the notebook", same[0] if len(same) == 1 else None,
                      "" if len(same) == 1 else f"the notebook's name {identity.name!r} is "
                      + ("not on the roster" if not same else f"{len(same)} roster names")))
    return found


def match_one(candidate: Candidate, roster: Roster) -> Match:
    """Who one submission is from (duplicates are decided by :func:`match`, over all of them)."""
    candidate = Candidate(*candidate)
    result = Match(candidate.submission, candidate.exercise, candidate.identity,
                   student_name=candidate.identity.name)
    evidence = _evidence(candidate, roster)
    chosen = next(((what, student) for what, student, _ in evidence if student), None)
    notes: list[str] = []
    if candidate.submission.problem:
        notes.append(candidate.submission.problem)
    if chosen is None:
        reasons = [why for _, _, why in evidence if why]
        notes.append("no match: " + ("; ".join(reasons) if reasons else
                                     "no student id, name or email in the notebook, no Canvas or folder name"))
    else:
        what, student = chosen
        result.student_id, result.student_name, result.section = student.student_id, student.name, student.section
        result.status = MATCHED
        notes.append(f"matched by {what}")
        notes += [f"conflict: {other} names {named.label}" for other, named, _ in evidence
                  if named and named != student and not other.startswith("name in the notebook")]
        notes += [why for what_, named, why in evidence if why and what_.startswith("student id")]
    result.note = "; ".join(notes)
    return result


def _duplicate_group(result: Match) -> tuple[str, ...] | None:
    """Submissions of one group are one student's tries at one exercise."""
    if not result.exercise:
        return None
    if result.student_id is not None:
        return ("student", result.student_id, result.exercise)
    if result.submission.canvas_user_id:
        return ("canvas", result.submission.canvas_user_id, result.exercise)
    return None


def match(candidates: Iterable[Candidate | tuple[Submission, str, Identity]], roster: Roster) -> list[Match]:
    """Match every candidate to the roster and mark superseded duplicates (same order as given).

    In each group of one student's submissions of one exercise, the one with the greatest
    ``order`` (then source) counts; the others get status ``duplicate``, ``counted`` False. With a
    roster, an ``unmatched`` submission is not counted either (it counts for nobody, and is left out of
    the marking sheet); without one nothing is matched and every file counts.
    """
    results = [match_one(c, roster) for c in candidates]
    groups: dict[tuple[str, ...], list[Match]] = {}
    for result in results:
        if (group := _duplicate_group(result)) is not None:
            groups.setdefault(group, []).append(result)
    for members in groups.values():
        if len(members) < 2:
            continue
        latest = max(members, key=lambda m: (m.submission.order, m.source))
        latest.note += f"; counts: the most recent of {len(members)} submissions of {latest.exercise}"
        for member in members:
            if member is not latest:
                member.status, member.counted = DUPLICATE, False
                member.note += f"; duplicate: {latest.source} (later) counts instead"
    if roster.students:
        for result in results:
            if result.status == UNMATCHED:
                result.counted = False
                result.note += "; not counted: it counts for nobody until it is matched"
    return results


def match_roster(run: GradingRun, roster_path: Path | None) -> None:
    """Fill each result's student, match status and ``counted`` from the roster (:func:`match`).

    Matching reads only what grading recorded (``evidence``), so shards are matched after their merge.
    Without a roster nothing is matched, but one Canvas user's repeated submissions are still found.
    """
    roster = load_roster(roster_path) if roster_path else Roster([])
    candidates = []
    for r in run.results:
        e = r.evidence
        submission = Submission(source=r.submission, late=r.late, canvas_slug=e.get("canvas_slug", ""),
                                canvas_user_id=e.get("canvas_user_id", ""),
                                canvas_submission_id=e.get("canvas_submission_id", ""),
                                folder=e.get("folder", ""), order=e.get("order", ""))
        identity = Identity(name=e.get("notebook_name", ""), student_id=e.get("notebook_id", ""),
                            email=e.get("notebook_email", ""))
        candidates.append(Candidate(submission, r.exercise, identity))
    for result, found in zip(run.results, match(candidates, roster)):
        fields = found.result_fields()
        for name in ("student_id", "student_name", "section", "match", "match_note", "counted"):
            setattr(result, name, fields[name])
        if roster_path is None:
            result.match_note = "no roster given" + (f"; {result.match_note}" if result.match_note else "")
