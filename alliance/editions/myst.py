"""The one MyST-to-CommonMark converter: a notebook's Markdown as Jupyter front ends render it.

Linked (a :class:`BookIndex` of the built book): every role and directive the book uses is turned into
CommonMark (see :mod:`alliance.editions`); anything else raises :class:`alliance.errors.EditionError`, and
every converted cell is checked with :func:`raw_myst`.

Unlinked (:func:`unlinked_commonmark`, no built book: the marking and feedback pages of the classroom): every
role reads as its text (:func:`plain_role`, e.g. ``{para}`ling2018:22``` → ``ling2018 ¶22``), every
directive as its bold title and its body, whatever its name; nothing is refused.
"""
from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from alliance import paths
from alliance.editions.links import markdown_link, md_escape, READER_PARA, BookIndex, cited_paragraphs
from alliance.editions.tags import SELFCHECK_TAG
from alliance.errors import CourseError, EditionError


_ROLE = re.compile(r"\{(?P<name>[a-zA-Z][\w:-]*)\}`(?P<body>[^`]*)`")
#: A fence line: ````` ``` ````` / ``~~~`` / ``:::`` (``fence``), then the info string (``info``).
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
#: A fence's info string naming a directive: ``{admonition} Title`` (``name``, ``arg``).
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
_LABEL = re.compile(r"^\s*\([^()\s]+\)=\s*$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
_ADMONITIONS = {"note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning",
                "caution": "Caution", "attention": "Attention", "danger": "Danger", "error": "Error",
                "seealso": "See also"}


# ---------------------------------------------------------------------------------------------
# Raw MyST, as a reader of the CommonMark rendering would see it


#: What MyST left in a CommonMark rendering looks like: (what it is, pattern on the HTML).
RAW_MYST_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("role", re.compile(r"\{[a-zA-Z][\w:-]*\}(?=<code>)")),
    ("directive", re.compile(r'class="language-\{|^\s*(?:```|~~~|:::)\s*\{', re.M)),
    ("colon fence", re.compile(r"(?:^|>):::", re.M)),
    ("directive option", re.compile(r"(?:^|>):(?:class|label|name|tags|file|header-rows|widths|"
                                    r"align|width|figwidth|dropdown|open|hidden|caption|numbered|"
                                    r"maxdepth|filter|style|all):", re.M)),
    ("target", re.compile(r"(?:^|>)\s*\([^()\s<>]+\)=\s*(?:$|<)", re.M)),
    ("substitution", re.compile(r"\{\{[^}]*\}\}")),
    ("comment", re.compile(r"<p>%")),
)


