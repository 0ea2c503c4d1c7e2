"""Citation popovers (``alliance.book.popovers``, ``alliance/book/popover.js``): the cited paragraph's text one
hover, keyboard focus or tap away, in both editions of the built book.

Unit tests of the data generator and the markup contract first; then, in headless Chromium (Debian's,
as ``tests/book/test_browser.py``), on every built page that holds citation links, in both editions:

* **hover** (desktop, 1280 px): the popover is shown and holds, for each cited paragraph (at most
  three), its source's short name and ¶ number and the paragraph's text from the corpus;
* **keyboard focus**: the popover is shown, the link's ``aria-describedby`` names it (a
  ``role="tooltip"``), Escape hides it and removes the reference;
* **tap** (390x844, touch emulation), on every page with citations: a tap on the first visible
  citation opens its popover, with the paragraph's text, without leaving the page; on the
  ``TAP_PAGES_PER_EDITION`` pages with the most citations, for the whole sample, the popover's "Open in
  the source reader" link goes to the cited paragraph and a second tap on the citation follows it.

Citations checked per page: the first, the middle and the last, and the page's first absence link.
axe-core (serious and critical) runs on the open popover in light and dark mode on the sampled pages.
Without Chromium, axe-core or a built edition the tests fail.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from alliance.book.popovers import (ABSENCE_LINK_CLASS, LINK_CLASS, PARAGRAPHS_HEADER, PARAGRAPHS_JS, POPOVER_JS,
                               classify_quote_links, has_citation_links, paragraph_classes, paragraph_data,
                               paragraphs_script, write_if_changed, write_popover_files)
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
#: Pages per edition on which the tap behaviour is checked (the pages with the most citations).
TAP_PAGES_PER_EDITION = 4
#: Popovers show at most this many paragraphs, then "and N more".
MAX_SHOWN = 3
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


# --------------------------------------------------------------------------- units (no browser)

def test_paragraph_data_holds_every_paragraph_with_its_source_name() -> None:
    from alliance import load_corpus

    corpus = load_corpus()
    data = paragraph_data(corpus)
    assert len(data) == len(corpus.paragraphs)
    for row in corpus.paragraphs.itertuples(index=False):
        entry = data[f"{row.source_id}-{int(row.para)}"]
        assert entry["cite"] == corpus.source(row.source_id)["cite_as"]
        assert entry["text"] == " ".join(row.text.split())
    assert data["su2017-4"]["cite"] == "Su"


def test_paragraphs_script_is_javascript_that_defines_the_data() -> None:
    data = {"x2020-1": {"cite": "X", "text": "“Quoted” </script> words"}}
    script = paragraphs_script(data)
    assert script.startswith(PARAGRAPHS_HEADER + "\n")
    body = script.split("\n", 1)[1].strip()
    assert body.startswith("window.allianceParagraphs=") and body.endswith(";")
    assert json.loads(body[len("window.allianceParagraphs="):-1]) == data


def test_popover_files_are_written_only_when_they_change(tmp_path: Path) -> None:
    from alliance import load_corpus

    corpus = load_corpus()
    assert sorted(write_popover_files(tmp_path, corpus)) == sorted([PARAGRAPHS_JS, POPOVER_JS])
    stamp = (tmp_path / PARAGRAPHS_JS).stat().st_mtime_ns
    assert write_popover_files(tmp_path, corpus) == []
    assert (tmp_path / PARAGRAPHS_JS).stat().st_mtime_ns == stamp
    (tmp_path / POPOVER_JS).write_text("stale", encoding="utf-8")
    assert write_popover_files(tmp_path, corpus) == [POPOVER_JS]
    assert write_if_changed(tmp_path / "a.js", "one") and not write_if_changed(tmp_path / "a.js", "one")


def test_paragraph_classes_and_links() -> None:
    from alliance.book.citation_style import absence_link, para_link

    assert paragraph_classes("su2017", [4, 5, 4]) == ["alliance-p-su2017-4", "alliance-p-su2017-5"]
    link = para_link("Su ¶4–5", "su2017.html#su2017-p4", "su2017", (4, 5))
    assert link["classes"] == [LINK_CLASS, "alliance-p-su2017-4", "alliance-p-su2017-5"]
    assert link["refuri"] == "su2017.html#su2017-p4"
    assert absence_link("miller2018.html")["classes"] == [LINK_CLASS, ABSENCE_LINK_CLASS]


def test_quote_links_get_their_paragraph_class() -> None:
    body = ('<a class="alliance-para-link" href="../appendix/sources/yuan2018.html#yuan2018-p5">¶5</a> '
            '<a class="alliance-para-link reference internal" href="x.html#su2017-p4">Su ¶4</a>')
    out = classify_quote_links(body)
    assert '<a class="alliance-para-link alliance-p-yuan2018-5" href="../appendix/sources/yuan2018.html#yuan2018-p5">' in out
    assert out.endswith('<a class="alliance-para-link reference internal" href="x.html#su2017-p4">Su ¶4</a>')
    assert has_citation_links(out) and not has_citation_links('<a class="reference">x</a>')


# --------------------------------------------------------------------------- the built book

_LINK_TAG = re.compile(r"<a\b[^>]*>", re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def citation_links(page: Path) -> list[dict[str, str]]:
    """The evidence links of a built page (in its article), as their attributes."""
    text = page.read_text(encoding="utf-8")
    article = text[text.find("<article"): text.rfind("</article>")]
    links = []
    for tag in _LINK_TAG.findall(article):
        attrs = dict(_ATTR.findall(tag))
        if LINK_CLASS in attrs.get("class", "").split():
            links.append(attrs)
    return links


def edition_dirs() -> dict[str, Path]:
    from tests.book.test_browser import EDITIONS

    return {name: folder for name, (folder, _command) in EDITIONS.items()}


def pages_with_citations(html_dir: Path) -> dict[str, list[dict[str, str]]]:
    from tests.book.test_browser import book_pages

    found = {rel: citation_links(html_dir / rel) for rel in book_pages(html_dir)}
    return {rel: links for rel, links in found.items() if links}


#: The student edition shows the same pages less their solutions, with the same script and data: its
#: browser checks run in `make test-slow`, the solution edition's in `make test`.
@pytest.fixture(scope="module", params=["solution", pytest.param("student", marks=pytest.mark.slow)])
def edition(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def html_dir(edition: str) -> Path:
    folder = edition_dirs()[edition]
    if not (folder / "intro.html").exists():
        pytest.fail(f"No built {edition} edition in {folder}: run `make book{' EDITION=student' if edition == 'student' else ''}`.",
                    pytrace=False)
    return folder


@pytest.mark.build
def test_every_citation_link_names_its_paragraphs_and_pages_load_the_scripts(html_dir: Path) -> None:
    """The markup contract on the built book: every evidence link names its paragraphs (or is an
    absence link), the paragraphs exist, and exactly the pages with citations load the scripts."""
    from tests.book.test_browser import book_pages

    data_file = html_dir / "_static" / PARAGRAPHS_JS
    keys = json.loads(data_file.read_text(encoding="utf-8").split("=", 1)[1].rstrip().rstrip(";"))
    problems = []
    for rel in book_pages(html_dir):
        text = (html_dir / rel).read_text(encoding="utf-8")
        links = citation_links(html_dir / rel)
        for attrs in links:
            classes = attrs["class"].split()
            paras = [c[len("alliance-p-"):] for c in classes if c.startswith("alliance-p-")]
            if ABSENCE_LINK_CLASS in classes:
                if paras:
                    problems.append(f"{rel}: absence link with paragraph classes {paras}")
            elif not paras:
                problems.append(f"{rel}: link without paragraph class: {attrs}")
            problems += [f"{rel}: {p} is not a paragraph of the corpus" for p in paras if p not in keys]
            if "/appendix/sources/" not in "/" + urljoin(rel, attrs.get("href", "")):
                problems.append(f"{rel}: link outside the source reader: {attrs.get('href')}")
        loads = [name for name in (PARAGRAPHS_JS, POPOVER_JS) if re.search(
            rf'<script defer="defer" src="[^"]*_static/{re.escape(name)}(\?v=\w+)?"', text)]
        if links and len(loads) != 2:
            problems.append(f"{rel}: {len(links)} citation links, but loads (deferred) only {loads}")
        if not links and (PARAGRAPHS_JS in text or POPOVER_JS in text):
            problems.append(f"{rel}: no citation link, but loads the popover's scripts")
    assert not problems, "\n".join(problems[:40])
    assert len(pages_with_citations(html_dir)) > 10


# --------------------------------------------------------------------------- in the browser

_POPOVER_STATE = """(link) => {
  const box = document.getElementById('alliance-popover');
  const shown = !!box && !box.hidden && box.checkVisibility() && box.getBoundingClientRect().width > 0;
  const r = box ? box.getBoundingClientRect() : null;
  return {shown: shown, role: box ? box.getAttribute('role') : null,
          text: box ? box.innerText.replace(/\\s+/g, ' ').trim() : '',
          describedby: link ? (link.getAttribute('aria-describedby') || '') : '',
          inView: !!r && r.left >= 0 && r.right <= document.documentElement.clientWidth + 1,
          openHref: box && box.querySelector('a') ? box.querySelector('a').href : null};
}"""
_AXE_RUN = """async ([impacts, rules]) => {
  const options = {resultTypes: ['violations']};
  if (rules) options.runOnly = {type: 'rule', values: rules};
  const result = await axe.run('#alliance-popover', options);
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => `${v.id} (${v.impact}): ${v.help}`);
}"""
_DARK_MODE = "() => { document.documentElement.dataset.mode = 'dark'; document.documentElement.dataset.theme = 'dark'; }"


def _squash(text: str) -> str:
    return " ".join(text.split())


def expected_parts(link: dict[str, str], data: dict[str, dict[str, str]]) -> list[str]:
    """The words a link's popover must show: "Cite ¶N" and the text of each of the first three paragraphs."""
    keys = [c[len("alliance-p-"):] for c in link["class"].split() if c.startswith("alliance-p-")]
    parts = []
    for key in keys[:MAX_SHOWN]:
        parts += [f"{data[key]['cite']} ¶{key.rsplit('-', 1)[1]}", _squash(data[key]["text"])]
    if len(keys) > MAX_SHOWN:
        parts.append(f"and {len(keys) - MAX_SHOWN} more")
    return parts


