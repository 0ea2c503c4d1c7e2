"""Measure the book's build, page and corpus performance (``make bench``).

Writes ``_build/bench.json`` and prints a table against the course's targets (goals to
compare with, not timed tests):

==========================  =====================================================
clean build                 ``make book``'s build of a fresh copy (no cache), vs the
                            floor: the same notebooks executed one after another in one
                            process with nbclient. Target: clean <= 1.2 x floor.
no-op rebuild               the same command again, nothing changed. Target: <= 10 % of clean.
one chapter edited          a comment appended to the last code cell of one chapter in the
                            copy; which notebooks re-executed (from the build log).
                            Target: only that chapter.
page weight                 bytes the browser fetched for the first chapter page with charts
                            (cold cache) and for the next chapter page afterwards (warm),
                            from ``performance.getEntriesByType('navigation'|'resource')``
                            ``transferSize``, after scrolling to the first chart (the vega bundle
                            loads when a chart nears the screen; the bytes at load are reported
                            too). Targets: 1.2 MB and 200 KB.
first chart                 ms from scrolling to the first chart to its ``.alliance-vis`` getting
                            ``data-drawn="true"`` (a MutationObserver injected with
                            ``add_init_script`` sets ``performance.mark('alliance-chart-drawn')``),
                            median of 3 cold loads. Target: <= 500 ms.
corpus scale                ``alliance.corpus.build_corpus`` on 10, 100 and 1,000 synthetic
                            sources (copies of the five seeds, with a metadata CSV with their
                            sha256) and the growth exponent (slope of log time on log n).
                            Targets: 1,000 sources <= 5 s, exponent <= 1 (linear).
grading                     ``alliance.classroom.grading`` on a synthetic class (``alliance.classroom.democlass``:
                            200 students x 7 notebooks = 1,400 submissions plus 3 extras; full,
                            partial, empty, no-id and 2 % hostile), sandboxed, one job per core,
                            default limits. Reports seconds, submissions per second, and what
                            each hostile case received and which limit stopped it.
                            Target: 1,400 submissions <= 20 min.
lighthouse                  Lighthouse (``node_modules``, ``npm ci``) on a sample of pages (landing
                            page, the first chapter with charts, a chapter without charts if any,
                            a source reader page, the exercises index, the glossary), served from
                            127.0.0.1 by ``alliance.book.site.serve`` gzipping text as a static host
                            does, in Debian's Chromium, desktop preset (simulated throttling):
                            the four category scores per page and the bytes transferred (and
                            uncompressed) per page type. Targets: accessibility, best practices
                            and SEO 100, performance >= 95; landing page <= 600 KB transferred.
``make test``               only with ``--with-test`` (it is long).
==========================  =====================================================

Usage: ``python tools/bench.py [--with-test] [--no-build] [--only grading|lighthouse] [--students 200]
[--out _build/bench.json]``.
``--no-build`` skips the three builds and measures pages of the existing ``_build/html``.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

from alliance.book.site import CHROMIUM_ARGS, find_chromium, serve, toc_files

ROOT = Path(__file__).resolve().parent.parent
JB_FLAGS = ["-n", "-W", "--keep-going"]
COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", "node_modules", ".git", ".pytest_cache",
                                     "__pycache__", ".ipynb_checkpoints")
TARGETS = {
    "clean_vs_floor": 1.2,
    "noop_fraction": 0.10,
    "first_page_bytes": 1_200_000,
    "later_page_bytes": 200_000,
    "first_chart_ms": 500,
    "corpus_1000_s": 5.0,
    "growth_exponent": 1.0,
    "grading_1400_s": 1200,
    "lighthouse_min": {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100},
    "landing_page_bytes": 600_000,
}
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
#: The Node.js that runs Lighthouse: Lighthouse 13 asks for Node >= 22.19, Debian 12 has 20, so
#: `make bench` installs npm's ``node`` package (a Node 22 binary) here; without it, the ``node`` on PATH.
LIGHTHOUSE_NODE = ROOT / "_build" / "node22" / "node_modules" / ".bin" / "node"
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
_EXEC_LINE = re.compile(r"^(?P<path>\S+?): (?P<what>Executed notebook in (?P<secs>[\d.]+) seconds|"
                        r"Using cached notebook)", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# --------------------------------------------------------------------------- builds

def _jb_env() -> dict[str, str]:
    return {**os.environ, "ALLIANCE_ROOT": str(ROOT), "ALLIANCE_CHART_MODE": "book", "PYTHONUNBUFFERED": "1"}


def jb_build(book: Path) -> tuple[float, str, int]:
    """Run the strict build of ``book`` as ``make book`` does (``alliance.book.jupyterbook``, jupyter-book's
    command line); (seconds, log, return code)."""
    command = [sys.executable, "-m", "alliance.book.jupyterbook", "build", str(book), *JB_FLAGS]
    start = time.perf_counter()
    # cwd=book: the execution cache path in _config.yml (_build/.jupyter_cache) is relative.
    result = subprocess.run(command, capture_output=True, text=True, env=_jb_env(), timeout=3600, cwd=book)
    seconds = time.perf_counter() - start
    return seconds, _ANSI.sub("", result.stdout + result.stderr), result.returncode


def notebooks_in_log(build_log: str, book: Path) -> dict[str, list[str]]:
    """Notebooks the build executed and the ones it took from the cache (paths relative to book)."""
    found: dict[str, list[str]] = {"executed": [], "cached": []}
    for match in _EXEC_LINE.finditer(build_log):
        path = Path(match["path"])
        rel = path.relative_to(book).as_posix() if path.is_absolute() and book in path.parents else str(path)
        found["executed" if match["what"].startswith("Executed") else "cached"].append(rel)
    return {k: sorted(set(v)) for k, v in found.items()}


def execute_notebooks_alone(book: Path, notebooks: list[str]) -> tuple[float, dict[str, float]]:
    """Execute the notebooks one after another in this process with nbclient (the floor)."""
    import jupytext
    from nbclient import NotebookClient

    os.environ.update({"ALLIANCE_ROOT": str(ROOT), "ALLIANCE_CHART_MODE": "book"})
    per: dict[str, float] = {}
    start = time.perf_counter()
    for rel in notebooks:
        path = book / rel
        t0 = time.perf_counter()
        nb = jupytext.read(path)
        kernel = (nb.metadata.get("kernelspec") or {}).get("name", "python3")
        NotebookClient(nb, timeout=300, kernel_name=kernel,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        per[rel] = time.perf_counter() - t0
    return time.perf_counter() - start, per


def edit_one_chapter(book: Path, chapter: str) -> str:
    """Append a comment line to the last code cell of ``chapter`` (changes its code hash)."""
    path = book / chapter
    text = path.read_text(encoding="utf-8")
    start = text.rfind("```{code-cell}")
    if start < 0:
        path.write_text(text + "\n<!-- bench: harmless edit -->\n", encoding="utf-8")
        return "markdown comment appended (no code cell)"
    close = text.find("\n```", text.find("\n", start))
    path.write_text(text[:close] + "\n# bench: harmless edit" + text[close:], encoding="utf-8")
    return "comment appended to the last code cell"


# --------------------------------------------------------------------------- browser

_FIRST_CHART_OBSERVER = """(() => {
  const check = () => {
    if (window.__allianceFirstChart === undefined && document.querySelector('.alliance-vis[data-drawn="true"]')) {
      performance.mark('alliance-chart-drawn');
      window.__allianceFirstChart = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-drawn']});
})();"""

#: Scrolls to the first chart (opening a folded cell that holds it); returns performance.now() then.
_SCROLL_TO_FIRST_CHART = """() => { const e = document.querySelector('.alliance-vis'); if (!e) return null;
  const d = e.closest('details'); if (d) d.open = true; e.scrollIntoView(); return performance.now(); }"""

_PAGE_BYTES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const fetched = res.filter(r => r.transferSize > 0);
  return {
    transfer_bytes: (nav ? nav.transferSize : 0) + res.reduce((s, r) => s + r.transferSize, 0),
    decoded_bytes: (nav ? nav.decodedBodySize : 0) + res.reduce((s, r) => s + r.decodedBodySize, 0),
    resources: res.length, fetched_from_network: fetched.length,
    from_cache: res.filter(r => r.transferSize === 0).length,
    largest: fetched.sort((a, b) => b.transferSize - a.transferSize).slice(0, 5)
      .map(r => [r.name.replace(location.origin, ''), r.transferSize]),
    fetched_paths: [location.pathname, ...fetched.map(r => new URL(r.name).pathname)],
    dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null,
    load_event_ms: nav ? nav.loadEventEnd : null,
    first_chart_ms: window.__allianceFirstChart === undefined ? null : window.__allianceFirstChart,
  };
}"""


def _gzip_estimate(html: Path, paths: list[str]) -> int:
    """What the fetched files would weigh from a host that gzips (python's http.server does not)."""
    total = 0
    for path in paths:
        file = html / unquote(path.lstrip("/"))
        if file.is_file():
            data = file.read_bytes()
            compressible = file.suffix in (".html", ".js", ".css", ".svg", ".json", ".txt", ".map")
            total += len(gzip.compress(data, 6)) if compressible else len(data)
    return total


def measure_pages(html: Path, first: str, second: str) -> dict:
    """Bytes fetched (cold first page, then warm second page) and time to the first chart."""
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        return {"error": "Chromium not found"}
    out: dict = {"first_page": first, "second_page": second}
    with serve(html) as base, sync_playwright() as pw:
        offline = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS + offline)
        try:
            def load(context, rel: str) -> dict:
                page = context.new_page()
                page.goto(base + rel, wait_until="load")
                page.wait_for_timeout(300)  # let late requests (fonts, images) finish
                at_load = page.evaluate(_PAGE_BYTES)
                # The bundle loads when a chart nears the screen: scroll to the first chart, as a reader would.
                scrolled_at = page.evaluate(_SCROLL_TO_FIRST_CHART)
                with contextlib.suppress(Exception):
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('.alliance-vis')].every(e => e.dataset.drawn)",
                        timeout=15_000)
                page.wait_for_timeout(300)
                stats = page.evaluate(_PAGE_BYTES)
                page.close()
                stats["gzip_estimate_bytes"] = _gzip_estimate(html, stats.pop("fetched_paths"))
                stats["at_load_transfer_bytes"] = at_load["transfer_bytes"]
                stats["first_chart_ms"] = (None if stats["first_chart_ms"] is None or scrolled_at is None
                                           else stats["first_chart_ms"] - scrolled_at)
                return stats

            def new_context():
                # No page.route here: routing disables the browser's HTTP cache, which the warm
                # measurement needs. Other hosts are unreachable through --host-resolver-rules.
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_init_script(_FIRST_CHART_OBSERVER)
                return context

            context = new_context()
            out["cold"] = load(context, first)
            out["warm"] = load(context, second)
            context.close()
            runs = []
            for _ in range(3):
                context = new_context()
                runs.append(load(context, first)["first_chart_ms"])
                context.close()
            drawn = [r for r in runs if r is not None]
            out["first_chart_runs_ms"] = [None if r is None else round(r, 1) for r in runs]
            out["first_chart_ms"] = round(statistics.median(drawn), 1) if drawn else None
        finally:
            browser.close()
    return out


