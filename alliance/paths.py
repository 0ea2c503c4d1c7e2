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
#: The course package itself (``alliance/``, with its subpackages).
PACKAGE_DIR: Path = Path(__file__).resolve().parent
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
#: The book's configuration: its published address (``html.baseurl``) and the repository it is
#: published from (``repository.url``), both empty until the course is published.
BOOK_CONFIG: Path = PROJECT_ROOT / "_config.yml"
#: Where ``make lab`` links the built book into the notebooks folder (``notebooks/book``).
LAB_BOOK_LINK = "book"
#: The built book (solution edition), relative to the project root.
BUILT_BOOK_DIR = "_build/html"
#: Everything ``make`` builds, in one place: the book (``make book``; ``EDITION=student``: jupyter-book's
#: ``--path-output`` puts it in ``<dir>/_build/html``), the executed notebooks' glue values, the student
#: notebooks (``make student``), the PDF and the EPUB.
BUILD_DIR: Path = PROJECT_ROOT / "_build"
HTML_DIR: Path = PROJECT_ROOT / BUILT_BOOK_DIR


def glue_dir_of(html_dir: Path) -> Path:
    """Where myst-nb wrote the executed notebooks (and their ``.glue.json``) of the book built in
    ``html_dir``: ``jupyter_execute/`` beside it (``_build/jupyter_execute`` for ``_build/html``)."""
    return Path(html_dir).parent / "jupyter_execute"


GLUE_DIR: Path = glue_dir_of(HTML_DIR)
STUDENT_BOOK_DIR: Path = BUILD_DIR / "student-book"
STUDENT_HTML_DIR: Path = STUDENT_BOOK_DIR / "_build" / "html"
STUDENT_NOTEBOOKS_DIR: Path = BUILD_DIR / "student"
PDF_DIR: Path = BUILD_DIR / "pdf"
EPUB_DIR: Path = BUILD_DIR / "epub"


def package_modules(package_dir: Path | None = None) -> list[Path]:
    """Every module of the course package, its subpackages included (``alliance/**/*.py``)."""
    package_dir = Path(package_dir or PACKAGE_DIR)
    return sorted(p for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts)


@functools.cache
def _book_config(config_path: Path) -> dict:
    import yaml

    return yaml.safe_load(Path(config_path).read_text(encoding="utf-8")) or {}


def _address(config_path: Path | None, section: str, key: str) -> str | None:
    """``section.key`` of the book's configuration: ``None`` when empty (not set), else an
    ``http(s)://`` address; anything else is an error naming the setting."""
    config_path = Path(config_path or BOOK_CONFIG)
    value = str((_book_config(config_path).get(section) or {}).get(key) or "").strip()
    if not value:
        return None
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"{config_path}: {section}.{key} must be empty (not published) or an "
                         f"http(s):// address, not {value!r}.")
    return value


def published_url(config_path: Path | None = None) -> str | None:
    """The published book's address (``html.baseurl`` of ``_config.yml``), ending in ``/``;
    ``None`` while it is empty (the course has not been published)."""
    url = _address(config_path, "html", "baseurl")
    return url.rstrip("/") + "/" if url else None


def repository_url(config_path: Path | None = None) -> str | None:
    """The repository the book is published from (``repository.url`` of ``_config.yml``), which the
    launch (Binder) and repository buttons open; ``None`` while it is empty (no buttons)."""
    url = _address(config_path, "repository", "url")
    return url.rstrip("/") if url else None


def render_mode() -> str:
    """'book' when building or testing the book (``ALLIANCE_CHART_MODE=book``), else 'lab'
    (a notebook opened in JupyterLab, VS Code, Colab): decides how charts and links render."""
    return os.environ.get("ALLIANCE_CHART_MODE", "lab")


def local_book(start: Path | None = None) -> Path | None:
    """The built book nearest to ``start`` (the working folder: a kernel's is its notebook's): a
    ``book/`` (``make lab``'s link) or ``_build/html/`` in it or a folder above it; ``None`` if none."""
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        for candidate in (folder / LAB_BOOK_LINK, folder / BUILT_BOOK_DIR):
            if (candidate / "objects.inv").is_file():
                return candidate
    return None


def reader_url(source_id: str, anchor: str) -> str:
    """Link to a paragraph of the source reader: relative inside the book; in a notebook, the
    nearest built book (:func:`local_book`, relative to the working folder), else the published
    book, else ``""`` (no link: the citation reads as plain text)."""
    if render_mode() == "book":
        return READER_URL.format(source_id=source_id, anchor=anchor)
    page = f"{READER_DIR}{source_id}.html#{anchor}"
    built = local_book()
    if built is not None:
        return Path(os.path.relpath(built, Path.cwd())).as_posix() + "/" + page
    published = published_url()
    return f"{published}{page}" if published else ""


#: File name of the shared chart bundle (vega, vega-lite, a small ``vegaEmbed``) in the book's ``_static/``.
BUNDLE_NAME = "vega-bundle.js"