def commonmark_html(markdown: str) -> str:
    """``markdown`` rendered as CommonMark (what JupyterLab, VS Code, Colab and GitHub do)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def raw_myst(markdown: str) -> list[str]:
    """Every MyST construct left raw in ``markdown`` once rendered as CommonMark, with context."""
    rendered = commonmark_html(markdown)
    found = []
    for what, pattern in RAW_MYST_PATTERNS:
        for match in pattern.finditer(rendered):
            context = rendered[max(0, match.start() - 40): match.end() + 40].replace("\n", " ")
            found.append(f"{what}: …{html.unescape(context)}…")
    return found


def notebook_raw_myst(nb: NotebookNode) -> list[str]:
    """:func:`raw_myst` over every Markdown cell of a notebook, each place prefixed with its cell."""
    return [f"cell {i}: {place}" for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
            for place in raw_myst(cell.source)]


# ---------------------------------------------------------------------------------------------
# Converting one notebook's Markdown


@dataclass
class MystPage:
    """The page being converted: its docname, the book (``None``: unlinked, see :func:`unlinked_commonmark`),
    its glue values."""

    docname: str
    book: BookIndex | None
    glue: Mapping[str, str]
    #: The exercise whose solution is open (its number), between solution-start and solution-end.
    solution: str = ""
    #: The self-checks met so far (their number on the page), and the code cells of those whose
    #: Markdown is converted but whose ``check()`` cell is not yet placed (:data:`CODE_CELL_MARK`).
    selfchecks: int = 0
    pending_code: list[str] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        """Whether roles become links into the built book (else plain text, and nothing is refused)."""
        return self.book is not None

    def fail(self, message: str) -> EditionError:
        return EditionError(f"{self.docname}: {message}")

    # -- roles ---------------------------------------------------------------------------------

    def role(self, name: str, body: str) -> str:
        if not self.linked:
            return plain_role(name, body)
        handler = _ROLE_HANDLERS.get(name)
        if handler is None:
            raise self.fail(f"the notebook edition cannot convert the MyST role {{{name}}}`{body}`; "
                            "add a handler in alliance/editions/.")
        return handler(self, body)

    def checked(self, role: str, body: str) -> str:
        """``{q}``, ``{para}``, ``{absent}``: parsed and verified as in the book, then linked."""
        from alliance.citations import ROLE_PARSERS, ROLE_SEGMENTS

        found = ROLE_PARSERS[role](" ".join(body.split()))
        pieces = []
        for text, address in ROLE_SEGMENTS[role](found, paths.READER_DIR):
            if not address:
                pieces.append(md_escape(text))
                continue
            para = READER_PARA.match(address)
            title = cited_paragraphs(para["source"], text, int(para["para"])) if para else ""
            pieces.append(markdown_link(text, self.book.url(address), title))
        return "".join(pieces)

    def fact(self, role: str, body: str) -> str:
        """``{bg}``, ``{inst}``: the reference row's short named link ("Japan Times, press report"), the fact as its title."""
        from alliance.citations import ROLE_PARSERS
        from alliance.errors import CourseError

        try:
            found = ROLE_PARSERS[role](body.strip())
        except CourseError as error:
            raise self.fail(str(error)) from error
        return markdown_link(found.link_text, found.url, found.fact)

    def glued(self, body: str) -> str:
        if body not in self.glue:
            raise self.fail(f"no glued value {body!r} (the executed notebook's .glue.json; run `make book`).")
        return self.glue[body].strip()

    def xref(self, kind: str, body: str) -> str:
        """``{term}``, ``{ref}``, ``{numref}``, ``{doc}``: a link to the published book."""
        match = _EXPLICIT.match(body)
        text, target = (match["text"], match["target"]) if match else ("", body)
        target = target.strip()
        if kind == "doc":
            if not target.startswith("/"):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(self.docname), target))
            address, title = self.book.lookup("std:doc", target.lstrip("/"), self.docname)
        elif kind == "term":
            address, title = self.book.lookup("std:term", target, self.docname)
            title = target
        else:
            address, title = self.book.lookup("std:label", target, self.docname)
            number = self.book.exercise_numbers.get(target)
            if kind == "numref" or (number and not text):
                if number is None:
                    raise self.fail(f"{{numref}} of {target!r}: only exercises are numbered in this course.")
                title = text.replace("%s", number).replace("{number}", number) if text else f"Exercise {number}"
                text = ""
        return markdown_link(" ".join((text or title).split()), self.book.url(address))

    def cite(self, textual: bool, body: str) -> str:
        """``{cite:p}`` → (Author, year); ``{cite:t}`` → Author (year); linked to the bibliography."""
        parts = []
        for key in (k.strip() for k in body.split(",") if k.strip()):
            if key not in self.book.citations:
                raise self.fail(f"citation key {key!r} is not in references.bib.")
            authors, year = self.book.citations[key]
            url = self.book.url("appendix/bibliography.html")
            parts.append(f"{markdown_link(authors, url)} ({year})" if textual else f"{markdown_link(authors, url)}, {year}")
        return "; ".join(parts) if textual else f"({'; '.join(parts)})"

    # -- blocks --------------------------------------------------------------------------------

    def directive(self, name: str, arg: str, options: dict[str, str], body: list[str]) -> list[str]:
        if not self.linked:
            return self.titled_block(name, arg, body)
        if name == "admonition" or name in _ADMONITIONS:
            return _callout(arg if name == "admonition" and arg else _ADMONITIONS.get(name, arg), self.convert(body))
        if name == "exercise":
            number = self.book.exercise_numbers.get(options.get("label", ""))
            if number is None:
                raise self.fail(f"exercise {options.get('label')!r} has no number in the book.")
            title = f"Exercise {number}" + (f": {arg}" if arg else "")
            return _callout(title, self.convert(body))
        if name == "solution-start":
            number = self.book.exercise_numbers.get(arg.strip())
            if number is None:
                raise self.fail(f"solution of {arg!r}: no such exercise.")
            self.solution = number
            return [f"**Solution to Exercise {number}** (try the exercise first)"]
        if name == "solution-end":
            number, self.solution = self.solution, ""
            return [f"*End of the solution to Exercise {number}.*"] if number else []
        if name == "selfcheck":
            return self.selfcheck(arg, options, body)
        raise self.fail(f"the notebook edition cannot convert the MyST directive {{{name}}}; "
                        "add a handler in alliance/editions/.")

    def titled_block(self, name: str, arg: str, body: list[str]) -> list[str]:
        """Any directive, unlinked: its argument (else its name, "Solution start") in bold, then its body."""
        title = arg or name.replace("-", " ").capitalize()
        return [f"**{md_escape(title)}**", "", *self.convert(body), ""]

    def selfcheck(self, arg: str, options: dict[str, str], body: list[str]) -> list[str]:
        """A ``{selfcheck}``: its question and options as a callout, then :data:`CODE_CELL_MARK`, where
        :func:`convert_notebook` places the ``check()`` cell the reader edits (``alliance.selfcheck``)."""
        from alliance.selfcheck import SelfCheckError, notebook_cells, parse_selfcheck

        try:
            found = parse_selfcheck(arg, options, body)
        except SelfCheckError as error:
            raise self.fail(str(error)) from None
        self.selfchecks += 1
        lines, code = notebook_cells(found, self.selfchecks)
        self.pending_code.append(code)
        return [*_callout_lines(self.convert(lines)), "", CODE_CELL_MARK, ""]

    def convert(self, lines: list[str]) -> list[str]:
        """Markdown lines with every MyST construct converted (recursively inside directives)."""
        out: list[str] = []
        prose: list[str] = []

        def flush() -> None:
            if prose:
                out.extend(_ROLE.sub(lambda m: self.role(m["name"], m["body"]), "\n".join(prose)).split("\n"))
                prose.clear()

        i = 0
        while i < len(lines):
            line = lines[i]
            fence = FENCE.match(line)
            if fence:
                flush()
                mark = fence["fence"]
                end = fence_end(lines, i, mark)
                if end is None and self.linked:
                    raise self.fail(f"unclosed fence {line.strip()!r}.")
                end = len(lines) if end is None else end  # unlinked: the rest is the block's body
                directive = DIRECTIVE.match(fence["info"].strip())
                if directive:
                    options, body = _split_options(lines[i + 1:end])
                    out.extend(self.directive(directive["name"], directive["arg"].strip(), options, body))
                elif mark.startswith(":") and self.linked:
                    raise self.fail(f"colon fence without a directive: {line.strip()!r}.")
                else:
                    out.extend(lines[i:end + 1])  # a plain code block stays as it is
                i = end + 1
                continue
            if _LABEL.match(line) or line.startswith("%"):
                i += 1
                continue
            prose.append(line)
            i += 1
        flush()
        return out

    def markdown(self, source: str) -> str:
        """``source`` (a Markdown cell) converted; linked, raw MyST left over is an error."""
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(self.convert(source.split("\n"))).strip("\n"))
        if not self.linked:
            return text.strip()
        left = raw_myst(text)
        if left:
            raise self.fail("MyST left after conversion: " + "; ".join(left))
        return text


