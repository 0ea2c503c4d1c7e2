"""How the book shows evidence: once per (source, ¶) in a paragraph, the source named only where
the sentence does not already name it, absences as a note.

The roles ``{q}``, ``{para}`` and ``{absent}`` (``alliance.book.sphinxext``) check their text when the page
is parsed and leave a placeholder node that records what they found. :class:`RenderEvidence` then reads
each paragraph as a whole and renders the placeholders:

* ``{q}`` — the quoted words themselves link to the paragraph (“words”); the source's short name
  follows in brackets only when the sentence does not name the source already;
* ``{para}`` — "Su ¶4", or just "¶4" when the sentence names Su and no other source; a (source, ¶)
  the paragraph has already cited (by a quotation or a citation) is not cited again where the
  citation stands in brackets, and brackets left empty go (a citation the sentence's grammar needs,
  "as in Su ¶4", stays);
* ``{absent}`` — a short note, "(0 uses)", whose text, read by screen readers and shown in the
  popover, gives the count: “America First”: 0 times in the 7 paragraphs of Miller's own text.
  Absences that stood together in brackets become one note ("0 uses in either").

Every evidence link carries ``alliance-para-link`` and one ``alliance-p-<source>-<N>`` class per cited
paragraph: the popover script (``_static/alliance-popover.js``) and the reading measures
(``alliance.book.reading``) read them.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Iterable

from docutils import nodes

#: Attributes a role's placeholder carries until it is rendered.
ROLE_ATTR = "alliance_role"
FOUND_ATTR = "alliance_found"
PREFIX_ATTR = "alliance_prefix"

_SENTENCE_END = re.compile(r"(?<=[.!?])[”’\"]?\s+(?=[“‘\"(A-Z0-9])")
_SENTINEL = "\ue000"
_OPEN = re.compile(r"\s*\(\s*$")
_CLOSE = re.compile(r"^\s*\)")
_SEPARATOR = re.compile(r"^\s*[;,]?\s*(and\s+)?$")
#: A separator at the start of a text that goes on with other evidence ("; checked: …").
_LEADING_SEPARATOR = re.compile(r"^\s*;\s*(?=\S)")


def placeholder(role: str, found: Any, rawtext: str, prefix: str) -> nodes.inline:
    """The node a role leaves in the paragraph: what it found, rendered later by :class:`RenderEvidence`."""
    css = {"q": "alliance-quote-inline", "para": "alliance-para-cite", "absent": "alliance-absence"}[role]
    node = nodes.inline(rawtext, "", classes=[css])
    node[ROLE_ATTR] = role
    node[FOUND_ATTR] = found
    node[PREFIX_ATTR] = prefix
    return node


def para_link(text: str, url: str, source_id: str, paras: Iterable[int]) -> nodes.reference:
    """A link into the source reader, classed ``alliance-para-link`` and with every paragraph it cites
    (``alliance-p-<source>-<N>``: the popover's markup contract, ``alliance.book.popovers``)."""
    from alliance.book.popovers import LINK_CLASS, paragraph_classes

    return nodes.reference(text, text, refuri=url, internal=True,
                           classes=[LINK_CLASS, *paragraph_classes(source_id, paras)])


def absence_link(url: str) -> nodes.reference:
    """The (empty) link of an absence note, to the whole source: ``alliance-para-link alliance-absence-link``."""
    from alliance.book.popovers import ABSENCE_LINK_CLASS, LINK_CLASS

    return nodes.reference("", "", refuri=url, internal=True, classes=[LINK_CLASS, ABSENCE_LINK_CLASS])


@functools.cache
def _names() -> dict[str, re.Pattern[str]]:
    """For each source id, a pattern of the names prose uses for it (``alliance.prose.source_names``);
    read once per build, not once per page."""
    from alliance.prose import name_pattern, source_names

    return {sid: name_pattern(names) for sid, names in source_names().items()}


@functools.cache
def _cite_as() -> dict[str, str]:
    """Each source's short citation name (``cite_as``), read once per build."""
    from alliance import load_corpus

    corpus = load_corpus()
    return {sid: str(corpus.source(sid)["cite_as"]) for sid in corpus.source_ids}


def _protect(text: str) -> str:
    """Dots of abbreviations hidden so that "U.S. Forces" is not a sentence end."""
    from alliance.prose import ABBREVIATIONS

    for abbr in ABBREVIATIONS:
        text = text.replace(abbr, abbr.replace(".", "\u2024"))
    return text


def _flatten(node: nodes.Node, out: list[str], roles: list[nodes.inline]) -> None:
    """The visible text of ``node`` with one sentinel per role placeholder, in document order."""
    for child in node.children:
        if isinstance(child, nodes.inline) and ROLE_ATTR in child:
            roles.append(child)
            out.append(_SENTINEL)
        elif isinstance(child, nodes.Text):
            out.append(str(child).replace(_SENTINEL, ""))
        else:
            _flatten(child, out, roles)


def sentences_of_roles(paragraph: nodes.Element) -> tuple[list[nodes.inline], list[tuple[int, str]]]:
    """The role placeholders of a paragraph and, for each, its sentence's number and text."""
    parts: list[str] = []
    roles: list[nodes.inline] = []
    _flatten(paragraph, parts, roles)
    text = _protect("".join(parts))
    sentence_of: list[tuple[int, str]] = []
    for number, sentence in enumerate(_SENTENCE_END.split(text)):
        bare = sentence.replace(_SENTINEL, "")
        sentence_of += [(number, bare)] * sentence.count(_SENTINEL)
    return roles, sentence_of


def _quote(node: nodes.inline, found: Any, named: bool) -> None:
    from alliance.citations import ParaCitation

    url = ParaCitation(found.source_id, (found.para,)).url(node[PREFIX_ATTR])
    link = para_link("", url, found.source_id, (found.para,))
    link += nodes.inline(found.text, found.text, classes=["alliance-quoted"])
    node += nodes.Text("“")
    node += link
    node += nodes.Text("”")
    if not named:
        node += nodes.inline("", f" ({found.cite_as})", classes=["alliance-cite-mark"])


def _paras(node: nodes.inline, cites: list[Any], named: set[str], cite_as: dict[str, str]) -> None:
    for i, cite in enumerate(cites):
        if i:
            node += nodes.Text("; ")
        label = cite.label if cite.source_id in named else f"{cite_as[cite.source_id]} {cite.label}"
        node += para_link(label, cite.url(node[PREFIX_ATTR]), cite.source_id, cite.paras)


def absence_note(found: Any) -> str:
    """The words of an absence note: “America First”: 0 times in the 7 paragraphs of Miller's own text
    (of "the Japanese press report's" for the unsigned text)."""
    return f"{found.words}: {found.count} times in the {found.paragraphs} paragraphs of {found.owner}'s own text"


def absence_label(count: int) -> str:
    """What an absence mark reads: "0 uses", or "0 uses in either" / "in any" for several sources."""
    return "0 uses" if count == 1 else "0 uses in either" if count == 2 else "0 uses in any"


def _absence(node: nodes.inline, found: list[Any], bracketed: bool) -> None:
    source = found[0].source_id
    note = "; ".join(absence_note(f) for f in found)
    link = absence_link(f"{node[PREFIX_ATTR]}{source}.html")
    link += nodes.Text(absence_label(len({f.source_id for f in found})))
    link += nodes.inline("", f": {note}", classes=["alliance-note-text"])
    if not bracketed:
        node += nodes.Text(" (")
    node += link
    if not bracketed:
        node += nodes.Text(")")


def _remaining(cites: list[Any], seen: set[tuple[str, int]]) -> list[Any]:
    """The citations left once paragraphs already cited in this paragraph are taken out."""
    from alliance.citations import ParaCitation

    left = []
    for cite in cites:
        paras = tuple(p for p in cite.paras if (cite.source_id, p) not in seen)
        if paras:
            left.append(ParaCitation(cite.source_id, paras))
        seen.update((cite.source_id, p) for p in cite.paras)
    return left


def _replace_text(parent: nodes.Element, index: int, text: str) -> None:
    """Replace the child at ``index`` by a text (by position: texts that read alike compare equal)."""
    parent[index] = nodes.Text(text)


def _tidy_brackets(parent: nodes.Element) -> None:
    """Drop brackets emptied of their citations; join absences that stood together into one mark."""
    i = 0
    while i < len(parent.children):
        child = parent.children[i]
        if not (isinstance(child, nodes.Text) and _OPEN.search(str(child))):
            i += 1
            continue
        j = i + 1
        members: list[int] = []
        while j < len(parent.children):
            c = parent.children[j]
            if isinstance(c, nodes.inline) and ROLE_ATTR in c:
                members.append(j)
            elif not (isinstance(c, nodes.Text) and _SEPARATOR.match(str(c))):
                break
            j += 1
        closing = parent.children[j] if j < len(parent.children) else None
        separated = (j - 1 > members[-1] if members else False) or (
            isinstance(closing, nodes.Text) and bool(_LEADING_SEPARATOR.match(str(closing))))
        if (members and closing is not None and separated
                and all(parent.children[k][ROLE_ATTR] == "dropped" for k in members)
                and not (isinstance(closing, nodes.Text) and _CLOSE.match(str(closing)))):
            # dropped citations before other evidence in the same brackets ("(¶4; checked: …)",
            # "(¶4; <a background row>)"): they go with their separator, the brackets keep the rest
            for k in range(j - 1, i, -1):
                parent.pop(k)
            if isinstance(closing, nodes.Text):
                _replace_text(parent, i + 1, _LEADING_SEPARATOR.sub("", str(closing)))
            i += 1
            continue
        if not members or not (isinstance(closing, nodes.Text) and _CLOSE.match(str(closing))):
            i += 1
            continue
        kept = [parent.children[k] for k in members if parent.children[k][ROLE_ATTR] != "dropped"]
        absences = [k for k in kept if k[ROLE_ATTR] == "absent"]
        if kept and len(absences) < len(kept):
            # some citations remain: rebuild the separators between them
            for k in range(j - 1, i, -1):
                parent.pop(k)
            for n, node in enumerate(kept):
                if n:
                    parent.insert(i + 2 * n, nodes.Text("; "))
                parent.insert(i + 1 + 2 * n, node)
            i += 1
            continue
        if absences:
            # absences only: one mark in the brackets, its note naming every source
            for k in range(j - 1, i, -1):
                parent.pop(k)
            merged = absences[0]
            merged[FOUND_ATTR] = [f for a in absences for f in a[FOUND_ATTR]]
            merged["alliance_bracketed"] = True
            parent.insert(i + 1, merged)
            i += 2
            continue
        # no citation left: the brackets go
        before = re.sub(r"\s*\(\s*$", "", str(child))
        after = _CLOSE.sub("", str(closing))
        for k in range(j, i, -1):
            parent.pop(k)
        _replace_text(parent, i, before)
        parent.insert(i + 1, nodes.Text(after))
        i += 1


def render_paragraph(paragraph: nodes.Element, names: dict[str, re.Pattern[str]], cite_as: dict[str, str]) -> None:
    """Render every role placeholder of one paragraph (see the module's docstring)."""
    roles, sentence_of = sentences_of_roles(paragraph)
    if not roles:
        return
    seen: set[tuple[str, int]] = set()
    # sources whose names a reader sees in each sentence: in its words, or in a citation before
    shown: dict[int, set[str]] = {}
    for node, (number, sentence) in zip(roles, sentence_of):
        if number not in shown:
            shown[number] = {sid for sid, pattern in names.items() if pattern.search(sentence)}
        role, found = node[ROLE_ATTR], node[FOUND_ATTR]
        if role == "q":
            _quote(node, found, found.source_id in shown[number])
            seen.add((found.source_id, found.para))
            shown[number].add(found.source_id)
        elif role == "para":
            left = _remaining(found, seen)
            if not left and not _in_brackets(node):
                left = found  # a citation the sentence's grammar needs stays, repeat or not
            if left:
                node[FOUND_ATTR] = left
                sources = {c.source_id for c in left}
                single = next(iter(sources)) if len(sources) == 1 else None
                node["alliance_named"] = {single} if single and _names_only(shown[number], single) else set()
                shown[number].update(sources)
            else:
                node[ROLE_ATTR] = "dropped"
        elif role == "absent":
            node[FOUND_ATTR] = [found]
    parents = list({id(n.parent): n.parent for n in roles}.values())
    for parent in parents:
        _tidy_brackets(parent)
    for node in roles:
        role = node.get(ROLE_ATTR)
        at = _position(node)
        if at < 0:
            continue
        if role == "dropped":
            node.parent.pop(at)
            continue
        if role == "para":
            _paras(node, node[FOUND_ATTR], node["alliance_named"], cite_as)
        elif role == "absent":
            _absence(node, node[FOUND_ATTR], node.get("alliance_bracketed", False))
        for attr in (ROLE_ATTR, FOUND_ATTR, PREFIX_ATTR, "alliance_named", "alliance_bracketed"):
            node.attributes.pop(attr, None)
    for parent in parents:
        _tidy_spaces(parent)


def _names_only(shown: set[str], source_id: str) -> bool:
    """Whether the sentence names ``source_id`` and no other source, so that a citation of it needs
    no name ("¶4" is Su's only when Su is the one source the sentence names)."""
    return shown == {source_id}


def _in_brackets(node: nodes.inline) -> bool:
    """Whether a role stands in brackets with nothing but other citations ("(Su ¶4; Yuan ¶6)"), so
    that taking it out leaves the sentence whole."""
    parent = node.parent
    at = _position(node)
    for k in range(at - 1, -1, -1):
        sibling = parent.children[k]
        if isinstance(sibling, nodes.inline) and ROLE_ATTR in sibling:
            continue
        if isinstance(sibling, nodes.Text):
            if _OPEN.search(str(sibling)):
                return True
            if _SEPARATOR.match(str(sibling)):
                continue
        return False
    return False


def _position(node: nodes.Node) -> int:
    """Where ``node`` stands among its parent's children (by identity), or -1 if it was taken out."""
    parent = node.parent
    if parent is None:
        return -1
    return next((k for k, child in enumerate(parent.children) if child is node), -1)


def _tidy_spaces(parent: nodes.Element) -> None:
    """Where a citation was taken out, adjacent texts are joined: no double space, no space before
    punctuation."""
    k = 0
    while k + 1 < len(parent.children):
        left, right = parent.children[k], parent.children[k + 1]
        if isinstance(left, nodes.Text) and isinstance(right, nodes.Text):
            joined = str(left) + str(right)
            seam = len(str(left))
            head = re.sub(r" +$", "", joined[:seam]) if re.match(r"^[ .,;:)]", joined[seam:]) else joined[:seam]
            tail = joined[seam:].lstrip(" ") if head.endswith(" ") else joined[seam:]
            parent[k] = nodes.Text(head + tail)
            parent.pop(k + 1)
            continue
        k += 1


def render_document(document: nodes.document) -> None:
    """Render the role placeholders of every paragraph (and any other block) of a page."""
    cite_as, names = _cite_as(), _names()
    blocks = [n for n in document.findall(nodes.TextElement)
              if any(isinstance(c, nodes.inline) and ROLE_ATTR in c for c in n.findall(nodes.inline))
              and not any(isinstance(a, nodes.TextElement) for a in _ancestors(n))]
    for block in blocks:
        render_paragraph(block, names, cite_as)


def _ancestors(node: nodes.Node) -> list[nodes.Node]:
    out = []
    parent = node.parent
    while parent is not None:
        out.append(parent)
        parent = parent.parent
    return out