def sample(links: list[dict[str, str]]) -> list[int]:
    """Indexes of the links checked: first, middle, last, and the first absence link."""
    picked = {0, len(links) // 2, len(links) - 1}
    absence = [i for i, a in enumerate(links) if ABSENCE_LINK_CLASS in a["class"].split()]
    picked.update(absence[:1])
    return sorted(picked)


@pytest.fixture(scope="module")
def browser_run(html_dir: Path):
    """One Chromium (Debian's) and the book served on localhost; yields (browser, base URL)."""
    from alliance.book.site import CHROMIUM_ARGS, find_chromium, serve
    from tests.book.test_browser import AXE_JS

    chromium = find_chromium()
    if chromium is None:
        pytest.fail("Chromium not found (/usr/bin/chromium or `chromium` on PATH): run `make browser`.", pytrace=False)
    if not AXE_JS.exists():
        pytest.fail(f"axe-core not found at {AXE_JS}: run `npm ci`.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with serve(html_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser, base
        finally:
            browser.close()


def _offline(context, refused: list[str]) -> None:
    def route(route_obj) -> None:
        if urlsplit(route_obj.request.url).hostname != "127.0.0.1":
            refused.append(route_obj.request.url)
            route_obj.abort("blockedbyclient")
        else:
            route_obj.continue_()

    context.route("**/*", route)


#: What an absence link's popover shows (the contract): its ``.alliance-note-text``, else its
#: ``aria-label``, else its own text.
_ABSENCE_TEXT = """(a) => { const note = a.querySelector('.alliance-note-text');
  return (note ? note.textContent.replace(/^[\\s:]+/, '') : (a.getAttribute('aria-label') || a.textContent))
    .replace(/\\s+/g, ' ').trim(); }"""
#: Brings a link to the middle of the screen at once (the theme scrolls smoothly, which would move
#: the page under a pointer that has just arrived).
_SCROLL_TO = "(a) => a.scrollIntoView({block: 'center', behavior: 'instant'})"
#: The middle of a link's first line box, in the viewport.
_FIRST_LINE = "(a) => { const r = a.getClientRects()[0]; return {x: r.x + r.width / 2, y: r.y + r.height / 2}; }"
#: Which of the page's evidence links are shown (not in a closed dropdown or folded cell).
_VISIBLE = """(els) => els.map(e => { const r = e.getBoundingClientRect();
  return e.checkVisibility({visibilityProperty: true, opacityProperty: true}) && r.width > 0 && r.height > 0; })"""


def visible_sample(page, links: list[dict[str, str]]) -> list[int]:
    """``sample`` among the links the reader can see as the page loads."""
    shown = page.locator("article a.alliance-para-link").evaluate_all(_VISIBLE)
    indexes = [i for i, visible in enumerate(shown) if visible]
    return [indexes[i] for i in sample([links[i] for i in indexes])] if indexes else []


@pytest.mark.browser
def test_hover_and_focus_show_the_cited_paragraphs(html_dir: Path, browser_run, edition: str) -> None:
    from tests.book.test_browser import AXE_JS

    browser, base = browser_run
    data = paragraph_data(__import__("alliance").load_corpus())
    pages = pages_with_citations(html_dir)
    refused: list[str] = []
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    _offline(context, refused)
    problems: list[str] = []
    checked = 0
    axe_pages = set(sorted(pages, key=lambda rel: -len(pages[rel]))[:2])
    for rel, links in pages.items():
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(base + rel, wait_until="load")
        page.wait_for_function("() => window.allianceParagraphs !== undefined", timeout=5_000)
        handles = page.locator("article a.alliance-para-link")
        if handles.count() != len(links):
            problems.append(f"{rel}: {handles.count()} links in the browser, {len(links)} in the file")
        for index in visible_sample(page, links):
            link, at = handles.nth(index), f"{rel} link {index} ({links[index].get('href')})"
            absence = ABSENCE_LINK_CLASS in links[index]["class"].split()
            url = page.url
            # Hover with the mouse.
            link.evaluate(_SCROLL_TO)
            # Point at the middle of the link's first line: a link that wraps over two lines has a
            # bounding box whose centre can fall on the text between its two pieces.
            first_line = link.evaluate(_FIRST_LINE)
            page.mouse.move(first_line["x"], first_line["y"])
            try:
                page.wait_for_function("() => { const b = document.getElementById('alliance-popover'); return b && !b.hidden; }",
                                       timeout=2_000)
            except Exception:  # noqa: BLE001 - reported below
                pass
            state = link.evaluate(_POPOVER_STATE)
            if not state["shown"]:
                problems.append(f"{at}: hover shows no popover")
            elif absence:
                if state["text"] != link.evaluate(_ABSENCE_TEXT) or not state["text"]:
                    problems.append(f"{at}: absence popover shows {state['text']!r}")
            else:
                missing = [p[:60] for p in expected_parts(links[index], data) if p not in state["text"]]
                if missing:
                    problems.append(f"{at}: hover popover lacks {missing}")
            if state["shown"] and (state["role"] != "tooltip" or not state["inView"]):
                problems.append(f"{at}: hover popover role {state['role']!r}, within the screen's width: {state['inView']}")
            if state["shown"] and rel in axe_pages and index == 0:
                page.add_script_tag(path=str(AXE_JS))
                problems += [f"{at}: axe (light): {v}" for v in page.evaluate(_AXE_RUN, [["serious", "critical"], None])]
            page.mouse.move(1, 1)
            try:
                page.wait_for_function("() => document.getElementById('alliance-popover').hidden", timeout=2_000)
            except Exception:  # noqa: BLE001
                problems.append(f"{at}: the popover stays after the mouse leaves")
            # Keyboard focus, then Escape.
            link.focus()
            state = link.evaluate(_POPOVER_STATE)
            if not state["shown"]:
                problems.append(f"{at}: focus shows no popover")
            elif "alliance-popover" not in state["describedby"].split():
                problems.append(f"{at}: focused, aria-describedby is {state['describedby']!r}")
            elif not absence and expected_parts(links[index], data)[1] not in state["text"]:
                problems.append(f"{at}: focus popover lacks the paragraph's text")
            if state["shown"] and rel in axe_pages and index == 0:
                page.evaluate(_DARK_MODE)
                problems += [f"{at}: axe (dark): {v}" for v in page.evaluate(
                    _AXE_RUN, [["serious", "critical"], ["color-contrast"]])]
            page.keyboard.press("Escape")
            state = link.evaluate(_POPOVER_STATE)
            if state["shown"] or "alliance-popover" in state["describedby"]:
                problems.append(f"{at}: Escape leaves the popover shown={state['shown']}, "
                                f"aria-describedby={state['describedby']!r}")
            link.evaluate("(a) => a.blur()")
            if page.url != url:
                problems.append(f"{at}: hovering or focusing left the page for {page.url}")
            checked += 1
        problems += [f"{rel}: page error {e}" for e in errors]
        page.close()
    context.close()
    print(f"\n{edition}: hover and focus checked on {checked} citations of {len(pages)} pages")
    assert not refused, f"requests left the machine: {refused[:5]}"
    assert not problems, "\n".join(problems[:60])
    assert checked >= 2 * len(pages)


@pytest.mark.browser
def test_a_tap_opens_the_popover_and_its_link_opens_the_reader(html_dir: Path, browser_run, edition: str) -> None:
    browser, base = browser_run
    data = paragraph_data(__import__("alliance").load_corpus())
    pages = pages_with_citations(html_dir)
    tapped_pages = sorted(pages, key=lambda rel: (-len(pages[rel]), rel))[:TAP_PAGES_PER_EDITION]
    refused: list[str] = []
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, service_workers="block")
    _offline(context, refused)
    problems: list[str] = []
    checked = 0
    tapped_pages_seen: set[str] = set()
    for rel in sorted(pages):
        # Every page with citations: one tap opens its popover. The pages with the most citations:
        # the whole sample, and the popover's link and a second tap lead to the reader.
        full = rel in tapped_pages
        links = pages[rel]
        page = context.new_page()
        page.goto(base + rel, wait_until="load")
        indexes = [i for i in visible_sample(page, links) if ABSENCE_LINK_CLASS not in links[i]["class"].split()]
        for index in indexes if full else indexes[:1]:
            tapped_pages_seen.add(rel)
            at = f"{rel} link {index} ({links[index].get('href')})"
            page.goto(base + rel, wait_until="load")
            page.wait_for_function("() => window.allianceParagraphs !== undefined", timeout=5_000)
            link = page.locator("article a.alliance-para-link").nth(index)
            link.evaluate(_SCROLL_TO)
            before = page.url
            link.tap()
            page.wait_for_timeout(200)
            state = link.evaluate(_POPOVER_STATE)
            target = urljoin(before, links[index]["href"])
            if page.url != before:
                problems.append(f"{at}: the first tap navigated to {page.url}")
                continue
            if not state["shown"] or not state["inView"]:
                problems.append(f"{at}: the tap shows no popover within the screen ({state})")
                continue
            if expected_parts(links[index], data)[1][:200] not in state["text"]:
                problems.append(f"{at}: tapped popover lacks the paragraph's text")
            if not full:
                checked += 1
                continue
            if "Open in the source reader" not in state["text"] or state["openHref"] != target:
                problems.append(f"{at}: no 'Open in the source reader' link to {target} ({state['openHref']})")
                continue
            with page.expect_navigation():
                page.locator("#alliance-popover a").tap()
            if page.url != target:
                problems.append(f"{at}: the popover's link went to {page.url}, not {target}")
            # A second tap on the same citation follows it.
            page.goto(base + rel, wait_until="load")
            page.wait_for_function("() => window.allianceParagraphs !== undefined", timeout=5_000)
            link = page.locator("article a.alliance-para-link").nth(index)
            link.evaluate(_SCROLL_TO)
            link.tap()
            page.wait_for_timeout(200)
            try:
                with page.expect_navigation(timeout=5_000):
                    link.tap()
            except Exception:  # noqa: BLE001 - reported below
                pass
            if page.url != target:
                problems.append(f"{at}: a second tap did not open the reader ({page.url})")
            checked += 1
        page.close()
    # A mouse click still navigates at once.
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    page = context.new_page()
    rel = tapped_pages[0]
    page.goto(base + rel, wait_until="load")
    with page.expect_navigation():
        page.locator("article a.alliance-para-link").first.click()
    if page.url != urljoin(base + rel, pages[rel][0]["href"]):
        problems.append(f"{rel}: a mouse click went to {page.url}")
    context.close()
    print(f"\n{edition}: tap checked on {checked} citations of {len(tapped_pages_seen)} pages")
    assert not refused, f"requests left the machine: {refused[:5]}"
    assert not problems, "\n".join(problems[:60])
    assert tapped_pages_seen == set(pages), f"no citation tapped on {sorted(set(pages) - tapped_pages_seen)}"
