"""Editors that write nested lists flat, each level a list of its own: Google Docs, editors
built on Quill (Slab among them), Dropbox Paper, Quip and Word (whose lists are paragraphs);
and the dates Paper and Coda keep beside what they show.

`list_writer` tells from a page's text which of them wrote it; `nested_lists` puts each
sub-list back inside the entry it belongs to, so that "Owner: …" or a note under an item is
read as that item's, as in every other format.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthrough.adapters.sources.confluence import rewrite
from followthrough.adapters.sources.google_docs import with_styles
from followthrough.adapters.sources.html_tree import Element, Node


def prepared_page(text: str) -> str:
    """A page's text as the HTML readers parse it: Google Docs' styled spans written as tags,
    Word's list paragraphs marked, zero-width spaces taken out; lines stay where they were."""
    return without_zero_width_spaces(word_list_paragraphs(with_styles(text)))


def list_writer(text: str) -> str | None:
    """The editor whose flat lists a page holds (``"google"``, ``"word"``, ``"onenote"``,
    ``"paper"``, ``"quill"``, ``"quip"``); for Word, once `word_list_paragraphs` has marked
    them."""
    if "lst-kix_" in text:
        return "google"
    if "data-word-level" in text:
        return "word"
    if 'data-tag="to-do' in text:
        return "onenote"
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


def word_list_paragraphs(text: str) -> str:
    """A Word page ("Save as Web Page") with each list paragraph marked: Word writes a list as
    paragraphs (``<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'>``)
    whose text opens with the bullet or number it shows (``·``, ``o``, ``1.``, a Wingdings box
    ``&#168;`` or ticked ``&#254;``) and spaces. The mark is taken out of the text into
    ``data-word-mark`` and the paragraph's level into ``data-word-level``; every line break
    stays where it was."""
    if "Mso" not in text:  # every Word page's paragraphs are of class MsoNormal and kin
        return text
    return _WORD_LIST_PARAGRAPH.sub(_marked, text)


def _marked(paragraph: re.Match[str]) -> str:
    attrs, mark = paragraph.group("attrs"), paragraph.group("mark")
    box = mark.lower() in _WORD_BOXES
    if "msolist" not in attrs.lower() and "mso-list:l" not in attrs and not box:
        return paragraph.group(0)  # a paragraph that only hangs its first line
    level = _word_level_of(attrs)
    breaks = "\n" * paragraph.group(0).count("\n")
    return f'<p data-word-level="{level}" data-word-mark="{mark}"{attrs}>{breaks}'


def _word_level_of(attrs: str) -> int:
    listed = _MSO_LEVEL.search(attrs)
    if listed:
        return int(listed.group(1))
    margin = _MARGIN.search(attrs)
    if margin is None:
        return 1
    inches = float(margin.group(1)) / (72 if margin.group(2) == "pt" else 1)
    return max(1, round(inches / 0.5))  # Word indents each level half an inch


_WORD_LIST_PARAGRAPH = re.compile(
    r"<p\b(?P<attrs>[^>]*)>(?P<lead>(?:\s|<!\[if !supportLists\]>|<span\b[^>]*>)*)"
    r"(?P<mark>&#\d{2,5};|&(?!nbsp;)[a-z]{2,8};|[^<&\s]{1,4})"
    r"(?:\s|</span>|<span\b[^>]*>)*(?:&nbsp;|\u00a0)"
    r"(?:\s|&nbsp;|\u00a0|</span>|<span\b[^>]*>|<!\[endif\]>)*",
    re.I,
)
_MSO_LEVEL = re.compile(r"mso-list:\s*l\d+\s+level(\d)")
_MARGIN = re.compile(r"margin-left:\s*(\d*\.?\d+)(in|pt)")
# Wingdings check boxes as Word writes them: ¨ (&#168;) and q empty, þ (&#254;) and ý ticked.
_WORD_BOXES = frozenset({"&#168;", "¨", "q", "&#254;", "þ", "&#253;", "ý"})
_WORD_TICKED = frozenset("þý")
_ORDERED_MARK = re.compile(r"\(?(?:\d{1,3}|[a-zA-Z]{1,2}|[ivxIVX]{1,5})[.)]")


def _word_lists(children: list[Node]) -> list[Node]:
    """Runs of marked Word list paragraphs as lists, one list per level and kind."""
    out: list[Node] = []
    current: Element | None = None
    for child in children:
        if isinstance(child, str) and not child.strip():
            out.append(child)  # white space between paragraphs keeps a list going
            continue
        if isinstance(child, str) or "data-word-level" not in child.attrs:
            current = None
            out.append(child)
            continue
        level = child.attrs["data-word-level"]
        mark = child.attrs.get("data-word-mark", "")
        kind = "ol" if _ORDERED_MARK.fullmatch(mark) else "ul"
        box = ("[x] " if mark in _WORD_TICKED else "[ ] ") if mark in _WORD_BOXES else ""
        entry = Element("li", {}, [box, *child.children] if box else child.children, child.line)
        if (
            current is not None
            and current.name == kind
            and current.attrs["data-word-level"] == level
        ):
            current.children.append(entry)
            continue
        current = Element(kind, {"data-word-level": level}, [entry], child.line)
        out.append(current)
    return out


