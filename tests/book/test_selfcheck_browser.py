"""Self-checks in the browser (``alliance/book/selfcheck.js``), in headless Chromium (Debian's, as
``tests/book/test_browser.py``), offline, in both editions of the built book.

On every built page that holds self-checks (the chapters, and the example on ``appendix/checks``;
the test fails if the book has none), each self-check is answered by keyboard, once wrongly and once
rightly: Space and the arrow keys choose an option (or the answer is typed), Enter checks it; then Tab
goes to "Check" and Space checks again. The result region (``aria-live="polite"``) must say "Not
quite." or "Correct.", the explanation must show only once checked, and focus must stay where the
reader is. axe-core (serious and critical) runs on the first page's answered self-check in light
and dark mode; the same page without JavaScript keeps its answer in a ``<details>``. A typed answer
is checked on a mini book (the chapters may hold none). Without Chromium or axe-core the tests fail.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from alliance.book.selfcheck import SELFCHECK_SOURCE
from alliance.selfcheck import CORRECT, FORM_CLASS, NOT_QUITE
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
_DARK_MODE = "() => { document.documentElement.dataset.mode = 'dark'; document.documentElement.dataset.theme = 'dark'; }"
_AXE_RUN = """async (selector) => {
  const result = await axe.run(selector, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
}"""
#: What the reader sees of a self-check: the verdict, and whether the explanation is shown.
_STATE = """(form) => { const box = form.querySelector('.alliance-selfcheck-explanation');
  return {verdict: form.querySelector('.alliance-selfcheck-verdict').textContent.trim(),
          live: form.querySelector('.alliance-selfcheck-result').getAttribute('aria-live'),
          shown: !!box && box.checkVisibility() && box.getBoundingClientRect().height > 0,
          explanation: box ? box.innerText.replace(/\\s+/g, ' ').trim() : '',
          focused: document.activeElement ? document.activeElement.className : '',
          focusedId: document.activeElement ? document.activeElement.id : ''}; }"""


def pages_with_selfchecks(html_dir: Path) -> dict[str, int]:
    """Every built page holding self-checks, with how many."""
    from tests.book.test_browser import book_pages

    found = {rel: (html_dir / rel).read_text(encoding="utf-8").count(f'<form class="{FORM_CLASS}')
             for rel in book_pages(html_dir)}
    return {rel: n for rel, n in found.items() if n}


@pytest.fixture(scope="module", params=["solution", "student"])
def edition(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def html_dir(edition: str) -> Path:
    from tests.book.test_browser import EDITIONS

    folder, command = EDITIONS[edition]
    if not (folder / "intro.html").exists():
        pytest.fail(f"No built {edition} edition in {folder}: run `{command}`.", pytrace=False)
    return folder


@pytest.fixture(scope="module")
def browser():
    from alliance.book.site import CHROMIUM_ARGS, find_chromium
    from tests.book.test_browser import AXE_JS

    chromium = find_chromium()
    if chromium is None:
        pytest.fail("Chromium not found (/usr/bin/chromium or `chromium` on PATH): run `make browser`.", pytrace=False)
    if not AXE_JS.exists():
        pytest.fail(f"axe-core not found at {AXE_JS}: run `npm ci`.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _offline(context, refused: list[str]) -> None:
    def route(route_obj) -> None:
        if urlsplit(route_obj.request.url).hostname not in ("127.0.0.1", None, ""):
            refused.append(route_obj.request.url)
            route_obj.abort("blockedbyclient")
        else:
            route_obj.continue_()

    context.route("**/*", route)


def _wait_verdict(form, expected: str) -> dict:
    """The self-check's state once its verdict reads ``expected`` (or after 3 s, whatever it reads)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        form.page.wait_for_function(
            "([f, v]) => f.querySelector('.alliance-selfcheck-verdict').textContent.trim() === v",
            arg=[form.element_handle(), expected], timeout=3000)
    except PlaywrightTimeout:
        pass
    return form.evaluate(_STATE)


def answer_by_keyboard(form, right: bool) -> list[str]:
    """Answer ``form`` by keyboard (rightly or wrongly), check with Enter, then with Tab and Space on
    "Check"; returns what went wrong."""
    problems: list[str] = []
    page = form.page
    want = CORRECT if right else NOT_QUITE
    if form.get_attribute("data-kind") == "text":
        accepted = json.loads(form.get_attribute("data-accept"))
        field = form.locator("input[type=text]")
        field.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(accepted[0].upper() if right else "not the answer")
        page.keyboard.press("Enter")
    else:
        radios = form.locator("input[type=radio]")
        correct = [radios.nth(i).get_attribute("data-correct") is not None for i in range(radios.count())]
        target = correct.index(True) if right else next(i for i, c in enumerate(correct) if not c)
        radios.first.focus()
        page.keyboard.press("Space")  # chooses the first option
        for _ in range(target):
            page.keyboard.press("ArrowDown")  # the arrows move the choice along the group
        chosen = [radios.nth(i).is_checked() for i in range(radios.count())]
        if chosen.index(True) != target:
            problems.append(f"the keyboard chose option {chosen.index(True)}, not {target}")
        page.keyboard.press("Enter")
    state = _wait_verdict(form, want)
    if state["verdict"] != want:
        problems.append(f"the result region says {state['verdict']!r}, not {want!r}")
    if state["live"] != "polite":
        problems.append(f"result region aria-live={state['live']!r}")
    if not state["shown"] or "The answer:" not in state["explanation"]:
        problems.append(f"after Enter ({want}) the explanation is not shown: {state}")
    if not str(state["focusedId"]).startswith(form.get_attribute("id") + "-"):
        problems.append(f"Enter moved the focus away from the answer (to {state['focusedId']!r})")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    if "alliance-selfcheck-check" not in focused:
        problems.append(f"Tab from the answer goes to {focused!r}, not to the Check button")
    page.keyboard.press("Space")
    state = _wait_verdict(form, want)
    if state["verdict"] != want:
        problems.append(f"after Check the result region says {state['verdict']!r}, not {want!r}")
    if not state["shown"]:
        problems.append(f"after Check ({want}) the explanation is not shown")
    if "alliance-selfcheck-check" not in str(state["focused"]):
        problems.append("Check moved the focus away from the button")
    return problems


