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
* the vega bundle is requested only by pages with a chart (issue 11, lighter pages), once;
* every solution dropdown opens from the keyboard (focus its toggle button, press Enter);
* one header (issue 9), at a desktop (1280 px) and a phone (390 px) width: exactly one visible
  header bar and one visible search control in the page's chrome (see ``_CHROME``), the search
  control opens the search (as Ctrl+K does), no visible header bar holds nothing but search, and
  the colour-mode switch and the sidebar toggle are visible. Every page is opened a second time at
  the phone width for this (no axe run there), and a few (``narrow_sample``) a third time at 960 px,
  the narrowest width at which pydata-sphinx-theme shows its top bar.

Internal links and ``#fragments`` are checked from the built HTML files themselves.
Failures are aggregated: one test per topic lists every page and problem it found.

Every test runs on both editions of the book (the ``edition`` fixture): the solution edition
(``$ALLIANCE_HTML`` or ``_build/html``, every page) and the student edition
(``$ALLIANCE_STUDENT_HTML`` or ``_build/student-book/_build/html``), where the walk opens the
pages whose content differs from the solution edition's (``pages_that_differ``: the chapters, the
exercise pages and the pages whose wording names the editions) and the book's root page; the
internal links are checked on every page of both. The student edition must have no solution
dropdown anywhere, the solution edition some.

Without Chromium (or axe-core, or a built edition) the tests fail: run ``make test``, which
installs them and builds both editions.
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

from alliance.paths import STUDENT_HTML_DIR
from alliance.paths import BUNDLE_NAME
from alliance.book.site import CHROMIUM_ARGS, LOCAL_HOST, find_chromium, serve, toc_files
from tests._root import REPO_ROOT

pytestmark = pytest.mark.browser

ROOT = REPO_ROOT
HTML_DIR = Path(os.environ.get("ALLIANCE_HTML") or ROOT / "_build" / "html").resolve()
STUDENT_HTML = Path(os.environ.get("ALLIANCE_STUDENT_HTML") or STUDENT_HTML_DIR).resolve()
#: The editions of the book the tests walk, and the command that builds each.
EDITIONS = {"solution": (HTML_DIR, "make book"), "student": (STUDENT_HTML, "make book EDITION=student")}
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Folders of the build that hold assets, not pages of the book.
NOT_PAGES = ("_static", "_sources", "_images", "_downloads")
CHART_TIMEOUT_MS = 15_000
#: axe-core impacts that fail the test.
FAILING_IMPACTS = ("serious", "critical")
#: axe-core rules run again with the theme in dark mode.
COLOUR_RULES = ("color-contrast", "link-in-text-block")
#: The viewports the header checks run at: the walk's own (desktop), a phone's on every page, and
#: 960 px (pydata-sphinx-theme's top bar shows from there up) on ``narrow_sample`` pages.
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 960, "height": 800}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE, "tablet": TABLET}


def _unavailable(reason: str) -> None:
    """Fail: a browser test that cannot run is not a passing one."""
    pytest.fail(reason, pytrace=False)


def is_redirect_stub(path: Path) -> bool:
    """Jupyter Book's ``index.html``: a bare ``<meta http-equiv="Refresh">`` to the first page."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return 'http-equiv="refresh"' in text.lower() and "bd-container" not in text


def book_pages(html_dir: Path = HTML_DIR) -> list[str]:
    """Every HTML page of the build, as paths relative to its root ('/'-separated), sorted."""
    pages = []
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir)
        if rel.parts[0] in NOT_PAGES:
            continue
        pages.append(rel.as_posix())
    return pages


def _article(path: Path) -> str:
    """The page's content: its ``<article>`` (the theme's chrome around it left out)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return text[text.find("<article"): text.rfind("</article>")]


def pages_that_differ(pages: list[str], html_dir: Path, reference_dir: Path) -> list[str]:
    """The pages of ``html_dir`` whose content differs from the same page of ``reference_dir``
    (or that it lacks), and the book's root page."""
    root = f"{toc_files(ROOT)[0]}.html"
    return [rel for rel in pages if rel == root or not (reference_dir / rel).is_file()
            or _article(html_dir / rel) != _article(reference_dir / rel)]


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
    #: Requests this page made for the vega bundle (``_static/vega-bundle.js``).
    bundle_requests: list[str] = field(default_factory=list)
    #: Bundle requests made before the walk scrolled to the first chart, and where that chart was
    #: (its top, in screen heights from the top of the page): the bundle loads near a chart only.
    bundle_requests_before_scroll: int = 0
    first_chart_screens: float | None = None
    #: Header checks per viewport (a key of ``VIEWPORTS``): what ``_CHROME`` found.
    chrome: dict[str, dict] = field(default_factory=dict)
    #: Per width: what clicking the search control and pressing Ctrl+K focused.
    search_opens: dict[str, list[str]] = field(default_factory=dict)
    #: Seconds spent on the extra (phone, tablet) visits.
    narrow_seconds: float = 0.0


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

