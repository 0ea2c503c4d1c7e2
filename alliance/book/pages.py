"""Pages generated from ``data/``: one source-reader page per source, and the glossary.

Files are rewritten only when their content changes, so a no-op rebuild stays a no-op. pandas
and the corpus are imported only when the pages are written (not on a no-op rebuild, where the
import alone cost a tenth of it).
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from alliance import paths
from alliance.book.popovers import write_if_changed

if TYPE_CHECKING:
    from alliance.corpus import Corpus

KIND_LABELS: dict[str, str] = {
    "title": "Title", "byline": "Byline (editorial)", "heading": "Section heading",
    "body": "", "note": "Note (editorial, not counted as the author's words)",
}
CARD_FIELDS: list[tuple[str, str]] = [
    ("source_id", "Course id"), ("title", "Title"), ("authors", "Author(s)"), ("cite_as", "Cited as"),
    ("affiliation", "Affiliation (as the text states it)"), ("outlet", "Outlet"),
    ("outlet_country", "Outlet's country"), ("genre", "Genre"), ("date", "Date"),
    ("date_precision", "Date precision"), ("date_basis", "Date basis"),
    ("date_as_given", "Date as the text gives it"), ("perspective", "Vantage point"),
    ("outlet_type", "Kind of outlet"), ("audience", "Likely audience"), ("words", "Author's words"),
    ("paragraphs", "Numbered paragraphs"), ("furniture_segments", "Furniture segments"),
    ("notes", "Notes"),
]
#: Fields for whoever checks the files, folded away under "Technical details" (not for reading).
TECHNICAL_FIELDS: list[tuple[str, str]] = [
    ("file_name", "File in the course's seeds/ folder"), ("sha256", "SHA-256 of the file"),
]


def reader_page(corpus: Corpus, source_id: str) -> str:
    """MyST text of the reader page of one source: metadata card, then the numbered text.

    Source text is HTML-escaped, so markup in a seed shows as text.
    """
    doc = corpus.source(source_id)
    esc = html.escape
    def card(fields: list[tuple[str, str]]) -> str:
        return "".join(f"<dt>{esc(label)}</dt><dd>{esc(str(doc[field]))}</dd>" for field, label in fields)

    lines = [
        f"({source_id})=", f"# {doc['title']}", "",
        f"Source reader for {{cite:t}}`{doc['bibkey']}`. Every numbered paragraph (¶) can be linked: "
        "chapters cite paragraphs by these numbers. Page furniture saved with the text (navigation, "
        "contact lists, menus) is shown in grey boxes and is not part of the numbered text.", "",
        f'<dl class="alliance-card">{card(CARD_FIELDS)}</dl>', "",
        f'<details class="alliance-technical"><summary>Technical details</summary>'
        f'<dl class="alliance-card">{card(TECHNICAL_FIELDS)}</dl></details>', "", "## Text", "",
    ]
    lines[-2:-2] = who_is_speaking_card(source_id)
    body = ['<div class="alliance-reader">']
    segments = corpus.segments[corpus.segments["source_id"] == source_id]
    for seg in segments.itertuples():
        text = esc(seg.text).replace("\n", "<br/>")
        if seg.is_furniture:
            body.append(f'<aside class="alliance-furniture"><span class="alliance-furniture-label">'
                        f"Page furniture: {esc(seg.rule)}</span><div>{text}</div></aside>")
            continue
        anchor = f"{source_id}-p{seg.para}"
        label = KIND_LABELS.get(seg.kind, "")
        tag = f'<span class="alliance-kind">{esc(label)}</span> ' if label else ""
        body.append(f'<p class="alliance-para alliance-{seg.kind}" id="{anchor}">'
                    f'<a class="alliance-pnum" href="#{anchor}">¶{seg.para}</a> {tag}{text}</p>')
    body.append("</div>")
    return "\n".join(lines + body) + "\n"


def who_is_speaking_card(source_id: str) -> list[str]:
    """MyST lines of a reader page's "Who is speaking" section: for each institution the source names
    (or the outlet it does not name), the same four fields as chapter 1's table, each description
    with its reference row as a short named link (site, kind of page), or "No page found"."""
    from alliance.sources import NO_PAGE, speakers

    esc = html.escape

    def described(rows: tuple, nothing: str) -> str:
        return " ".join(f"{esc(r.fact)} ({r.html()})." for r in rows) if rows else esc(nothing) + "."

    out = ["## Who is speaking", "",
           "Each institution the text names, as the text names it, then what the institution says of itself "
           "and what a third party says, from the course's checked file `context-institutions.csv` "
           "(see {ref}`the section on who is speaking <reading-the-sources-who>`). "
           "Where no page was found, the field says so.", ""]
    found = speakers(source_id)
    if not found:
        return out + ["The text names no institution recorded in `data/source-institutions.csv`.", ""]
    for s in found:
        none_own = NO_PAGE if not s.third_party else "No page of its own found"
        none_third = NO_PAGE if not s.own else "No third party's page found"
        fields = [("Institution", esc(s.institution)), ("Named as", esc(s.role)),
                  ("What the text states", esc(s.text_states)),
                  ("What it says of itself", described(s.own, none_own)),
                  ("What a third party says", described(s.third_party, none_third))]
        out += ['<dl class="alliance-card alliance-who">'
                + "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in fields) + "</dl>", ""]
    return out


def glossary_page(csv_path: Path | None = None) -> str:
    """MyST text of the glossary page, from ``data/glossary.csv`` (sorted by term)."""
    import pandas as pd

    table = pd.read_csv(csv_path or paths.DATA_DIR / "glossary.csv", dtype=str, keep_default_na=False)
    table = table.sort_values("term", key=lambda s: s.str.lower())
    out = ["(glossary)=", "# Glossary", "",
           "Key terms of the course. Chapters link their first use of a term here. "
           "The list is generated from `data/glossary.csv`. Each definition says no more than the source "
           "paragraphs and checked reference rows cited after it; where the sources use a term without "
           "defining it, the entry describes how they use it.", "", "```{glossary}"]
    for row in table.itertuples():
        out += [row.term, f"  {' '.join(row.definition.split())} {evidence_markup(row.sources)}", ""]
    out.append("```")
    return "\n".join(out) + "\n"


def evidence_markup(spec: str) -> str:
    """MyST for a glossary row's evidence: paragraph citations as ``{para}`` roles (checked by
    the build) and reference rows as their event or series, linked to the checked page (no bare
    address in the prose; the print editions list the addresses in their notes); background and
    institution rows as their ``{bg}``/``{inst}`` roles (the site and the kind of page, the fact on hover)."""
    from alliance.citations import parse_evidence

    cites, refs = parse_evidence(spec)
    if any(r.file == "data" and r.key.startswith("seeds/") for r in refs):
        import pandas as pd

        sources = pd.read_csv(paths.METADATA_CSV, dtype=str, keep_default_na=False)
        # A source's whole text is cited by its reader page, not by its file's name.
        saved = {row.file_name: f"{row.cite_as}, whole page <{row.source_id}>" for row in sources.itertuples()}
    parts = []
    if cites:
        parts.append("{para}`" + "; ".join(f"{c.source_id}:{','.join(map(str, c.paras))}" for c in cites) + "`")
    for r in refs:
        if r.file == "course":
            parts.append(f"see {{ref}}`{r.key}`")
        elif r.file == "data" and r.key.startswith("seeds/"):
            parts.append(f"{{ref}}`{saved[r.key.removeprefix('seeds/')]}`")
        elif r.file == "data":
            parts.append(f"the course's file `{r.key}`")
        elif r.file in ("context-background", "added-background"):
            parts.append(f"{{bg}}`{r.key}`")  # a short named link: site and kind of page, the fact on hover
        elif r.file == "context-institutions":
            parts.append(f"{{inst}}`{r.key}`")
        else:
            parts.append(f"checked: [{r.label}]({r.url})")
    return "(" + "; ".join(parts) + ")"


def _inputs() -> list[Path]:
    """Files the generated pages depend on: data, seeds and every module of the course package (the
    pages call the corpus, sources, background, citation and popover code, and what those call)."""
    return [paths.METADATA_CSV, paths.SEGMENT_RULES_CSV, paths.DATA_DIR / "glossary.csv",
            paths.DATA_DIR / "source-institutions.csv", paths.REFERENCE_DIR / "context-institutions.csv",
            *sorted(paths.SEEDS_DIR.glob("*.txt")), *paths.package_modules()]


def write_generated_pages(root: Path) -> list[Path]:
    """Write the reader pages and glossary under ``root/appendix``; return the changed files.

    Skips all work (no corpus load) when a stamp is newer than every input; removes the reader
    page of a source that is no longer in the metadata.
    """
    stamp = root / "appendix" / ".generated"
    newest = max(p.stat().st_mtime_ns for p in _inputs() if p.exists())
    if stamp.exists() and stamp.stat().st_mtime_ns >= newest:
        return []
    from alliance.corpus import load_corpus

    corpus = load_corpus()
    changed = []
    targets = {root / "appendix" / "glossary.md": glossary_page()}
    for source_id in corpus.source_ids:
        targets[root / "appendix" / "sources" / f"{source_id}.md"] = reader_page(corpus, source_id)
    for path, text in targets.items():
        if write_if_changed(path, text):
            changed.append(path)
    for stale in (root / "appendix" / "sources").glob("*.md"):
        if stale.name != "index.md" and stale not in targets:
            stale.unlink()
            changed.append(stale)
    stamp.touch()
    return changed
