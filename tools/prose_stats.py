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
    body = re.sub(r"\{glue:?\w*\}`[^`]*`|\{(term|ref|cite:\w|cite)\}`([^`<]*)(<[^>]*>)?`", r"\2", "\n".join(lines))
    body = re.sub(r"<https?://[^>]+>|https?://\S+", "", body)
    return len(re.findall(r"[A-Za-z0-9][\w'’\-]*", body))


def stats(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    calls = re.findall(r"\b(quote|q)\(\s*[\"'](\w+)[\"']", text)
    return {
        "chapter": path.stem, "prose_words": prose_words(text),
        "quotation_calls": len(calls), "sources_quoted": len({s for _, s in calls}),
        "charts": len(re.findall(r"\bshow\(", text)),
        "exercises": len(re.findall(r"^````\{exercise\}", text, flags=re.M)),
    }


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "chapters").glob("*.md"))
    for p in paths:
        print(stats(p))