def _word_level(node: Element) -> int | None:
    level = node.attrs.get("data-word-level")
    return int(level) - 1 if level and level.isdigit() else None


def _onenote_lists(children: list[Node]) -> list[Node]:
    """OneNote's to-dos (``<p data-tag="to-do">``, ``"to-do:completed"`` when ticked) as a task
    list, a paragraph indented right after one (``margin-left``) as its note."""
    out: list[Node] = []
    current: Element | None = None
    for child in children:
        if isinstance(child, str):
            if child.strip():
                current = None
            out.append(child)
            continue
        tag = child.attrs.get("data-tag", "") if child.name == "p" else ""
        if tag.startswith("to-do"):
            mark = "[x] " if tag.endswith(":completed") else "[ ] "
            entry = Element("li", {}, [mark, *child.children], child.line)
            if current is None:
                current = Element("ul", {}, [], child.line)
                out.append(current)
            current.children.append(entry)
            continue
        if (
            current is not None
            and child.name == "p"
            and "margin-left" in child.attrs.get("style", "")
        ):
            last = current.children[-1]
            assert isinstance(last, Element)  # a task list holds the entries made above
            last.children.append(
                Element("ul", {}, [Element("li", {}, child.children, child.line)], child.line)
            )
            continue
        if child.name != "br":
            current = None
        out.append(child)
    return out


def styled_span(attrs: dict[str, str], inner: list[Node], line: int) -> Element | None:
    """A span that OneNote or Word makes bold or strikes through with its ``style`` as
    ``<b>`` or ``<s>``, so that a bold line reads as a title and a struck item as dropped."""
    style = attrs.get("style", "").replace(" ", "").lower()
    if "text-decoration:line-through" in style:
        return Element("s", {}, inner, line)
    if "font-weight:bold" in style or "font-weight:700" in style:
        return Element("b", {}, inner, line)
    return None


def without_zero_width_spaces(text: str) -> str:
    """The page without zero-width spaces, which SharePoint sows before headings and labels
    (``\u200b<strong>Owning team:</strong>``), where they hide a label from its reader."""
    return text.replace("\u200b", "") if "\u200b" in text else text


def is_quoted_mail(attrs: dict[str, str]) -> bool:
    """An earlier message a Gmail reply quotes (``div.gmail_quote``): it is not the
    postmortem's text, and its lists are no items of it."""
    return "gmail_quote" in attrs.get("class", "").split()


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
    if written_by == "onenote":
        return _onenote_lists(children)
    if written_by in ("paper", "quip"):
        children = _lines_unwrapped(children)
    elif written_by == "word":
        children = _word_lists(children)
    level_of = _LEVELS[written_by]
    out: list[Node] = []
    parents: dict[int, Element] = {}  # the last list seen at each level, while lists follow
    for child in children:
        level = level_of(child) if isinstance(child, Element) and child.name in _LISTS else None
        if level is None or isinstance(child, str):
            if not isinstance(child, str) or child.strip():
                parents.clear()  # anything but white space ends the run of lists
            out.append(child)
            continue
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


def _entry_level(node: Element) -> int | None:
    """The level a list's entries name (``ql-indent-1``, ``list-indent-1``; none: 0)."""
    levels = {
        int(found.group(1)) if found else 0
        for entry in node.children
        if not isinstance(entry, str) and entry.name == "li"
        for found in [_ENTRY_LEVEL.search(entry.attrs.get("class", ""))]
    }
    return levels.pop() if len(levels) == 1 else None


_ENTRY_LEVEL = re.compile(r"\b(?:ql|list)-indent-(\d)\b")


def _paper_level(node: Element) -> int | None:
    found = _PAPER_LEVEL.search(node.attrs.get("class", ""))
    return int(found.group(1)) - 1 if found and found.group(1) != "0" else None


_PAPER_LEVEL = re.compile(r"\blistindent(\d)\b")


def _google_level(node: Element) -> int | None:
    found = _LIST_LEVEL.search(node.attrs.get("class", ""))
    # Google Docs nests lists nine levels deep at most: deeper "levels" are not nesting.
    return int(found.group(1)) if found and len(found.group(1)) == 1 else None


_LISTS = frozenset({"ol", "ul"})
# How each editor says a list's level (0 at the top), for a list (``ul``, ``ol``).
_LEVELS: dict[str, Callable[[Element], int | None]] = {
    "google": _google_level,
    "quill": _entry_level,
    "quip": _entry_level,
    "word": _word_level,
    "paper": _paper_level,
}


def _lines_unwrapped(children: list[Node]) -> list[Node]:
    """Paper's lines: a line (``div``) that holds only a list is that list, so that the lists
    of consecutive lines are siblings `nested_lists` can nest."""
    out: list[Node] = []
    for child in children:
        if not isinstance(child, str) and child.name == "div":
            inner = [c for c in child.children if not isinstance(c, str) or c.strip()]
            if len(inner) == 1 and not isinstance(inner[0], str) and inner[0].name in _LISTS:
                out.append(inner[0])
                continue
        out.append(child)
    return out
