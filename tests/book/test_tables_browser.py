"""Browser test: the book's tables fit a phone's width (headless Chromium, offline).

Every page with a vantage table (``alliance.sources.vantage_table``, the widest table of the book)
and every chapter and exercise page of both editions is opened at 390 px and 1280 px; the page must
not scroll sideways (``scrollWidth <= clientWidth``), and no reading table may be wider than its
column. The vantage table shows each source as a block of labelled lines.
Without Chromium or a built edition the test fails (it does not skip).
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from alliance.paths import STUDENT_HTML_DIR
from alliance.book.site import CHROMIUM_ARGS, LOCAL_HOST, find_chromium, serve
from tests.content.test_tables import built_reading_pages
from tests._root import REPO_ROOT

pytestmark = pytest.mark.browser

ROOT = REPO_ROOT
EDITIONS = {"solution": (Path(os.environ.get("ALLIANCE_HTML") or ROOT / "_build" / "html"), "make book"),
            "student": (Path(os.environ.get("ALLIANCE_STUDENT_HTML") or STUDENT_HTML_DIR), "make book EDITION=student")}
WIDTHS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 960, "height": 800},
          "desktop": {"width": 1280, "height": 900}}
#: What the page reports: its widths, and each reading table wider than its container.
MEASURE = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('table.alliance-table')]
    .filter(t => t.getBoundingClientRect().width > t.parentElement.getBoundingClientRect().width + 1)
    .map(t => t.querySelector('th, td') ? t.querySelector('th, td').textContent.slice(0, 40) : '?');
  const stacked = [...document.querySelectorAll('table.alliance-stack td')]
    .map(td => getComputedStyle(td).display);
  return {scroll: doc.scrollWidth, client: doc.clientWidth, tables: document.querySelectorAll('table.alliance-table').length,
          wide, stacked: stacked.length ? stacked[0] : null};
}"""


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_tables_never_make_a_page_scroll_sideways(edition):
    html_dir, built = built_reading_pages(edition, EDITIONS)
    pages = [str(p.relative_to(html_dir)) for p in built]
    chromium = find_chromium()
    if chromium is None:
        pytest.fail("Chromium not found (/usr/bin/chromium or `chromium` on PATH): run `make browser`.", pytrace=False)
    from playwright.sync_api import sync_playwright

    problems, vantage_pages, tables = [], 0, 0
    with serve(html_dir) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for width, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport, service_workers="block")
                context.route("**/*", lambda r: r.continue_() if urlsplit(r.request.url).hostname == LOCAL_HOST
                              else r.abort("blockedbyclient"))
                page = context.new_page()
                for rel in pages:
                    page.goto(server + rel, wait_until="load")
                    found = page.evaluate(MEASURE)
                    tables += found["tables"]
                    if found["scroll"] > found["client"]:
                        problems.append(f"{rel} at {width}: the page scrolls sideways "
                                        f"({found['scroll']} px wide in {found['client']} px)")
                    problems += [f"{rel} at {width}: a table wider than its column ({w!r}…)" for w in found["wide"]]
                    if found["stacked"] is not None:
                        vantage_pages += width == "phone"
                        if found["stacked"] != "grid":
                            problems.append(f"{rel} at {width}: the stacked table's cells show as {found['stacked']}")
                context.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
    # the stacked vantage table is printed once, in chapter 1 (later chapters refer to it)
    assert tables >= 40 and vantage_pages >= 1, (tables, vantage_pages)
