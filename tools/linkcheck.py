"""List the external links of the built book, and check them where a network exists.

``python tools/linkcheck.py``          list every external link of ``_build/html`` (offline):
                                      each URL once, with the pages that use it; also written
                                      to ``_build/external-links.txt``.
``python tools/linkcheck.py --check`` also run Sphinx's linkcheck builder
                                      (``jupyter-book build . --builder linkcheck``), which
                                      needs a network; its report is in ``_build/linkcheck/``.

Internal links and anchors are checked offline by ``tests/book/test_browser.py``.
"""
from __future__ import annotations

import argparse
import html.parser
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
NOT_PAGES = ("_static", "_sources", "_images", "_downloads")


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("href", "src"):
            value = (a.get(key) or "").strip()
            if urlsplit(value).scheme in ("http", "https"):
                self.urls.append(value)


def external_links(html_dir: Path) -> dict[str, list[str]]:
    """URL -> sorted pages (relative to the build) that link to it."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir)
        if rel.parts[0] in NOT_PAGES:
            continue
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        for url in parser.urls:
            found[url].add(rel.as_posix())
    return {url: sorted(pages) for url, pages in sorted(found.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List (and with --check, check) the book's external links.")
    parser.add_argument("--html", type=Path, default=Path(os.environ.get("ALLIANCE_HTML") or ROOT / "_build" / "html"))
    parser.add_argument("--check", action="store_true", help="run Sphinx's linkcheck builder (needs a network)")
    args = parser.parse_args(argv)
    if not args.html.is_dir():
        print(f"No built book in {args.html}: run `make book` first.", file=sys.stderr)
        return 2
    links = external_links(args.html)
    lines = [f"{url}\t{len(pages)} page(s): {', '.join(pages[:3])}{' ...' if len(pages) > 3 else ''}"
             for url, pages in links.items()]
    out = args.html.parent / "external-links.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\n{len(links)} external URL(s); list written to {out}")
    if not args.check:
        return 0
    jb = Path(sys.executable).parent / "jupyter-book"
    command = [str(jb) if jb.exists() else "jupyter-book", "build", str(ROOT), "--builder", "linkcheck"]
    print("\n$ " + " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT, env={**os.environ, "ALLIANCE_ROOT": str(ROOT)}).returncode


if __name__ == "__main__":
    sys.exit(main())
