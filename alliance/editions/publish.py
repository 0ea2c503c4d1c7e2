"""Writing the editions: into the built book (downloads), with a manifest of digests that decides what
must be rewritten, and into a reader's folder (``make lab``, Binder).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from alliance import paths
from alliance.editions.links import BookIndex, link_base, link_lab_book
from alliance.editions.notebooks import write_notebook, chapter_docnames, exercise_edition, page_edition


# ---------------------------------------------------------------------------------------------
# Publishing the editions into a built book, skipping those whose inputs and output are unchanged


#: The manifest of the editions written into a built book: a JSON file beside its HTML folder
#: (``_build/editions-manifest.json`` for ``_build/html``). See :func:`publish_editions`.
MANIFEST_NAME = "editions-manifest.json"
#: Bump when the manifest's layout changes (an older manifest is then ignored: everything rewritten).
MANIFEST_VERSION = 1
#: The packages whose code turns a notebook into its edition (their versions are an input).
EDITION_LIBRARIES: tuple[str, ...] = ("nbformat", "jupytext", "markdown-it-py", "mdit-py-plugins", "pybtex",
                                      "sphinx", "pyyaml", "pandas")
#: What a missing input file's digest reads (an input that appears or vanishes changes it).
MISSING = "missing"


@dataclass(frozen=True)
class EditionJob:
    """One notebook edition to publish: where it goes, a digest of each input it is made from
    (input name → digest), and how to make it (only called when it must be written)."""

    target: Path
    inputs: Mapping[str, str]
    make: Callable[[], NotebookNode]


@dataclass(frozen=True)
class PublishedEditions:
    """The outcome of :func:`write_book_editions`: every edition the book offers, and the ones
    written this time (the others were up to date)."""

    editions: list[Path]
    written: list[Path]


def bytes_digest(data: bytes) -> str:
    """The SHA-256 of ``data``, in hex."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, or :data:`MISSING` when there is no such file."""
    path = Path(path)
    return bytes_digest(path.read_bytes()) if path.is_file() else MISSING


