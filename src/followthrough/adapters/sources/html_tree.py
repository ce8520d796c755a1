"""An HTML page as a plain element tree, and its reduction to `SourceDocument` blocks.

The HTML adapter builds this tree from the parser's (each element with its source line); the
walk below turns it into headings, paragraphs, lists and tables. Inline markup is rewritten in
the Markdown-like form extraction reads (``**b**``, ``[t](u)``, ``~~s~~``, ``[x]``), so one set
of rules serves both formats. Text directly inside a container that also holds blocks is not
read (page chrome, stray words between sections), nor are comments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from followthrough.domain.document import (
    Block,
    Heading,
    ListBlock,
    ListEntry,
    Opaque,
    Paragraph,
    Table,
    Text,
)


class Element:
    """One element: its lower-case name, attributes, children (elements and text) and line."""

    __slots__ = ("attrs", "children", "line", "name")

    def __init__(
        self, name: str, attrs: dict[str, str], children: list[Element | str], line: int
    ) -> None:
        self.name = name
        self.attrs = attrs
        self.children = children
        self.line = line

    def __repr__(self) -> str:
        return f"Element({self.name!r}, line={self.line}, children={len(self.children)})"


Node = Element | str

# Elements that make their parent a container of blocks rather than a paragraph.
BLOCK_TAGS = frozenset(
    "p div section article main body html td th li ul ol table h1 h2 h3 h4 h5 h6 blockquote "
    "header footer nav figure".split()
)
# Never read: scripts, styles, page head, drawings; code blocks become `Opaque`.
SKIP_TAGS = frozenset("script style head noscript template svg pre code".split())
_HEADINGS: Final = {f"h{level}": level for level in range(1, 7)}
_STRONG: Final = frozenset({"strong", "b"})
_STRUCK: Final = frozenset({"s", "del", "strike"})
_SPACES: Final = re.compile(r"[ \t\xa0]+")
_WHITESPACE: Final = re.compile(r"\s+")


def blocks(root: Element) -> tuple[Block, ...]:
    """The blocks of a page whose body (or whole document) is ``root``."""
    found: list[Block] = []
    _blocks(root, found)
    return tuple(found)


def task_list(
    attrs: dict[str, str],
    children: list[Node],
    line: int,
    *,
    ticked: Callable[[Element], bool],
    content: Callable[[list[Node]], list[Node]] = list,
) -> Element:
    """A task list whose entries open with their box's state, ``[x]`` when ``ticked`` says so
    and ``[ ]`` otherwise, as a Markdown task list's do; ``content`` is what each entry holds
    after its mark."""
    entries: list[Node] = []
    for child in children:
        if isinstance(child, str) or child.name != "li":
            entries.append(child)
            continue
        mark = "[x] " if ticked(child) else "[ ] "
        entries.append(Element("li", child.attrs, [mark, *content(child.children)], child.line))
    return Element("ul", attrs, entries, line)


def inline_text(element: Element) -> str:
    """The element's text as one line, inline markup rewritten."""
    return _text(element, one_line=True).raw


def _inline(element: Element, links: list[str]) -> str:
    name = element.name
    if name in SKIP_TAGS and name != "code":
        return ""
    if name == "br":
        return "\n"
    if name == "input" and element.attrs.get("type") == "checkbox":
        return "[x] " if "checked" in element.attrs else "[ ] "
    children = element.children
    if len(children) == 1 and isinstance(children[0], str):  # the common case: text only
        inner = children[0]
    else:
        parts = [child if isinstance(child, str) else _inline(child, links) for child in children]
        inner = " · " if _are_labelled_fields(children, parts) else ""
        inner = inner.join(parts)
    if name == "a":
        href = element.attrs.get("href")
        if href:
            links.append(href)
            return f"[{inner.strip()}]({href})"
    elif name in _STRONG:
        stripped = inner.strip()
        if stripped:
            return f"**{stripped}**"
    elif name in _STRUCK:
        stripped = inner.strip()
        if stripped:
            return f"~~{stripped}~~"
    elif name == "code":
        return f"`{inner}`"
    return inner


def _are_labelled_fields(children: list[Node], parts: list[str]) -> bool:
    """Elements side by side with nothing between them, each a labelled field ("Due: Aug 22"):
    a card's field chips, which its page's style sets apart."""
    return (
        len(parts) > 1
        and all(not isinstance(child, str) for child in children)
        and all(_FIELD_LABEL.match(part) for part in parts)
    )


_FIELD_LABEL: Final = re.compile(r"[A-Z][\w ]{0,24}:\s")


