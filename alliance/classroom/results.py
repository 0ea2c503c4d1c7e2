"""What grading produces and every later step reads: ``results.json`` in the output folder.

One :class:`SubmissionResult` per submitted file (never dropped: unmatched, duplicate, broken and
hostile submissions all have a row). The grading command writes it; hand marking
(``alliance.classroom.marking``) merges marks and comments into it; feedback pages and gradebook exports
(``alliance.classroom.feedback``, ``alliance.classroom.gradebook``) read it. Scores are computed by the grading
process, never inside a submission's kernel.

Item kinds: ``code``, ``chart``, ``criticism`` (checked automatically, ``score`` set by grading);
``written`` (marked by hand, ``score`` is ``None`` until a marking sheet is merged);
``judgement`` (the short judgement of a source-criticism question: marked by hand out of the key's
``judgement_points``; with 0 points, the default, it takes a comment only).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_JSON = "results.json"
SCHEMA = 1
#: Kinds marked by hand (the marking sheet): a written answer has points; a judgement has the points of its
#: key (``judgement_points``), or takes a comment only when it has none.
HAND_KINDS: frozenset[str] = frozenset({"written", "judgement"})


@dataclass
class ItemResult:
    """One question (or judgement) of one submission."""

    id: str                      # question id of the answer key ("q6"); a judgement is "q4-judgement"
    kind: str                    # code | chart | criticism | written | judgement
    points: float                # points possible (a judgement: its key's judgement_points, default 0)
    score: float | None = None   # points given; None: not yet marked (written) or not applicable
    message: str = ""            # automatic feedback: "correct." or "not yet ... Hint: ..."
    answer: str = ""             # what the student answered: a short text form (value or written text)
    comment: str = ""            # the marker's comment (merged from the marking sheet)
    marked_by: str = ""          # the marking sheet (file name) the mark was merged from
    commented_by: str = ""       # the marking sheet (file name) the comment was merged from

    @property
    def digest(self) -> str:
        """A digest of the answer, so a grading run can tell whether an answer changed since it was marked."""
        import hashlib

        return hashlib.sha256(self.answer.strip().encode("utf-8")).hexdigest()[:16]

    @property
    def by_hand(self) -> bool:
        return self.kind in HAND_KINDS

    @property
    def takes_mark(self) -> bool:
        """Marked by hand out of its points: a written answer, or a judgement with points (a judgement
        with 0 points takes a comment only)."""
        return self.kind == "written" or (self.kind == "judgement" and self.points > 0)


@dataclass
class SubmissionResult:
    """The grading of one submitted file."""

    submission: str              # where it came from: path relative to the submissions, or "zip!member"
    sha256: str = ""             # of the submitted bytes
    exercise: str = ""           # from the notebook's metadata ("" when unreadable)
    student_id: str | None = None  # the roster's student id when matched
    student_name: str = ""       # name written in the notebook's identity cell (or the roster's)
    section: str = ""            # the roster's section
    match: str = "unmatched"     # matched | unmatched | duplicate (a later submission replaces it)
    match_note: str = ""         # how it was matched, or why not
    late: bool = False           # Canvas marked the file late
    anon: str = ""               # anonymous code shown to markers
    counted: bool = True         # False for a submission superseded by a later duplicate, or unmatched to a roster
    items: list[ItemResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # what went wrong: limits hit, errors, unreadable file
    seconds: float = 0.0
    sandboxed: bool = False
    #: what matching used, read from the file and its name: notebook_id, notebook_name, notebook_email,
    #: canvas_slug, canvas_user_id, canvas_submission_id, folder, order (so shards can be matched after a merge)
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> float:
        """Points given so far (automatic plus merged hand marks)."""
        return float(sum(i.score for i in self.items if i.score is not None))

    @property
    def possible(self) -> float:
        """Points possible, written questions included."""
        return float(sum(i.points for i in self.items))

    @property
    def unmarked(self) -> list[str]:
        """Ids of written answers and judgements with points still to mark by hand."""
        return [i.id for i in self.items if i.takes_mark and i.score is None]

    def item(self, item_id: str) -> ItemResult:
        for entry in self.items:
            if entry.id == item_id:
                return entry
        raise KeyError(f"{self.submission}: no question {item_id!r}")


@dataclass
class GradingRun:
    """All results of one grading (or the merge of several shards) and how it was run."""

    results: list[SubmissionResult] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)  # sandbox, limits, jobs, shard, roster, seconds

    def save(self, folder: Path) -> Path:
        """Write ``folder/results.json`` (sorted by submission, so runs compare equal)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        data = {"schema": SCHEMA, "settings": self.settings,
                "results": [asdict(r) for r in sorted(self.results, key=lambda r: r.submission)]}
        target = folder / RESULTS_JSON
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(target)
        return target

    @classmethod
    def load(cls, folder: Path) -> GradingRun:
        """Read ``folder/results.json`` (or the file itself when given a path to it)."""
        path = Path(folder)
        path = path if path.suffix == ".json" else path / RESULTS_JSON
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema") != SCHEMA:
            raise ValueError(f"{path}: results schema {data.get('schema')!r}, expected {SCHEMA}")
        results = []
        for raw in data["results"]:
            items = [ItemResult(**i) for i in raw.pop("items")]
            results.append(SubmissionResult(**raw, items=items))
        return cls(results=results, settings=data.get("settings", {}))
