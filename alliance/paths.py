"""Where the course's files live. Everything else asks here."""
from __future__ import annotations

import functools
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
#: Where the source reader lives in the book, relative to its root.
READER_DIR = "appendix/sources/"
#: The book's configuration (its published address is ``html.baseurl``).
BOOK_CONFIG: Path = PROJECT_ROOT / "_config.yml"


@functools.cache
def published_url() -> str:
    """The published book's address (``html.baseurl`` of ``_config.yml``), ending in ``/``."""
    import yaml

    config = yaml.safe_load(BOOK_CONFIG.read_text(encoding="utf-8"))
    url = str((config.get("html") or {}).get("baseurl") or "").strip()
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"{BOOK_CONFIG}: html.baseurl must be the published book's address, not {url!r}.")
    return url.rstrip("/") + "/"


def render_mode() -> str:
    """'book' when building or testing the book (``ALLIANCE_CHART_MODE=book``), else 'lab'
    (a notebook opened in JupyterLab, VS Code, Colab): decides how charts and links render."""
    return os.environ.get("ALLIANCE_CHART_MODE", "lab")


def reader_url(source_id: str, anchor: str) -> str:
    """Link to a paragraph of the source reader: relative inside the book, else the published page."""
    if render_mode() == "book":
        return READER_URL.format(source_id=source_id, anchor=anchor)
    return f"{published_url()}{READER_DIR}{source_id}.html#{anchor}"


#: File name of the shared chart bundle (vega, vega-lite, a small ``vegaEmbed``) in the book's ``_static/``.
BUNDLE_NAME = "vega-bundle.js"
