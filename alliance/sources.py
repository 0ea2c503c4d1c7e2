"""The metadata table of the sources (``data/sources.csv``) and its checks.

Adding a source means adding a file to ``seeds/`` and a row here: no code changes.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from alliance import paths
from alliance.background import FactRow, institution_row, institution_table
from alliance.errors import MetadataError, SourceError

REQUIRED_COLUMNS: tuple[str, ...] = (
    "source_id", "file_name", "sha256", "title", "authors", "cite_as", "affiliation", "outlet",
    "outlet_country", "genre", "date", "date_precision", "date_basis", "date_as_given",
    "perspective", "bibkey", "notes", "affiliation_paras", "outlet_type", "audience", "aliases",
)
#: The fields that describe a source's vantage point, the same for every source (issue 8).
VANTAGE_FIELDS: dict[str, str] = {
    "cite_as": "Source", "authors": "Author(s)", "affiliation": "Affiliation (as the text states it)",
    "outlet": "Outlet", "outlet_type": "Kind of outlet", "outlet_country": "Outlet's country",
    "genre": "Genre", "audience": "Likely audience",
}
GENRES: frozenset[str] = frozenset({"op-ed", "journal article", "news report", "blog post"})
DATE_FORMATS: dict[str, str] = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
DATE_BASES: frozenset[str] = frozenset({"published", "received", "inferred"})
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_row(row: pd.Series, line: int, csv_path: Path) -> None:
    where = f"{csv_path.name}, row {line} (source_id={row['source_id']!r})"
    for col in ("source_id", "file_name", "sha256", "title", "cite_as", "outlet", "genre", "date", "date_precision",
                "affiliation", "outlet_country", "outlet_type", "audience", "perspective"):
        if not str(row[col]).strip():
            raise MetadataError(f"{where}: column '{col}' is empty. Fill it in.")
    if not _ID_RE.match(row["source_id"]):
        raise MetadataError(
            f"{where}: source_id must be 2-32 lowercase letters, digits or '_', starting with a letter.")
    if not _SHA_RE.match(row["sha256"]):
        raise MetadataError(f"{where}: sha256 must be 64 lowercase hex digits; run `sha256sum seeds/{row['file_name']}`.")
    if row["genre"] not in GENRES:
        raise MetadataError(f"{where}: genre {row['genre']!r} is not one of {sorted(GENRES)}.")
    if row["date_basis"] not in DATE_BASES:
        raise MetadataError(f"{where}: date_basis {row['date_basis']!r} is not one of {sorted(DATE_BASES)}.")
    fmt = DATE_FORMATS.get(row["date_precision"])
    if fmt is None:
        raise MetadataError(
            f"{where}: date_precision {row['date_precision']!r} is not one of {sorted(DATE_FORMATS)}.")
    try:
        pd.to_datetime(row["date"], format=fmt)
    except ValueError:
        raise MetadataError(
            f"{where}: date {row['date']!r} is not a valid date of precision "
            f"{row['date_precision']!r} (expected format {fmt.replace('%', '')}).") from None


def load_metadata(csv_path: Path | None = None) -> pd.DataFrame:
    """Read and validate the source metadata table.

    Raises :class:`MetadataError` naming the file and row for a missing column, a duplicate
    id or file name, an empty required field, an unknown genre or an invalid date.
    """
    csv_path = Path(csv_path or paths.METADATA_CSV)
    if not csv_path.exists():
        raise MetadataError(f"{csv_path}: metadata table not found. It must list one row per seed.")
    table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise MetadataError(f"{csv_path.name}: missing column(s) {missing}. Required: {list(REQUIRED_COLUMNS)}.")
    for col in ("source_id", "file_name"):
        dup = table[table[col].duplicated(keep="first")]
        if not dup.empty:
            line = int(dup.index[0]) + 2
            raise MetadataError(
                f"{csv_path.name}, row {line}: duplicate {col} {dup.iloc[0][col]!r}. Each source needs its own.")
    for idx, row in table.iterrows():
        _check_row(row, int(idx) + 2, csv_path)
    table["date_start"] = [
        pd.to_datetime(d, format=DATE_FORMATS[p]) for d, p in zip(table["date"], table["date_precision"])
    ]
    return table.set_index("source_id", drop=False)


def verify_seeds(metadata: pd.DataFrame, seeds_dir: Path | None = None) -> dict[str, Path]:
    """Check each seed against its sha256; check every seed has a row. Returns id -> path."""
    seeds_dir = Path(seeds_dir or paths.SEEDS_DIR)
    found: dict[str, Path] = {}
    for source_id, row in metadata.iterrows():
        path = seeds_dir / row["file_name"]
        if not path.exists():
            raise SourceError(
                f"{path}: seed file for source {source_id!r} is missing. Restore it byte-for-byte "
                f"from ../shared/seeds/ or remove its row from data/sources.csv.")
        actual = sha256_of(path)
        if actual != row["sha256"]:
            raise SourceError(
                f"{path}: sha256 is {actual}, but data/sources.csv expects {row['sha256']} for "
                f"{source_id!r}. The seed was altered: restore it from ../shared/seeds/ (seeds are never edited).")
        found[str(source_id)] = path
    listed = set(metadata["file_name"])
    for path in sorted(seeds_dir.glob("*.txt")):
        if path.name not in listed:
            raise SourceError(
                f"{path}: seed file has no row in data/sources.csv. Add a row (id, sha256, title, ...) for it.")
    return found


def vantage_table(metadata: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per source, the same columns for each: who wrote it (affiliation as the text
    states it, with the paragraph), where, in which genre, for which likely audience."""
    meta = metadata if metadata is not None else load_metadata()
    table = meta[list(VANTAGE_FIELDS)].copy()
    table["affiliation"] = [f"{a} (¶{p})" if p else a for a, p in zip(meta["affiliation"], meta["affiliation_paras"])]
    return table.rename(columns=VANTAGE_FIELDS).reset_index(drop=True)