#: Scrolls the first chart into view (charts draw when they near the screen) after opening the folded
#: cells that hold charts (a chart in a closed cell draws when the reader opens it); returns where the
#: first chart was, in screen heights from the top, or null on a page without charts.
_SCROLL_TO_FIRST_CHART = """() => { const charts = [...document.querySelectorAll('.alliance-vis')];
  if (!charts.length) return null;
  const shown = charts.find(e => e.getClientRects().length) || charts[0];
  const top = (shown.getBoundingClientRect().top + window.scrollY) / window.innerHeight;
  for (const e of charts) { const d = e.closest('details');
    if (d && !d.open) { d.open = true; d.dataset.allianceOpenedForCharts = '1'; } }
  charts[0].scrollIntoView(); return top; }"""
#: Closes again the folded cells that _SCROLL_TO_FIRST_CHART opened.
_CLOSE_OPENED = """() => document.querySelectorAll('details[data-alliance-opened-for-charts]').forEach(d => {
  d.open = false; delete d.dataset.allianceOpenedForCharts; })"""
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


# The header checks (issue 9). What is counted, in the page's chrome (everything outside the
# page's content: the article, and the search page's own search form and results):
# * a search control: an <input type=search> or <input name=q>, an element of the theme's search
#   classes (.search-button__button, .search-button, .search-button-field), or a button/input
#   whose label, title, placeholder or text is the word "search"; outermost only;
# * shown: rendered (checkVisibility with opacity and visibility), with an area, and inside the
#   viewport's width (an off-canvas sidebar is not shown);
# * a header bar: #pst-header, <header>, .bd-header, .bd-header-article or [role=banner]
#   (outermost, not in a footer or dialog); a shown bar must hold a shown control (link, button,
#   field) that is not a search control.
_CHROME = r"""() => {
  const SEARCH = 'input[type="search"], input[name="q"], .search-button__button, .search-button, .search-button-field';
  const CONTROLS = 'a[href], button, input, select, textarea, [role="button"], [tabindex]:not([tabindex="-1"])';
  const BARS = '#pst-header, header, .bd-header, .bd-header-article, [role="banner"]';
  const rendered = (e, opacity) => e.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true,
                                                     opacityProperty: opacity, checkOpacity: opacity});
  const shown = e => {
    if (!rendered(e, true)) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.left < window.innerWidth;
  };
  const CONTENT = 'article.bd-article, .bd-search-container, footer, dialog';
  const chrome = e => !e.closest(CONTENT);
  const outermost = list => list.filter(e => !list.some(o => o !== e && o.contains(e)));
  const isSearch = e => e.matches(SEARCH) || (e.matches('button, input, [role="button"]') &&
    /\bsearch\b/i.test([e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('placeholder'),
                         e.textContent].join(' ')));
  const where = e => { const c = e.parentElement && e.parentElement.closest('[id], header, aside, nav');
    return c ? (c.id ? '#' + c.id : c.tagName.toLowerCase()) : 'body'; };
  const describe = e => `<${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${[...e.classList].slice(0, 4).map(c => '.' + c).join('')}>`
    + ` in ${where(e)}` + ((e.getAttribute('aria-label') || e.getAttribute('title') || e.textContent).trim()
      ? ` "${(e.getAttribute('aria-label') || e.getAttribute('title') || e.textContent).replace(/\s+/g, ' ').trim().slice(0, 30)}"` : '');
  const searches = outermost([...document.querySelectorAll(SEARCH + ', button, input, [role="button"]')]
                             .filter(e => chrome(e) && isSearch(e)));
  const visible = searches.filter(shown);
  document.querySelectorAll('[data-alliance-search]').forEach(e => e.removeAttribute('data-alliance-search'));
  if (visible.length === 1) visible[0].dataset.allianceSearch = '1';
  // Reachable by Tab without being seen (a search control hidden by size, position or opacity).
  const unseenTabbable = searches.filter(e => !shown(e) && rendered(e, false) && e.tabIndex >= 0 && !e.disabled
                                         && !e.closest('[inert], [aria-hidden="true"]'));
  const bars = outermost([...document.querySelectorAll(BARS)].filter(chrome))
    .filter(shown).map(b => ({bar: describe(b).split(' "')[0], height: Math.round(b.getBoundingClientRect().height),
      content: [...b.querySelectorAll(CONTROLS)].filter(c => shown(c) && !isSearch(c)).map(describe)}));
  const missing = [['colour-mode switch', '.theme-switch-button'], ['sidebar toggle', '.primary-toggle']]
    .filter(([name, sel]) => ![...document.querySelectorAll(sel)].some(shown)).map(([name, sel]) => `${name} (${sel})`);
  return {searches: visible.map(describe), unseen_tabbable: unseenTabbable.map(describe), bars: bars, missing: missing};
}"""

