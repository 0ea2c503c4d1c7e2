"""The EPUB's cover image, drawn from the course's title as SVG and stored as PNG (which every e-reader shows)."""
from __future__ import annotations

import html as html_lib

#: The cover's size in pixels (the 1:1.6 of most e-reader screens and shops).
COVER_SIZE = (1600, 2560)
#: The cover's colours: background, text, and the accent (the charts' Okabe-Ito orange and blue).
COVER_COLOURS = {"background": "#0b2f4f", "text": "#ffffff", "muted": "#c9d6e3", "accent": "#E69F00", "band": "#0072B2"}
#: The cover's font: the static charts' (DejaVu Sans, present wherever fontconfig is).
COVER_FONT = "DejaVu Sans"


def wrap_title(title: str, width: int) -> list[str]:
    """``title`` in lines of at most ``width`` characters, broken between words (a longer word keeps
    its own line)."""
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def cover_svg(title: str, author: str, edition: str, size: tuple[int, int] = COVER_SIZE) -> str:
    """The cover as an SVG: the title (wrapped, large), the edition and the authors, on the course's
    colours. Drawn from text only: no external asset."""
    width, height = size
    colours = COVER_COLOURS
    esc = html_lib.escape
    title_size = width // 11
    lines = wrap_title(title, 16)
    top = int(height * 0.30)
    title_lines = "".join(
        f'<text x="{width // 12}" y="{top + i * int(title_size * 1.25)}" font-size="{title_size}" '
        f'font-weight="bold" fill="{colours["text"]}">{esc(line)}</text>' for i, line in enumerate(lines))
    below = top + len(lines) * int(title_size * 1.25) + width // 20
    small = width // 28
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{COVER_FONT}">'
        f'<rect width="{width}" height="{height}" fill="{colours["background"]}"/>'
        f'<rect y="{int(height * 0.12)}" width="{width}" height="{height // 64}" fill="{colours["band"]}"/>'
        f'<rect x="{width // 12}" y="{top - title_size - width // 16}" width="{width // 5}" height="{width // 80}" '
        f'fill="{colours["accent"]}"/>'
        f"{title_lines}"
        f'<text x="{width // 12}" y="{below}" font-size="{small}" fill="{colours["muted"]}">'
        f"{esc(edition.capitalize())} edition of the course book</text>"
        f'<text x="{width // 12}" y="{int(height * 0.90)}" font-size="{small}" fill="{colours["text"]}">{esc(author)}</text>'
        f'<rect y="{int(height * 0.95)}" width="{width}" height="{height // 20}" fill="{colours["band"]}"/>'
        "</svg>")


def cover_png(title: str, author: str, edition: str) -> bytes:
    """The cover image as PNG (:func:`cover_svg` rasterised offline by vl-convert)."""
    import vl_convert

    return vl_convert.svg_to_png(cover_svg(title, author, edition), scale=1)
