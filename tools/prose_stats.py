"""Per-chapter statistics for the issue notes: prose words, quotations, sources quoted, charts, exercises."""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prose_words(text: str) -> int:
    """Words outside front matter, code cells, directive fences/options, tables and glue roles."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"```\{code-cell\}.*?\n```", "", text, flags=re.S)
    lines = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(("```", "````", ":", "|", "(")) or re.match(r"^\(.*\)=$", s):
            continue
        lines.append(line)
    body = re.sub(r"\{(glue:?\w*|para|absent)\}`[^`]*`|\{q\}`[a-z0-9]+[^:`]*:[^`]*`", "", "\n".join(lines))
    body = re.sub(r"\{(term|ref|cite:\w|cite)\}`([^`<]*)(<[^>]*>)?`", r"\2", body)
    body = re.sub(r"<https?://[^>]+>|https?://\S+", "", body)
    return len(re.findall(r"[A-Za-z0-9][\w'’\-]*", body))


def stats(path: Path) -> dict[str, object]:
    """Counts for one chapter (``.md``) or exercise notebook (``.ipynb``)."""
    from alliance.prose import sentences_of

    text = path.read_text(encoding="utf-8")
    calls = re.findall(r"\b(quote|q)\(\s*\\?[\"'](\w+)\\?[\"']", text)
    inline = re.findall(r"\{q\}`([a-z0-9]+)", text)
    sentences = sentences_of(path)
    return {
        "file": path.stem, "prose_words": prose_words(text) if path.suffix == ".md" else None,
        "block_or_code_quotations": len(calls), "inline_quotations": len(inline),
        "sources_quoted": len({s for _, s in calls} | set(inline)),
        "glue_quotation_definitions": len(re.findall(r"glue\(\s*\\?[\"'][^\"'\\]+\\?[\"']\s*,\s*q\(", text)),
        "para_roles": len(re.findall(r"\{para\}`", text)),
        "absent_roles": len(re.findall(r"\{absent\}`", text)),
        "sentences": len(sentences),
        "sentences_with_para_citation": sum("{para}`" in s.text for s in sentences),
        "charts": len(re.findall(r"\bshow\(", text)),
        "exercises": len(re.findall(r"^````\{exercise\}", text, flags=re.M)),
    }


if __name__ == "__main__":
    paths = [Path(p).resolve() for p in sys.argv[1:]] or (sorted((ROOT / "chapters").glob("*.md"))
                                                          + sorted((ROOT / "exercises").glob("ex*.ipynb")))
    for p in paths:
        print(stats(p))
