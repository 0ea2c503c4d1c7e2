"""Self-checks in the book: the ``{selfcheck}`` directive, its nodes and their HTML, the page script,
and the printed form (PDF and EPUB) with the answers at the end of the chapter.

The self-check itself (parsing, checking an answer, the notebook cells) is content:
:mod:`alliance.selfcheck`, which the notebook editions import too.
"""
from __future__ import annotations

import html as html_lib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes

from alliance.selfcheck import (ANSWERS_HEADING, FORM_CLASS, SEPARATOR, SelfCheckError, letter, normalize_answer,
                                parse_selfcheck)

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SELFCHECK_JS = "alliance-selfcheck.js"
SELFCHECK_SOURCE = Path(__file__).with_name("selfcheck.js")


class selfcheck_node(nodes.General, nodes.Element):
    """A self-check: ``check_id``, ``kind``, ``number``, ``accept``, ``pattern``."""


class selfcheck_question(nodes.Part, nodes.TextElement):
    """The question (the form's legend)."""


class selfcheck_options(nodes.Part, nodes.Element):
    """The options of a multiple choice."""


class selfcheck_option(nodes.Part, nodes.TextElement):
    """One option (``index``, ``correct``)."""


class selfcheck_answer(nodes.Part, nodes.Element):
    """The answer and its explanation (shown once the reader checks)."""


def node_classes() -> dict[str, type]:
    """The self-check's docutils node classes, by name."""
    return {cls.__name__: cls for cls in (selfcheck_node, selfcheck_question, selfcheck_options, selfcheck_option,
                                          selfcheck_answer)}


def _directive_class() -> type:
    from docutils.parsers.rst import directives
    from sphinx.util.docutils import SphinxDirective

    classes = node_classes()

    class SelfCheckDirective(SphinxDirective):
        """``{selfcheck} Question`` with ``:id:``, ``:type:``, ``:accept:``, ``:pattern:``; options, ``+++``,
        explanation (see :mod:`alliance.selfcheck`)."""

        required_arguments = 0
        optional_arguments = 1
        final_argument_whitespace = True
        has_content = True
        option_spec = {"id": directives.unchanged, "type": directives.unchanged,
                       "accept": directives.unchanged, "pattern": directives.unchanged,
                       "class": directives.class_option}

        def run(self) -> list[Any]:
            try:
                found = parse_selfcheck(self.arguments[0] if self.arguments else "",
                                        {k: v for k, v in self.options.items() if isinstance(v, str)}, self.content)
            except SelfCheckError as error:
                raise self.error(f"{{selfcheck}}: {error}") from None
            document = self.state.document
            seen = document.get("alliance_selfchecks") or []
            if found.id in seen:
                raise self.error(f"{{selfcheck}}: self-check id {found.id!r} is used twice on this page.")
            document["alliance_selfchecks"] = [*seen, found.id]
            number = len(seen) + 1
            node = classes["selfcheck_node"](check_id=found.id, kind=found.kind, number=number,
                                             accept=list(found.accept), pattern=found.pattern,
                                             classes=list(self.options.get("class", [])))
            node["ids"] = [f"selfcheck-{found.id}"]
            self.set_source_info(node)
            question = classes["selfcheck_question"]()
            inline, messages = self.state.inline_text(found.question, self.lineno)
            question.extend(inline)
            node += question
            node.extend(messages)
            answer = classes["selfcheck_answer"]()
            said = nodes.paragraph(classes=["alliance-selfcheck-given"])
            said += nodes.Text("The answer: ")
            if found.kind == "choice":
                options = classes["selfcheck_options"]()
                for index, option in enumerate(found.options):
                    item = classes["selfcheck_option"](index=index, correct=option.correct)
                    inline, messages = self.state.inline_text(option.text, self.lineno)
                    item.extend(inline)
                    options += item
                    node.extend(messages)
                node += options
                said += nodes.Text(f"{letter(found.answer_index)}, ")
                inline, _ = self.state.inline_text(found.answer_text, self.lineno)
                said.extend(inline)
            else:
                said += nodes.Text(found.answer_text)
            said += nodes.Text(".")
            answer += said
            cut = [line.strip() for line in self.content].index(SEPARATOR)
            self.state.nested_parse(self.content[cut + 1:], self.content_offset + cut + 1, answer)
            node += answer
            return [node]

    return SelfCheckDirective


def _attr(value: object) -> str:
    return html_lib.escape(str(value), quote=True)


