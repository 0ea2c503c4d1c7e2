"""Browser tests: every page of the built book in headless Chromium, offline.

The built book (``$ALLIANCE_HTML`` or ``_build/html``) is served by a threaded
``http.server`` on 127.0.0.1 (a free port) and every page is opened once in one headless
Chromium (Debian's ``/usr/bin/chromium``, driven by playwright's sync API). Each page visit
records everything the per-topic tests below assert, so the book is walked only once:

* no request tries to leave the machine (every request to another host is aborted and recorded);
* no console error and no uncaught page error;
* no serious or critical axe-core violation (``node_modules/axe-core``), with the page as
  loaded, again with its solutions opened, and the colour rules once more in the theme's dark
  mode (which readers get when their system asks for it);
* every chart (``.alliance-vis``) is drawn (``data-drawn="true"`` and an ``<svg>``) and has a
  non-empty text description (``figcaption.alliance-chart-description``);
* every solution dropdown opens from the keyboard (focus its toggle button, press Enter).

Internal links and ``#fragments`` are checked from the built HTML files themselves.
Failures are aggregated: one test per topic lists every page and problem it found.

Without Chromium (or axe-core, or a built book) the tests skip locally, and FAIL when the
environment variable ``CI`` is set.
"""
from __future__ import annotations

import html.parser
import functools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from alliance.site import CHROMIUM_ARGS, LOCAL_HOST, find_chromium, serve

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = Path(os.environ.get("ALLIANCE_HTML") or ROOT / "_build" / "html").resolve()
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Folders of the build that hold assets, not pages of the book.
NOT_PAGES = ("_static", "_sources", "_images", "_downloads")
CHART_TIMEOUT_MS = 15_000
#: axe-core impacts that fail the test.
FAILING_IMPACTS = ("serious", "critical")
#: axe-core rules run again with the theme in dark mode.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


