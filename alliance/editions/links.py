"""Where a notebook edition's links go: the built book's addresses, titles and numbers (:class:`BookIndex`),
and the base address for the lab, Binder and downloads (:func:`link_base`).
"""
from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from alliance import paths
from alliance.errors import EditionError
from alliance.paths import GLUE_DIR, HTML_DIR


# ---------------------------------------------------------------------------------------------
# The published book: addresses, titles, numbers


def md_escape(text: str) -> str:
    """Text inserted into Markdown, with the characters that would start markup escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)


def link_title(title: str) -> str:
    """``title`` as a Markdown link title: in double quotes, ``\\`` and ``"`` escaped, on one line."""
    return '"' + " ".join(title.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def markdown_link(text: str, url: str, title: str = "") -> str:
    """``text`` linked to ``url`` (with a hover ``title`` if given). Without a ``url``: the text,
    in a ``<span title="…">`` when there is a title (the paragraph can still be read on hover)."""
    if not url:
        if title:
            return f'<span title="{html.escape(" ".join(title.split()), quote=True)}">{md_escape(text)}</span>'
        return md_escape(text)
    target = url.replace(" ", "%20").replace(")", "%29")
    return f"[{md_escape(text)}]({target} {link_title(title)})" if title else f"[{md_escape(text)}]({target})"


#: A link to a paragraph of the source reader, relative to the book: ``appendix/sources/su2017.html#su2017-p4``.
READER_PARA = re.compile(rf"^{re.escape(paths.READER_DIR)}(?P<source>[a-z][a-z0-9_]*)\.html#(?P=source)-p(?P<para>\d+)$")
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
                   Path(glue_dir or paths.glue_dir_of(html_dir)))

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
