"""Reading a filled marking sheet as a spreadsheet saved it: its encoding, its separator, its rows.

UTF-8 with or without BOM, Windows-1252 or UTF-16; comma, semicolon or tab between cells. Anything else is
refused with a message naming what was found, and a Windows-1252 reading that looks garbled (a Mac Roman
sheet) is refused too.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from alliance.classroom.marking.sheet import MARKS_COLUMNS, RUN_COLUMN, MarkingError

#: The encodings a marking sheet is read in, in order (a spreadsheet on Windows saves Windows-1252).
SHEET_ENCODINGS = ("utf-8-sig", "cp1252")
#: Field separators a spreadsheet may save a "CSV" with (semicolons where the decimal mark is a comma).
SHEET_SEPARATORS = (",", ";", "\t")


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16"}
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def decode_sheet(sheet: Path) -> tuple[str, str]:
    """The text of a sheet and its encoding's name: UTF-8 (with or without BOM), UTF-16 with a BOM
    (Excel's "Unicode text"), or Windows-1252 (Excel's "CSV" on Windows); anything else is refused."""
    data = Path(sheet).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), _ENCODING_NAMES["utf-16"]
    failure = None
    for encoding in SHEET_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            failure = failure or error
            continue
        garbled = misread(text) if encoding == "cp1252" else ""
        if garbled:
            raise MarkingError(f"{sheet}: tried UTF-8, then Windows-1252, and the Windows-1252 reading looks garbled "
                               f"({garbled}): the sheet was probably saved in another encoding (Mac Roman, from an "
                               f"older Mac spreadsheet, reads this way); nothing was merged. Save it from your "
                               f"spreadsheet as \"CSV UTF-8\" and merge it again.")
        return text, _ENCODING_NAMES[encoding]
    where = failure.start if failure else 0
    raise MarkingError(f"{sheet}: neither UTF-8 nor Windows-1252 text (byte 0x{data[where]:02X} at position {where}); "
                       "nothing was merged. Save it from your spreadsheet as \"CSV UTF-8\".")


#: What a Mac Roman sheet read as Windows-1252 shows: a lowercase letter followed by a capital or sign that no
#: word has there ("PrŽcis" for "Précis", "donÕt" for "don’t"), a Mac opening quote before a word ("Ògood"),
#: or a C1 control character.
_MISREAD = re.compile(r"[a-z][ŽŠŒŸˆ‡‰‹›„ÑÓÒÕÔÐ]|[ÒÔ][a-z]|[\x80-\x9f]")


def misread(text: str) -> str:
    """The first stretch of ``text`` that shows a wrong decoding (quoted, with its line), or ""."""
    found = _MISREAD.search(text)
    if not found:
        return ""
    line = text.count("\n", 0, found.start()) + 1
    start = max(text.rfind("\n", 0, found.start()) + 1, found.start() - 12)
    return f"line {line}: {text[start:found.end() + 12].splitlines()[0]!r}"


def sheet_separator(header: str, sheet: Path, encoding: str) -> str:
    """The separator of the header line: comma, semicolon or tab, whichever splits it most."""
    counts = {sep: header.count(sep) for sep in SHEET_SEPARATORS}
    best = max(SHEET_SEPARATORS, key=lambda sep: counts[sep])
    if counts[best] == 0:
        raise MarkingError(f"{sheet}: line 1 ({encoding} text): no comma, semicolon or tab between the column "
                           f"names ({header.strip()[:80]!r}); nothing was merged. Expected the columns "
                           f"{', '.join(MARKS_COLUMNS)}.")
    return best


def read_sheet(sheet: Path) -> tuple[list[tuple[int, dict[str, str]]], str]:
    """The rows of a marking sheet with the line each starts on, and how it was read
    ("UTF-8, comma-separated"). Blank rows are skipped; a sheet without the columns is refused."""
    text, encoding = decode_sheet(sheet)
    header = text.split("\n", 1)[0]
    separator = sheet_separator(header, sheet, encoding)
    how = f"{encoding}, {_SEPARATOR_NAMES[separator]}-separated"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    columns = [c.strip().lower() for c in next(reader, [])]
    missing = [c for c in MARKS_COLUMNS if c not in columns]
    if missing:
        raise MarkingError(f"{sheet}: line 1: missing column(s) {', '.join(missing)} (read as {how}: found "
                           f"{', '.join(columns) or 'nothing'}); expected {', '.join(MARKS_COLUMNS)}.")
    rows, line = [], 1
    for cells in reader:
        start, line = line + 1, reader.line_num
        row = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns)}
        if any(v.strip() for v in row.values()):
            rows.append((start, row))
    return rows, how


def sheet_runs(sheet: Path) -> set[str]:
    """The grading runs a sheet's ``run`` column names (empty when unreadable or without the column)."""
    try:
        rows, _ = read_sheet(sheet)
    except MarkingError:
        return set()
    return {row.get(RUN_COLUMN, "").strip() for _, row in rows} - {""}
