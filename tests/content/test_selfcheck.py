"""Self-checks (``alliance.selfcheck``): the directive's parsing and validation, the strict build (a bad
self-check fails at its line), the HTML form, the printed form (PDF/EPUB), the notebook cells and the
readers' ``check()``. The browser tests are in ``tests/book/test_selfcheck_browser.py``."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from alliance.selfcheck import ANSWERS_HEADING, CORRECT, NOT_QUITE, letter, SelfCheck, SelfCheckError, book_selfchecks, check, is_correct, normalize_answer, parse_selfcheck, plain_text, selfchecks_in
from alliance.book.selfcheck import print_selfchecks
from tests._root import REPO_ROOT

ROOT = REPO_ROOT

CHOICE = """```{selfcheck} Which outlet carried Su's op-ed?
:id: ch1-outlet
- [ ] A Chinese association's journal
- [x] CGTN
- [ ] A US think tank's blog
+++
Su's byline and source line both name CGTN ({para}`su2017:2,14`).
```"""

TYPED = """```{selfcheck} Name the outlet of Su's op-ed.
:id: ch1-typed
:type: text
:accept: CGTN | China Global Television Network
:pattern: cgtn( website)?
+++
The source line names CGTN ({para}`su2017:14`).
```"""


def _parse(block: str) -> "SelfCheck":
    [(_, found)] = list(selfchecks_in(block))
    return found


# --------------------------------------------------------------------------- parsing and validation

def test_a_multiple_choice_is_parsed() -> None:
    found = _parse(CHOICE)
    assert (found.id, found.kind, found.question) == ("ch1-outlet", "choice", "Which outlet carried Su's op-ed?")
    assert [o.text for o in found.options] == ["A Chinese association's journal", "CGTN", "A US think tank's blog"]
    assert found.answer_index == 1 and found.answer_text == "CGTN"
    assert found.explanation == "Su's byline and source line both name CGTN ({para}`su2017:2,14`)."


def test_a_typed_answer_is_parsed() -> None:
    found = _parse(TYPED)
    assert (found.kind, found.accept, found.pattern) == ("text", ("CGTN", "China Global Television Network"),
                                                         "cgtn( website)?")
    assert found.options == ()


BODY = "+++\nIt says so ({para}`su2017:4`)."


@pytest.mark.parametrize("question, options, body, message", [
    ("", {"id": "a"}, "- [x] Yes\n- [ ] No\n" + BODY, "needs its question"),
    ("Q?", {}, "- [x] Yes\n- [ ] No\n" + BODY, "has no :id:"),
    ("Q?", {"id": "Bad Id"}, "- [x] Yes\n- [ ] No\n" + BODY, "lowercase letters"),
    ("Q?", {"id": "a", "type": "essay"}, "- [x] Yes\n- [ ] No\n" + BODY, ":type: is choice or text"),
    ("Q?", {"id": "a"}, "- [x] Yes\n- [x] No\n" + BODY, "exactly one correct option ('- [x]'), not 2"),
    ("Q?", {"id": "a"}, "- [ ] Yes\n- [ ] No\n" + BODY, "exactly one correct option ('- [x]'), not 0"),
    ("Q?", {"id": "a"}, "- [x] Yes\n" + BODY, "at least two options"),
    ("Q?", {"id": "a"}, "- [x] Yes\n- [ ] yes.\n" + BODY, "same text"),
    ("Q?", {"id": "a"}, "- [x] Yes\n- [ ] No\nIt says so ({para}`su2017:4`).", "has no explanation"),
    ("Q?", {"id": "a"}, "- [x] Yes\n- [ ] No\n+++\n", "has no explanation after +++"),
    ("Q?", {"id": "a"}, "- [x] Yes\n- [ ] No\n+++\nBecause it is so.", "cites no evidence"),
    ("Q?", {"id": "a"}, "- [x] Yes\nNo\n" + BODY, "only options may stand"),
    ("Q?", {"id": "a", "accept": "x"}, "- [x] Yes\n- [ ] No\n" + BODY, "are for :type: text"),
    ("Q?", {"id": "a", "type": "text", "accept": "x"}, "- [x] Yes\n" + BODY, "has no options"),
    ("Q?", {"id": "a", "type": "text"}, BODY, "needs :accept:"),
    ("Q?", {"id": "a", "type": "text", "accept": "x", "pattern": "(x"}, BODY, "is not a regular expression"),
    ("Q?", {"id": "a", "type": "text", "accept": "x", "pattern": "(?P<n>x)"}, BODY, "JavaScript reads"),
    ("Q?", {"id": "a", "type": "text", "accept": "x", "pattern": "x*"}, BODY, "accepts an empty answer"),
])
def test_a_faulty_self_check_is_refused_saying_why(question: str, options: dict, body: str, message: str) -> None:
    with pytest.raises(SelfCheckError, match=re.escape(message)):
        parse_selfcheck(question, options, body.split("\n"))


def test_evidence_may_be_any_of_the_course_roles() -> None:
    for role in ("{para}`su2017:4`", "{q}`su2017: words`", "{bg}`inauguration`", "{inst}`CGTN-1`",
                 "{absent}`su2017: Diaoyu`"):
        parse_selfcheck("Q?", {"id": "a"}, ["- [x] Yes", "- [ ] No", "+++", f"See {role}."])


def test_answers_are_compared_as_a_reader_means_them() -> None:
    choice, typed = _parse(CHOICE), _parse(TYPED)
    assert normalize_answer("  “CGTN.” ") == "cgtn"
    assert all(is_correct(choice, a) for a in ("B", "b", 2, "2", "cgtn", " CGTN. "))
    assert not any(is_correct(choice, a) for a in ("A", "C", 1, 3, "CCTV", "A US think tank's blog"))
    assert all(is_correct(typed, a) for a in ("cgtn", "China  global television network.", "CGTN website"))
    assert not any(is_correct(typed, a) for a in ("CCTV", "cgtn blog", ""))


def test_plain_text_reads_the_roles_as_the_book_does() -> None:
    assert plain_text("Both name CGTN ({para}`su2017:2,14`), **twice**.") == "Both name CGTN (Su ¶2, ¶14), twice."


def test_check_prints_the_verdict_the_answer_and_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01-x.md").write_text(f"# X\n\n{CHOICE}\n\n{TYPED}\n", encoding="utf-8")
    assert check("ch1-outlet", "B", root=tmp_path) is True
    out = capsys.readouterr().out
    assert out.startswith(f"{CORRECT} The answer: B. CGTN.\n") and "(Su ¶2, ¶14)" in out
    assert check("ch1-outlet", "A", root=tmp_path) is False
    assert capsys.readouterr().out.startswith(f"{NOT_QUITE} The answer: B. CGTN.")
    assert check("ch1-typed", "china global television network", root=tmp_path) is True
    assert check("ch1-outlet", ..., root=tmp_path) is False
    assert "Replace ... with the letter of your choice (A, B, C)" in capsys.readouterr().out
    with pytest.raises(SelfCheckError, match="no self-check"):
        check("ch9-none", "A", root=tmp_path)
    (tmp_path / "chapters" / "02-y.md").write_text(f"# Y\n\n{CHOICE}\n", encoding="utf-8")
    with pytest.raises(SelfCheckError, match="used twice: 01-x.md:3 and 02-y.md:3"):
        book_selfchecks(tmp_path)


def test_the_books_self_checks_are_valid_and_their_ids_unique() -> None:
    """Every self-check of the book's pages parses (ids unique across the book, as check() needs)."""
    found = book_selfchecks(ROOT)
    assert "checks-outlet" in found  # the example on appendix/checks.md


