"""Self-checks: three to five quick questions on a chapter page, answered at once, with the reason.

A chapter writer adds one with the MyST directive ``selfcheck`` (multiple choice)::

    ```{selfcheck} Which outlet carried Su's op-ed?
    :id: ch1-outlet
    - [ ] The CAIFC's journal pages
    - [x] CGTN
    - [ ] The EastWest Institute's blog
    +++
    Su's byline and source line both name CGTN ({para}`su2017:2,14`).
    ```

or a short typed answer (``:type: text``; ``:accept:`` lists the accepted answers, separated by
``|``, the first being the one shown as the answer; ``:pattern:`` optionally adds a regular
expression that a whole answer may match instead, case-insensitively)::

    ```{selfcheck} Which outlet carried Su's op-ed?
    :id: ch1-outlet-typed
    :type: text
    :accept: CGTN | China Global Television Network
    +++
    Su's byline and source line both name CGTN ({para}`su2017:2,14`).
    ```

The explanation (after ``+++``) is MyST and must cite its evidence (``{para}``, ``{q}``, ``{bg}``,
``{inst}`` or ``{absent}``), rendered as in the rest of the page. The build fails, at the
directive's line, on a question without its text, an id that is missing, malformed or used twice
on the page, a multiple choice without exactly one correct option (or with fewer than two), a typed
question without accepted answers (or with a pattern that does not compile, that JavaScript would
read otherwise, or that accepts an empty answer), and an explanation
that is missing or cites no evidence.

Where a self-check appears (this module is the self-check itself, which the notebook editions import;
the directive, its HTML and the printed form are :mod:`alliance.book.selfcheck`):

* **HTML** (both editions of the book): a ``<form>`` with a ``<fieldset>`` whose ``<legend>`` is
  the question, real radio buttons with labels (or a labelled text field), a "Check" button and a
  result region (``aria-live="polite"``) that says "Correct." or "Not quite." and then shows the
  answer and its explanation. The course's own script (``alliance/book/selfcheck.js``, published as
  ``_static/alliance-selfcheck.js``, deferred, loaded only by pages with a self-check) does the
  checking in the page, offline. Without JavaScript the answer is in a ``<details>`` element.
* **PDF and EPUB** (:func:`alliance.book.selfcheck.print_selfchecks`, called by ``alliance.book.pdf`` and ``alliance.book.epub``):
  numbered questions with their options lettered, and the answers with their explanations collected
  at the end of the chapter under "Answers to the self-checks".
* **Notebook editions** (``alliance.editions``, :func:`notebook_cells`): a Markdown cell with the
  question and its options, and a code cell ``check("ch1-outlet", ...)`` the reader edits; :func:`check`
  reads the self-check from the book's pages and prints whether the answer is right, and why.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator


from alliance.errors import CourseError

#: The script, as the package holds it and as the build publishes it into ``_static/``.
#: The class of a self-check's ``<form>`` (a page with one loads the script).
FORM_CLASS = "alliance-selfcheck"
#: What the result region says.
CORRECT, NOT_QUITE = "Correct.", "Not quite."
#: The heading of the answers at the end of a chapter in the PDF and the EPUB.
ANSWERS_HEADING = "Answers to the self-checks"
#: The kinds of self-check (``:type:``).
KINDS = ("choice", "text")
#: The roles that count as evidence in an explanation.
EVIDENCE_ROLES = ("para", "q", "bg", "inst", "absent")
#: The line that separates the options (or nothing, for a typed answer) from the explanation.
SEPARATOR = "+++"

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_OPTION_LINE = re.compile(r"^\s*[-*]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.+?)\s*$")
_EVIDENCE = re.compile(r"\{(?:" + "|".join(EVIDENCE_ROLES) + r")\}`[^`]+`")
#: Regular-expression syntax that Python and JavaScript read differently (or one of them not at all).
_PYTHON_ONLY = re.compile(r"\(\?P|\(\?#|\(\?[aiLmsux-]+[:)]|\\[AZz]|\(\?<[=!]")
_ROLE = re.compile(r"\{(?P<name>[a-zA-Z][\w:-]*)\}`(?P<body>[^`]*)`")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})\{selfcheck\}(?P<arg>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):(?P<value>.*)$")


class SelfCheckError(CourseError):
    """A self-check that cannot be used: the message says what is wrong with it."""


@dataclass(frozen=True)
class Option:
    """One option of a multiple-choice self-check: its MyST text and whether it is the answer."""

    text: str
    correct: bool


@dataclass(frozen=True)
class SelfCheck:
    """One self-check as its directive gives it (the texts are MyST, not yet rendered)."""

    id: str
    kind: str
    question: str
    options: tuple[Option, ...]
    accept: tuple[str, ...]
    pattern: str
    explanation: str

    @property
    def answer_index(self) -> int:
        """The position (0-based) of the correct option (multiple choice only)."""
        return next(i for i, option in enumerate(self.options) if option.correct)

    @property
    def answer_text(self) -> str:
        """The answer as a reader would give it (MyST): the correct option, or the first accepted answer."""
        return self.options[self.answer_index].text if self.kind == "choice" else self.accept[0]


def letter(index: int) -> str:
    """The letter of the option at ``index`` (0 → "A")."""
    return chr(ord("A") + index)


def split_options(value: str) -> tuple[str, ...]:
    """The accepted answers of ``:accept:`` (separated by ``|``), stripped, empty ones dropped."""
    return tuple(part.strip() for part in value.split("|") if part.strip())


def parse_selfcheck(question: str, options: dict[str, str], content: Iterable[str]) -> SelfCheck:
    """The self-check a directive describes (its argument, options and content lines), validated.

    Raises :class:`SelfCheckError` with what is wrong."""
    question = " ".join(question.split())
    if not question:
        raise SelfCheckError("a self-check needs its question after {selfcheck} (the directive's argument).")
    check_id = (options.get("id") or "").strip()
    if not check_id:
        raise SelfCheckError(f"self-check {question!r} has no :id: (a short name such as ch1-outlet, unique on the page).")
    if not _ID.match(check_id):
        raise SelfCheckError(f"self-check id {check_id!r}: use lowercase letters, digits and hyphens (ch1-outlet).")
    kind = (options.get("type") or "choice").strip()
    if kind not in KINDS:
        raise SelfCheckError(f"self-check {check_id}: :type: is {' or '.join(KINDS)}, not {kind!r}.")
    lines = list(content)
    if SEPARATOR not in [line.strip() for line in lines]:
        raise SelfCheckError(f"self-check {check_id} has no explanation: write it after a line {SEPARATOR}.")
    cut = [line.strip() for line in lines].index(SEPARATOR)
    head, explanation = lines[:cut], "\n".join(lines[cut + 1:]).strip()
    choices: list[Option] = []
    for line in head:
        if not line.strip():
            continue
        match = _OPTION_LINE.match(line)
        if match is None:
            raise SelfCheckError(f"self-check {check_id}: before {SEPARATOR} only options may stand, one a line, "
                                 f"'- [ ] wrong' or '- [x] right'; not {line.strip()!r}.")
        choices.append(Option(match["text"], match["mark"] != " "))
    accept = split_options(options.get("accept") or "")
    pattern = (options.get("pattern") or "").strip()
    if kind == "choice":
        if accept or pattern:
            raise SelfCheckError(f"self-check {check_id}: :accept: and :pattern: are for :type: text.")
        if len(choices) < 2:
            raise SelfCheckError(f"self-check {check_id}: a multiple choice needs at least two options.")
        right = sum(option.correct for option in choices)
        if right != 1:
            raise SelfCheckError(f"self-check {check_id}: a multiple choice needs exactly one correct option "
                                 f"('- [x]'), not {right}.")
        texts = [normalize_answer(option.text) for option in choices]
        if len(set(texts)) != len(texts):
            raise SelfCheckError(f"self-check {check_id}: two options have the same text.")
    else:
        if choices:
            raise SelfCheckError(f"self-check {check_id}: a typed answer (:type: text) has no options.")
        if not accept:
            raise SelfCheckError(f"self-check {check_id}: a typed answer needs :accept: (answers separated by |).")
        if pattern:
            _check_pattern(check_id, pattern, accept)
    if not explanation:
        raise SelfCheckError(f"self-check {check_id} has no explanation after {SEPARATOR}.")
    if not _EVIDENCE.search(explanation):
        raise SelfCheckError(f"self-check {check_id}: the explanation cites no evidence (a {{para}}, {{q}}, {{bg}}, "
                             "{inst} or {absent} role).")
    return SelfCheck(check_id, kind, question, tuple(choices), accept, pattern, explanation)


def _check_pattern(check_id: str, pattern: str, accept: tuple[str, ...]) -> None:
    """A ``:pattern:`` must compile, read the same in Python and JavaScript, and refuse an empty answer."""
    if _PYTHON_ONLY.search(pattern):
        raise SelfCheckError(f"self-check {check_id}: :pattern: {pattern!r} uses syntax that JavaScript reads "
                             "differently (named groups, inline flags, \\A, \\Z, look-behind); the match is "
                             "already case-insensitive and whole.")
    try:
        re.compile(pattern)
    except re.error as error:
        raise SelfCheckError(f"self-check {check_id}: :pattern: {pattern!r} is not a regular expression ({error}).") \
            from error
    if pattern_accepts(pattern, ""):
        raise SelfCheckError(f"self-check {check_id}: :pattern: {pattern!r} accepts an empty answer.")


def normalize_answer(text: str) -> str:
    """An answer as it is compared: Unicode-normalised, casefolded, spaces collapsed, outer quotation
    marks and final punctuation dropped (the script does the same)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = " ".join(text.split())
    return text.strip(" \"'“”‘’.!?;:,")


