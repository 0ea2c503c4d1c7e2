"""A page's links inside the EPUB: between pages, links between its documents; to anything outside the book,
the full address, shown.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from alliance.book.epub.toc import xhtml_name


@dataclass
class LinkMap:
    """The book's pages inside the EPUB and their ids, to rewrite a page's links."""

    ids: dict[str, dict[str, str]]     # built page path -> (old id -> new id)
    base_url: str                      # the published book, for links to files outside the EPUB ("" = none)
    internal: int = 0
    external: int = 0

    def rewrite(self, page: str, href: str) -> tuple[str, bool]:
        """``href`` of ``page`` as an EPUB href; the flag is True when it points outside the EPUB."""
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//"):
            return href, True
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path)) if parts.path else page
        if target not in self.ids:
            # A download, a notebook or a page not in the e-book: its address on the published site
            # ("" while the book has no published address: the link is then dropped, its text kept).
            if not self.base_url:
                return "", True
            full = self.base_url + target + (f"#{parts.fragment}" if parts.fragment else "")
            return full, True
        fragment = ""
        if parts.fragment:
            new_id = self.ids[target].get(parts.fragment)
            if new_id is None:
                raise ValueError(f"{page}: link {href!r} points to an id that {target} does not have")
            fragment = f"#{new_id}"
        if target == page:
            return fragment or "#", False
        relative = posixpath.relpath(xhtml_name(target), posixpath.dirname(page) or ".")
        return relative + fragment, False

    def apply(self, page: str, soup: BeautifulSoup) -> None:
        """Rewrite every link of the page (``a href``, ``blockquote cite``); external addresses
        are listed in full in numbered notes at the end of the page, each link followed by its
        note's number, when the link's text is not the address itself."""
        notes: list[str] = []
        for tag in soup.find_all("a", href=True):
            href, external = self.rewrite(page, str(tag["href"]))
            if not href:
                tag.unwrap()
                continue
            tag["href"] = href
            if external:
                self.external += 1
                if tag.get_text(strip=True) != href:
                    if href not in notes:
                        notes.append(href)
                    mark = soup.new_tag("sup", attrs={"class": "alliance-note-ref"})
                    mark.string = str(notes.index(href) + 1)
                    tag.insert_after(mark)
            else:
                self.internal += 1
        if notes:
            aside = soup.new_tag("aside", attrs={"class": "alliance-notes"})
            title = soup.new_tag("p", attrs={"class": "alliance-notes-title"})
            title.string = "Web addresses on this page"
            aside.append(title)
            listing = soup.new_tag("ol")
            for href in notes:
                item = soup.new_tag("li", attrs={"class": "alliance-address"})
                item.string = href
                listing.append(item)
            aside.append(listing)
            (soup.find("article") or soup).append(aside)
        for tag in soup.find_all(cite=True):
            cite = self.rewrite(page, str(tag["cite"]))[0]
            if cite:
                tag["cite"] = cite
            else:
                del tag["cite"]
        for tag in soup.find_all("a", href=False):
            tag.unwrap()