_SEARCH_FOCUSED = """() => {
  const a = document.activeElement;
  if (!a || !a.matches('input[type="search"], input[name="q"]')) return '';
  const r = a.getBoundingClientRect();
  return a.checkVisibility({visibilityProperty: true, checkVisibilityCSS: true}) && r.width > 0 && r.height > 0
    ? 'ok' : 'hidden field';
}"""

_SEARCH_RESET = """() => { const d = document.getElementById('pst-search-dialog');
  if (d && d.open) d.close(); if (document.activeElement) document.activeElement.blur(); }"""

_FOCUSED = """() => { const a = document.activeElement;
  return a ? `<${a.tagName.toLowerCase()}${a.id ? '#' + a.id : ''}${[...a.classList].slice(0, 3).map(c => '.' + c).join('')}>` : 'nothing'; }"""


def _check_header(page, report: PageReport, width: str) -> None:
    """One visible search control that opens the search; Ctrl+K opens it too (see ``_CHROME``)."""
    found = page.evaluate(_CHROME)
    report.chrome[width] = found
    opens: list[str] = []
    report.search_opens[width] = opens
    attempts = [("pressing Ctrl+K", lambda: page.keyboard.press("Control+K"))]
    if len(found["searches"]) == 1:
        attempts.insert(0, (f"clicking {found['searches'][0]}",
                            lambda: page.locator("[data-alliance-search]").click(timeout=5_000)))
    for what, act in attempts:
        page.evaluate(_SEARCH_RESET)
        try:
            act()
            page.wait_for_function(_SEARCH_FOCUSED, timeout=2_000)
        except Exception:  # noqa: BLE001 - reported below
            opens.append(f"{what} did not put the focus in a visible search field "
                         f"(focus on {page.evaluate(_FOCUSED)}, {page.evaluate(_SEARCH_FOCUSED) or 'no search field'})")
    page.evaluate(_SEARCH_RESET)


def visit_narrow(context, external: list[str], base_url: str, report: PageReport, width: str) -> None:
    """Open the page again in ``context`` (viewport ``VIEWPORTS[width]``): the header checks only."""
    start = time.perf_counter()
    page = context.new_page()
    page.on("pageerror", lambda err: report.page_errors.append(f"({width}) {err}"))
    external.clear()
    try:
        page.goto(base_url + report.page, wait_until="load", timeout=30_000)
        _check_header(page, report, width)
    except Exception as exc:  # noqa: BLE001 - a page that cannot be walked is a failure
        report.load_error += f" ({width}) {type(exc).__name__}: {exc}"
    finally:
        page.close()
    report.external += [f"({width}) {url}" for url in external]
    report.narrow_seconds += time.perf_counter() - start


def narrow_sample(pages: list[str]) -> list[str]:
    """The book's root page, search.html and the first page of each folder (one of each layout)."""
    root = f"{toc_files(ROOT)[0]}.html"
    picked, folders = [], set()
    for rel in pages:
        folder = rel.rpartition("/")[0]
        if rel in (root, "search.html") or folder not in folders:
            picked.append(rel)
            folders.add(folder)
    return picked


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


