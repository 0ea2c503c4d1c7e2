"""The student edition: no solution code, text or output of the solution edition; opens and runs."""
from pathlib import Path

import nbformat
import pytest

from alliance.exercises import auto_questions, exercise_id, solution_notebooks
from alliance.editions.solutions import strip_solutions
from alliance.editions.student import publish, write_student_edition

SOLUTIONS = solution_notebooks()


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student")
    write_student_edition(out)
    return out


def _student(student_dir: Path, solution: Path):
    return nbformat.read(student_dir / solution.name, as_version=4)


def _solution_text(nb) -> tuple[set[str], set[str]]:
    """Lines of solution cells, and lines of the other cells (which may legitimately repeat)."""
    sol, other = set(), set()
    for cell in nb.cells:
        target = sol if "solution" in cell.metadata.get("tags", []) else other
        target.update(line.strip() for line in cell.source.splitlines())
    return sol, other


def _output_texts(nb) -> set[str]:
    texts = set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for value in [out.get("text", "")] + list((out.get("data") or {}).values()):
                if isinstance(value, str) and len(value.strip()) >= 12:
                    texts.add(value.strip())
    return texts


@pytest.mark.build
def test_one_student_notebook_per_exercise(student_dir):
    written = sorted(p.name for p in student_dir.glob("*.ipynb"))
    assert written == [p.name for p in SOLUTIONS] and len(written) == 7
    for path in SOLUTIONS:
        nb = _student(student_dir, path)
        assert exercise_id(nb) == path.name[:4]
        assert nb.metadata["alliance"]["edition"] == "student"


@pytest.mark.build
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_no_solution_code_text_or_output(student_dir, path):
    solution = nbformat.read(path, as_version=4)
    student = _student(student_dir, path)
    dump = nbformat.writes(student)
    sol_lines, other_lines = _solution_text(solution)
    leaked = [l for l in sol_lines - other_lines if len(l) >= 12 and l in dump]
    assert not leaked, leaked[:3]
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    outputs = [t for t in _output_texts(solution) if t in dump]
    assert not outputs, outputs[:2]
    for text in ("{admonition} Model answer", "{admonition} Marking rubric", "{admonition} Model judgement", "✔"):
        assert text not in dump


@pytest.mark.build
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_placeholders_and_checks_are_there(student_dir, path):
    student = _student(student_dir, path)
    sources = [c.source for c in student.cells]
    ex = exercise_id(student)
    for q in auto_questions(ex):
        assert any(s.startswith(f"{q['variable']} = ...") for s in sources), q["id"]
        assert f'check("{ex}", "{q["id"]}", {q["variable"]})' in sources
    assert any("Write your answer here" in s for s in sources)
    # book-only tags are gone: nothing is hidden from a student
    assert not any("remove-cell" in c.metadata.get("tags", []) for c in student.cells)


def test_strip_does_not_touch_the_solution_edition():
    nb = nbformat.read(SOLUTIONS[0], as_version=4)
    before = nbformat.writes(nb)
    strip_solutions(nb)
    assert nbformat.writes(nb) == before


@pytest.mark.kernel
@pytest.mark.build
@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_student_edition_runs_top_to_bottom(student_dir, path):
    from nbclient import NotebookClient

    nb = _student(student_dir, path)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(student_dir)}}).execute()  # raises on any error
    checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert checks
    for cell in checks:
        text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert "not yet" in text, text


@pytest.mark.build
def test_publish_copies_into_the_site(student_dir, tmp_path):
    copies = publish(tmp_path / "html", student_dir)
    assert sorted(p.name for p in copies) == [p.name for p in SOLUTIONS]
    assert all((tmp_path / "html" / "student" / p.name).exists() for p in SOLUTIONS)