_ROLE_HANDLERS: dict[str, Callable[[MystPage, str], str]] = {
    "q": lambda page, body: page.checked("q", body),
    "para": lambda page, body: page.checked("para", body),
    "absent": lambda page, body: page.checked("absent", body),
    "bg": lambda page, body: page.fact("bg", body),
    "inst": lambda page, body: page.fact("inst", body),
    "glue:": lambda page, body: page.glued(body),
    "glue": lambda page, body: page.glued(body),
    "term": lambda page, body: page.xref("term", body),
    "ref": lambda page, body: page.xref("ref", body),
    "numref": lambda page, body: page.xref("numref", body),
    "doc": lambda page, body: page.xref("doc", body),
    "cite:p": lambda page, body: page.cite(False, body),
    "cite:t": lambda page, body: page.cite(True, body),
}


def fence_end(lines: list[str], start: int, fence: str) -> int | None:
    """Index of the line closing the fence ``fence`` (```` ``` ````, ``::::``) opened at ``lines[start]``:
    the first later line of at least as many of its characters and nothing else; ``None`` if none."""
    close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    return next((j for j in range(start + 1, len(lines)) if close.match(lines[j])), None)


def plain_role(name: str, body: str) -> str:
    """A role as readable text without the built book: ``{para}`ling2018:22``` → ``ling2018 ¶22``,
    ``{q}`ling2018 ¶21: words``` → “words” (ling2018 ¶21), ``{term}``/``{ref}``/``{doc}`` → their text,
    ``{cite:p}`key``` → (key); any other role → its body. Markdown characters are escaped."""
    body = " ".join(body.split())
    if name == "para":
        parts = [p.strip() for p in body.split(";") if p.strip()]
        return "; ".join(f"{p.split(':', 1)[0]} ¶{p.split(':', 1)[1]}" if ":" in p else p for p in parts)
    if name in ("q", "absent"):
        where, _, words = body.partition(":")
        shown = f"“{md_escape(words.strip())}” ({md_escape(where.strip())})"
        return shown if name == "q" else f"{shown}: absent from the text"
    explicit = _EXPLICIT.match(body)
    if name in ("term", "ref", "numref", "doc"):
        text = explicit["text"] if explicit and explicit["text"] else (explicit["target"] if explicit else body)
        return md_escape(text.rsplit("/", 1)[-1] if name == "doc" and not (explicit and explicit["text"]) else text)
    if name == "cite:p":
        return f"({md_escape(body)})"
    return md_escape(body)


