"""Google Docs exports: the title is a paragraph styled "Title"; bold and strikethrough are
CSS classes.

A Google Docs HTML export has no ``<title>`` element; the title the author typed is the body's
``<p class="… title">``. It is taken as the page title, as ``<title>`` is for other exports.

Nor does it write ``<b>`` or ``<s>``: a span carries classes that its ``<style>`` block makes
bold (``font-weight:700``) or struck (``text-decoration:line-through``). Before the page is
parsed, such spans become ``<b>``/``<s>`` so that a struck item reads as dropped and a bold
title as a title, as in every other format. The export never nests spans, and the rewrite
keeps every line break where it was (source lines stay right).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthrough.adapters.sources.html_tree import Element, Node, inline_text

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_RULE = re.compile(r"\.([\w-]+)\{([^}]*)\}")
_SPAN = re.compile(r'<span class="([^"]*)">([^<]*)</span>')


def with_styles(text: str) -> str:
    """The export with its bold and struck spans written as ``<b>`` and ``<s>``."""
    if "line-through" not in text and "font-weight:700" not in text:
        return text
    bold: set[str] = set()
    struck: set[str] = set()
    for style in _STYLE.findall(text):
        for name, body in _RULE.findall(style):
            declarations = body.replace(" ", "")
            if "font-weight:700" in declarations or "font-weight:bold" in declarations:
                bold.add(name)
            if "text-decoration:line-through" in declarations:
                struck.add(name)
    if not bold and not struck:
        return text

    def rewrite(span: re.Match[str]) -> str:
        classes = set(span.group(1).split())
        inner = span.group(2)
        if classes & bold:
            inner = f"<b>{inner}</b>"
        if classes & struck:
            inner = f"<s>{inner}</s>"
        return inner if classes & (bold | struck) else span.group(0)

    return _SPAN.sub(rewrite, text)


def title_paragraph(root: Element) -> str:
    """The text of the body's first paragraph styled as the title, or ``""``."""
    for child in root.children:
        if (
            not isinstance(child, str)
            and child.name == "p"
            and "title" in child.attrs.get("class", "").split()
        ):
            return inline_text(child)
    return ""


# A list's nesting level, in the class Google Docs gives it ("c2 lst-kix_9w2hq1f7c3ad-1 start").
_LIST_LEVEL = re.compile(r"\blst-kix_\w+-(\d+)\b")


def nested_lists(children: list[Node], *, written_by: str = "google") -> list[Node]:
    """``children`` with each nested list put back inside the entry it belongs to.

    A Google Docs export writes no list inside another: a sub-list is a list of its own, right
    after its parent's list, its class naming its level (``lst-kix_<id>-1``). Such a list is
    moved into the last entry of the list one level up, so that "Owner: …" under an item is
    read as that item's, as in every other format. Other editors write the same flat lists:
    ``written_by="quill"`` (Slab among others) names each entry's level in its class
    (``ql-indent-1``), ``"paper"`` (Dropbox Paper) the list's (``listindent2``, from 1).
    """
    level_of = _LEVELS[written_by]
    out: list[Node] = []
    parents: dict[int, Element] = {}  # the last list seen at each level, while lists follow
    for child in children:
        level = level_of(child)
        if level is None:
            if not isinstance(child, str) or child.strip():
                parents.clear()  # anything but white space ends the run of lists
            out.append(child)
            continue
        assert isinstance(child, Element)
        parent = parents.get(level - 1)
        entries = (
            [c for c in parent.children if isinstance(c, Element) and c.name == "li"]
            if parent
            else []
        )
        if entries:
            entries[-1].children.append(child)
        else:
            out.append(child)
        parents = {known: found for known, found in parents.items() if known < level}
        parents[level] = child
    return out


def _quill_level(node: Node) -> int | None:
    if isinstance(node, str) or node.name not in ("ol", "ul"):
        return None
    levels = {
        int(found.group(1)) if found else 0
        for entry in node.children
        if not isinstance(entry, str) and entry.name == "li"
        for found in [_QUILL_LEVEL.search(entry.attrs.get("class", ""))]
    }
    return levels.pop() if len(levels) == 1 else None


_QUILL_LEVEL = re.compile(r"\bql-indent-(\d)\b")


def _paper_level(node: Node) -> int | None:
    if isinstance(node, str) or node.name not in ("ol", "ul"):
        return None
    found = _PAPER_LEVEL.search(node.attrs.get("class", ""))
    return int(found.group(1)) - 1 if found and found.group(1) != "0" else None


_PAPER_LEVEL = re.compile(r"\blistindent(\d)\b")


def _level(node: Node) -> int | None:
    if isinstance(node, str) or node.name not in ("ol", "ul"):
        return None
    found = _LIST_LEVEL.search(node.attrs.get("class", ""))
    # Google Docs nests lists nine levels deep at most: deeper "levels" are not nesting.
    return int(found.group(1)) if found and len(found.group(1)) == 1 else None


_LEVELS: dict[str, Callable[[Node], int | None]] = {
    "google": _level,
    "quill": _quill_level,
    "paper": _paper_level,
}