def visit_selfcheck_html(self: Any, node: Any) -> None:
    """``<form>``: the data the script needs (the kind; for typed answers the accepted answers and pattern)."""
    data = f' data-kind="{_attr(node["kind"])}"'
    if node["kind"] == "text":
        data += f' data-accept="{_attr(json.dumps([normalize_answer(a) for a in node["accept"]]))}"'
        if node["pattern"]:
            data += f' data-pattern="{_attr(node["pattern"])}"'
    classes = " ".join([FORM_CLASS, *node.get("classes", [])])
    self.body.append(f'<form class="{classes}" id="{_attr(node["ids"][0])}" data-selfcheck="{_attr(node["check_id"])}"'
                     f'{data} novalidate><fieldset>')


def depart_selfcheck_html(self: Any, node: Any) -> None:
    self.body.append("</form>\n")


def visit_question_html(self: Any, node: Any) -> None:
    self.body.append(f'<legend><span class="alliance-selfcheck-number">Self-check {node.parent["number"]}.</span> ')


def depart_question_html(self: Any, node: Any) -> None:
    self.body.append("</legend>")
    parent = node.parent
    if parent["kind"] == "text":
        field = f'{parent["ids"][0]}-answer'
        self.body.append(f'<div class="alliance-selfcheck-field"><label for="{_attr(field)}">Your answer</label> '
                         f'<input type="text" id="{_attr(field)}" name="{_attr(field)}" autocomplete="off" '
                         'spellcheck="false"></div>')


def visit_options_html(self: Any, node: Any) -> None:
    self.body.append('<div class="alliance-selfcheck-options">')


def depart_options_html(self: Any, node: Any) -> None:
    self.body.append("</div>")


def visit_option_html(self: Any, node: Any) -> None:
    form_id = node.parent.parent["ids"][0]
    option_id = f"{form_id}-{letter(node['index']).lower()}"
    correct = " data-correct" if node["correct"] else ""
    self.body.append(f'<div class="alliance-selfcheck-option"><input type="radio" name="{_attr(form_id)}" '
                     f'id="{_attr(option_id)}" value="{letter(node["index"])}"{correct}> '
                     f'<label for="{_attr(option_id)}"><span class="alliance-selfcheck-letter">'
                     f'{letter(node["index"])}.</span> ')


def depart_option_html(self: Any, node: Any) -> None:
    self.body.append("</label></div>")


def visit_answer_html(self: Any, node: Any) -> None:
    self.body.append('<button type="submit" class="alliance-selfcheck-check">Check</button></fieldset>'
                     '<div class="alliance-selfcheck-result" aria-live="polite">'
                     '<p class="alliance-selfcheck-verdict"></p>'
                     '<details class="alliance-selfcheck-answer"><summary>Show the answer</summary>'
                     '<div class="alliance-selfcheck-explanation">')


def depart_answer_html(self: Any, node: Any) -> None:
    self.body.append("</div></details></div>")


def _skip(self: Any, node: Any) -> None:
    """Other builders never see these nodes (:func:`plain_selfchecks` replaces them first)."""


def plain_selfchecks(app: "Sphinx", doctree: Any, docname: str) -> None:
    """For builders other than HTML: each self-check as a numbered question, its options, then the
    answer and explanation (plain docutils nodes)."""
    if app.builder.format == "html":
        return
    from docutils import nodes

    classes = node_classes()
    for node in list(doctree.findall(classes["selfcheck_node"])):
        box = nodes.container(classes=["alliance-selfcheck-plain"])
        question = nodes.paragraph()
        question += nodes.strong(text=f"Self-check {node['number']}. ")
        for part in node.findall(classes["selfcheck_question"]):
            question.extend(child.deepcopy() for child in part.children)
        box += question
        choices = nodes.enumerated_list(enumtype="upperalpha")
        for option in node.findall(classes["selfcheck_option"]):
            item = nodes.list_item()
            item += nodes.paragraph("", "", *[child.deepcopy() for child in option.children])
            choices += item
        if len(choices):
            box += choices
        for answer in node.findall(classes["selfcheck_answer"]):
            box.extend(child.deepcopy() for child in answer.children)
        node.replace_self(box)


def page_has_selfchecks(body: object) -> bool:
    """Whether a page's HTML body holds a self-check (and so needs the script)."""
    return isinstance(body, str) and f'<form class="{FORM_CLASS}' in body


def write_script(static_dir: Path) -> bool:
    """Write ``_static/alliance-selfcheck.js`` where it changed; returns whether it wrote."""
    from alliance.book.popovers import write_if_changed

    return write_if_changed(static_dir / SELFCHECK_JS, SELFCHECK_SOURCE.read_text(encoding="utf-8"))