def pattern_accepts(pattern: str, normalized: str) -> bool:
    """Whether ``pattern`` matches the whole (normalised) answer, ignoring case."""
    return re.fullmatch(f"(?:{pattern})", normalized, re.IGNORECASE) is not None


def is_correct(check: SelfCheck, answer: object) -> bool:
    """Whether ``answer`` is right: for a multiple choice, the option's letter ("B"), its number (2)
    or its text; for a typed answer, one of the accepted answers or a match of the pattern."""
    if check.kind == "choice":
        if isinstance(answer, int) and not isinstance(answer, bool):
            return answer - 1 == check.answer_index
        given = normalize_answer(str(answer))
        if len(given) == 1 and given.isalpha():
            return ord(given) - ord("a") == check.answer_index
        if given.isdigit():
            return int(given) - 1 == check.answer_index
        return given == normalize_answer(plain_text(check.answer_text))
    given = normalize_answer(str(answer))
    if given in {normalize_answer(a) for a in check.accept}:
        return True
    return bool(check.pattern) and pattern_accepts(check.pattern, given)


# ---------------------------------------------------------------------------------------------
# Finding the self-checks in the book's pages (for check() and the tests)


def _split_directive_options(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    i = 0
    while i < len(lines) and (match := _OPTION.match(lines[i].strip())):
        options[match["key"]] = match["value"].strip()
        i += 1
    return options, lines[i:]


def selfchecks_in(text: str) -> Iterator[tuple[int, SelfCheck]]:
    """Every self-check of a MyST page's text, with the line (1-based) of its directive."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if opened is None:
            i += 1
            continue
        mark = opened["fence"]
        close = re.compile(rf"^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}\s*$")
        end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), len(lines))
        options, body = _split_directive_options(lines[i + 1:end])
        yield i + 1, parse_selfcheck(opened["arg"], options, body)
        i = end + 1


def book_pages(root: Path | None = None) -> list[Path]:
    """The book's MyST pages that may hold self-checks (every ``.md`` of ``_toc.yml``'s folders)."""
    from alliance import paths

    root = root or paths.PROJECT_ROOT
    found = sorted(root.glob("*.md")) + sorted(root.glob("chapters/*.md")) + sorted(root.glob("appendix/*.md"))
    return [p for p in found if p.name not in ("README.md", "CONTRIBUTING.md")]


def book_selfchecks(root: Path | None = None) -> dict[str, SelfCheck]:
    """Every self-check of the book by id; an id used on two pages is an error (``check`` needs one)."""
    found: dict[str, SelfCheck] = {}
    where: dict[str, str] = {}
    for page in book_pages(root):
        text = page.read_text(encoding="utf-8")
        if "{selfcheck}" not in text:
            continue
        for line, check in selfchecks_in(text):
            place = f"{page.name}:{line}"
            if check.id in found:
                raise SelfCheckError(f"self-check id {check.id!r} is used twice: {where[check.id]} and {place}.")
            found[check.id], where[check.id] = check, place
    return found


# ---------------------------------------------------------------------------------------------
# Plain text (for check() in a notebook)


def _plain_role(name: str, body: str) -> str:
    from alliance import paths
    from alliance.citations import ROLE_PARSERS, ROLE_SEGMENTS

    if name in ROLE_SEGMENTS:
        found = ROLE_PARSERS[name](" ".join(body.split()))
        return "".join(text for text, _ in ROLE_SEGMENTS[name](found, str(paths.READER_DIR)))
    if name in ("bg", "inst"):
        return str(ROLE_PARSERS[name](body.strip()).link_text)
    explicit = re.match(r"^(?P<text>.+?)\s*<[^<>]+>$", body.strip())
    return explicit["text"] if explicit else body


def plain_text(myst: str) -> str:
    """``myst`` as plain text: the course's roles read as the book shows them ("Su ¶2, 14"),
    other roles by their text, emphasis marks dropped."""
    text = _ROLE.sub(lambda m: _plain_role(m["name"], m["body"]), myst)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return " ".join(text.split())


def check(check_id: str, answer: object = ..., root: Path | None = None) -> bool:
    """Check a self-check's answer in a notebook: prints "Correct." or "Not quite.", the answer and why.

    ``answer``: for a multiple choice the option's letter ("B") or its text; for a typed answer a few
    words. Returns whether the answer is right (``...``, not yet answered, prints how to answer)."""
    checks = book_selfchecks(root)
    if check_id not in checks:
        raise SelfCheckError(f"no self-check {check_id!r} in the book.")
    found = checks[check_id]
    if answer is ... or (isinstance(answer, str) and not answer.strip()):
        how = (f"the letter of your choice ({', '.join(letter(i) for i in range(len(found.options)))})"
               if found.kind == "choice" else "your answer in a few words, in quotation marks")
        print(f"Replace ... with {how}, then run this cell again.")
        return False
    right = is_correct(found, answer)
    shown = (f"{letter(found.answer_index)}. {plain_text(found.answer_text)}" if found.kind == "choice"
             else plain_text(found.answer_text))
    print(f"{CORRECT if right else NOT_QUITE} The answer: {shown}.")
    print(plain_text(found.explanation))
    return right


# ---------------------------------------------------------------------------------------------
# Notebook editions


def notebook_cells(check: SelfCheck, number: int) -> tuple[list[str], str]:
    """The Markdown lines (MyST roles still to convert) and the code of a self-check's notebook cells."""
    lines = [f"**Self-check {number}.** {check.question}", ""]
    if check.kind == "choice":
        lines += [f"{letter(i)}. {option.text}  " for i, option in enumerate(check.options)]
        lines += ["", f"Put the letter of your answer in place of `...` in the cell below and run it."]
    else:
        lines += ["Put your answer, in a few words and in quotation marks, in place of `...` in the cell below "
                  "and run it."]
    code = f"from alliance.selfcheck import check\ncheck({json.dumps(check.id)}, ...)"
    return lines, code
