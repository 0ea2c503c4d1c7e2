"""The theme's stylesheets and icon fonts trimmed to what the book uses (``alliance.book.theme_assets``).

Unit tests on small inputs, then on the built book: every icon the pages name is still in the
fonts, drawn by the same outline, and a browser finds the same computed style on every element
(and its ``::before``/``::after``) of sample pages, in both colour modes, on a desktop and a phone,
with menus open, as with the theme's original files.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from alliance.book.site import CHROMIUM_ARGS, find_chromium, serve
from alliance.book.theme_assets import (CACHE_NAME, ICON_FONTS, icon_codepoints, prune_css, selector_classes,
                                   subset_font, trim_theme_assets, used_classes)
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML_DIR = Path(os.environ.get("ALLIANCE_HTML") or ROOT / "_build" / "html").resolve()
ORIGINALS = HTML_DIR.parent / CACHE_NAME / "originals"


def theme_font(name: str = "fa-solid-900.woff2") -> bytes:
    """A Font Awesome font as pydata-sphinx-theme ships it."""
    import pydata_sphinx_theme

    found = sorted(Path(pydata_sphinx_theme.__file__).parent.rglob(name))
    assert found, f"{name} not found in pydata-sphinx-theme"
    return found[0].read_bytes()


def cmap_and_outlines(font: bytes) -> tuple[dict[int, str], dict[str, object]]:
    from fontTools.ttLib import TTFont

    loaded = TTFont(io.BytesIO(font))
    cmap = loaded.getBestCmap()
    glyf = loaded["glyf"]
    outlines = {name: (list(glyf[name].getCoordinates(glyf)[0]), loaded["hmtx"][name]) for name in set(cmap.values())}
    return cmap, outlines


# ------------------------------------------------------------------ units

def test_selector_classes_ignore_attributes_strings_and_parentheses() -> None:
    assert selector_classes(".a .b > .c:hover") == {"a", "b", "c"}
    assert selector_classes('a[href$=".pdf"]') == set()
    assert selector_classes(".a:not(.zz)") == {"a"}
    assert selector_classes(".a:is(.x, .y:not(.z)) .b") == {"a", "b"}


def test_prune_css_drops_only_selectors_with_an_unused_class() -> None:
    css = ("/* note */ .used{color:red} .unused{color:blue} .used,.unused{margin:0} "
           ".used:not(.unused){padding:1px} a[href$='.pdf']{x:y} :root{--v:1} "
           "@media (min-width:960px){.unused{a:b}.used{c:d}} @media print{.unused{e:f}} "
           "@font-face{font-family:F;src:url(f.woff2)} @keyframes k{from{opacity:0}to{opacity:1}} "
           ".bs-tooltip-top{g:h}")
    pruned = prune_css(css, frozenset({"used"}))
    assert ".unused{" not in pruned and "blue" not in pruned and "print" not in pruned and "note" not in pruned
    assert ".used{color:red}" in pruned and ".used{margin:0}" in pruned
    assert ".used:not(.unused){padding:1px}" in pruned and 'a[href$=".pdf"]{x:y}' in pruned and ":root{--v:1}" in pruned
    assert "@media (min-width:960px){.used{c:d}}" in pruned
    assert "@font-face" in pruned and "@keyframes k" in pruned
    assert ".bs-tooltip-top{g:h}" in pruned  # built by Bootstrap's script from parts: always kept


def test_used_classes_come_from_class_attributes_inline_scripts_and_script_files() -> None:
    page = '<div class="a b&#32;c"><p>words .notaclass</p><script>el.classList.add("opened")</script></div>'
    classes = used_classes([page], ["x.className = 'show fade'"])
    assert {"a", "b", "c", "opened", "show", "fade"} <= classes
    assert "words" not in classes and "notaclass" not in classes


def test_icon_codepoints_read_escapes_and_literal_characters() -> None:
    css = 'a:before{content:"\\f019"} b{--pst-icon-x:"\ue001"} c:after{content:var(--i,\'\\f00c \')}'
    assert {0xF019, 0xE001, 0xF00C} <= icon_codepoints(css)
    assert icon_codepoints(".a{color:red}") == frozenset()


def test_subset_font_keeps_exactly_the_glyphs_asked_for() -> None:
    original = theme_font()
    wanted = frozenset({0xF019, 0xF105})
    trimmed = subset_font(original, wanted)
    cmap, outlines = cmap_and_outlines(trimmed)
    full_cmap, full_outlines = cmap_and_outlines(original)
    assert set(cmap) >= wanted and len(trimmed) < len(original) // 10
    for code in wanted:
        assert outlines[cmap[code]] == full_outlines[full_cmap[code]], hex(code)
    assert 0xF00C not in cmap  # an icon not asked for is gone


def _fake_book(root: Path) -> Path:
    outdir = root / "html"
    (outdir / "_static").mkdir(parents=True)
    (outdir / "page.html").write_text('<i class="fa-solid fa-download"></i><p class="used">x</p>', encoding="utf-8")
    (outdir / "_static" / "theme.css").write_text(
        '.used{color:red}.spare{color:blue}.fa-download:before{content:"\\f019"}.fa-check:before{content:"\\f00c"}',
        encoding="utf-8")
    (outdir / ICON_FONTS).mkdir(parents=True)
    (outdir / ICON_FONTS / "fa-solid-900.woff2").write_bytes(theme_font())
    return outdir


def test_trim_is_cached_and_redone_from_the_original_when_the_pages_change(tmp_path: Path) -> None:
    outdir = _fake_book(tmp_path)
    sheet, font = outdir / "_static" / "theme.css", outdir / ICON_FONTS / "fa-solid-900.woff2"
    original_css = sheet.read_text(encoding="utf-8")

    first = trim_theme_assets(outdir)
    assert sorted(first.written) == ["_static/theme.css", f"{ICON_FONTS}/fa-solid-900.woff2"]
    assert ".spare" not in sheet.read_text(encoding="utf-8") and ".fa-check" not in sheet.read_text(encoding="utf-8")
    assert set(cmap_and_outlines(font.read_bytes())[0]) >= {0xF019} and 0xF00C not in cmap_and_outlines(font.read_bytes())[0]
    trimmed_css = sheet.read_text(encoding="utf-8")

    assert trim_theme_assets(outdir).written == []  # nothing changed: nothing written

    sheet.write_text(original_css, encoding="utf-8")  # Sphinx copies the theme's file again
    assert trim_theme_assets(outdir).written == ["_static/theme.css"]
    assert sheet.read_text(encoding="utf-8") == trimmed_css

    # A page now uses a class and an icon the trimmed files had dropped: both come back, from the originals.
    (outdir / "other.html").write_text('<p class="spare"><i class="fa-solid fa-check"></i></p>', encoding="utf-8")
    again = trim_theme_assets(outdir)
    assert sorted(again.written) == ["_static/theme.css", f"{ICON_FONTS}/fa-solid-900.woff2"]
    assert ".spare{color:blue}" in sheet.read_text(encoding="utf-8")
    assert 0xF00C in cmap_and_outlines(font.read_bytes())[0]


# ------------------------------------------------------------------ the built book

def _built() -> None:
    if not (HTML_DIR / "intro.html").exists() or not ORIGINALS.is_dir():
        pytest.fail(f"no built book with trimmed theme files in {HTML_DIR}: run `make book`", pytrace=False)


@pytest.mark.build
def test_built_book_fonts_hold_every_icon_its_pages_name() -> None:
    _built()
    sheet = (HTML_DIR / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    # The icon rules, ".fa-download:before{content:...}", with the character escaped or written as itself.
    rule = {name: min(icon_codepoints(f'"{value}"'))
            for name, value in re.findall(r'\.(fa-[\w-]+):before\{content:"([^"]+)"\}', sheet)}
    named = set()
    for page in HTML_DIR.rglob("*.html"):
        named.update(re.findall(r'\bfa-[a-z0-9-]+\b', page.read_text(encoding="utf-8", errors="replace")))
    icons = {name for name in named if name in rule}
    assert {"fa-download", "fa-magnifying-glass", "fa-angle-right"} <= icons
    fonts = sorted((HTML_DIR / ICON_FONTS).glob("*.woff2"))
    kept = {code for font in fonts for code in cmap_and_outlines(font.read_bytes())[0]}
    missing = sorted(name for name in icons if rule[name] not in kept)
    assert not missing, f"icons named by the pages but cut from the fonts: {missing}"
    for font in fonts:  # same outline as the theme's font
        cmap, outlines = cmap_and_outlines(font.read_bytes())
        full_cmap, full_outlines = cmap_and_outlines((ORIGINALS / font.relative_to(HTML_DIR)).read_bytes())
        for code in cmap:
            if code in full_cmap and code >= 0xE000:
                assert outlines[cmap[code]] == full_outlines[full_cmap[code]], (font.name, hex(code))
    assert sum(f.stat().st_size for f in fonts) < 40_000


#: Pages for the computed-style comparison; the menus (``_OPEN``) are opened on the first.
STYLE_PAGES = ["intro.html", "chapters/01-alliance-evolution.html", "appendix/glossary.html", "search.html?q=alliance"]
#: Transitions and animations off (both sides alike): a fade half-way through is no difference.
_STILL = """document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style');
  s.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
  document.head.appendChild(s); });"""
#: The search page is compared once its results are in.
_SEARCH_DONE = "() => (document.querySelector('p.search-summary') || {}).innerText"
#: Every element's computed style (every property but the custom ``--*`` ones, whose effect shows in
#: the others) and its ::before/::after content, font and colour,
#: as the element's name and a 32-bit FNV-1a digest of that text (the full text of 2,000 elements
#: times 20 views would not fit in memory).
_STYLES = """() => [...document.querySelectorAll('body *')].map(e => {
  const s = getComputedStyle(e), b = getComputedStyle(e, '::before'), a = getComputedStyle(e, '::after');
  const all = [];
  for (let i = 0; i < s.length; i++) { if (!s[i].startsWith('--')) { all.push(s[i] + ':' + s.getPropertyValue(s[i])); } }
  all.sort();
  const pseudo = p => [p.content, p.fontFamily, p.color, p.display, p.width, p.height, p.backgroundColor].join(',');
  const text = all.join(';') + ' ::before ' + pseudo(b) + ' ::after ' + pseudo(a);
  let h = 0x811c9dc5; for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  const cls = typeof e.className === 'string' ? e.className.trim().split(/\\s+/).slice(0, 3).join('.') : '';
  return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (cls ? '.' + cls : '') + ' ' + h.toString(16);
})"""
_OPEN = {
    "download menu": ".dropdown-download-buttons button",
    "sidebar": "button.primary-toggle, label.primary-toggle, .primary-toggle",
    "search dialog": "button.search-button-field, .search-button__button, button[aria-label='Search']",
}


def _styles(root: Path) -> dict[str, list[str]]:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        pytest.fail("Chromium not found (make browser)", pytrace=False)
    found: dict[str, list[str]] = {}
    with serve(root) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for scheme in ("light", "dark"):
                for width, height in ((1280, 900), (390, 844)):
                    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                                  reduced_motion="reduce")
                    context.add_init_script(_STILL)
                    for rel in STYLE_PAGES:
                        page = context.new_page()
                        page.goto(base + rel, wait_until="load")
                        if rel.startswith("search.html"):
                            page.wait_for_function(_SEARCH_DONE, timeout=15_000)
                        page.wait_for_timeout(300)
                        found[f"{scheme} {width} {rel}"] = page.evaluate(_STYLES)
                        for state, selector in (_OPEN.items() if rel == STYLE_PAGES[0] else ()):
                            target = page.query_selector(selector)
                            if target is None or not target.is_visible():
                                continue
                            target.click()
                            page.wait_for_timeout(300)
                            found[f"{scheme} {width} {rel} {state}"] = page.evaluate(_STYLES)
                            page.keyboard.press("Escape")
                            page.reload(wait_until="load")
                            page.wait_for_timeout(300)
                        page.close()
                    context.close()
        finally:
            browser.close()
    return found


@pytest.mark.browser
@pytest.mark.slow  # 2 min: `make test-slow`
def test_trimmed_theme_gives_every_element_the_style_of_the_original(tmp_path: Path) -> None:
    _built()
    untrimmed = tmp_path / "html"
    shutil.copytree(HTML_DIR, untrimmed, ignore=shutil.ignore_patterns("_sources", "_images", "*.ipynb", "*.pdf",
                                                                        "*.epub", "*.zip"))
    restored = 0
    for original in ORIGINALS.rglob("*"):
        if original.is_file():
            shutil.copyfile(original, untrimmed / original.relative_to(ORIGINALS))
            restored += 1
    assert restored >= 3
    trimmed_styles, original_styles = _styles(HTML_DIR), _styles(untrimmed)
    assert trimmed_styles.keys() == original_styles.keys()
    assert any(key.endswith("download menu") for key in trimmed_styles) and any(key.endswith("sidebar")
                                                                                 for key in trimmed_styles)
    differences = []
    for key, elements in original_styles.items():
        other = trimmed_styles[key]
        if len(other) != len(elements):
            differences.append(f"{key}: {len(elements)} elements, trimmed {len(other)}")
            continue
        differences += [f"{key}: {a.rsplit(' ', 1)[0]} styled differently" for a, b in zip(elements, other) if a != b][:3]
    assert not differences, json.dumps(differences[:10], indent=1)