def setup_selfchecks(app: "Sphinx") -> None:
    """Register the directive, its nodes (HTML visitors; other builders get plain nodes) and the
    pass that makes them plain for other builders."""
    classes = node_classes()
    others = {fmt: (_skip, _skip) for fmt in ("latex", "text", "man", "texinfo")}
    app.add_node(classes["selfcheck_node"], html=(visit_selfcheck_html, depart_selfcheck_html), **others)
    app.add_node(classes["selfcheck_question"], html=(visit_question_html, depart_question_html), **others)
    app.add_node(classes["selfcheck_options"], html=(visit_options_html, depart_options_html), **others)
    app.add_node(classes["selfcheck_option"], html=(visit_option_html, depart_option_html), **others)
    app.add_node(classes["selfcheck_answer"], html=(visit_answer_html, depart_answer_html), **others)
    app.add_directive("selfcheck", _directive_class())
    app.connect("doctree-resolved", plain_selfchecks)


# ---------------------------------------------------------------------------------------------
# PDF and EPUB: questions in the text, answers at the end of the chapter


def print_selfchecks(article: str) -> str:
    """A built page's article with each self-check as a printed question (its options lettered) and
    the answers, with their explanations, collected at its end under :data:`ANSWERS_HEADING`.
    A page without self-checks is returned unchanged."""
    if f'class="{FORM_CLASS}' not in article:
        return article
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(article, "html.parser")
    answers = []
    for form in soup.select(f"form.{FORM_CLASS}"):
        legend = form.find("legend")
        number = legend.find(class_="alliance-selfcheck-number")
        label = number.get_text(" ", strip=True).rstrip(".") if number else "Self-check"
        if number:
            number.extract()
        printed = soup.new_tag("div", attrs={"class": "alliance-selfcheck-print", "id": form.get("id", "")})
        question = soup.new_tag("p", attrs={"class": "alliance-selfcheck-question"})
        strong = soup.new_tag("strong")
        strong.string = f"{label}. "
        question.append(strong)
        for child in list(legend.contents):
            question.append(child.extract())
        printed.append(question)
        labels = form.select(".alliance-selfcheck-option label")
        if labels:
            choices = soup.new_tag("ol", attrs={"class": "alliance-selfcheck-choices", "type": "A"})
            for option in labels:
                for mark in option.select(".alliance-selfcheck-letter"):
                    mark.decompose()
                item = soup.new_tag("li")
                for child in list(option.contents):
                    item.append(child.extract())
                choices.append(item)
            printed.append(choices)
        else:
            blank = soup.new_tag("p", attrs={"class": "alliance-selfcheck-blank"})
            blank.string = "Your answer, in a few words: ____________________"
            printed.append(blank)
        note = soup.new_tag("p", attrs={"class": "alliance-selfcheck-see"})
        note.string = f"(The answer is at the end of the chapter: {ANSWERS_HEADING.lower()}.)"
        printed.append(note)
        explanation = form.select_one(".alliance-selfcheck-explanation")
        item = soup.new_tag("li", attrs={"class": "alliance-selfcheck-answer-item"})
        head = soup.new_tag("strong")
        head.string = f"{label}. "
        item.append(head)
        if explanation is not None:
            for child in list(explanation.contents):
                item.append(child.extract())
        answers.append(item)
        form.replace_with(printed)
    section = soup.new_tag("section", attrs={"class": "alliance-selfcheck-answers", "id": "answers-to-the-self-checks"})
    heading = soup.new_tag("h2")
    heading.string = ANSWERS_HEADING
    section.append(heading)
    listed = soup.new_tag("ol", attrs={"class": "alliance-selfcheck-answer-list"})
    for item in answers:
        listed.append(item)
    section.append(listed)
    root = soup.find("article")
    main = root.find("section") if root is not None else None
    (main or root or soup).append(section)
    return str(soup)


#: The printed self-checks' styles (PDF and EPUB).
PRINT_CSS = """
.alliance-selfcheck-print { border-left: 3px solid #555; padding: 0.2em 0.8em; margin: 1em 0; break-inside: avoid; }
.alliance-selfcheck-print ol.alliance-selfcheck-choices { margin: 0.3em 0 0.3em 1.5em; }
.alliance-selfcheck-see { font-size: 0.85em; font-style: italic; }
.alliance-selfcheck-answers ol { list-style: none; padding-left: 0; }
.alliance-selfcheck-answers li { margin: 0.6em 0; }
.alliance-selfcheck-answers li > p { display: inline; }
.alliance-selfcheck-answers li > p + p { display: block; margin-top: 0.3em; }
"""