def visit_page(context, external: list[str], base_url: str, rel: str, axe_path: Path,
               header: bool = True) -> PageReport:
    """Open one page and record everything the tests check.

    ``external`` is the list the context-wide route appends refused (non-local) URLs to;
    ``header``: run the header checks (not on a redirect stub, which navigates away).
    """
    report = PageReport(rel)
    start = time.perf_counter()
    page = context.new_page()
    page.on("console", lambda msg: report.console_errors.append(
        f"{msg.text} @ {msg.location.get('url', '')}:{msg.location.get('lineNumber', '')}")
        if msg.type == "error" else None)
    page.on("pageerror", lambda err: report.page_errors.append(str(err)))
    page.on("request", lambda req: report.bundle_requests.append(req.url)
            if urlsplit(req.url).path.endswith("/" + BUNDLE_NAME) else None)
    page.on("requestfailed", lambda req: report.console_errors.append(
        f"request failed: {req.url} ({req.failure})") if urlsplit(req.url).hostname == LOCAL_HOST else None)
    external.clear()
    try:
        page.goto(base_url + rel, wait_until="load", timeout=30_000)
        if not header:  # a redirect stub: wait until the page it leads to has loaded (else a race)
            page.wait_for_url(lambda url: not urlsplit(url).path.endswith("/" + rel), timeout=30_000)
            page.wait_for_load_state("load")
        page.wait_for_timeout(100)
        report.bundle_requests_before_scroll = len(report.bundle_requests)
        report.first_chart_screens = page.evaluate(_SCROLL_TO_FIRST_CHART)
        try:
            page.wait_for_function(_CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
        except Exception:  # noqa: BLE001 - undrawn charts are reported below
            pass
        page.evaluate(_CLOSE_OPENED)
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
        if header:
            _check_header(page, report, "desktop")
    except Exception as exc:  # noqa: BLE001 - a page that cannot be walked is a failure
        report.load_error = f"{type(exc).__name__}: {exc}"
    finally:
        page.close()
    report.external = list(external)
    report.seconds = time.perf_counter() - start
    return report


@pytest.fixture(scope="module", params=list(EDITIONS))
def edition(request: pytest.FixtureRequest) -> str:
    """The edition of the book under test: ``solution`` or ``student``."""
    return request.param


@pytest.fixture(scope="module")
def html_dir(edition: str) -> Path:
    folder, command = EDITIONS[edition]
    if not (folder / "index.html").exists() and not (folder / "intro.html").exists():
        _unavailable(f"No built {edition} edition in {folder}: run `{command}`.")
    return folder


@pytest.fixture(scope="module")
def pages(html_dir: Path, edition: str) -> list[str]:
    """The pages walked: every page of the solution edition; those of the student edition that differ."""
    found = book_pages(html_dir)
    assert found, f"no HTML pages in {html_dir}"
    if edition == "student":
        found = pages_that_differ(found, html_dir, EDITIONS["solution"][0])
        assert len(found) > 10, f"only {len(found)} student pages differ from the solution edition: {found}"
    return found


@pytest.fixture(scope="module")
def server(html_dir: Path):
    with serve(html_dir) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def reports(html_dir: Path, pages: list[str], server: str) -> dict[str, PageReport]:
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
            context = browser.new_context(viewport=DESKTOP, service_workers="block")
            narrow = {width: browser.new_context(viewport=VIEWPORTS[width], service_workers="block")
                      for width in ("phone", "tablet")}
            external: list[str] = []

            def route(route_obj) -> None:
                url = route_obj.request.url
                if urlsplit(url).hostname != LOCAL_HOST:
                    external.append(url)
                    route_obj.abort("blockedbyclient")
                else:
                    route_obj.continue_()

            context.route("**/*", route)
            for extra in narrow.values():
                extra.route("**/*", route)
            sample = narrow_sample([rel for rel in pages if not is_redirect_stub(html_dir / rel)])
            for rel in pages:
                if is_redirect_stub(html_dir / rel):  # index.html: it navigates away at once
                    walked[rel] = visit_page(context, external, server, rel, AXE_JS, header=False)
                    walked[rel].chrome = {"desktop": {"stub": True}, "phone": {"stub": True}}
                    continue
                walked[rel] = visit_page(context, external, server, rel, AXE_JS)
                visit_narrow(narrow["phone"], external, server, walked[rel], "phone")
                if rel in sample:
                    visit_narrow(narrow["tablet"], external, server, walked[rel], "tablet")
            context.close()
            for extra in narrow.values():
                extra.close()
        finally:
            browser.close()
    slowest = sorted(walked.values(), key=lambda r: -r.seconds)[:3]
    print(f"\nbrowser walk: {len(walked)} pages; slowest: "
          + ", ".join(f"{r.page} {r.seconds:.1f}s" for r in slowest)
          + f"; header checks at {len(walked)} x desktop, {sum('phone' in r.chrome for r in walked.values())} x phone, "
          + f"{sum('tablet' in r.chrome for r in walked.values())} x 960 px; the extra (phone, 960 px) visits took "
          + f"{sum(r.narrow_seconds for r in walked.values()):.1f}s, the desktop walk "
          + f"{sum(r.seconds for r in walked.values()):.1f}s")
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


def test_only_pages_with_charts_request_the_vega_bundle(reports: dict[str, PageReport]) -> None:
    """Issue 11: a page without a chart requests no vega bundle; a page with charts requests it once, and
    only when the reader nears a chart (not before, when the first chart is more than two screens down)."""
    problems = {}
    for p, r in reports.items():
        if r.load_error:
            continue  # reported by test_every_page_loads
        if not r.charts and r.bundle_requests:
            problems[p] = [f"no chart, but requested {url}" for url in r.bundle_requests]
        elif r.charts and len(r.bundle_requests) != 1:
            problems[p] = [f"{r.charts} chart(s), and {len(r.bundle_requests)} request(s) for the bundle: "
                           f"{r.bundle_requests}"]
        elif r.charts and r.first_chart_screens > 2 and r.bundle_requests_before_scroll:
            problems[p] = [f"the first chart is {r.first_chart_screens:.1f} screens down, but the bundle was "
                           "requested before the reader got near it"]
    _fail_if(problems, "Vega bundle requested where it is not needed (or not once where it is)")
    assert any(r.charts and r.first_chart_screens > 2 for r in reports.values()), \
        "no page whose first chart is far down was walked: lazy loading untested"
    assert any(not r.charts for r in reports.values()), "no page without charts was walked"
    assert any(r.charts for r in reports.values()), "no page with charts was walked"


def test_every_chart_has_a_description(reports: dict[str, PageReport]) -> None:
    _fail_if({p: r.undescribed for p, r in reports.items()}, "Charts without a text description")


def test_solutions_open_from_the_keyboard(reports: dict[str, PageReport]) -> None:
    _fail_if({p: r.solution_failures for p, r in reports.items()}, "Solution dropdowns not keyboard-operable")


def test_solution_dropdowns_only_in_the_solution_edition(reports: dict[str, PageReport], edition: str) -> None:
    opened = {p: r.solutions for p, r in reports.items() if r.solutions}
    if edition == "student":
        assert not opened, f"solution dropdowns in the student edition: {opened}"
    else:
        assert sum(opened.values()) > 0, "no solution dropdown in the solution edition"


def _header_problems(report: PageReport) -> list[str]:
    problems = []
    for width, viewport in VIEWPORTS.items():
        if width == "tablet" and width not in report.chrome:
            continue  # checked on narrow_sample pages only
        found = report.chrome.get(width)
        at = f"at {viewport['width']}x{viewport['height']} ({width})"
        if found is None:
            problems.append(f"{at}: not checked (see test_every_page_loads)")
            continue
        if found.get("stub"):
            continue  # a redirect stub (index.html), not a page of the book
        if len(found["searches"]) != 1:
            problems.append(f"{at}: {len(found['searches'])} visible search controls, expected 1: "
                            + ("; ".join(found["searches"]) or "none"))
        if found["unseen_tabbable"]:
            problems.append(f"{at}: search controls reachable by Tab but not visible: "
                            + "; ".join(found["unseen_tabbable"]))
        if len(found["bars"]) != 1:
            problems.append(f"{at}: {len(found['bars'])} visible header bars, expected 1: "
                            + ("; ".join(f"{b['bar']} {b['height']}px" for b in found["bars"]) or "none"))
        for bar in found["bars"]:
            if not bar["content"]:
                problems.append(f"{at}: header bar {bar['bar']} ({bar['height']}px high) holds no control "
                                f"other than search")
        if found["missing"]:
            problems.append(f"{at}: not visible: " + ", ".join(found["missing"]))
        problems += [f"{at}: {item}" for item in report.search_opens.get(width, [])]
    return problems


def test_one_header_with_one_search_control(reports: dict[str, PageReport]) -> None:
    """Issue 9: no second (pydata) top bar with a second search field, at desktop and phone widths
    on every page (and at 960 px on ``narrow_sample`` pages)."""
    _fail_if({p: _header_problems(r) for p, r in reports.items()},
             "Not exactly one header with one working search control")
    stubs = [p for p, r in reports.items() if r.chrome.get("desktop", {}).get("stub")]
    assert len(stubs) < len(reports) / 2, f"the header was checked on too few pages (redirect stubs: {stubs})"
    assert any("tablet" in r.chrome for r in reports.values()), "the header was checked at 960 px on no page"


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


def test_internal_links_and_anchors_resolve(html_dir: Path) -> None:
    _fail_if(internal_link_problems(html_dir, book_pages(html_dir)), "Broken internal links or anchors")
