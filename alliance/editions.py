"""Notebook editions: the chapters and exercises as plain notebooks that read like the book.

The book's sources are written in MyST (roles such as ``{q}``, ``{para}``, ``{term}``, ``{glue:}``;
directives such as ``{admonition}`` and ``{exercise}``; ``(label)=`` targets). Jupyter front ends
(JupyterLab, VS Code, Colab, GitHub) render Markdown as CommonMark and would show that markup raw.
This module writes the ``.ipynb`` files readers get — from the book's download buttons, from the
Binder launch and from ``make lab`` — with every MyST construct turned into CommonMark:

* ``{q}`` → “words” (Su, [¶4](… "the paragraph")), verified verbatim as in the book; ``{para}`` →
  [Su ¶4](… "the paragraph"); ``{absent}`` → its checked count; the links go to the source reader,
  and each ¶ link's title is the cited paragraph's text (hover it to read the paragraph);
* ``{term}``, ``{ref}``, ``{numref}``, ``{doc}`` → links into the book, with the text the book
  shows (resolved through the built book's ``objects.inv``);
* ``{glue:}`` → the value the book shows (from the executed notebook's ``.glue.json``);
* ``{cite:p}`` → (Author, year), ``{cite:t}`` → Author (year), linked to the bibliography;
* admonitions, exercises and solutions → block-quoted callouts with a bold title;
* self-checks (``{selfcheck}``) → the question and its lettered options as a callout, then a code
  cell ``check("id", ...)`` the reader edits and runs (``alliance.selfcheck.check``);
  ``(label)=`` targets and ``%`` comments are dropped.

Anything else raises :class:`EditionError` naming the file and the construct, and every converted
cell is checked with :func:`raw_myst` (CommonMark rendering, then a search for MyST left over), so
a construct the converter does not handle cannot reach a reader unnoticed.

Where the links go (:attr:`BookIndex.base_url`, see :func:`link_base`):

* ``make lab`` (``--lab``/``--out DIR``): the book built on this computer, through the link
  ``DIR/book`` → ``_build/html`` that :func:`link_lab_book` makes (JupyterLab serves only the
  folder it was opened on). Clicking a link opens the page in JupyterLab's HTML viewer; the
  ``¶`` links' titles show the paragraph on hover without leaving the notebook.
* Binder (``--binder``): the book Binder built beside the notebooks (``../_build/html/``).
* The downloads of the built book (``_sources/``, ``student/``) and ``make student``: they are
  opened away from the book, so they link to the published book (``html.baseurl`` of
  ``_config.yml``) when it is set; while it is empty (not published) they have no links: a
  citation reads as plain text ("Su ¶4") with the paragraph's text as its hover title.

Command line::

    python -m alliance.editions --out DIR    # DIR/chapters/*.ipynb, DIR/exercises/*.ipynb (student), DIR/book
    python -m alliance.editions --lab notebooks  # the same, never overwriting a notebook already there
    python -m alliance.editions --binder     # chapters/*.ipynb and the student exercises in place
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import posixpath
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import nbformat
import yaml
from nbformat import NotebookNode

from alliance import paths
from alliance.errors import CourseError


class EditionError(CourseError):
    """A notebook edition could not be written: an unknown construct, a missing value or link."""


#: Where the built book and the executed notebooks' glue values are, after ``make book``.
HTML_DIR: Path = paths.PROJECT_ROOT / "_build" / "html"
GLUE_DIR: Path = paths.PROJECT_ROOT / "_build" / "jupyter_execute"
#: Notebook pages whose editions are written beside the chapters (besides ``chapters/*``).
EXTRA_NOTEBOOK_PAGES: tuple[str, ...] = ("appendix/data",)
#: The two editions of the book: ``solution`` (``make book``, ``_build/html``) and ``student``
#: (``make book EDITION=student``: jupyter-book's ``--path-output`` puts it in ``<dir>/_build/html``).
BOOK_EDITIONS: tuple[str, ...] = ("solution", "student")
STUDENT_BOOK_DIR: Path = paths.PROJECT_ROOT / "_build" / "student-book"
STUDENT_HTML_DIR: Path = STUDENT_BOOK_DIR / "_build" / "html"

_ROLE = re.compile(r"\{(?P<name>[a-zA-Z][\w:-]*)\}`(?P<body>[^`]*)`")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
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
# The published book: addresses, titles, numbers


def _md_escape(text: str) -> str:
    """Text inserted into Markdown, with the characters that would start markup escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def _link_title(title: str) -> str:
    """``title`` as a Markdown link title: in double quotes, ``\\`` and ``"`` escaped, on one line."""
    return '"' + " ".join(title.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _link(text: str, url: str, title: str = "") -> str:
    """``text`` linked to ``url`` (with a hover ``title`` if given). Without a ``url``: the text,
    in a ``<span title="…">`` when there is a title (the paragraph can still be read on hover)."""
    if not url:
        if title:
            return f'<span title="{html.escape(" ".join(title.split()), quote=True)}">{_md_escape(text)}</span>'
        return _md_escape(text)
    target = url.replace(" ", "%20").replace(")", "%29")
    return f"[{_md_escape(text)}]({target} {_link_title(title)})" if title else f"[{_md_escape(text)}]({target})"


#: A link to a paragraph of the source reader, relative to the book: ``appendix/sources/su2017.html#su2017-p4``.
_READER_PARA = re.compile(rf"^{re.escape(paths.READER_DIR)}(?P<source>[a-z][a-z0-9_]*)\.html#(?P=source)-p(?P<para>\d+)$")
_PARA_NUMBERS = re.compile(r"¶(\d+)(?:[–-]¶?(\d+))?")


def cited_paragraphs(source_id: str, text: str, para: int) -> str:
    """The text of the paragraphs of ``source_id`` a link's words name ("¶4", "Su ¶4–6, ¶9"), or of
    ``para`` (the paragraph linked) when they name none (quoted words), each after its number:
    what a ¶ link's hover title shows."""
    from alliance.corpus import load_corpus

    corpus = load_corpus()
    table = corpus.paragraphs[corpus.paragraphs["source_id"] == source_id].set_index("para")
    numbers = [n for first, last in _PARA_NUMBERS.findall(text)
               for n in range(int(first), int(last or first) + 1)] or [para]
    return " ".join(f"¶{n}: {' '.join(str(table.loc[n, 'text']).split())}" for n in numbers if n in table.index)


def _toc_numbered_docs(root: Path) -> list[str]:
    """The docnames of the numbered part of ``_toc.yml`` (the chapters), in order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [entry["file"] for part in toc.get("parts", []) if part.get("numbered")
            for entry in part.get("chapters", []) if "file" in entry]


def link_base(kind: str, config_path: Path | None = None) -> str:
    """Where an edition's links go, as the prefix of a page's address in the book.

    ``lab`` (``make lab``, ``--out``): ``../book/``, the built book linked into the notebooks
    folder (:func:`link_lab_book`); ``binder``: ``../_build/html/``, the book Binder built beside the
    notebooks (both from a notebook one folder deep); ``download`` (the built book's downloads,
    ``make student``): the published address when ``_config.yml`` sets one, else ``""`` (no links).
    """
    if kind == "lab":
        return f"../{paths.LAB_BOOK_LINK}/"
    if kind == "binder":
        return f"../{paths.BUILT_BOOK_DIR}/"
    if kind == "download":
        return paths.published_url(config_path) or ""
    raise ValueError(f"unknown kind of edition {kind!r}: lab, binder or download")


def link_lab_book(folder: Path, html_dir: Path | None = None) -> Path:
    """Make ``folder/book`` lead to the built book, so that the lab editions' links open in the
    JupyterLab started on ``folder``: a relative symbolic link (it follows every rebuild), or a copy
    where links cannot be made. A ``book`` that is not a link is left as it is. Returns its path."""
    import os
    import shutil

    html_dir = Path(html_dir or HTML_DIR).resolve()
    target = Path(folder) / paths.LAB_BOOK_LINK
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    elif target.exists():
        return target
    try:
        target.symlink_to(os.path.relpath(html_dir, target.parent.resolve()), target_is_directory=True)
    except OSError:
        shutil.copytree(html_dir, target)
    return target


@dataclass
class BookIndex:
    """What the notebook editions need to know about the built book to link into it.

    ``base_url`` prefixes a page's address in the book (:func:`link_base`): the published book,
    a relative path to a built book, or ``""``: no links (the book has no published address)."""

    base_url: str
    #: ``objects.inv``: ("std:term" | "std:label" | "std:doc", name) → (address in the book, title)
    inventory: Mapping[tuple[str, str], tuple[str, str]]
    root: Path = field(default_factory=lambda: paths.PROJECT_ROOT)
    glue_dir: Path = field(default_factory=lambda: GLUE_DIR)

    @classmethod
    def from_build(cls, html_dir: Path | None = None, glue_dir: Path | None = None,
                   base_url: str | None = None, root: Path | None = None) -> "BookIndex":
        """Read ``objects.inv`` of a built book (``make book``); links go to ``base_url``, by
        default the published book (``""``, no links, while it has no address)."""
        from sphinx.util.inventory import InventoryFile

        html_dir = Path(html_dir or HTML_DIR)
        inv_path = html_dir / "objects.inv"
        if not inv_path.is_file():
            raise EditionError(f"{inv_path} not found: the notebook editions link into the built book; "
                               "run `make book` first.")
        with inv_path.open("rb") as stream:
            raw = InventoryFile.load(stream, "", posixpath.join)
        inventory = {(kind, name): (entry[2], entry[3]) for kind, entries in raw.items()
                     for name, entry in entries.items()}
        base_url = link_base("download") if base_url is None else base_url
        return cls(base_url, inventory, Path(root or paths.PROJECT_ROOT),
                   Path(glue_dir or (html_dir.parent / "jupyter_execute")))

    def url(self, address: str) -> str:
        """Where a page or anchor of the book (``chapters/x.html#y``) is read: ``""`` without links."""
        return self.base_url + address if self.base_url else ""

    @property
    def links(self) -> str:
        """Where the links go: ``published`` (an http(s) address), ``local`` (a built book) or ``none``."""
        if not self.base_url:
            return "none"
        return "published" if self.base_url.startswith(("https://", "http://")) else "local"

    def lookup(self, kind: str, name: str, docname: str) -> tuple[str, str]:
        """(address, title) of ``name`` in the inventory (terms match case-insensitively)."""
        hit = self.inventory.get((kind, name))
        if hit is None and kind == "std:term":
            hit = next((v for (k, n), v in self.inventory.items() if k == kind and n.lower() == name.lower()), None)
        if hit is None:
            raise EditionError(f"{docname}: {kind.split(':')[1]} {name!r} is not in the built book's objects.inv.")
        return hit

    @cached_property
    def chapter_numbers(self) -> dict[str, int]:
        """Docname → the number the book gives it (the numbered part of ``_toc.yml``)."""
        return {doc: i for i, doc in enumerate(_toc_numbered_docs(self.root), start=1)}

    @cached_property
    def exercise_numbers(self) -> dict[str, str]:
        """Exercise label → "5.2" as the book numbers it (chapter, then order in the chapter)."""
        numbers: dict[str, str] = {}
        for doc, chapter in self.chapter_numbers.items():
            text = (self.root / f"{doc}.md").read_text(encoding="utf-8")
            labels = re.findall(r"^\s*[`:]{3,}\{exercise\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*?:label:\s*(\S+)", text, re.M)
            numbers.update({label: f"{chapter}.{n}" for n, label in enumerate(labels, start=1)})
        return numbers

    @cached_property
    def citations(self) -> dict[str, tuple[str, str]]:
        """Bibliography key → (authors as the book cites them, year), from ``references.bib``."""
        from pybtex.database import parse_file

        data = parse_file(str(self.root / "references.bib"))
        out = {}
        for key, entry in data.entries.items():
            names = [" ".join(p.last_names) or str(p) for p in entry.persons.get("author", [])]
            names = [n.replace("{", "").replace("}", "") for n in names]
            authors = names[0] if len(names) == 1 else (
                " and ".join(names) if len(names) == 2 else f"{names[0]} et al.")
            out[key] = (authors, entry.fields.get("year", "n.d."))
        return out

    def glue(self, docname: str) -> dict[str, str]:
        """The values glued by the executed notebook ``docname`` (Markdown), by name."""
        path = self.glue_dir / f"{docname}.glue.json"
        if not path.is_file():
            return {}
        values = {}
        for name, output in json.loads(path.read_text(encoding="utf-8")).items():
            data = output.get("data", {})
            values[name] = data["text/markdown"] if "text/markdown" in data else data.get("text/plain", "")
        return values


# ---------------------------------------------------------------------------------------------
# Converting one notebook's Markdown


@dataclass
class _Page:
    """The page being converted: its docname, the book, its glue values."""

    docname: str
    book: BookIndex
    glue: Mapping[str, str]
    #: The exercise whose solution is open (its number), between solution-start and solution-end.
    solution: str = ""
    #: The self-checks met so far (their number on the page), and the code cells of those whose
    #: Markdown is converted but whose ``check()`` cell is not yet placed (:data:`CODE_CELL_MARK`).
    selfchecks: int = 0
    pending_code: list[str] = field(default_factory=list)

    def fail(self, message: str) -> EditionError:
        return EditionError(f"{self.docname}: {message}")

    # -- roles ---------------------------------------------------------------------------------

    def role(self, name: str, body: str) -> str:
        handler = _ROLE_HANDLERS.get(name)
        if handler is None:
            raise self.fail(f"the notebook edition cannot convert the MyST role {{{name}}}`{body}`; "
                            "add a handler in alliance/editions.py.")
        return handler(self, body)

    def checked(self, role: str, body: str) -> str:
        """``{q}``, ``{para}``, ``{absent}``: parsed and verified as in the book, then linked."""
        from alliance.citations import ROLE_PARSERS, ROLE_SEGMENTS

        found = ROLE_PARSERS[role](" ".join(body.split()))
        pieces = []
        for text, address in ROLE_SEGMENTS[role](found, paths.READER_DIR):
            if not address:
                pieces.append(_md_escape(text))
                continue
            para = _READER_PARA.match(address)
            title = cited_paragraphs(para["source"], text, int(para["para"])) if para else ""
            pieces.append(_link(text, self.book.url(address), title))
        return "".join(pieces)

    def fact(self, role: str, body: str) -> str:
        """``{bg}``, ``{inst}``: the reference row's short named link ("Japan Times, press report"), the fact as its title."""
        from alliance.citations import ROLE_PARSERS
        from alliance.errors import CourseError

        try:
            found = ROLE_PARSERS[role](body.strip())
        except CourseError as error:
            raise self.fail(str(error)) from error
        return _link(found.link_text, found.url, found.fact)

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
        return _link(" ".join((text or title).split()), self.book.url(address))

    def cite(self, textual: bool, body: str) -> str:
        """``{cite:p}`` → (Author, year); ``{cite:t}`` → Author (year); linked to the bibliography."""
        parts = []
        for key in (k.strip() for k in body.split(",") if k.strip()):
            if key not in self.book.citations:
                raise self.fail(f"citation key {key!r} is not in references.bib.")
            authors, year = self.book.citations[key]
            url = self.book.url("appendix/bibliography.html")
            parts.append(f"{_link(authors, url)} ({year})" if textual else f"{_link(authors, url)}, {year}")
        return "; ".join(parts) if textual else f"({'; '.join(parts)})"

    # -- blocks --------------------------------------------------------------------------------

    def directive(self, name: str, arg: str, options: dict[str, str], body: list[str]) -> list[str]:
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
                        "add a handler in alliance/editions.py.")

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
            fence = _FENCE.match(line)
            if fence:
                flush()
                mark = fence["fence"]
                close = re.compile(rf"^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}\s*$")
                end = next((j for j in range(i + 1, len(lines)) if close.match(lines[j])), None)
                if end is None:
                    raise self.fail(f"unclosed fence {line.strip()!r}.")
                directive = _DIRECTIVE.match(fence["info"].strip())
                if directive:
                    options, body = _split_options(lines[i + 1:end])
                    out.extend(self.directive(directive["name"], directive["arg"].strip(), options, body))
                elif mark.startswith(":"):
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
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(self.convert(source.split("\n"))).strip("\n"))
        left = raw_myst(text)
        if left:
            raise self.fail("MyST left after conversion: " + "; ".join(left))
        return text