# --------------------------------------------------------------------------- the strict build

def _mini_book(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """A one-page Sphinx project with the course's roles and the directive; strict build (-W)."""
    src = tmp_path / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(
        "extensions = ['myst_parser']\n"
        "def setup(app):\n"
        "    from alliance.book.sphinxext.roles import quote_role, para_role, absent_role, background_role, institution_role, RenderEvidence\n"
        "    from alliance.book.selfcheck import setup_selfchecks\n"
        "    app.add_role('q', quote_role); app.add_role('para', para_role); app.add_role('absent', absent_role)\n"
        "    app.add_role('bg', background_role); app.add_role('inst', institution_role)\n"
        "    app.add_transform(RenderEvidence)\n"
        "    setup_selfchecks(app)\n",
        encoding="utf-8")
    (src / "index.md").write_text("# Test\n\n" + body + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT)


def build_mini_book(tmp_path: Path, body: str = f"Some text.\n\n{CHOICE}\n\n{TYPED}") -> Path:
    """The mini book's page (built; the test fails if the build does)."""
    done = _mini_book(tmp_path, body)
    assert done.returncode == 0, done.stderr
    return tmp_path / "out" / "index.html"


def test_the_form_is_a_fieldset_with_real_controls_and_a_live_result(tmp_path: Path) -> None:
    page = build_mini_book(tmp_path).read_text(encoding="utf-8")
    forms = re.findall(r'<form class="alliance-selfcheck".*?</form>', page, re.S)
    assert len(forms) == 2
    choice, typed = forms
    assert '<legend><span class="alliance-selfcheck-number">Self-check 1.</span> Which outlet carried Su’s op-ed?</legend>' in choice
    radios = re.findall(r'<input type="radio" name="selfcheck-ch1-outlet" id="([^"]+)" value="([A-C])"( data-correct)?>', choice)
    assert [(i, v, bool(c)) for i, v, c in radios] == [("selfcheck-ch1-outlet-a", "A", False),
                                                      ("selfcheck-ch1-outlet-b", "B", True),
                                                      ("selfcheck-ch1-outlet-c", "C", False)]
    for option_id, _, _ in radios:
        assert f'<label for="{option_id}">' in choice
    assert '<button type="submit" class="alliance-selfcheck-check">Check</button>' in choice
    assert '<div class="alliance-selfcheck-result" aria-live="polite">' in choice
    # the answer and its explanation: in a <details> (readable without JavaScript), the citation rendered
    assert re.search(r"<details class=\"alliance-selfcheck-answer\"><summary>Show the answer</summary>.*"
                     r"The answer: B, CGTN\..*href=\"appendix/sources/su2017.html#su2017-p2\">¶2, ¶14</a>.*</details>",
                     choice, re.S)
    assert '<label for="selfcheck-ch1-typed-answer">Your answer</label>' in typed
    assert '<input type="text" id="selfcheck-ch1-typed-answer"' in typed
    accept = json.loads(re.search(r'data-accept="([^"]+)"', typed)[1].replace("&quot;", '"'))
    assert accept == ["cgtn", "china global television network"]
    assert 'data-pattern="cgtn( website)?"' in typed


@pytest.mark.parametrize("body, message, line", [
    (f"{CHOICE}\n\n{CHOICE}", "self-check id 'ch1-outlet' is used twice on this page", 12),
    (CHOICE.replace("- [ ] A Chinese", "- [x] A Chinese"), "exactly one correct option", 3),
    (CHOICE.replace("({para}`su2017:2,14`)", ""), "cites no evidence", 3),
    (CHOICE.replace("su2017:2,14", "su2017:40"), "su2017 has no ¶40", 9),
])
def test_a_bad_self_check_fails_the_strict_build_at_its_line(tmp_path: Path, body: str, message: str, line: int) -> None:
    done = _mini_book(tmp_path, body)
    assert done.returncode != 0
    assert message in done.stderr, done.stderr
    assert f"index.md:{line}" in done.stderr, done.stderr


# --------------------------------------------------------------------------- PDF and EPUB

def test_print_gives_numbered_questions_and_the_answers_at_the_end(tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    page = BeautifulSoup(build_mini_book(tmp_path).read_text(encoding="utf-8"), "html.parser")
    # the book's theme puts the page's text in <article class="bd-article">, the mini book's in div.body
    article = f'<article class="bd-article">{page.select_one("div.body").decode_contents()}</article>'
    printed = BeautifulSoup(print_selfchecks(article), "html.parser")
    assert not printed.select("form, input, button, details")
    questions = printed.select(".alliance-selfcheck-print")
    assert [q.select_one(".alliance-selfcheck-question").get_text(" ", strip=True) for q in questions] == [
        "Self-check 1. Which outlet carried Su’s op-ed?", "Self-check 2. Name the outlet of Su’s op-ed."]
    assert [li.get_text(strip=True) for li in questions[0].select("ol.alliance-selfcheck-choices > li")] == [
        "A Chinese association’s journal", "CGTN", "A US think tank’s blog"]
    assert questions[0].select_one("ol")["type"] == "A"
    answers = printed.select_one("section.alliance-selfcheck-answers")
    assert answers.h2.get_text() == ANSWERS_HEADING
    items = [" ".join(li.get_text(" ", strip=True).split()) for li in answers.select("li")]
    assert items[0].startswith("Self-check 1. The answer: B, CGTN.") and "¶2, ¶14" in items[0]
    assert items[1].startswith("Self-check 2. The answer: CGTN.")
    # the answers come after everything else of the page
    assert answers.find_next_siblings() == [] and answers.parent.find_next_siblings() == []
    assert print_selfchecks("<article><p>No checks.</p></article>") == "<article><p>No checks.</p></article>"


# --------------------------------------------------------------------------- notebook editions

def test_a_self_check_becomes_a_callout_and_a_check_cell() -> None:
    from alliance.editions.links import BookIndex
    from alliance.editions.notebooks import convert_notebook

    book = BookIndex("https://example.org/book/", {}, ROOT, ROOT / "_build" / "nonexistent")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"Before.\n\n{CHOICE}\n\nBetween.\n\n{TYPED}\n\nAfter.")]
    nb.cells[0]["id"] = "cell-1"
    edition = convert_notebook(nb, "chapters/x", book)
    kinds = [(c.cell_type, c.source) for c in edition.cells]
    assert [k for k, _ in kinds] == ["markdown", "code", "markdown", "code", "markdown"]
    assert kinds[0][1].startswith("Before.\n\n> **Self-check 1.** Which outlet carried Su's op-ed?\n>\n> A. A Chinese")
    assert "> B. CGTN  " in kinds[0][1] and "CGTN ({para}" not in kinds[0][1]  # the explanation waits for check()
    assert kinds[1][1] == 'from alliance.selfcheck import check\ncheck("ch1-outlet", ...)'
    assert kinds[2][1].startswith("Between.\n\n> **Self-check 2.** Name the outlet")
    assert kinds[3][1] == 'from alliance.selfcheck import check\ncheck("ch1-typed", ...)'
    assert kinds[4][1] == "After."
    ids = [c["id"] for c in edition.cells]
    assert len(set(ids)) == len(ids) and ids == [c["id"] for c in convert_notebook(nb, "chapters/x", book).cells]
    assert edition.cells[1].metadata["tags"] == ["selfcheck"]