def json_digest(value: object) -> str:
    """The SHA-256 of ``value`` as canonical JSON (sorted keys; tuples as lists)."""
    return bytes_digest(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def code_digest(package_dir: Path | None = None) -> str:
    """A digest of the course package's code (every module, subpackages included: ``alliance/**/*.py``):
    the editions' converter, the citation, quotation and corpus code it calls, and the student edition's
    rules. Keys are paths relative to the package, so a module moved to another subpackage changes it."""
    package_dir = Path(package_dir or paths.PACKAGE_DIR)
    return json_digest({p.relative_to(package_dir).as_posix(): file_digest(p) for p in paths.package_modules(package_dir)})


def library_versions(names: Iterable[str] = EDITION_LIBRARIES) -> dict[str, str]:
    """The installed version of each package in ``names`` (:data:`MISSING` when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = MISSING
    return found


def corpus_files() -> list[Path]:
    """The files the ``{q}``, ``{para}`` and ``{absent}`` checks read: the sources' metadata, the
    segment rules and the seeds (``alliance.corpus.load_corpus``)."""
    return [paths.METADATA_CSV, paths.SEGMENT_RULES_CSV, *sorted(paths.SEEDS_DIR.glob("*.txt"))]


def book_digests(book: BookIndex) -> dict[str, str]:
    """Digests of the inputs every edition shares: the published address, the built book's
    inventory (addresses and titles), the chapter and exercise numbers, the bibliography, the
    corpus, the course's code and the converting libraries' versions."""
    return {
        "base_url": json_digest(book.base_url),
        "inventory": json_digest(sorted([list(key), list(value)] for key, value in book.inventory.items())),
        "numbers": json_digest([book.chapter_numbers, book.exercise_numbers]),
        "bibliography": file_digest(book.root / "references.bib"),
        "corpus": json_digest({p.name: file_digest(p) for p in corpus_files()}),
        "code": code_digest(),
        "libraries": json_digest(library_versions()),
    }


def edition_jobs(html_dir: Path, book: BookIndex, student: bool = False,
                 exercises_dir: Path | None = None) -> list[EditionJob]:
    """The editions a built book offers (see :func:`write_book_editions`), each with its inputs:
    the digests shared by every edition (:func:`book_digests`), its source file, its executed
    notebook's glue values and which edition (student or not) it is."""
    from alliance.exercises import solution_notebooks

    html_dir = Path(html_dir)
    shared = book_digests(book)

    def inputs(docname: str, source: Path, student_edition: bool) -> dict[str, str]:
        return {**shared, "source": file_digest(source),
                "glue": file_digest(book.glue_dir / f"{docname}.glue.json"),
                "student": "yes" if student_edition else "no"}

    jobs = [EditionJob(html_dir / "_sources" / f"{docname}.ipynb",
                       inputs(docname, book.root / f"{docname}.md", student),
                       lambda d=docname: page_edition(d, book, student=student))
            for docname in chapter_docnames(book.root)]
    for path in solution_notebooks(exercises_dir or book.root / "exercises"):
        docname = f"exercises/{path.stem}"
        jobs.append(EditionJob(html_dir / "_sources" / "exercises" / path.name, inputs(docname, path, student),
                               lambda p=path: exercise_edition(p, book, student=student)))
        jobs.append(EditionJob(html_dir / "student" / path.name, inputs(docname, path, True),
                               lambda p=path: exercise_edition(p, book, student=True)))
    return jobs


def manifest_key(target: Path, manifest_path: Path) -> str:
    """How the manifest names an edition: its path from the manifest's folder (else absolute)."""
    target, folder = Path(target).resolve(), Path(manifest_path).resolve().parent
    return target.relative_to(folder).as_posix() if target.is_relative_to(folder) else target.as_posix()


def load_manifest(manifest_path: Path) -> dict[str, dict[str, object]]:
    """The editions recorded in a manifest (key → {"inputs": {...}, "output": digest}); empty when
    there is none, it is not valid JSON or it has another :data:`MANIFEST_VERSION`."""
    try:
        data = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or not isinstance(data.get("editions"), dict):
        return {}
    return data["editions"]


def save_manifest(manifest_path: Path, editions: Mapping[str, Mapping[str, object]]) -> None:
    """Write the manifest atomically (a reader never sees half of it)."""
    manifest_path = Path(manifest_path)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    partial = manifest_path.with_name(manifest_path.name + ".partial")
    partial.write_text(json.dumps({"version": MANIFEST_VERSION, "editions": editions}, indent=1, sort_keys=True),
                       encoding="utf-8")
    partial.replace(manifest_path)


def is_up_to_date(job: EditionJob, recorded: Mapping[str, object] | None) -> bool:
    """Whether ``job``'s edition is already in place: the manifest records the same digest for
    every input, and the file is there with the content last written (Sphinx re-copies
    ``_sources/`` when it rewrites a page, which overwrites an edition with the raw notebook)."""
    if not recorded or recorded.get("inputs") != dict(job.inputs):
        return False
    return file_digest(job.target) == recorded.get("output")


def publish_editions(jobs: Iterable[EditionJob], manifest_path: Path) -> list[Path]:
    """Write each edition of ``jobs`` that is not :func:`is_up_to_date`, and record what was
    written in the manifest at ``manifest_path``. Returns the files written."""
    recorded = load_manifest(manifest_path)
    written = []
    for job in jobs:
        key = manifest_key(job.target, manifest_path)
        if is_up_to_date(job, recorded.get(key)):
            continue
        write_notebook(job.make(), job.target)
        recorded[key] = {"inputs": dict(job.inputs), "output": file_digest(job.target)}
        written.append(job.target)
    if written or not Path(manifest_path).is_file():
        save_manifest(manifest_path, recorded)
    return written


def write_book_editions(html_dir: Path, book: BookIndex | None = None, student: bool = False,
                        manifest_path: Path | None = None) -> PublishedEditions:
    """Replace the built book's downloads with the editions: ``_sources/<page>.ipynb`` (chapters,
    data page, exercises) and ``student/ex*.ipynb``.

    For the solution edition of the book (``student=False``) the exercises in ``_sources/`` are
    the solution edition. For the student edition, every notebook is a student one (chapters
    without their solutions, exercises from :func:`alliance.editions.solutions.strip_solutions`), and the raw
    sources Sphinx copied beside them (``_sources/chapters/*.md``, with the solutions) are removed.

    An edition whose inputs and output are unchanged since it was written is not written again
    (:func:`publish_editions`; the manifest is ``html_dir``'s sibling :data:`MANIFEST_NAME`).
    """
    html_dir = Path(html_dir)
    book = book or BookIndex.from_build(html_dir)
    jobs = edition_jobs(html_dir, book, student=student)
    written = publish_editions(jobs, Path(manifest_path or html_dir.parent / MANIFEST_NAME))
    editions = [job.target for job in jobs]
    if student:
        remove_raw_sources(html_dir / "_sources", editions)
    return PublishedEditions(editions, written)


def remove_raw_sources(sources_dir: Path, editions: Iterable[Path]) -> list[Path]:
    """Remove every file of ``sources_dir`` that shares a page name with one of ``editions`` but is
    not one of them (Sphinx's copy of the MyST source, ``<page>.md``). Returns the files removed."""
    kept = {Path(p).resolve() for p in editions}
    pages = {p.with_suffix("") for p in kept}
    removed = []
    for path in sorted(Path(sources_dir).rglob("*")):
        page = path.resolve()
        while page.suffix:
            page = page.with_suffix("")
        if path.is_file() and path.resolve() not in kept and page in pages:
            path.unlink()
            removed.append(path)
    return removed


def write_reader_editions(out: Path, book: BookIndex | None = None, overwrite: bool = True,
                          mirror: bool = False, html_dir: Path | None = None) -> tuple[list[Path], list[Path]]:
    """``out/chapters/*.ipynb`` (chapters and the data page) and ``out/exercises/*.ipynb`` (student).

    With ``overwrite=False`` a notebook already in ``out`` is kept as it is (a student's work).
    With ``mirror=True`` each page's edition goes where its source is (``appendix/data.ipynb``), as
    the book's launch buttons expect. By default the links go to the built book (``html_dir``):
    through ``out/book`` (:func:`link_lab_book`), or with ``mirror=True`` (Binder) to
    ``_build/html`` beside the notebooks. Returns (written, kept).
    """
    from alliance.exercises import EXERCISES_DIR, solution_notebooks

    book = book or BookIndex.from_build(html_dir, base_url=link_base("binder" if mirror else "lab"))
    if book.base_url == link_base("lab") and not mirror:
        link_lab_book(out, html_dir)
    written, kept = [], []
    jobs: list[tuple[Callable[[], NotebookNode], Path]] = [
        (lambda d=d: page_edition(d, book), out / (f"{d}.ipynb" if mirror else f"chapters/{Path(d).name}.ipynb"))
        for d in chapter_docnames(book.root)]
    jobs += [(lambda p=p: exercise_edition(p, book, student=True), out / "exercises" / p.name)
             for p in solution_notebooks(EXERCISES_DIR)]
    for make, target in jobs:
        if target.exists() and not overwrite:
            kept.append(target)
            continue
        write_notebook(make(), target)
        written.append(target)
    return written, kept
