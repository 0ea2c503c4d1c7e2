"""The course's own prose, sentence by sentence, and the sentences that name a source uncited.

A sentence *names a source* when it contains the source's ``cite_as``, an author's name, its
outlet or one of its ``aliases`` (all from ``data/sources.csv``). The rule is a claim-level one: a
paragraph that names a source must carry evidence for that source somewhere in the paragraph: an
inline quotation (``{q}``), a paragraph citation (``{para}``) or a checked absence (``{absent}``) of
that source, or the block quotation (``quote(...)``) of it that follows the paragraph when the
paragraph ends with a colon. A sentence with a computed value (``{glue}``) carries its own evidence.
So a sentence may name a source again without a citation, once its paragraph has one. Questions
(sentences ending with "?") ask and do not attribute, so they are not checked.

Run ``python -m alliance.prose FILE ...`` to list the uncited sentences with file and line.
"""
from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alliance import paths

_ROLE = re.compile(r"\{([a-z:\-]+)\}`([^`]*)`")
_EVIDENCE_ROLES = {"q", "para", "absent", "glue", "glue:", "glue:text"}
#: Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = ("U.S.", "U.K.", "e.g.", "i.e.", "J.", "Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
                 "Mr.", "Ms.", "Dr.", "No.", "vs.", "cf.", "St.", "D.C.", "p.", "pp.", "et al.")
_SENTENCE_END = re.compile(r"(?<=[.!?”\"’)])\s+(?=[A-Z“\"(‘*{\[])")


@dataclass(frozen=True)
class Sentence:
    """One sentence of prose: file, first line (1-based; notebooks: cell index and line), text."""

    file: str
    line: str
    text: str
    followed_by_quote: bool = False
    #: Number of the paragraph (block of prose) the sentence is in, counted in its file.
    paragraph: int = 0
    #: Source id of the block quotation that follows the sentence's paragraph ("" if none).
    quoted_source: str = ""

    @property
    def bare(self) -> str:
        """The text with roles replaced by their visible words (for name matching)."""
        return _ROLE.sub(lambda m: "" if m.group(1) in _EVIDENCE_ROLES else m.group(2), self.text)

    @property
    def evidence_sources(self) -> set[str]:
        """Ids of the sources the sentence's roles quote, cite or count."""
        found: set[str] = set()
        for m in _ROLE.finditer(self.text):
            if m.group(1) in ("q", "para", "absent"):
                found.update(re.findall(r"(?:^|;)\s*([a-z][a-z0-9_]*)\s*(?:¶\s*\d+\s*)?:", m.group(2)))
        if self.followed_by_quote and self.quoted_source and self.text.rstrip().endswith(":"):
            found.add(self.quoted_source)
        return found

    @property
    def has_evidence(self) -> bool:
        roles = {m.group(1) for m in _ROLE.finditer(self.text)}
        return bool(roles & _EVIDENCE_ROLES) or (self.followed_by_quote and self.text.rstrip().endswith(":"))


def _prose_lines_md(text: str) -> list[tuple[int, str, bool]]:
    """(line number, text, next block is a code cell with quote()) for each prose line of MyST text.

    Skips front matter, code cells and fenced code, directive option lines, targets, headings,
    tables, HTML and comments; keeps the text inside prose directives (admonitions, exercises,
    solutions); a self-check is one paragraph. A blank string marks a paragraph break.
    """
    lines = text.split("\n")
    out: list[tuple[int, str, bool]] = []
    i = 0
    if lines and lines[0].strip() == "---":
        i = 1
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        i += 1
    code_fence: str | None = None
    directives: list[str] = []  # fences of the prose directives now open (exercise, admonition...)
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if code_fence is not None:
            if s == code_fence:
                code_fence = None
            i += 1
            continue
        fence = re.match(r"^(`{3,}|~{3,})\s*(\{([\w\-]+)\})?(.*)$", s)
        if fence and fence.group(3) == "selfcheck":
            i = _selfcheck_prose(lines, i, fence.group(1), fence.group(4), out)
            continue
        if fence:
            directive = fence.group(3)
            if directive in ("code-cell", "code", "code-block") or (fence.group(2) is None and fence.group(4)):
                code_fence = fence.group(1)
                if directive == "code-cell" and "quote(" in _block(lines, i):
                    _mark_previous(out, _quoted_source(_block(lines, i)))
            elif fence.group(2) is None and not fence.group(4) and directives and s == directives[-1]:
                directives.pop()  # the closing fence of a prose directive
                out.append((i + 1, "", False))
            elif fence.group(2) is None and not fence.group(4) and s == fence.group(1) and _is_opening(lines, i):
                code_fence = fence.group(1)
            else:
                if fence.group(2) is not None:
                    directives.append(fence.group(1))
                out.append((i + 1, "", False))
            i += 1
            continue
        if (not s or s.startswith((":", "|", "#", "<", "%", "$$")) or re.match(r"^\(.*\)=$", s)
                or s.startswith("```")):
            out.append((i + 1, "", False))
            i += 1
            continue
        out.append((i + 1, line, False))
        i += 1
    return out


