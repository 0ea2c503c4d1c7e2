"""Trim the theme's stylesheets and icon fonts to what the built book uses.

The book's theme (pydata-sphinx-theme, under sphinx-book-theme) ships all of Bootstrap's CSS and
all Font Awesome icons: 0.4 MB of stylesheet and 0.27 MB of icon fonts on every page, of which a
page uses a small part. After each HTML build (``alliance.book.sphinxext``), :func:`trim_theme_assets`

* removes from every stylesheet in ``_static/`` the selectors that name a class no page and no
  script of the book uses (:func:`prune_css`): the classes are read from the pages' ``class``
  attributes and inline scripts and from every ``.js`` file in ``_static/`` (scripts add classes
  such as ``show`` when a menu opens); a class inside ``:not()``, ``:is()`` or another
  parenthesis never removes a selector, and the class prefixes of ``KEPT_CLASS_PREFIXES`` (which
  scripts build from parts) are always kept;
* cuts the Font Awesome fonts down to the icons the remaining CSS still names (:func:`icon_codepoints`,
  :func:`subset_font`).

Sphinx copies the theme's files again at every build; the trimmed files are kept in a cache next
to the output folder, keyed by the original file and by what the book uses, so a build that
changes nothing redoes nothing.
"""
from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from alliance.editions.publish import bytes_digest as _digest

#: Class prefixes kept whatever the pages hold: Bootstrap builds these class names from parts
#: (``bs-tooltip-`` + placement) when it shows a tooltip or popover.
KEPT_CLASS_PREFIXES = ("bs-tooltip-", "bs-popover-")
#: Scripts in ``_static/`` that hold data, not code: their words are not classes (the citation
#: popovers' paragraph text, ``alliance.book.popovers.PARAGRAPHS_JS``, would keep ``.show``, ``.table``…).
DATA_SCRIPTS = ("alliance-paragraphs.js",)
#: Where the icon fonts are, under the output folder.
ICON_FONTS = "_static/vendor/fontawesome/webfonts"
#: The cache folder's name, next to the output folder.
CACHE_NAME = ".alliance-theme-assets"

_CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_CLASS_IN_SELECTOR = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
_ATTRIBUTE_OR_STRING = re.compile(r"\[[^\]]*\]|\"[^\"]*\"|'[^']*'")
_PARENTHESIS = re.compile(r"\([^()]*\)")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")
_CSS_STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")


def used_classes(html_pages: Iterable[str], scripts: Iterable[str]) -> frozenset[str]:
    """Every class name the book may use: the words of the pages' ``class`` attributes and inline
    scripts, and every word of ``scripts`` (a superset: a word that is not a class costs nothing)."""
    found: set[str] = set()
    for page in html_pages:
        for value in _CLASS_ATTR.findall(page):
            found.update(html.unescape(value).split())
        for script in _SCRIPT.findall(page):
            found.update(_WORD.findall(script))
    for script in scripts:
        found.update(_WORD.findall(script))
    return frozenset(found)


def selector_classes(selector: str) -> set[str]:
    """The classes a selector requires: outside attribute selectors, strings and parentheses
    (``:not(.x)`` does not require ``x``, and ``:is(.x, .y)`` requires neither alone)."""
    bare = _ATTRIBUTE_OR_STRING.sub("", selector)
    while True:
        shorter = _PARENTHESIS.sub("", bare)
        if shorter == bare:
            break
        bare = shorter
    return set(_CLASS_IN_SELECTOR.findall(bare))


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas."""
    parts, depth, current = [], 0, []
    for char in prelude:
        depth += char in "([" and 1 or char in ")]" and -1 or 0
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _is_used(selector: str, classes: frozenset[str]) -> bool:
    return all(name in classes or name.startswith(KEPT_CLASS_PREFIXES) for name in selector_classes(selector))


def _prune_rules(rules: list, classes: frozenset[str]) -> list[str]:
    import tinycss2

    kept: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [s for s in _split_selectors(tinycss2.serialize(rule.prelude)) if _is_used(s, classes)]
            if selectors:
                kept.append(",".join(selectors) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule":
            if rule.lower_at_keyword in ("media", "supports", "layer", "container") and rule.content is not None:
                inner = _prune_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                              skip_whitespace=True), classes)
                if inner:
                    kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
            else:
                kept.append(tinycss2.serialize([rule]))
    return kept


def prune_css(css: str, classes: frozenset[str]) -> str:
    """``css`` without the selectors that need a class outside ``classes`` (and without the rules
    left with no selector); at-rules such as ``@font-face`` and ``@keyframes`` are kept whole,
    and ``@media``/``@supports`` blocks are pruned inside. Comments are dropped."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return "".join(_prune_rules(rules, classes))