@pytest.mark.browser
def test_every_self_check_answers_right_and_wrong_by_keyboard(html_dir: Path, browser, edition: str) -> None:
    from alliance.book.site import serve
    from tests.book.test_browser import AXE_JS

    pages = pages_with_selfchecks(html_dir)
    assert pages, f"no built page of the {edition} edition holds a self-check"
    problems: list[str] = []
    refused: list[str] = []
    checked = 0
    with serve(html_dir) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        _offline(context, refused)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for number, rel in enumerate(sorted(pages)):
            page.goto(base + rel, wait_until="load")
            page.wait_for_function("() => document.querySelectorAll('form.alliance-selfcheck-ready').length > 0",
                                   timeout=5000)
            forms = page.locator(f"form.{FORM_CLASS}")
            if forms.count() != pages[rel]:
                problems.append(f"{rel}: {forms.count()} forms, {pages[rel]} in the HTML")
            for index in range(forms.count()):
                form = forms.nth(index)
                form.scroll_into_view_if_needed()
                before = form.evaluate(_STATE)
                if before["shown"] or before["verdict"]:
                    problems.append(f"{rel} #{index + 1}: the answer shows before the reader checks")
                for right in (False, True):
                    problems += [f"{rel} #{index + 1} ({'right' if right else 'wrong'}): {p}"
                                 for p in answer_by_keyboard(form, right)]
                checked += 1
            if number == 0:  # axe on the answered self-checks, light and dark
                page.add_script_tag(path=str(AXE_JS))
                problems += [f"{rel}: axe (light): {v}" for v in page.evaluate(_AXE_RUN, f"form.{FORM_CLASS}")]
                page.evaluate(_DARK_MODE)
                problems += [f"{rel}: axe (dark): {v}" for v in page.evaluate(_AXE_RUN, f"form.{FORM_CLASS}")]
        context.close()
        problems += [f"script error: {e}" for e in errors]
        problems += [f"request left the machine: {u}" for u in refused]
        # without JavaScript: the question reads, and the answer is in a <details> the reader opens
        quiet = browser.new_context(java_script_enabled=False)
        page = quiet.new_page()
        page.goto(base + sorted(pages)[0], wait_until="load")
        form = page.locator(f"form.{FORM_CLASS}").first
        explanation = form.locator(".alliance-selfcheck-explanation")
        if explanation.is_visible():
            problems.append("without JavaScript the answer shows before the reader opens it")
        form.locator("summary").click()
        if not explanation.is_visible() or "The answer:" not in explanation.inner_text():
            problems.append("without JavaScript, 'Show the answer' does not show it")
        quiet.close()
    assert checked >= len(pages)
    assert not problems, "\n".join(problems)


def test_a_typed_answer_is_checked_in_the_page(tmp_path: Path, browser) -> None:
    """A typed answer on a mini book (accepted answers and pattern), with the course's script."""
    from tests.content.test_selfcheck import build_mini_book

    page_file = build_mini_book(tmp_path)
    context = browser.new_context()
    refused: list[str] = []
    _offline(context, refused)
    page = context.new_page()
    page.goto(page_file.as_uri(), wait_until="load")
    page.add_script_tag(path=str(SELFCHECK_SOURCE))
    form = page.locator("form#selfcheck-ch1-typed")
    problems = answer_by_keyboard(form, right=False) + answer_by_keyboard(form, right=True)
    field = form.locator("input[type=text]")
    for typed, verdict in (("  cgtn WEBSITE. ", CORRECT), ("cgtn blog", NOT_QUITE), ("", "Type an answer first.")):
        field.fill(typed)
        field.press("Enter")
        state = _wait_verdict(form, verdict)
        if state["verdict"] != verdict:
            problems.append(f"{typed!r}: the result region says {state['verdict']!r}, not {verdict!r}")
        if state["shown"] != (verdict != "Type an answer first."):
            problems.append(f"{typed!r}: explanation shown={state['shown']}")
    choice = page.locator("form#selfcheck-ch1-outlet")
    choice.locator("button").click()
    state = _wait_verdict(choice, "Choose an answer first.")
    if state["shown"] or state["verdict"] != "Choose an answer first.":
        problems.append(f"checking without a choice: {state}")
    context.close()
    assert not refused and not problems, "\n".join(problems + refused)