def _selfcheck_prose(lines: list[str], i: int, fence: str, question: str, out: list[tuple[int, str, bool]]) -> int:
    """A ``{selfcheck}`` opened at line ``i`` as one paragraph (its question, options and explanation:
    the explanation's evidence covers the sources the question and options name); returns the line
    after its closing fence."""
    out.append((i + 1, "", False))
    if question.strip():
        out.append((i + 1, question.strip(), False))
    j = i + 1
    while j < len(lines) and lines[j].strip() != fence:
        s = lines[j].strip()
        option = re.match(r"^[-*]\s+\[[ xX]\]\s+(.+)$", s)
        if option:
            text = option.group(1)
            out.append((j + 1, text if text.endswith((".", "?", "!")) else text + ".", False))
        elif s and s != "+++" and not s.startswith((":", "%", "<")):
            out.append((j + 1, s, False))
        j += 1
    out.append((j + 1, "", False))
    return j + 1


def _is_opening(lines: list[str], i: int) -> bool:
    """A bare ``` line opens a code block only if a closing line of the same fence follows."""
    return any(l.strip() == lines[i].strip() for l in lines[i + 1:])


def _block(lines: list[str], i: int) -> str:
    fence = re.match(r"^\s*(`{3,})", lines[i]).group(1)  # type: ignore[union-attr]
    body = []
    for line in lines[i + 1:]:
        if line.strip() == fence:
            break
        body.append(line)
    return "\n".join(body)


def _quoted_source(code: str) -> str:
    """The source id of the first ``quote("…")`` call in a code cell ("?" if it is not a literal)."""
    match = re.search(r"quote\(\s*\\?[\"']([a-z][a-z0-9_]*)", code)
    return match.group(1) if match else "?"


def _mark_previous(out: list[tuple[int, str, bool | str]], source: str = "?") -> None:
    """Mark the last prose line before a quotation cell as followed by it (by ``source``'s words)."""
    for k in range(len(out) - 1, -1, -1):
        if out[k][1]:
            out[k] = (out[k][0], out[k][1], source)
            return


def _split(text: str) -> list[str]:
    protected = text
    for abbr in ABBREVIATIONS:  # whole words only: "journal." is not "al.", "group." not "p."
        protected = re.sub(r"(?<![\w.])" + re.escape(abbr), abbr.replace(".", "\u2024"), protected)
    roles: list[str] = []

    def hide(m: re.Match[str]) -> str:
        roles.append(m.group(0))
        return f"\u27e6{len(roles) - 1}\u27e7"

    protected = _ROLE.sub(hide, protected)
    parts = _SENTENCE_END.split(protected)

    def restore(s: str) -> str:
        s = re.sub("\u27e6(\\d+)\u27e7", lambda m: roles[int(m.group(1))], s)
        return s.replace("\u2024", ".")

    return [restore(p).strip() for p in parts if p.strip()]


