"""Editors that write nested lists flat, each level a list of its own: Google Docs, editors
built on Quill (Slab among them), Dropbox Paper and Quip; and the dates Paper and Coda keep
beside what they show.

`list_writer` tells from a page's text which of them wrote it; `nested_lists` puts each
sub-list back inside the entry it belongs to, so that "Owner: …" or a note under an item is
read as that item's, as in every other format.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthrough.adapters.sources.confluence import rewrite
from followthrough.adapters.sources.html_tree import Element, Node


def list_writer(text: str) -> str | None:
    """The editor whose flat lists a page holds (``"google"``, ``"paper"``, ``"quill"``,
    ``"quip"``)."""
    if "lst-kix_" in text:
        return "google"
    if "ace-line" in text and "listindent" in text:
        return "paper"
    if "ql-indent-" in text:
        return "quill"
    if "list-indent-" in text and "data-section-style" in text:
        return "quip"
    return None


def date_chip(attrs: dict[str, str], inner: list[Node], line: int) -> Node | None:
    """A Paper date chip (``<span class="date-chip" data-date="2025-05-09">May 9</span>``) as
    the date it shows, as a Confluence date is; ``None`` for any other span."""
    date = attrs.get("data-date")
    return rewrite("time", {"datetime": date}, inner, line) if date else None


def coda_date(attrs: dict[str, str], line: int) -> Element | None:
    """A Coda table's date cell (``<td data-coda-value="2025-05-06">5/6/2025</td>``) as the
    date it keeps: the one it shows may read two ways. ``None`` for any other cell."""
    value = attrs.get("data-coda-value", "")
    return Element("td", attrs, [value], line) if _ISO_DATE.fullmatch(value) else None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# A list's nesting level, in the class Google Docs gives it ("c2 lst-kix_9w2hq1f7c3ad-1 start").
_LIST_LEVEL = re.compile(r"\blst-kix_\w+-(\d+)\b")


def nested_lists(children: list[Node], written_by: str) -> list[Node]:
    """``children`` with each nested list put back inside the entry it belongs to.

    A Google Docs export writes no list inside another: a sub-list is a list of its own, right
    after its parent's list, its class naming its level (``lst-kix_<id>-1``). Such a list is
    moved into the last entry of the list one level up, so that "Owner: …" under an item is
    read as that item's, as in every other format. Other editors write the same flat lists:
    Quill (Slab among others) names each entry's level in its class (``ql-indent-1``), Dropbox
    Paper the list's (``listindent2``, from 1), Quip each entry's (``list-indent-1``); Paper
    and Quip put each list in a ``div`` of its own.
    """
    if written_by in ("paper", "quip"):
        children = _lines_unwrapped(children)
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


def _entry_level(node: Node) -> int | None:
    """The level a list's entries name (``ql-indent-1``, ``list-indent-1``; none: 0)."""
    if isinstance(node, str) or node.name not in ("ol", "ul"):
        return None
    levels = {
        int(found.group(1)) if found else 0
        for entry in node.children
        if not isinstance(entry, str) and entry.name == "li"
        for found in [_ENTRY_LEVEL.search(entry.attrs.get("class", ""))]
    }
    return levels.pop() if len(levels) == 1 else None


_ENTRY_LEVEL = re.compile(r"\b(?:ql|list)-indent-(\d)\b")


def _paper_level(node: Node) -> int | None:
    if isinstance(node, str) or node.name not in ("ol", "ul"):
        return None
    found = _PAPER_LEVEL.search(node.attrs.get("class", ""))
    return int(found.group(1)) - 1 if found and found.group(1) != "0" else None


_PAPER_LEVEL = re.compile(r"\blistindent(\d)\b")


def _google_level(node: Node) -> int | None:
    if isinstance(node, str) or node.name not in ("ol", "ul"):
        return None
    found = _LIST_LEVEL.search(node.attrs.get("class", ""))
    # Google Docs nests lists nine levels deep at most: deeper "levels" are not nesting.
    return int(found.group(1)) if found and len(found.group(1)) == 1 else None


_LEVELS: dict[str, Callable[[Node], int | None]] = {
    "google": _google_level,
    "quill": _entry_level,
    "quip": _entry_level,
    "paper": _paper_level,
}


def _lines_unwrapped(children: list[Node]) -> list[Node]:
    """Paper's lines: a line (``div``) that holds only a list is that list, so that the lists
    of consecutive lines are siblings `nested_lists` can nest."""
    out: list[Node] = []
    for child in children:
        if not isinstance(child, str) and child.name == "div":
            inner = [c for c in child.children if not isinstance(c, str) or c.strip()]
            if len(inner) == 1 and not isinstance(inner[0], str) and inner[0].name in ("ol", "ul"):
                out.append(inner[0])
                continue
        out.append(child)
    return out
