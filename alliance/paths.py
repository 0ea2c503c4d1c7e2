"""Where the course's files live. Everything else asks here."""
from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    """The project root: ``$ALLIANCE_ROOT`` if set, else the folder above this package."""
    env = os.environ.get("ALLIANCE_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parent.parent


PROJECT_ROOT: Path = _find_root()
SEEDS_DIR: Path = PROJECT_ROOT / "seeds"
DATA_DIR: Path = PROJECT_ROOT / "data"
METADATA_CSV: Path = DATA_DIR / "sources.csv"
SEGMENT_RULES_CSV: Path = DATA_DIR / "segment_rules.csv"
#: Copies of ../shared/reference (checked facts with their addresses), kept byte-for-byte.
REFERENCE_DIR: Path = DATA_DIR / "reference"
SHARED_REFERENCE_DIR: Path = PROJECT_ROOT.parent / "shared" / "reference"
#: URL path, relative to a page one folder deep (chapters/, exercises/), of the source reader.
READER_URL = "../appendix/sources/{source_id}.html#{anchor}"
#: File name of the shared vega + vega-lite + vega-embed bundle in the book's ``_static/``.
BUNDLE_NAME = "vega-bundle.js"