def _sentences_from_lines(file: str, prose: list[tuple[int, str, bool | str]], line_label=str,
                          first_paragraph: int = 0) -> list[Sentence]:
    sentences: list[Sentence] = []
    para: list[tuple[int, str, bool | str]] = []
    count = [first_paragraph]

    def flush() -> None:
        if not para:
            return
        count[0] += 1
        text = " ".join(l.strip() for _, l, _ in para)
        followed = bool(para[-1][2])
        quoted = para[-1][2] if isinstance(para[-1][2], str) else ""
        parts = _split(text)
        for k, part in enumerate(parts):
            # the line on which this sentence starts
            start_words = part[:20]
            line = para[0][0]
            for n, l, _ in para:
                if start_words[:12] and start_words[:12] in l:
                    line = n
                    break
            last = k == len(parts) - 1
            sentences.append(Sentence(file, line_label(line), part, followed and last, count[0], quoted if last else ""))
        para.clear()

    for n, line, followed in prose:
        if not line.strip():
            flush()
        else:
            if re.match(r"^\s*([-*+]|\d+[.)])\s", line):
                flush()  # a list item starts a new block
            para.append((n, line, followed))
    flush()
    return sentences


def sentences_of(path: Path) -> list[Sentence]:
    """Every prose sentence of a chapter (``.md``) or notebook (``.ipynb``: its Markdown cells)."""
    rel = str(path.relative_to(paths.PROJECT_ROOT)) if path.is_relative_to(paths.PROJECT_ROOT) else str(path)
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        out: list[Sentence] = []
        for index, cell in enumerate(cells):
            if cell["cell_type"] != "markdown":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            prose = _prose_lines_md(source)
            nxt = cells[index + 1] if index + 1 < len(cells) else None
            if nxt is not None and nxt["cell_type"] == "code":
                code = "".join(nxt["source"]) if isinstance(nxt["source"], list) else nxt["source"]
                if re.search(r"^quote\(", code, re.M):
                    _mark_previous(prose, _quoted_source(code))
            out += _sentences_from_lines(rel, prose, line_label=lambda n, i=index: f"cell {i}, line {n}",
                                         first_paragraph=out[-1].paragraph if out else 0)
        return out
    return _sentences_from_lines(rel, _prose_lines_md(path.read_text(encoding="utf-8")))


def source_names(metadata: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """For each source id, the names prose uses for it: cite_as, authors, outlet, aliases."""
    meta = metadata if metadata is not None else pd.read_csv(paths.METADATA_CSV, dtype=str, keep_default_na=False)
    names: dict[str, list[str]] = {}
    for row in meta.itertuples():
        found = {row.cite_as}
        for author in (a.strip() for a in row.authors.split(";")):
            if author and author.lower() != "unsigned":
                found.add(author)
                found.update(t for t in author.split() if len(t) > 2 and t[0].isupper())
                found.add(author.split()[0])
        found.add(re.sub(r"\s*\(.*\)$", "", row.outlet))
        found.update(a.strip() for a in getattr(row, "aliases", "").split(";") if a.strip())
        names[row.source_id] = sorted(n for n in found if n)
    return names


def name_pattern(names: list[str]) -> re.Pattern[str]:
    """A pattern matching any of ``names`` as whole words (the longest first: "Ling and Liu" before "Ling")."""
    alternatives = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<![\w\-])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w\-])")


def sources_named(sentence: Sentence, names: dict[str, list[str]] | None = None) -> list[str]:
    """Ids of the sources a sentence names (by its visible words, quotations and citations removed)."""
    names = names or source_names()
    bare = sentence.bare
    return [sid for sid, ns in names.items() if name_pattern(ns).search(bare)]


def uncited(path: Path, names: dict[str, list[str]] | None = None) -> list[Sentence]:
    """Sentences that name a source for which their paragraph carries no evidence (no quotation,
    paragraph citation or absence of that source, no block quotation of it after the paragraph).
    A sentence with evidence of its own (a role or a computed value) is not checked further: an
    outlet two sources share names both."""
    names = names or source_names()
    sentences = sentences_of(path)
    evidenced: dict[int, set[str]] = {}
    for s in sentences:
        evidenced.setdefault(s.paragraph, set()).update(s.evidence_sources)
    out = []
    for s in sentences:
        own = {m.group(1) for m in _ROLE.finditer(s.text)} & _EVIDENCE_ROLES
        if s.text.rstrip("*_ )”\"").endswith("?") or own:
            continue  # a sentence with evidence of its own (names an outlet two sources share, say)
        if any(not (alternatives & evidenced[s.paragraph]) for alternatives in _named_alternatives(s, names)):
            out.append(s)
    return out