def _unavailable(reason: str) -> None:
    """Skip locally; fail on CI, where the browser suite must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)")
    pytest.skip(reason)


def book_pages(html_dir: Path = HTML_DIR) -> list[str]:
    """Every HTML page of the build, as paths relative to its root ('/'-separated), sorted."""
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir)
        if rel.parts[0] in NOT_PAGES:
            continue
        pages.append(rel.as_posix())
    return pages


@dataclass
class PageReport:
    """What one visit of one page found."""

    page: str
    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    charts: int = 0
    charts_drawn: int = 0
    undrawn: list[str] = field(default_factory=list)
    undescribed: list[str] = field(default_factory=list)
    solutions: int = 0
    solution_failures: list[str] = field(default_factory=list)
    load_error: str = ""
    seconds: float = 0.0


# --------------------------------------------------------------------------- the page walk

_AXE_RUN = """async ([impacts, selector, rules]) => {
  const options = {resultTypes: ['violations']};
  if (rules) options.runOnly = {type: 'rule', values: rules};
  const result = await axe.run(selector || document, options);
  return result.violations.filter(v => impacts.includes(v.impact)).map(v =>
    `${v.id} (${v.impact}): ${v.help} -- ${v.nodes.length} node(s): ` +
    v.nodes.slice(0, 5).map(n => n.target.join(' ') +
      (n.failureSummary ? ' [' + n.failureSummary.replace(/\\s+/g, ' ').trim() + ']' : '')).join('; '));
}"""

_CHARTS_SETTLED = """() => [...document.querySelectorAll('.alliance-vis')].every(e => e.dataset.drawn)"""

_CHART_STATE = """() => [...document.querySelectorAll('.alliance-vis')].map(e => {
  const fig = e.closest('figure');
  const cap = fig ? fig.querySelector('figcaption.alliance-chart-description') : null;
  return {id: e.id, drawn: e.dataset.drawn || '', svg: !!e.querySelector('svg'),
          text: e.dataset.drawn === 'true' ? '' : e.textContent.slice(0, 200),
          description: cap ? cap.textContent.replace('Chart description.', '').trim() : ''};
})"""

_ANIMATIONS_DONE = """() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))"""

_DARK_MODE = """() => { document.documentElement.dataset.mode = 'dark';
  document.documentElement.dataset.theme = 'dark'; }"""

_SOLUTIONS = """() => [...document.querySelectorAll('.solution.dropdown')].map(e => e.id)"""

_SOLUTION_STATE = """(id) => {
  const item = document.getElementById(id);
  if (!item) return {error: 'element not found'};
  const button = item.querySelector('.admonition-title button.toggle-button, button.toggle-button');
  const body = [...item.children].filter(c => !c.classList.contains('admonition-title'));
  const visible = body.length > 0 && body.every(c => {
    const s = getComputedStyle(c); const r = c.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.height > 0;
  });
  return {button: button ? button.id : '', hidden: item.classList.contains('toggle-hidden'),
          expanded: button ? button.getAttribute('aria-expanded') : null, visible: visible,
          children: body.length};
}"""


def _check_solutions(page, report: PageReport) -> None:
    ids = page.evaluate(_SOLUTIONS)
    report.solutions = len(ids)
    for sid in ids:
        before = page.evaluate(_SOLUTION_STATE, sid)
        if before.get("error") or not before["button"]:
            report.solution_failures.append(f"{sid}: no toggle button ({before})")
            continue
        if before["visible"]:
            report.solution_failures.append(f"{sid}: solution is visible before it is opened")
        button = page.locator(f"[id={json.dumps(before['button'])}]")
        button.focus()
        focused = page.evaluate("(id) => document.activeElement && document.activeElement.id === id",
                                before["button"])
        if not focused:
            report.solution_failures.append(f"{sid}: its toggle button cannot take the keyboard focus")
            continue
        page.keyboard.press("Enter")
        try:
            page.wait_for_function(
                "(id) => { const i = document.getElementById(id); return i && !i.classList.contains('toggle-hidden'); }",
                arg=sid, timeout=2_000)
        except Exception:  # noqa: BLE001 - reported below
            pass
        after = page.evaluate(_SOLUTION_STATE, sid)
        if after["hidden"] or not after["visible"]:
            report.solution_failures.append(f"{sid}: pressing Enter on its toggle button did not show it ({after})")
        elif after["expanded"] != "true":
            report.solution_failures.append(f"{sid}: opened, but aria-expanded is {after['expanded']!r}")


def visit_page(context, external: list[str], base_url: str, rel: str, axe_path: Path) -> PageReport:
    """Open one page and record everything the tests check.

    ``external`` is the list the context-wide route appends refused (non-local) URLs to.
    """
    report = PageReport(rel)
    start = time.perf_counter()
    page = context.new_page()
    page.on("console", lambda msg: report.console_errors.append(
        f"{msg.text} @ {msg.location.get('url', '')}:{msg.location.get('lineNumber', '')}")
        if msg.type == "error" else None)
    page.on("pageerror", lambda err: report.page_errors.append(str(err)))
    page.on("requestfailed", lambda req: report.console_errors.append(
        f"request failed: {req.url} ({req.failure})") if urlsplit(req.url).hostname == LOCAL_HOST else None)
    external.clear()
    try:
        page.goto(base_url + rel, wait_until="load", timeout=30_000)
        try:
            page.wait_for_function(_CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        except Exception:  # noqa: BLE001 - undrawn charts are reported below
            pass
        for chart in page.evaluate(_CHART_STATE):
            report.charts += 1
            if chart["drawn"] == "true" and chart["svg"]:
                report.charts_drawn += 1
            else:
                report.undrawn.append(f"#{chart['id']}: data-drawn={chart['drawn']!r}, svg={chart['svg']} "
                                      f"{chart['text']!r}")
            if not chart["description"]:
                report.undescribed.append(f"#{chart['id']}")
        page.add_script_tag(path=str(axe_path))
        report.axe += page.evaluate(_AXE_RUN, [list(FAILING_IMPACTS), None, None])
        _check_solutions(page, report)
        if report.solutions:  # the opened solutions' content, too, once their fade-in has ended
            page.evaluate(_ANIMATIONS_DONE)
            opened = page.evaluate(_AXE_RUN, [list(FAILING_IMPACTS), ".solution.dropdown", None])
            report.axe += [f"(solutions open) {v}" for v in opened]
        # The theme follows the reader's system colour mode: check the colours in dark mode, too.
        page.evaluate(_DARK_MODE)
        page.evaluate(_ANIMATIONS_DONE)
        dark = page.evaluate(_AXE_RUN, [list(FAILING_IMPACTS), None, list(COLOUR_RULES)])
        report.axe += [f"(dark mode) {v}" for v in dark]
        report.axe = sorted(set(report.axe))
    except Exception as exc:  # noqa: BLE001 - a page that cannot be walked is a failure
        report.load_error = f"{type(exc).__name__}: {exc}"
    finally:
        page.close()
    report.external = list(external)
    report.seconds = time.perf_counter() - start
    return report


@pytest.fixture(scope="module")
def html_dir() -> Path:
    if not (HTML_DIR / "index.html").exists() and not (HTML_DIR / "intro.html").exists():
        _unavailable(f"No built book in {HTML_DIR}: run `make book` (or set ALLIANCE_HTML).")
    return HTML_DIR


@pytest.fixture(scope="module")
def pages(html_dir: Path) -> list[str]:
    found = book_pages(html_dir)
    assert found, f"no HTML pages in {html_dir}"
    return found


@pytest.fixture(scope="module")
def server(html_dir: Path):
    with serve(html_dir) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def reports(pages: list[str], server: str) -> dict[str, PageReport]:
    """Walk every page once in one headless Chromium; the tests read the reports."""
    chromium = find_chromium()
    if chromium is None:
        _unavailable("Chromium not found (/usr/bin/chromium or `chromium` on PATH): run `make browser`.")
    if not AXE_JS.exists():
        _unavailable(f"axe-core not found at {AXE_JS}: run `npm ci`.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright (python) is not installed.")
    walked: dict[str, PageReport] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
            external: list[str] = []

            def route(route_obj) -> None:
                url = route_obj.request.url
                if urlsplit(url).hostname != LOCAL_HOST:
                    external.append(url)
                    route_obj.abort("blockedbyclient")
                else:
                    route_obj.continue_()

            context.route("**/*", route)
            for rel in pages:
                walked[rel] = visit_page(context, external, server, rel, AXE_JS)
            context.close()
        finally:
            browser.close()
    slowest = sorted(walked.values(), key=lambda r: -r.seconds)[:3]
    print(f"\nbrowser walk: {len(walked)} pages; slowest: "
          + ", ".join(f"{r.page} {r.seconds:.1f}s" for r in slowest))
    return walked


def _fail_if(problems: dict[str, list[str]], what: str) -> None:
    bad = {page: items for page, items in problems.items() if items}
    if bad:
        lines = [f"{what} on {len(bad)} page(s):"]
        for page, items in bad.items():
            lines.append(f"  {page}:")
            lines += [f"    - {item}" for item in items]
        pytest.fail("\n".join(lines), pytrace=False)


# --------------------------------------------------------------------------- the tests

def test_every_page_loads(reports: dict[str, PageReport]) -> None:
    _fail_if({p: [r.load_error] if r.load_error else [] for p, r in reports.items()}, "Page could not be walked")


def test_no_request_leaves_the_machine(reports: dict[str, PageReport]) -> None:
    _fail_if({p: r.external for p, r in reports.items()}, f"Requests to hosts other than {LOCAL_HOST}")


def test_no_console_or_page_errors(reports: dict[str, PageReport]) -> None:
    _fail_if({p: [f"console: {e}" for e in r.console_errors] + [f"page error: {e}" for e in r.page_errors]
              for p, r in reports.items()}, "Console errors or uncaught page errors")


def test_no_serious_accessibility_violations(reports: dict[str, PageReport]) -> None:
    _fail_if({p: r.axe for p, r in reports.items()}, "Serious or critical axe-core violations")


def test_every_chart_is_drawn(reports: dict[str, PageReport]) -> None:
    _fail_if({p: r.undrawn for p, r in reports.items()}, "Charts not drawn (data-drawn != 'true' or no svg)")


def test_every_chart_has_a_description(reports: dict[str, PageReport]) -> None:
    _fail_if({p: r.undescribed for p, r in reports.items()}, "Charts without a text description")


def test_solutions_open_from_the_keyboard(reports: dict[str, PageReport]) -> None:
    _fail_if({p: r.solution_failures for p, r in reports.items()}, "Solution dropdowns not keyboard-operable")


def test_chart_count(reports: dict[str, PageReport]) -> None:
    charts = sum(r.charts for r in reports.values())
    drawn = sum(r.charts_drawn for r in reports.values())
    solutions = sum(r.solutions for r in reports.values())
    with_charts = sum(1 for r in reports.values() if r.charts)
    print(f"\n{len(reports)} pages checked; {drawn} of {charts} charts drawn on {with_charts} page(s); "
          f"{solutions} solution dropdown(s) opened from the keyboard")
    assert drawn > 0, "no chart was drawn anywhere in the book"


# --------------------------------------------------------------------------- links (static)

class _LinkParser(html.parser.HTMLParser):
    """Collects ids (and <a name>) and the links/resources of one HTML file."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        if tag in ("a", "area", "link") and "href" in a:
            self.links.append((tag, a["href"]))
        if tag in ("script", "img", "iframe", "source") and "src" in a:
            self.links.append((tag, a["src"]))


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> _LinkParser:
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def internal_link_problems(html_dir: Path, pages: list[str]) -> dict[str, list[str]]:
    """Relative links whose file is missing from the build or whose #fragment has no target."""
    problems: dict[str, list[str]] = {}
    base = "http://book.invalid/"
    for rel in pages:
        found: list[str] = []
        for tag, href in _parse(html_dir / rel).links:
            href = href.strip()
            split = urlsplit(href)
            if split.scheme or split.netloc or href.startswith("//"):
                continue  # external (http:, mailto:, data:, javascript:): `make linkcheck`
            if not href or href == "#":
                continue
            target = urlsplit(urljoin(base + rel, href))
            target_rel = unquote(target.path[len("/"):])
            target_path = html_dir / target_rel
            if target_rel == "" or target_path.is_dir():
                target_path = target_path / "index.html"
            if not target_path.exists():
                found.append(f"<{tag}> {href!r}: {target_path.relative_to(html_dir)} is not in the build")
                continue
            fragment = unquote(target.fragment)
            if fragment and target_path.suffix == ".html" and fragment not in _parse(target_path).ids:
                found.append(f"<{tag}> {href!r}: no id {fragment!r} on {target_path.relative_to(html_dir)}")
        problems[rel] = found
    return problems


def test_internal_links_and_anchors_resolve(html_dir: Path, pages: list[str]) -> None:
    _fail_if(internal_link_problems(html_dir, pages), "Broken internal links or anchors")