def _text(element: Element, *, one_line: bool = False) -> Text:
    """The element's inline text; its lines (split at ``<br>``) joined by a newline, or by a
    space for a table cell (``one_line``)."""
    links: list[str] = []
    raw = _inline(element, links)
    if "  " in raw or "\t" in raw or "\xa0" in raw:
        raw = _SPACES.sub(" ", raw)
    if "\n" in raw:
        lines = [line for line in map(str.strip, raw.split("\n")) if line]
        raw = (" " if one_line else "\n").join(lines)
    else:
        raw = raw.strip()
    return Text(raw, element.line, tuple(links), one_line)


def _has_block_children(element: Element) -> bool:
    """Whether a block stands among the element's children, or inside an inline child (a
    SharePoint page's ``<span>`` holds the whole wiki page)."""
    for child in element.children:
        if isinstance(child, str):
            continue
        if child.name in BLOCK_TAGS:
            return True
        if child.name in _WRAPPERS and child.children and _has_block_children(child):
            return True
    return False


# Inline elements a page may wrap blocks in (SharePoint's span around its wiki, a form).
_WRAPPERS: Final = frozenset({"span", "font", "form", "a", "label", "center"})


def _blocks(element: Element, found: list[Block]) -> None:
    for child in element.children:
        if isinstance(child, str):
            continue
        if child.name in SKIP_TAGS:
            if child.name == "pre":
                found.append(Opaque(line=child.line))
            continue
        _block(child, found)


def _block(element: Element, found: list[Block]) -> None:
    name = element.name
    level = _HEADINGS.get(name)
    if level is not None:
        found.append(Heading(level=level, text=_text(element)))
    elif name in {"ul", "ol"}:
        found.append(_list(element))
    elif name == "table":
        table = _table(element)
        if table is not None:
            found.append(table)
    elif _has_block_children(element):
        _blocks(element, found)
    else:
        text = _text(element)
        if text.raw:
            found.append(Paragraph(text=text))


def _list(element: Element) -> ListBlock:
    entries: list[ListEntry] = []
    for item in element.children:
        if isinstance(item, str) or item.name != "li":
            continue
        links: list[str] = []
        own = "".join(
            [
                child if isinstance(child, str) else _entry_part(child, links)
                for child in item.children
                if isinstance(child, str) or child.name not in ("ul", "ol")
            ]
        )
        text = Text(raw=_WHITESPACE.sub(" ", own).strip(), line=item.line, links=tuple(links))
        children = tuple(
            _list(sub)
            for sub in item.children
            if not isinstance(sub, str) and sub.name in ("ul", "ol")
        )
        entries.append(ListEntry(text=text, children=children))
    return ListBlock(ordered=element.name == "ol", entries=tuple(entries), line=element.line)


def _entry_part(element: Element, links: list[str]) -> str:
    """A list entry's child as text; a block inside the entry (a card's title and its fields,
    each a ``div``) is a line of its own, as a browser shows it."""
    text = _inline(element, links)
    return f"\n{text}\n" if element.name in _ENTRY_BLOCKS else text


_ENTRY_BLOCKS: Final = frozenset({"div", "p", "section", "header", "footer"})


def _rows(element: Element, rows: list[Element]) -> list[Element]:
    """The ``tr`` elements of a table, nested tables' rows excluded, in document order."""
    for child in element.children:
        if isinstance(child, str):
            continue
        name = child.name
        if name == "tr":  # rows hold cells, never rows (a row inside a cell is in a table)
            rows.append(child)
        elif name != "table":
            _rows(child, rows)
    return rows


def _table(element: Element) -> Table | None:
    rows = _rows(element, [])
    if not rows:
        return None
    cells = [
        tuple(
            [
                _text(cell, one_line=True)
                for cell in row.children
                if not isinstance(cell, str) and cell.name in {"td", "th"}
            ]
        )
        for row in rows
    ]
    if len(cells) > 2 and _spreadsheet_frame(cells):
        # A spreadsheet's frame (Quip, Google Sheets): column letters over the table, row
        # numbers beside it. The table is what the frame holds; its first row is its header.
        cells = [row[1:] for row in cells[1:]]
    return Table(header=cells[0], rows=tuple(cells[1:]), line=element.line)


def _spreadsheet_frame(cells: list[tuple[Text, ...]]) -> bool:
    """Whether the first row is column letters (A, B, C … after an empty corner) and the
    first column row numbers."""
    letters = [cell.raw.strip() for cell in cells[0]]
    if len(letters) < 3 or letters[0] or letters[1:] != list(_COLUMN_LETTERS[: len(letters) - 1]):
        return False
    return all(row and row[0].raw.strip().isdigit() for row in cells[1:])


_COLUMN_LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