def lighthouse_sample(html: Path, book: Path) -> dict[str, str]:
    """The pages Lighthouse audits, by page type: the landing page, the first chapter with charts,
    the first chapter without charts (if any), a source reader page, the exercises index, the glossary."""
    files = [f for f in toc_files(book) if (html / f"{f}.html").exists()]
    charted = [f for f in files if f.startswith("chapters/")
               and 'class="alliance-vis"' in (html / f"{f}.html").read_text(encoding="utf-8")]
    plain = [f for f in files if f.startswith("chapters/") and f not in charted]
    readers = sorted(p.stem for p in (html / "appendix" / "sources").glob("*.html") if p.stem != "index")
    sample = {"landing page": files[0] if files else None,
              "chapter with charts": charted[0] if charted else None,
              "chapter without charts": plain[0] if plain else None,
              "source reader": f"appendix/sources/{readers[0]}" if readers else None,
              "exercises index": "exercises/index" if "exercises/index" in files else None,
              "glossary": "appendix/glossary" if "appendix/glossary" in files else None}
    return {kind: f"{page}.html" for kind, page in sample.items() if page}


def lighthouse_page(url: str, chromium: str, out: Path) -> dict:
    """One Lighthouse run (desktop preset) of ``url``: the four scores (0-100), bytes, metrics."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = [lighthouse_node(), str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet", "--preset=desktop",
               f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}", f"--chrome-flags={flags}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CHROME_PATH": chromium})
    if result.returncode != 0 or not out.exists():
        return {"error": (result.stderr or result.stdout)[-600:]}
    lhr = json.loads(out.read_text(encoding="utf-8"))
    audits = lhr["audits"]
    requests = (audits.get("network-requests", {}).get("details") or {}).get("items", [])
    failed = [{"audit": ref["id"], "score": audits[ref["id"]]["score"],
               "value": audits[ref["id"]].get("displayValue", "")}
              for cat in LIGHTHOUSE_CATEGORIES for ref in lhr["categories"][cat]["auditRefs"]
              if ref.get("weight") and audits.get(ref["id"], {}).get("score") not in (None, 1)]
    return {
        "scores": {cat: round(100 * (lhr["categories"][cat]["score"] or 0)) for cat in LIGHTHOUSE_CATEGORIES},
        "transfer_bytes": round(audits["total-byte-weight"]["numericValue"]),
        "resource_bytes": sum(int(r.get("resourceSize") or 0) for r in requests),
        "requests": len(requests),
        "vega_bundle": any(r.get("url", "").split("?")[0].endswith("/vega-bundle.js") for r in requests),
        "metrics_ms": {k: round(audits[k]["numericValue"]) for k in (
            "first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index")},
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 4),
        "below_full_marks": failed,
    }


def lighthouse_node() -> str:
    """The Node.js that runs Lighthouse (``LIGHTHOUSE_NODE`` if installed, else ``node`` on PATH)."""
    return str(LIGHTHOUSE_NODE) if LIGHTHOUSE_NODE.exists() else (shutil.which("node") or "node")


def lighthouse_pages(html: Path, book: Path) -> dict:
    """Lighthouse on ``lighthouse_sample`` pages of ``html``, served gzipped from 127.0.0.1."""
    chromium = find_chromium()
    if chromium is None:
        return {"error": "Chromium not found"}
    if not LIGHTHOUSE.exists():
        return {"error": f"{LIGHTHOUSE} not found: run `make node` (npm ci)"}
    node_version = subprocess.run([lighthouse_node(), "--version"], capture_output=True, text=True).stdout.strip()
    report: dict = {"preset": "desktop", "served": "alliance.book.site.serve(compress=True)", "node": node_version,
                    "pages": {}}
    with serve(html, compress=True) as base, tempfile.TemporaryDirectory(prefix="alliance-lh-") as tmp:
        for kind, rel in lighthouse_sample(html, book).items():
            log(f"lighthouse: {kind} ({rel}) ...")
            start = time.perf_counter()
            found = lighthouse_page(base + rel, chromium, Path(tmp) / "lhr.json")
            found.update(page=rel, seconds=round(time.perf_counter() - start, 1))
            report["pages"][kind] = found
    return report


# --------------------------------------------------------------------------- corpus

def corpus_scale(sizes: tuple[int, ...] = (10, 100, 1000)) -> dict:
    """build_corpus on n synthetic sources made from the real seeds; times and growth exponent."""
    import pandas as pd

    from alliance import paths
    from alliance.corpus import build_corpus

    meta = pd.read_csv(paths.METADATA_CSV, dtype=str, keep_default_na=False)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="alliance-bench-corpus-") as tmp:
        for n in sizes:
            folder = Path(tmp) / f"n{n}"
            seeds = folder / "seeds"
            seeds.mkdir(parents=True)
            rows = []
            for i in range(n):
                row = meta.iloc[i % len(meta)].to_dict()
                text = (paths.SEEDS_DIR / row["file_name"]).read_bytes()
                name = f"{i:05d}_{row['file_name']}"
                (seeds / name).write_bytes(text)
                row.update(source_id=f"s{i:05d}_{row['source_id']}"[:32], file_name=name,
                           sha256=hashlib.sha256(text).hexdigest())
                rows.append(row)
            csv = folder / "sources.csv"
            pd.DataFrame(rows, columns=list(meta.columns)).to_csv(csv, index=False)
            best = math.inf
            for _ in range(3 if n <= 100 else 1):
                start = time.perf_counter()
                corpus = build_corpus(csv, seeds, paths.SEGMENT_RULES_CSV)
                best = min(best, time.perf_counter() - start)
            assert len(corpus.documents) == n
            results[str(n)] = round(best, 3)
            log(f"corpus of {n} sources: {best:.2f} s")
    xs = [math.log(int(n)) for n in results]
    ys = [math.log(max(t, 1e-6)) for t in results.values()]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    last = list(results.items())[-2:]
    tail = math.log(last[1][1] / last[0][1]) / math.log(int(last[1][0]) / int(last[0][0]))
    return {"seconds": results, "growth_exponent": round(slope, 2), "growth_exponent_last_decade": round(tail, 2)}


def grading_bench(students: int = 200) -> dict:
    """Grade a synthetic class as ``make grade`` does; throughput and what hostile cases got."""
    from alliance.classroom.democlass import write_class
    from alliance.classroom.grading.batch import grade
    from alliance.classroom.sandbox import Limits

    with tempfile.TemporaryDirectory(prefix="alliance-class-") as tmp:
        roster, archive, planned = write_class(Path(tmp), students)
        limits = Limits()
        start = time.perf_counter()
        run = grade(archive, Path(tmp) / "graded", roster, limits, progress=True)
        seconds = time.perf_counter() - start
    results = {r.submission: r for r in run.results}
    by_kind: dict[str, list] = {}
    for item in planned:
        by_kind.setdefault(item.kind, []).append(results[f"{archive.name}!{item.member}"])
    kinds = {kind: {"count": len(rs), "mean_points": round(sum(r.total for r in rs) / len(rs), 2),
                    "with_notes": sum(1 for r in rs if r.notes),
                    "first_notes": sorted({r.notes[0] for r in rs if r.notes})[:3]}
             for kind, rs in sorted(by_kind.items())}
    return {"submissions": len(run.results), "seconds": round(seconds, 1),
            "per_second": round(len(run.results) / seconds, 2), "jobs": run.settings["jobs"],
            "sandbox": run.settings["sandbox"], "limits": run.settings["limits"],
            "matched": sum(1 for r in run.results if r.match == "matched"),
            "unmatched": sum(1 for r in run.results if r.match == "unmatched"),
            "duplicates": sum(1 for r in run.results if r.match == "duplicate"), "by_kind": kinds}


# --------------------------------------------------------------------------- report

def reading_measures(html: Path) -> list[dict]:
    """How each chapter page of a built book reads (``alliance.book.reading``), with which targets it meets."""
    from dataclasses import asdict

    from alliance.book.reading import measure_chapters

    return [asdict(r) | {"meets": r.meets_targets()} for r in measure_chapters(html)]


def _fmt_bytes(n: float | None) -> str:
    return "n/a" if n is None else f"{n / 1000:,.0f} KB" if n < 1_000_000 else f"{n / 1e6:.2f} MB"


def table(report: dict) -> str:
    rows: list[tuple[str, str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("ok" if ok else "MISSED")

    b = report.get("build", {})
    if b:
        ratio = b["clean_s"] / b["notebooks_alone_s"] if b.get("notebooks_alone_s") else None
        rows.append(("clean build", f"{b['clean_s']:.1f} s (notebooks alone {b.get('notebooks_alone_s', 0):.1f} s, "
                     f"x{ratio:.2f})" if ratio else f"{b['clean_s']:.1f} s",
                     f"<= {TARGETS['clean_vs_floor']} x notebooks", verdict(None if ratio is None else
                                                                          ratio <= TARGETS["clean_vs_floor"])))
        frac = b["noop_s"] / b["clean_s"]
        rows.append(("no-op rebuild", f"{b['noop_s']:.1f} s ({frac:.0%} of clean)",
                     f"<= {TARGETS['noop_fraction']:.0%} of clean", verdict(frac <= TARGETS["noop_fraction"])))
        e = b["edit"]
        only = e["executed"] == [e["chapter"]]
        rows.append(("one chapter edited", f"{e['seconds']:.1f} s; re-executed: {', '.join(e['executed']) or 'none'}",
                     "only that chapter", verdict(only)))
    p = report.get("pages", {})
    if p and "cold" in p:
        rows.append(("first page with charts", f"{_fmt_bytes(p['cold']['transfer_bytes'])} fetched with its charts, "
                     f"{_fmt_bytes(p['cold'].get('at_load_transfer_bytes'))} at load "
                     f"(gzip host: {_fmt_bytes(p['cold']['gzip_estimate_bytes'])}; {p['first_page']})",
                     "<= 1.2 MB", verdict(p["cold"]["transfer_bytes"] <= TARGETS["first_page_bytes"])))
        rows.append(("next page (warm)", f"{_fmt_bytes(p['warm']['transfer_bytes'])} fetched "
                     f"(gzip host: {_fmt_bytes(p['warm']['gzip_estimate_bytes'])}; {p['second_page']})",
                     "<= 200 KB", verdict(p["warm"]["transfer_bytes"] <= TARGETS["later_page_bytes"])))
        fc = p.get("first_chart_ms")
        rows.append(("first chart drawn", "n/a" if fc is None else f"{fc:.0f} ms after scrolling to it",
                     "<= 500 ms", verdict(None if fc is None else fc <= TARGETS["first_chart_ms"])))
    lh = report.get("lighthouse", {})
    if lh.get("error"):
        rows.append(("lighthouse", f"not run: {lh['error']}", "-", "MISSED"))
    for kind, found in lh.get("pages", {}).items():
        if "scores" not in found:
            rows.append((f"lighthouse: {kind}", f"error: {found.get('error', '')[:60]}", "-", "MISSED"))
            continue
        sc = found["scores"]
        mins = TARGETS["lighthouse_min"]
        rows.append((f"lighthouse: {kind}", " / ".join(str(sc[c]) for c in LIGHTHOUSE_CATEGORIES)
                     + f" (perf/a11y/bp/seo); {_fmt_bytes(found['transfer_bytes'])} transferred, "
                     f"{_fmt_bytes(found['resource_bytes'])} uncompressed",
                     ">= 95 / 100 / 100 / 100" + (" ; <= 600 KB" if kind == "landing page" else ""),
                     verdict(all(sc[c] >= mins[c] for c in LIGHTHOUSE_CATEGORIES) and (
                         kind != "landing page" or found["transfer_bytes"] <= TARGETS["landing_page_bytes"]))))
    for r in report.get("reading", []):
        from alliance.book.reading import TARGETS as READING

        met = all(r["meets"].values())
        rows.append((f"reading: {r['page']}",
                     f"{r['reading_words']:,} words, {r['reading_minutes']:.0f} min; apparatus {r['apparatus_share']:.1%}; "
                     f"repeats {r['repeats']}; ¶ in {r['sentences_with_para_mark']:.0%} of sentences; sentences "
                     f"longest {r['longest_sentence']}, mean {r['mean_sentence']}; code {r['code_share']:.1%}",
                     f"apparatus <= {READING['apparatus_share']:.0%}, 0 repeats, sentence <= "
                     f"{READING['longest_sentence']}, code <= {READING['code_share']:.0%}", verdict(met)))
    c = report.get("corpus", {})
    if c:
        secs = c["seconds"]
        rows.append(("corpus 10/100/1,000", " / ".join(f"{v:.2f}" for v in secs.values()) + " s",
                     "1,000 <= 5 s", verdict(secs.get("1000", math.inf) <= TARGETS["corpus_1000_s"])))
        rows.append(("corpus growth exponent", f"{c['growth_exponent']} (100->1,000: {c['growth_exponent_last_decade']})",
                     "<= 1 (linear)", verdict(c["growth_exponent"] <= TARGETS["growth_exponent"] + 0.1)))
    g = report.get("grading", {})
    if g:
        rows.append(("grading a class", f"{g['submissions']:,} submissions in {g['seconds']:.0f} s "
                     f"({g['per_second']:.2f}/s, {g['jobs']} jobs, sandbox {'on' if g['sandbox'] != 'none' else 'off'})",
                     "1,400 <= 20 min", verdict(g["seconds"] * 1400 / g["submissions"] <= TARGETS["grading_1400_s"])))
    t = report.get("make_test_s")
    if t is not None:
        rows.append(("make test", f"{t:.0f} s", "-", "n/a"))
    widths = [max(len(r[i]) for r in rows + [("measure", "value", "target", "verdict")]) for i in range(4)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(("measure", "value", "target", "verdict"), widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--with-test", action="store_true", help="also time `make test` (long)")
    parser.add_argument("--no-build", action="store_true", help="skip the builds; measure the existing _build/html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "bench.json")
    parser.add_argument("--only", choices=["grading", "lighthouse", "reading"], help="run only this measure")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html",
                        help="with --only lighthouse: the built book to audit")
    parser.add_argument("--students", type=int, default=200, help="students of the synthetic class (x 7 notebooks)")
    args = parser.parse_args(argv)
    if args.only == "grading":
        report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                  "targets": TARGETS, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        log(f"grading a synthetic class of {args.students} students ...")
        report["grading"] = grading_bench(args.students)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(report["grading"], indent=2))
        print(table(report))
        return 0

    if args.only == "reading":
        report = {"targets": TARGETS, "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                  "reading": reading_measures(args.html)}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(table(report))
        return 0

    if args.only == "lighthouse":
        report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                  "targets": TARGETS, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
        report["lighthouse"] = lighthouse_pages(args.html, ROOT)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(table(report))
        return 0

    report: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                "platform": platform.platform()},
                    "targets": TARGETS, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    html = ROOT / "_build" / "html"
    with tempfile.TemporaryDirectory(prefix="alliance-bench-") as tmp:
        book = Path(tmp) / "book"
        if not args.no_build:
            shutil.copytree(ROOT, book, ignore=COPY_IGNORE, symlinks=True)
            log("clean build of a fresh copy (no execution cache) ...")
            clean_s, clean_log, rc = jb_build(book)
            if rc != 0:
                print(clean_log[-4000:])
                log(f"the clean build failed (exit {rc}); build figures are of a failing build")
            clean_nbs = notebooks_in_log(clean_log, book)
            # The cache was empty: notebooks the build "took from the cache" were executed by its
            # parallel pre-execution step (alliance.book.execute), the others by myst-nb itself.
            clean_nbs["executed"] = sorted(set(clean_nbs["executed"]) | set(clean_nbs["cached"]))
            log(f"clean build {clean_s:.1f} s; executed {len(clean_nbs['executed'])} notebooks "
                f"({len(clean_nbs['cached'])} of them in parallel before reading)")
            log("the same notebooks alone, one after another, with nbclient ...")
            alone_s, per_nb = execute_notebooks_alone(book, clean_nbs["executed"])
            log(f"notebooks alone {alone_s:.1f} s")
            log("no-op rebuild ...")
            noop_s, noop_log, _ = jb_build(book)
            chapters = [f for f in toc_files(book) if f.startswith("chapters/")]
            executed_chapters = [c for c in chapters if f"{c}.md" in clean_nbs["executed"]]
            chapter = (executed_chapters or chapters or [toc_files(book)[0]])[0] + ".md"
            how = edit_one_chapter(book, chapter)
            log(f"rebuild after editing {chapter} ({how}) ...")
            edit_s, edit_log, _ = jb_build(book)
            edit_nbs = notebooks_in_log(edit_log, book)
            report["build"] = {
                "clean_s": round(clean_s, 2), "clean_returncode": rc,
                "notebooks": clean_nbs["executed"], "notebooks_alone_s": round(alone_s, 2),
                "notebooks_alone_per_notebook_s": {k: round(v, 2) for k, v in per_nb.items()},
                "noop_s": round(noop_s, 2), "noop_executed": notebooks_in_log(noop_log, book)["executed"],
                "edit": {"chapter": chapter, "how": how, "seconds": round(edit_s, 2),
                         "executed": edit_nbs["executed"], "cached": edit_nbs["cached"]},
            }
            html = book / "_build" / "html"
        if (html / "intro.html").exists() or (html / "index.html").exists():
            chapters = [f for f in toc_files(html.parent.parent) if f.startswith("chapters/")] \
                if (html.parent.parent / "_toc.yml").exists() else []
            with_charts = [c for c in chapters if (html / f"{c}.html").exists()
                           and "alliance-vis" in (html / f"{c}.html").read_text(encoding="utf-8")]
            if with_charts:
                first = with_charts[0]
                after = chapters[chapters.index(first) + 1:] + chapters[:chapters.index(first)]
                second = next((c for c in after if (html / f"{c}.html").exists()), first)
                log(f"page weight and first chart: {first} then {second} ...")
                report["pages"] = measure_pages(html, f"{first}.html", f"{second}.html")
            else:
                report["pages"] = {"error": "no chapter page with charts in the build"}
            report["lighthouse"] = lighthouse_pages(html, html.parent.parent)
            log("how the chapter pages read ...")
            report["reading"] = reading_measures(html)
        log("corpus scale ...")
        report["corpus"] = corpus_scale()
    log(f"grading a synthetic class of {args.students} students ...")
    report["grading"] = grading_bench(args.students)
    if args.with_test:
        log("make test ...")
        start = time.perf_counter()
        subprocess.run(["make", "-C", str(ROOT), "test"], check=False)
        report["make_test_s"] = round(time.perf_counter() - start, 1)
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(report))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