def vantage(source_id: str, metadata: pd.DataFrame | None = None) -> str:
    """The one-sentence description of a source's vantage point (``perspective`` in sources.csv)."""
    meta = metadata if metadata is not None else load_metadata()
    return str(meta.loc[source_id, "perspective"])


#: Which institutions each source names, in which role, and where the text names it (issue 18).
SPEAKERS_CSV: Path = paths.DATA_DIR / "source-institutions.csv"
#: What a field reads when the course's reference files hold no page for it.
NO_PAGE = "No page found"
#: The columns of :func:`who_is_speaking`, the same for every source.
WHO_FIELDS: dict[str, str] = {
    "source_id": "Source", "role": "Named as", "institution": "Institution",
    "text_states": "What the text states", "own_description": "What it says of itself",
    "third_party": "What a third party says",
}


@dataclass(frozen=True)
class Speaker:
    """One institution a source names (or the outlet it does not name): where the text names it,
    and the reference rows that describe it, the institution's own and a third party's."""

    source_id: str
    role: str
    institution: str
    text_states: str
    own: tuple[FactRow, ...]
    third_party: tuple[FactRow, ...]


def _described(rows: tuple[FactRow, ...], nothing: str) -> str:
    return " ".join(f"{r.fact} ({r.link_text}, {r.key})." for r in rows) if rows else nothing + "."


def speakers(source_id: str | None = None, csv_path: Path | None = None) -> list[Speaker]:
    """The institutions each source names (``data/source-institutions.csv``), each with its rows of
    ``context-institutions.csv`` split into the institution's own description and a third party's.

    An institution that is not in the reference file, or a source id not in ``sources.csv``, fails."""
    table = pd.read_csv(csv_path or SPEAKERS_CSV, dtype=str, keep_default_na=False)
    known_ids = set(load_metadata().index)
    institutions = institution_table()
    short_names = institutions["key"].str.rsplit("-", n=1).str[0]
    out = []
    for line, row in enumerate(table.itertuples(index=False), start=2):
        if row.source_id not in known_ids:
            raise MetadataError(f"source-institutions.csv, row {line}: unknown source {row.source_id!r}.")
        keys = list(institutions.loc[short_names == row.institution, "key"]) if row.institution else []
        rows = tuple(institution_row(k) for k in keys)
        name = str(institutions.loc[short_names == row.institution, "institution"].iloc[0]) if keys else (
            row.name_in_text or "Not named in the text")
        where = f"{row.where_stated[0].upper()}{row.where_stated[1:]}"
        stated = f"{where} (¶{row.paras.replace(',', ', ¶').replace('-', '–')})" if row.paras else where
        if row.name_in_text:
            stated += f": “{row.name_in_text}”"
        out.append(Speaker(row.source_id, row.role, name, stated + ".",
                           tuple(r for r in rows if not r.secondary), tuple(r for r in rows if r.secondary)))
    return [s for s in out if source_id is None or s.source_id == source_id]


def who_is_speaking(csv_path: Path | None = None) -> pd.DataFrame:
    """One row per institution a source names (and one for the outlet the Japanese report does not
    name), with the same fields for every source: what the text states (with ¶), what the
    institution says of itself and what a third party says (each with its page's site, kind and row
    key), or "No page found"."""
    records = [{"source_id": s.source_id, "role": s.role, "institution": s.institution,
                "text_states": s.text_states,
                "own_description": _described(s.own, NO_PAGE if not s.third_party else "No page of its own found"),
                "third_party": _described(s.third_party, NO_PAGE if not s.own else "No third party's page found")}
               for s in speakers(csv_path=csv_path)]
    return pd.DataFrame(records, columns=list(WHO_FIELDS))