def _named_alternatives(sentence: Sentence, names: dict[str, list[str]]) -> list[set[str]]:
    """For each name the sentence uses, the sources it may mean: one for "Yuan", two for "CAIFC
    journal" (an outlet two sources share, which evidence of either satisfies)."""
    owners: dict[str, set[str]] = {}
    for sid, ns in names.items():
        for n in ns:
            owners.setdefault(n, set()).add(sid)
    bare = sentence.bare
    found = []
    for name, sids in owners.items():
        if name_pattern([name]).search(bare):
            found.append(sids)
    return found


def course_files() -> list[Path]:
    """The files whose prose the course promises is cited: chapters, exercise notebooks, front pages."""
    root = paths.PROJECT_ROOT
    return (sorted((root / "chapters").glob("*.md")) + sorted((root / "exercises").glob("ex*.ipynb"))
            + [root / name for name in ("background.md", "intro.md", "how-to-use.md", "instructors.md", "exercises/index.md",
                                        "appendix/data.md", "appendix/checks.md") if (root / name).exists()])


def role_errors(path: Path) -> list[str]:
    """Every {q}, {para} and {absent} role of a file checked as the build checks it."""
    from alliance.citations import ROLE_PARSERS as check
    from alliance.errors import CourseError

    errors = []
    for s in sentences_of(path):
        for m in _ROLE.finditer(s.text):
            if m.group(1) in check:
                try:
                    check[m.group(1)](m.group(2))
                except CourseError as error:
                    errors.append(f"{s.file}:{s.line}: {{{m.group(1)}}}`{m.group(2)[:60]}`: {error}")
    return errors


#: The admonition class of a chapter's "What you need to know" box: every sentence in it cites a reference row.
BACKGROUND_CLASS = "alliance-background"
#: Pages whose every paragraph is background (each cites a reference row).
BACKGROUND_PAGES: tuple[str, ...] = ("background.md",)
#: Roles that cite a reference row (background, institutions) or a checked event by its address.
_FACT_ROLES = {"bg", "inst"}
_FACT_LINK = re.compile(r"\]\((https?://[^)\s]+)\)")


