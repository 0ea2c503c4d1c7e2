"""The EPUB's pages in reading order: every page of ``_toc.yml`` (``glob`` entries expanded from the build),
the content document each becomes, and ids valid in XML.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_ID_INVALID = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class TocEntry:
    """One page of the book in reading order: its built file, its part and its depth in the TOC."""

    path: str                      # relative to the HTML root, e.g. "chapters/02-transactionalism.html"
    part: str                      # the part's caption ("Chapters"), "" for the root page
    depth: int                     # 0 for a part's chapter, 1 for a section of it
    title: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)   # (id, title) of its h2s


def toc_entries(book: Path, html: Path) -> list[TocEntry]:
    """Every page of ``_toc.yml`` in reading order, with ``glob`` entries expanded from the build."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    entries = [TocEntry(f"{toc['root']}.html", "", 0)]
    listed = {entries[0].path}

    def walk(items: list[dict] | None, part: str, depth: int) -> None:
        for item in items or []:
            if "file" in item:
                found = [f"{item['file']}.html"]
            else:
                pattern = f"{item['glob']}.html"
                found = sorted(p.relative_to(html).as_posix() for p in html.glob(pattern))
            for path in found:
                if path not in listed:
                    listed.add(path)
                    entries.append(TocEntry(path, part, depth))
            walk(item.get("sections"), part, depth + 1)

    for part in toc.get("parts", []):
        walk(part.get("chapters"), str(part.get("caption", "")), 0)
    walk(toc.get("chapters"), "", 0)
    missing = [e.path for e in entries if not (html / e.path).is_file()]
    if missing:
        raise FileNotFoundError(f"{html}: pages of _toc.yml not built: {', '.join(missing)} (run make book first)")
    return entries


def xhtml_name(html_path: str) -> str:
    """The content document of a built page: the same path, ``.xhtml``."""
    return html_path[: -len(".html")] + ".xhtml"


def safe_id(value: str) -> str:
    """``value`` as a valid XML id (letters, digits, ``_.-``; starts with a letter or ``_``)."""
    cleaned = _ID_INVALID.sub("-", value)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"id-{cleaned}"