@pytest.mark.build
def test_every_chapter_has_three_to_five_self_checks_and_its_notebook_a_check_cell_for_each(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19: three to five self-checks per chapter; the chapter's notebook edition (download, lab,
    Binder) asks each with a check() cell, and check() accepts the right answer and refuses a wrong one."""
    import nbformat

    html = REPO_ROOT / "_build" / "html"
    if not (html / "intro.html").is_file():
        pytest.fail("build the book first (make book)", pytrace=False)
    for chapter in sorted((REPO_ROOT / "chapters").glob("*.md")):
        found = [c for _, c in selfchecks_in(chapter.read_text(encoding="utf-8"))]
        assert 3 <= len(found) <= 5, (chapter.name, len(found))
        edition = nbformat.read(html / "_sources" / "chapters" / f"{chapter.stem}.ipynb", as_version=4)
        cells = [c.source for c in edition.cells if c.cell_type == "code" and "from alliance.selfcheck import check" in c.source]
        assert [re.search(r'check\("([^"]+)"', c).group(1) for c in cells] == [c.id for c in found], chapter.name
        for sc in found:
            right = sc.accept[0] if not sc.options else next(letter(i) for i, o in enumerate(sc.options) if o.correct)
            wrong = "not an answer at all" if not sc.options else next(
                letter(i) for i, o in enumerate(sc.options) if not o.correct)
            assert check(sc.id, right) is True and check(sc.id, wrong) is False, sc.id
    capsys.readouterr()