def background_boxes(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each ``alliance-background`` admonition of MyST ``text``."""
    lines = text.split("\n")
    boxes = []
    i = 0
    while i < len(lines):
        fence = re.match(r"^\s*(`{3,}|:{3,})\{admonition\}", lines[i])
        if fence and any(BACKGROUND_CLASS in l for l in lines[i + 1:i + 4] if l.strip().startswith(":class:")):
            close = fence.group(1)
            body, j = [], i + 1
            while j < len(lines) and lines[j].strip() != close:
                if not lines[j].strip().startswith(":"):
                    body.append(lines[j])
                j += 1
            boxes.append((i + 1, "\n".join(body)))
            i = j
        i += 1
    return boxes


def _cites_a_row(text: str) -> bool:
    """Whether ``text`` cites a reference row: a ``{bg}``/``{inst}`` role, or a link to an address
    that a reference file holds."""
    if {m.group(1) for m in _ROLE.finditer(text)} & _FACT_ROLES:
        return True
    return any(url in reference_urls() for url in _FACT_LINK.findall(text))


@functools.lru_cache(maxsize=1)
def reference_urls() -> frozenset[str]:
    """Every address of every file in ``data/reference``."""
    urls: set[str] = set()
    for csv in paths.REFERENCE_DIR.glob("*.csv"):
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        if "source_url" in table.columns:
            urls |= set(table["source_url"])
    return frozenset(urls)


def unsourced_background(path: Path) -> list[tuple[str, str]]:
    """Background statements without their reference row: each sentence of a "What you need to know"
    box, and each paragraph of a background page, that cites no row (``{bg}``, ``{inst}`` or a
    reference address). Returns (where, text)."""
    if path.suffix != ".md":
        return []
    text = path.read_text(encoding="utf-8")
    problems = []
    for line, box in background_boxes(text):
        for sentence in _split(" ".join(box.split())):
            if not _cites_a_row(sentence):
                problems.append((f"line {line} (box)", sentence))
    if path.name in BACKGROUND_PAGES:
        paragraphs: dict[int, list[Sentence]] = {}
        for s in sentences_of(path):
            paragraphs.setdefault(s.paragraph, []).append(s)
        for group in paragraphs.values():
            joined = " ".join(s.text for s in group)
            if not _cites_a_row(joined):
                problems.append((f"line {group[0].line}", joined))
    return problems


def check_file(path: Path, names: dict[str, list[str]] | None = None) -> list[str]:
    """All of this module's checks on one file, as ``file:line: problem`` lines."""
    names = names or source_names()
    out = role_errors(path)
    out += [f"{s.file}:{s.line}: UNCITED: {s.text}" for s in uncited(path, names)]
    out += [f"{s.file}:{s.line}: HAND-TYPED COMPARISON: {s.text}" for s in hand_typed_comparisons(path, names)]
    out += [f"{path.name} {where}: HAND-TYPED CHART DESCRIPTION: {text}" for where, text in hand_typed_descriptions(path)]
    out += [f"{path.name} {where}: BACKGROUND WITHOUT ITS REFERENCE ROW: {text}"
            for where, text in unsourced_background(path)]
    return out


def main(argv: list[str]) -> int:
    """``python -m alliance.prose [FILE ...]``: list every problem these checks find."""
    files = [Path(a).resolve() for a in argv] or course_files()
    names = source_names()
    problems = [line for path in files for line in check_file(path, names)]
    print("\n".join(problems))
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0



#: Words that compare or rank (a claim about computed data when the sentence is about use or counts).
COMPARATIVE = re.compile(
    r"\b(leads?|leading|the most|most often|most frequently|most densely|more often|more frequently|more densely|"
    r"more than|less often|less than|fewer|least|highest|lowest|largest|smallest|twice|dominat\w*|densest|"
    r"outnumbers?|exceeds?|majority|ranks?|ranking|all five|none of the|every source|"
    r"only source|only one|only text|only article|the only)\b", re.I)
#: Words that make a sentence about the corpus's measured use of words.
METRIC = re.compile(r"\b(per 1,000|rate|count\w*|occurrences?|times|often|frequen\w*|densely|uses?|used|using|"
                    r"words?|terms?|mentions?|paragraphs?|vocabulary|chart|bars?)\b", re.I)


def _code_cells(path: Path) -> list[tuple[str, str]]:
    """(location, source) of each code cell of a chapter or notebook."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return [(f"cell {i}", "".join(c["source"]) if isinstance(c["source"], list) else c["source"])
                for i, c in enumerate(cells) if c["cell_type"] == "code"]
    text = path.read_text(encoding="utf-8")
    return [(f"line {text[:m.start()].count(chr(10)) + 2}", m.group(1))
            for m in re.finditer(r"```\{code-cell\}[^\n]*\n(.*?)\n```", text, re.S)]


def hand_typed_descriptions(path: Path) -> list[tuple[str, str]]:
    """Chart descriptions (``show(chart, "…")``) whose typed strings compare or rank computed data.

    A description may describe the chart's form in typed words; any comparison must come from a
    computed value (``describe_*`` helpers, f-string fields), not from a string literal.
    """
    import ast

    found = []
    for where, code in _code_cells(path):
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "show" and len(node.args) > 1):
                continue
            for const in ast.walk(node.args[1]):
                if isinstance(const, ast.Constant) and isinstance(const.value, str) and COMPARATIVE.search(const.value):
                    found.append((where, const.value))
    return found


def hand_typed_comparisons(path: Path, names: dict[str, list[str]] | None = None) -> list[Sentence]:
    """Prose sentences that compare or rank the corpus's use of words with no computed value in them."""
    names = names or source_names()
    out = []
    for s in sentences_of(path):
        bare = s.bare
        if "{glue" in s.text or "{absent}" in s.text or s.text.rstrip("*_ )”\"").endswith("?"):
            continue
        if COMPARATIVE.search(bare) and METRIC.search(bare) and sources_named(s, names):
            out.append(s)
    return out


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