def unlinked_commonmark(markdown: str, docname: str = "") -> str:
    """MyST as CommonMark without the built book: roles as text (:func:`plain_role`), directives as a
    bold title and body, ``(label)=`` targets and ``%`` comments dropped. Never refuses a construct."""
    return MystPage(docname, None, {}).markdown(markdown)


def split_admonition(markdown: str) -> tuple[str, str]:
    """(title, body) of Markdown holding one ``{admonition}`` block (its options dropped), as written;
    ("", ``markdown``) otherwise. The classroom reads the model answers and rubrics with it."""
    lines = markdown.strip().split("\n")
    fence = FENCE.match(lines[0].strip())
    directive = DIRECTIVE.match(fence["info"].strip()) if fence else None
    if not directive or directive["name"] != "admonition" or fence["fence"].startswith("~") \
            or len(lines) < 2 or lines[-1].strip() != fence["fence"]:
        return "", markdown.strip()
    _, body = _split_options(lines[1:-1])
    return directive["arg"].strip(), "\n".join(body).strip()


def _split_options(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """A directive's ``:key: value`` option lines, then its body (leading blank line dropped)."""
    options: dict[str, str] = {}
    i = 0
    while i < len(lines) and (match := _OPTION.match(lines[i].strip())):
        options[match["key"]] = match["value"].strip()
        i += 1
    body = lines[i:]
    while body and not body[0].strip():
        body = body[1:]
    return options, body


def _callout(title: str, body: list[str]) -> list[str]:
    """A block-quoted callout: the title in bold, then the body (readable in every front end)."""
    return _callout_lines([f"**{title}**", "", *body])


def _callout_lines(lines: list[str]) -> list[str]:
    """``lines`` block-quoted (trailing blank lines dropped)."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return [f"> {line}" if line.strip() else ">" for line in lines]


#: Where a converted Markdown cell is cut for a code cell (a self-check's ``check()``): an HTML
#: comment, so that a cell left uncut would still read well.
CODE_CELL_MARK = "<!-- alliance: check cell -->"


def split_at_code_marks(cell: NotebookNode, codes: list[str]) -> list[NotebookNode]:
    """A converted Markdown cell cut at each :data:`CODE_CELL_MARK`, the next of ``codes`` (taken from
    the front of the list) placed as a code cell at each cut; cells left empty are dropped."""
    pieces = cell.source.split(CODE_CELL_MARK)
    cells: list[NotebookNode] = []

    def add(new: NotebookNode) -> None:
        if "id" in cell:  # the same ids on every build (nbformat would draw random ones)
            new["id"] = hashlib.sha1(f"{cell['id']}:{len(cells)}".encode()).hexdigest()[:16]
        cells.append(new)

    for index, piece in enumerate(pieces):
        if piece.strip():
            add(nbformat.v4.new_markdown_cell(piece.strip("\n"), metadata=dict(cell.get("metadata", {}))))
        if index < len(pieces) - 1:
            add(nbformat.v4.new_code_cell(codes.pop(0), metadata={"tags": [SELFCHECK_TAG]}))
    if "id" not in cell:
        for new in cells:
            new.pop("id", None)
    return cells