_ROLE_HANDLERS: dict[str, Callable[[_Page, str], str]] = {
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
            add(nbformat.v4.new_code_cell(codes.pop(0), metadata={"tags": ["selfcheck"]}))
    if "id" not in cell:
        for new in cells:
            new.pop("id", None)
    return cells


# ---------------------------------------------------------------------------------------------
# Editions of whole notebooks


def convert_notebook(nb: NotebookNode, docname: str, book: BookIndex) -> NotebookNode:
    """A copy of ``nb`` whose Markdown cells read as CommonMark; outputs cleared, code untouched."""
    page = _Page(docname, book, book.glue(docname))
    edition = nbformat.reads(nbformat.writes(nb), as_version=4)
    edition.metadata.pop("jupytext", None)
    edition.cells = [c for c in edition.cells if c.cell_type != "code" or c.source.strip()]  # Run All skips them
    cells: list[NotebookNode] = []
    for cell in edition.cells:
        if cell.cell_type == "markdown":
            cell.source = page.markdown(cell.source)
            cells += split_at_code_marks(cell, page.pending_code) if CODE_CELL_MARK in cell.source else [cell]
            continue
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    edition.cells = cells
    nbformat.validate(edition)
    return edition


#: What each kind of edition says, after naming its page, about how to use it.
_NOTE_USE = {
    "page": "run all cells from the top, and the tables, quotations and charts appear.",
    "solution": "this is the solution edition, with model solutions, model answers and rubrics.",
    "student": "replace each `...` with your answer, run the `check(...)` cell under it, and save your "
               "work in this file. Before you hand it in, fill in your name and student id, as on the "
               "course roster, in the code cell near the top that sets `student_name` and `student_id`: the "
               "grader reads them from that cell. Keep the notebook's metadata: the grader reads the "
               "exercise from it.",
}


#: What the first cell says of the edition's links, by :attr:`BookIndex.links`.
_LINKS_NOTE = {
    "local": "Its links open the book built on this computer, in JupyterLab; hover over a ¶ link to "
             "read the cited paragraph without leaving the notebook.",
    "published": "Its links go to the published book; hover over a ¶ link to read the cited paragraph.",
    "none": "The book has no published address yet, so citations and cross-references are plain text; "
            "hover over a ¶ citation to read the cited paragraph.",
}


#: Said only when the book has launch buttons (``repository.url`` set).
_BINDER_NOTE = ", or the book's Binder launch button"


def _page_note(docname: str, book: BookIndex, kind: str = "page") -> NotebookNode:
    """A first cell saying which page of the book this notebook is, and how to run it."""
    address, title = book.lookup("std:doc", docname, docname)
    number = book.chapter_numbers.get(docname)
    linked = _link(title, book.url(address))
    page = f"chapter {number}, {linked}" if number else f"the page {linked}"
    edition = {"page": "notebook edition", "solution": "solution edition", "student": "student edition"}[kind]
    return nbformat.v4.new_markdown_cell(
        f"> This is the {edition} of {page}, of the course *The US-Japan Alliance in the Trump "
        f"Years*. {_LINKS_NOTE[book.links]} It runs where the course's Python package is "
        f"installed (`make lab` on your computer{_BINDER_NOTE if paths.repository_url() else ''}): {_NOTE_USE[kind]}",
        metadata={"tags": ["edition-note"]})


#: The tag of the cell asking for the student's name and id (kept in every edition).
IDENTITY_TAG = "identity"


def _directive_fence(line: str) -> tuple[str, str] | None:
    """(directive name, fence) when ``line`` opens a fenced directive, such as ````{solution-start}``."""
    fence = _FENCE.match(line)
    directive = _DIRECTIVE.match(fence["info"].strip()) if fence else None
    return (directive["name"], fence["fence"]) if directive else None


def _fence_end(lines: list[str], start: int, fence: str, docname: str) -> int:
    """Index of the line closing the fence ``fence`` opened at ``lines[start]``."""
    close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
    end = next((j for j in range(start + 1, len(lines)) if close.match(lines[j])), None)
    if end is None:
        raise EditionError(f"{docname}: unclosed fence {lines[start].strip()!r}.")
    return end


def drop_gated_solutions(nb: NotebookNode, docname: str) -> NotebookNode:
    """A copy of a MyST notebook without its in-chapter solutions (the student edition).

    Everything from a ``{solution-start}`` fence to the end of its ``{solution-end}`` fence is
    left out: the Markdown lines and the code cells between them. Cells left empty are dropped.
    """
    copy = nbformat.reads(nbformat.writes(nb), as_version=4)
    kept_cells, inside = [], False
    for cell in copy.cells:
        if cell.cell_type != "markdown":
            if not inside:
                kept_cells.append(cell)
            continue
        lines, kept_lines, i = cell.source.split("\n"), [], 0
        while i < len(lines):
            opened = _directive_fence(lines[i])
            if opened and opened[0] in ("solution-start", "solution-end"):
                inside = opened[0] == "solution-start"
                i = _fence_end(lines, i, opened[1], docname) + 1
                continue
            if not inside:
                kept_lines.append(lines[i])
            i += 1
        cell.source = "\n".join(kept_lines).strip("\n")
        if cell.source.strip():
            kept_cells.append(cell)
    if inside:
        raise EditionError(f"{docname}: a {{solution-start}} without its {{solution-end}}.")
    copy.cells = kept_cells
    return copy


def student_page_notebook(nb: NotebookNode) -> NotebookNode:
    """An exercise notebook as the student edition of the book shows it (a new notebook).

    The cells tagged ``solution`` (solution code, model answers and judgements, rubrics) are
    dropped; the placeholders and the identity cell are shown (their ``remove-cell`` tag
    dropped); the ``check`` cells lose their stored outputs (a solution's *correct* under an
    empty placeholder). Other outputs stay: the book shows the stored outputs of exercise pages
    (quotations, tables), which it does not execute.
    """
    from alliance.student import CHECK_TAG, SOLUTION_TAG, STUDENT_TAG

    shown = nbformat.reads(nbformat.writes(nb), as_version=4)
    shown.cells = [c for c in shown.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in shown.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if STUDENT_TAG in tags or IDENTITY_TAG in tags:
            cell.metadata["tags"] = [t for t in tags if t != "remove-cell"]
        if CHECK_TAG in tags and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return shown


def page_edition(docname: str, book: BookIndex, student: bool = False) -> NotebookNode:
    """The notebook edition of a MyST notebook page (a chapter, the data page); with
    ``student=True`` without its in-chapter solutions (:func:`drop_gated_solutions`)."""
    import jupytext

    nb = jupytext.read(book.root / f"{docname}.md")
    if student:
        nb = drop_gated_solutions(nb, docname)
    edition = convert_notebook(nb, docname, book)
    edition.cells.insert(0, _page_note(docname, book))
    return edition


def exercise_edition(path: Path, book: BookIndex, student: bool) -> NotebookNode:
    """The solution edition (``student=False``) or student edition of an exercise notebook.

    The solution edition leaves out the placeholders the book hides (cells tagged ``student``);
    the student edition is :func:`alliance.student.strip_solutions`, metadata kept for grading.
    """
    from alliance.student import STUDENT_TAG, strip_solutions

    nb = nbformat.read(path, as_version=4)
    if student:
        nb = strip_solutions(nb)
    else:
        nb.cells = [c for c in nb.cells if STUDENT_TAG not in c.get("metadata", {}).get("tags", [])]
    docname = f"exercises/{path.stem}"
    edition = convert_notebook(nb, docname, book)
    edition.cells.insert(0, _page_note(docname, book, "student" if student else "solution"))
    return edition


def chapter_docnames(root: Path | None = None) -> list[str]:
    """The notebook pages with an edition: the chapters, then the data page."""
    root = Path(root or paths.PROJECT_ROOT)
    return [*(f"chapters/{p.stem}" for p in sorted((root / "chapters").glob("*.md"))), *EXTRA_NOTEBOOK_PAGES]


def _write(nb: NotebookNode, target: Path, overwrite: bool = True) -> bool:
    if target.exists() and not overwrite:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return True


# ---------------------------------------------------------------------------------------------
# Publishing the editions into a built book, skipping those whose inputs and output are unchanged


#: The manifest of the editions written into a built book: a JSON file beside its HTML folder
#: (``_build/editions-manifest.json`` for ``_build/html``). See :func:`publish_editions`.
MANIFEST_NAME = "editions-manifest.json"
#: Bump when the manifest's layout changes (an older manifest is then ignored: everything rewritten).
MANIFEST_VERSION = 1
#: The packages whose code turns a notebook into its edition (their versions are an input).
EDITION_LIBRARIES: tuple[str, ...] = ("nbformat", "jupytext", "markdown-it-py", "mdit-py-plugins", "pybtex",
                                      "sphinx", "pyyaml", "pandas")
#: What a missing input file's digest reads (an input that appears or vanishes changes it).
MISSING = "missing"


@dataclass(frozen=True)
class EditionJob:
    """One notebook edition to publish: where it goes, a digest of each input it is made from
    (input name → digest), and how to make it (only called when it must be written)."""

    target: Path
    inputs: Mapping[str, str]
    make: Callable[[], NotebookNode]


@dataclass(frozen=True)
class PublishedEditions:
    """The outcome of :func:`write_book_editions`: every edition the book offers, and the ones
    written this time (the others were up to date)."""

    editions: list[Path]
    written: list[Path]


def bytes_digest(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, or :data:`MISSING` when there is no such file."""
    path = Path(path)
    return bytes_digest(path.read_bytes()) if path.is_file() else MISSING


def json_digest(value: object) -> str:
    """The SHA-256 of ``value`` as canonical JSON (sorted keys; tuples as lists)."""
    return bytes_digest(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def code_digest(package_dir: Path | None = None) -> str:
    """A digest of the course package's code (every ``alliance/*.py``): the editions' converter, the
    citation, quotation and corpus code it calls, and the student edition's rules."""
    package_dir = Path(package_dir or Path(__file__).resolve().parent)
    return json_digest({p.name: file_digest(p) for p in sorted(package_dir.glob("*.py"))})


def library_versions(names: Iterable[str] = EDITION_LIBRARIES) -> dict[str, str]:
    """The installed version of each package in ``names`` (:data:`MISSING` when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = MISSING
    return found


def corpus_files() -> list[Path]:
    """The files the ``{q}``, ``{para}`` and ``{absent}`` checks read: the sources' metadata, the
    segment rules and the seeds (``alliance.corpus.load_corpus``)."""
    return [paths.METADATA_CSV, paths.SEGMENT_RULES_CSV, *sorted(paths.SEEDS_DIR.glob("*.txt"))]


def book_digests(book: BookIndex) -> dict[str, str]:
    """Digests of the inputs every edition shares: the published address, the built book's
    inventory (addresses and titles), the chapter and exercise numbers, the bibliography, the
    corpus, the course's code and the converting libraries' versions."""
    return {
        "base_url": json_digest(book.base_url),
        "inventory": json_digest(sorted([list(key), list(value)] for key, value in book.inventory.items())),
        "numbers": json_digest([book.chapter_numbers, book.exercise_numbers]),
        "bibliography": file_digest(book.root / "references.bib"),
        "corpus": json_digest({p.name: file_digest(p) for p in corpus_files()}),
        "code": code_digest(),
        "libraries": json_digest(library_versions()),
    }


def edition_jobs(html_dir: Path, book: BookIndex, student: bool = False,
                 exercises_dir: Path | None = None) -> list[EditionJob]:
    """The editions a built book offers (see :func:`write_book_editions`), each with its inputs:
    the digests shared by every edition (:func:`book_digests`), its source file, its executed
    notebook's glue values and which edition (student or not) it is."""
    from alliance.exercises import solution_notebooks

    html_dir = Path(html_dir)
    shared = book_digests(book)

    def inputs(docname: str, source: Path, student_edition: bool) -> dict[str, str]:
        return {**shared, "source": file_digest(source),
                "glue": file_digest(book.glue_dir / f"{docname}.glue.json"),
                "student": "yes" if student_edition else "no"}

    jobs = [EditionJob(html_dir / "_sources" / f"{docname}.ipynb",
                       inputs(docname, book.root / f"{docname}.md", student),
                       lambda d=docname: page_edition(d, book, student=student))
            for docname in chapter_docnames(book.root)]
    for path in solution_notebooks(exercises_dir or book.root / "exercises"):
        docname = f"exercises/{path.stem}"
        jobs.append(EditionJob(html_dir / "_sources" / "exercises" / path.name, inputs(docname, path, student),
                               lambda p=path: exercise_edition(p, book, student=student)))
        jobs.append(EditionJob(html_dir / "student" / path.name, inputs(docname, path, True),
                               lambda p=path: exercise_edition(p, book, student=True)))
    return jobs


def manifest_key(target: Path, manifest_path: Path) -> str:
    """How the manifest names an edition: its path from the manifest's folder (else absolute)."""
    target, folder = Path(target).resolve(), Path(manifest_path).resolve().parent
    return target.relative_to(folder).as_posix() if target.is_relative_to(folder) else target.as_posix()


def load_manifest(manifest_path: Path) -> dict[str, dict[str, object]]:
    """The editions recorded in a manifest (key → {"inputs": {...}, "output": digest}); empty when
    there is none, it is not valid JSON or it has another :data:`MANIFEST_VERSION`."""
    try:
        data = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or not isinstance(data.get("editions"), dict):
        return {}
    return data["editions"]


def save_manifest(manifest_path: Path, editions: Mapping[str, Mapping[str, object]]) -> None:
    """Write the manifest atomically (a reader never sees half of it)."""
    manifest_path = Path(manifest_path)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    partial = manifest_path.with_name(manifest_path.name + ".partial")
    partial.write_text(json.dumps({"version": MANIFEST_VERSION, "editions": editions}, indent=1, sort_keys=True),
                       encoding="utf-8")
    partial.replace(manifest_path)


def is_up_to_date(job: EditionJob, recorded: Mapping[str, object] | None) -> bool:
    """Whether ``job``'s edition is already in place: the manifest records the same digest for
    every input, and the file is there with the content last written (Sphinx re-copies
    ``_sources/`` when it rewrites a page, which overwrites an edition with the raw notebook)."""
    if not recorded or recorded.get("inputs") != dict(job.inputs):
        return False
    return file_digest(job.target) == recorded.get("output")


def publish_editions(jobs: Iterable[EditionJob], manifest_path: Path) -> list[Path]:
    """Write each edition of ``jobs`` that is not :func:`is_up_to_date`, and record what was
    written in the manifest at ``manifest_path``. Returns the files written."""
    recorded = load_manifest(manifest_path)
    written = []
    for job in jobs:
        key = manifest_key(job.target, manifest_path)
        if is_up_to_date(job, recorded.get(key)):
            continue
        _write(job.make(), job.target)
        recorded[key] = {"inputs": dict(job.inputs), "output": file_digest(job.target)}
        written.append(job.target)
    if written or not Path(manifest_path).is_file():
        save_manifest(manifest_path, recorded)
    return written


def write_book_editions(html_dir: Path, book: BookIndex | None = None, student: bool = False,
                        manifest_path: Path | None = None) -> PublishedEditions:
    """Replace the built book's downloads with the editions: ``_sources/<page>.ipynb`` (chapters,
    data page, exercises) and ``student/ex*.ipynb``.

    For the solution edition of the book (``student=False``) the exercises in ``_sources/`` are
    the solution edition. For the student edition, every notebook is a student one (chapters
    without their solutions, exercises from :func:`alliance.student.strip_solutions`), and the raw
    sources Sphinx copied beside them (``_sources/chapters/*.md``, with the solutions) are removed.

    An edition whose inputs and output are unchanged since it was written is not written again
    (:func:`publish_editions`; the manifest is ``html_dir``'s sibling :data:`MANIFEST_NAME`).
    """
    html_dir = Path(html_dir)
    book = book or BookIndex.from_build(html_dir)
    jobs = edition_jobs(html_dir, book, student=student)
    written = publish_editions(jobs, Path(manifest_path or html_dir.parent / MANIFEST_NAME))
    editions = [job.target for job in jobs]
    if student:
        remove_raw_sources(html_dir / "_sources", editions)
    return PublishedEditions(editions, written)


def remove_raw_sources(sources_dir: Path, editions: Iterable[Path]) -> list[Path]:
    """Remove every file of ``sources_dir`` that shares a page name with one of ``editions`` but is
    not one of them (Sphinx's copy of the MyST source, ``<page>.md``). Returns the files removed."""
    kept = {Path(p).resolve() for p in editions}
    pages = {p.with_suffix("") for p in kept}
    removed = []
    for path in sorted(Path(sources_dir).rglob("*")):
        page = path.resolve()
        while page.suffix:
            page = page.with_suffix("")
        if path.is_file() and path.resolve() not in kept and page in pages:
            path.unlink()
            removed.append(path)
    return removed


def write_reader_editions(out: Path, book: BookIndex | None = None, overwrite: bool = True,
                          mirror: bool = False, html_dir: Path | None = None) -> tuple[list[Path], list[Path]]:
    """``out/chapters/*.ipynb`` (chapters and the data page) and ``out/exercises/*.ipynb`` (student).

    With ``overwrite=False`` a notebook already in ``out`` is kept as it is (a student's work).
    With ``mirror=True`` each page's edition goes where its source is (``appendix/data.ipynb``), as
    the book's launch buttons expect. By default the links go to the built book (``html_dir``):
    through ``out/book`` (:func:`link_lab_book`), or with ``mirror=True`` (Binder) to
    ``_build/html`` beside the notebooks. Returns (written, kept).
    """
    from alliance.exercises import EXERCISES_DIR, solution_notebooks

    book = book or BookIndex.from_build(html_dir, base_url=link_base("binder" if mirror else "lab"))
    if book.base_url == link_base("lab") and not mirror:
        link_lab_book(out, html_dir)
    written, kept = [], []
    jobs: list[tuple[Callable[[], NotebookNode], Path]] = [
        (lambda d=d: page_edition(d, book), out / (f"{d}.ipynb" if mirror else f"chapters/{Path(d).name}.ipynb"))
        for d in chapter_docnames(book.root)]
    jobs += [(lambda p=p: exercise_edition(p, book, student=True), out / "exercises" / p.name)
             for p in solution_notebooks(EXERCISES_DIR)]
    for make, target in jobs:
        if target.exists() and not overwrite:
            kept.append(target)
            continue
        _write(make(), target)
        written.append(target)
    return written, kept


def main(argv: Iterable[str] | None = None) -> int:
    """Write the notebook editions (after ``make book``)."""
    parser = argparse.ArgumentParser(prog="python -m alliance.editions", description=main.__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="write DIR/chapters/*.ipynb and DIR/exercises/*.ipynb (student), "
                                                "linked to the built book through DIR/book")
    where.add_argument("--lab", type=Path, metavar="DIR",
                       help="like --out, but keep every notebook already in DIR (a student's work)")
    where.add_argument("--binder", action="store_true",
                       help="write chapters/*.ipynb and replace exercises/*.ipynb by the student edition")
    parser.add_argument("--html", type=Path, default=HTML_DIR, help="the built book (default _build/html)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    book = BookIndex.from_build(args.html, base_url=link_base("binder" if args.binder else "lab"))
    if args.binder:
        written, kept = write_reader_editions(book.root, book, mirror=True, html_dir=args.html)
    else:
        written, kept = write_reader_editions(args.out or args.lab, book, overwrite=args.lab is None,
                                              html_dir=args.html)
    folder = book.root if args.binder else (args.out or args.lab)
    print(f"Notebook editions: {len(written)} written to {folder}"
          + (f"; {len(kept)} kept as they were (your work: delete a file to get a fresh copy)" if kept else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