def icon_codepoints(css: str) -> frozenset[int]:
    """Every character written in a string of ``css``, as an escape (``"\\f019"``) or as itself:
    the icons that Font Awesome's rules (``content: "\\f019"``) and the theme's custom properties
    (``--pst-icon-admonition-tip: ""``, used through ``content: var(...)``) draw."""
    found: set[int] = set()
    for double, single in _CSS_STRING.findall(css):
        value = double or single
        found.update(int(code, 16) for code in _CSS_ESCAPE.findall(value))
        found.update(ord(char) for char in _CSS_ESCAPE.sub("", value).replace("\\", ""))
    return frozenset(found)


def subset_font(font: bytes, codepoints: frozenset[int]) -> bytes:
    """``font`` (WOFF2) cut down to the glyphs of ``codepoints`` (fontTools, with brotli)."""
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its INFO lines would fill the build log
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    loaded = TTFont(io.BytesIO(font))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(loaded)
    out = io.BytesIO()
    loaded.flavor = "woff2"
    loaded.save(out)
    return out.getvalue()


class _Cache:
    """Originals and trimmed versions of the output folder's files, and which is on disk now."""

    def __init__(self, outdir: Path):
        self.root = outdir.parent / CACHE_NAME
        self.manifest_path = self.root / "manifest.json"
        try:
            self.manifest: dict[str, dict[str, str]] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.manifest = {}

    def rewrite(self, path: Path, rel: str, key: str, trim: Callable[[bytes], bytes]) -> bool:
        """Put the trimmed version of ``path``'s original on disk (``key`` says what it depends on
        besides the original). Returns whether the file was written."""
        data = path.read_bytes()
        record = self.manifest.get(rel, {})
        current = _digest(data)
        ours = current == record.get("output")
        if ours and record.get("key") == key:
            return False
        original_file = self.root / "originals" / rel
        if ours and original_file.exists():
            original = original_file.read_bytes()
        else:  # a fresh copy from the theme (Sphinx copies its static files at every build)
            original = data
            original_file.parent.mkdir(parents=True, exist_ok=True)
            original_file.write_bytes(original)
        trimmed_file = self.root / "trimmed" / f"{_digest(original)[:24]}-{key[:24]}{path.suffix}"
        if trimmed_file.exists():
            trimmed = trimmed_file.read_bytes()
        else:
            trimmed = trim(original)
            trimmed_file.parent.mkdir(parents=True, exist_ok=True)
            trimmed_file.write_bytes(trimmed)
        path.write_bytes(trimmed)
        self.manifest[rel] = {"output": _digest(trimmed), "key": key}
        return True

    def save(self) -> None:
        """Write the manifest (which trimmed version each file now holds)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(self.manifest, indent=1, sort_keys=True), encoding="utf-8")


@dataclass
class TrimReport:
    """What :func:`trim_theme_assets` did: each trimmed file's size now (by path relative to the
    output folder), and the files it had to write (the others were already trimmed)."""

    sizes: dict[str, int] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)


def trim_theme_assets(outdir: Path) -> TrimReport:
    """Trim the stylesheets and icon fonts of the HTML book in ``outdir`` (see the module's text)."""
    static = outdir / "_static"
    cache = _Cache(outdir)
    report = TrimReport()
    pages = (p.read_text(encoding="utf-8", errors="replace") for p in sorted(outdir.rglob("*.html")))
    scripts = (p.read_text(encoding="utf-8", errors="replace") for p in sorted(static.rglob("*.js"))
               if p.name not in DATA_SCRIPTS)
    classes = used_classes(pages, scripts)
    classes_key = _digest("\n".join(sorted(classes)).encode())
    icons: set[int] = set()
    for sheet in sorted(static.rglob("*.css")):
        rel = sheet.relative_to(outdir).as_posix()
        if cache.rewrite(sheet, rel, classes_key,
                         lambda data: prune_css(data.decode("utf-8"), classes).encode("utf-8")):
            report.written.append(rel)
        icons |= icon_codepoints(sheet.read_text(encoding="utf-8"))
        report.sizes[rel] = sheet.stat().st_size
    icons_key = _digest(",".join(map(str, sorted(icons))).encode())
    for font in sorted((outdir / ICON_FONTS).glob("*.woff2")):
        rel = font.relative_to(outdir).as_posix()
        if cache.rewrite(font, rel, icons_key, lambda data: subset_font(data, frozenset(icons))):
            report.written.append(rel)
        report.sizes[rel] = font.stat().st_size
    cache.save()
    return report
