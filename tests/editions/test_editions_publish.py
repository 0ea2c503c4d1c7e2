"""Publishing the notebook editions into a built book writes only what changed (alliance.editions).

The unit tests drive :func:`publish_editions` with small editions made from text files; the build
test runs :func:`write_book_editions` on a copy of the course's sources against the built book.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from alliance.editions.links import BookIndex
from alliance.editions.notebooks import exercise_edition, page_edition
from alliance.editions.publish import MANIFEST_NAME, EditionJob, PublishedEditions, file_digest, publish_editions, write_book_editions
from tests._root import REPO_ROOT

ROOT = REPO_ROOT
HTML = ROOT / "_build" / "html"


class Sources:
    """Editions made from ``<name>.txt`` files: each a notebook with the file's text in one cell.
    Counts the editions made, so a test can tell a skipped edition from a rewritten one."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.folder = folder
        self.made: list[str] = []
        self.shared = {"base_url": "https://example.org/book/"}
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            self.source(name).write_text(f"The page {name}.", encoding="utf-8")
        self.names = names

    def source(self, name: str) -> Path:
        return self.folder / f"{name}.txt"

    def target(self, name: str) -> Path:
        return self.folder / "html" / "_sources" / f"{name}.ipynb"

    def make(self, name: str) -> nbformat.NotebookNode:
        self.made.append(name)
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(self.source(name).read_text(encoding="utf-8")))
        return nb

    def jobs(self) -> list[EditionJob]:
        return [EditionJob(self.target(name), {**self.shared, "source": file_digest(self.source(name))},
                           lambda n=name: self.make(n)) for name in self.names]

    def publish(self) -> list[str]:
        """Publish every edition; the names of those written."""
        self.made.clear()
        written = publish_editions(self.jobs(), self.folder / MANIFEST_NAME)
        assert [p.stem for p in written] == self.made
        return self.made[:]


def cells(notebook: Path | nbformat.NotebookNode) -> list[tuple[str, str]]:
    """A notebook's cells as (type, source): what a reader sees, without the random cell ids."""
    nb = nbformat.read(notebook, as_version=4) if isinstance(notebook, Path) else notebook
    return [(cell.cell_type, cell.source) for cell in nb.cells]


@pytest.fixture
def sources(tmp_path: Path) -> Sources:
    return Sources(tmp_path, ["a", "b", "c"])


def test_first_publish_writes_every_edition_and_records_it(sources: Sources) -> None:
    assert sources.publish() == ["a", "b", "c"]
    manifest = json.loads((sources.folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    entry = manifest["editions"]["html/_sources/b.ipynb"]
    assert entry["inputs"]["source"] == file_digest(sources.source("b"))
    assert entry["output"] == file_digest(sources.target("b"))
    assert "The page b." in sources.target("b").read_text(encoding="utf-8")


def test_a_second_publish_with_nothing_changed_writes_nothing(sources: Sources) -> None:
    sources.publish()
    before = {name: sources.target(name).stat().st_mtime_ns for name in sources.names}
    assert sources.publish() == []
    assert {name: sources.target(name).stat().st_mtime_ns for name in sources.names} == before


def test_a_changed_input_rewrites_exactly_that_edition(sources: Sources) -> None:
    sources.publish()
    sources.source("b").write_text("The page b, revised.", encoding="utf-8")
    assert sources.publish() == ["b"]
    assert "revised" in sources.target("b").read_text(encoding="utf-8")
    assert sources.publish() == []


def test_a_changed_shared_input_rewrites_every_edition(sources: Sources) -> None:
    sources.publish()
    sources.shared["base_url"] = "https://example.org/moved/"
    assert sources.publish() == ["a", "b", "c"]


def test_an_output_overwritten_as_sphinx_copies_sources_is_rewritten(sources: Sources) -> None:
    sources.publish()
    raw = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("{q}`raw MyST`")])
    nbformat.write(raw, sources.target("c"))  # what Sphinx's copy of _sources/ leaves
    assert sources.publish() == ["c"]
    assert cells(sources.target("c")) == [("markdown", "The page c.")]


def test_a_deleted_output_is_rewritten(sources: Sources) -> None:
    sources.publish()
    sources.target("a").unlink()
    assert sources.publish() == ["a"]
    assert sources.target("a").is_file()


@pytest.mark.parametrize("manifest_text", ["", "{not json", json.dumps({"version": 0, "editions": {}})])
def test_a_missing_or_unreadable_manifest_rewrites_every_edition(sources: Sources, manifest_text: str) -> None:
    sources.publish()
    manifest = sources.folder / MANIFEST_NAME
    if manifest_text:
        manifest.write_text(manifest_text, encoding="utf-8")
    else:
        manifest.unlink()
    assert sources.publish() == ["a", "b", "c"]
    assert sources.publish() == []


def _copy_sources(root: Path) -> None:
    """The files the editions are made from, copied from the course into ``root``."""
    for name in ("_toc.yml", "references.bib"):
        shutil.copy2(ROOT / name, root / name)
    shutil.copytree(ROOT / "chapters", root / "chapters")
    shutil.copytree(ROOT / "exercises", root / "exercises", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (root / "appendix").mkdir()
    shutil.copy2(ROOT / "appendix" / "data.md", root / "appendix" / "data.md")


@pytest.mark.build
def test_book_editions_are_rewritten_only_when_their_page_changes(tmp_path: Path) -> None:
    """The course's editions, against the built book: a second publish writes nothing; an edited
    chapter or exercise rewrites its editions only; Sphinx's copy over an edition is undone."""
    root, html = tmp_path / "book", tmp_path / "build" / "html"
    root.mkdir()
    _copy_sources(root)
    built = BookIndex.from_build(HTML)
    book = BookIndex(built.base_url, built.inventory, root, built.glue_dir)

    first = write_book_editions(html, book)
    assert isinstance(first, PublishedEditions) and first.written == first.editions
    assert len(first.editions) == len(list(root.glob("chapters/*.md"))) + 1 + 2 * len(list(root.glob("exercises/ex*.ipynb")))
    assert (tmp_path / "build" / MANIFEST_NAME).is_file()
    assert write_book_editions(html, book).written == []

    chapter = sorted(root.glob("chapters/*.md"))[-1]
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA sentence added by the test.\n", encoding="utf-8")
    docname = f"chapters/{chapter.stem}"
    assert write_book_editions(html, book).written == [html / "_sources" / f"{docname}.ipynb"]
    assert cells(html / "_sources" / f"{docname}.ipynb") == cells(page_edition(docname, book))
    assert "A sentence added by the test." in cells(html / "_sources" / f"{docname}.ipynb")[-1][1]

    exercise = sorted(root.glob("exercises/ex*.ipynb"))[0]
    shutil.copy2(exercise, html / "_sources" / "exercises" / exercise.name)  # as Sphinx copies _sources/
    assert write_book_editions(html, book).written == [html / "_sources" / "exercises" / exercise.name]
    assert cells(html / "_sources" / "exercises" / exercise.name) == \
        cells(exercise_edition(exercise, book, student=False))

    nb = nbformat.read(exercise, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("A note added by the test."))
    nbformat.write(nb, exercise)
    assert write_book_editions(html, book).written == [html / "_sources" / "exercises" / exercise.name,
                                                       html / "student" / exercise.name]
    assert write_book_editions(html, book).written == []
