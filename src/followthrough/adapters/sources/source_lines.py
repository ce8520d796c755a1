"""Source lines for the elements of a parsed HTML page, which the HTML parser does not keep.

The page is scanned once for start tags, as the HTML tokenizer sees them (comments, doctype,
end tags and the text of ``script``, ``style``, ``title``, ``textarea`` and the like are passed
over; quoted attribute values may hold ``<`` and ``>``). The n-th element of a name in tree
order is then given the line of the n-th start tag of that name: the parser keeps elements in
source order, except those it creates itself (an implied ``tbody``, a formatting element
reopened after a block) and the few it moves (content misplaced in a table). An element past
the last start tag of its name was created by the parser and takes the line of the element
before it in tree order.

A line is the line on which the start tag ends, as html5lib reports it.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"<(?:"
    r"!--(?:-?>|.*?(?:--!?>|\Z))"  # a comment, including the abrupt <!--> and <!--->
    r"|[!?][^>]*+(?:>|\Z)"  # doctype, processing instruction, bogus comment
    r"|([A-Za-z][^\t\n\f\r />]*+)"  # a start tag: its name, then its attributes
    r"(?:[^>\"']++|\"[^\"]*+\"|'[^']*+'|[\"'])*+(>|\Z))",
    re.S,
)
# Elements whose content is text up to their end tag, whatever it looks like.
_RAW_TEXT = frozenset("script style xmp iframe noembed noframes textarea title plaintext".split())
# (``plaintext`` has no end: the rest of the page is its text.)
_RAW_END = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.I) for name in _RAW_TEXT}
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# Parts of a table: outside any table the parser ignores their start tags.
_TABLE_PARTS = frozenset("caption col colgroup tbody td tfoot th thead tr".split())
_TABLE_ELEMENTS = _TABLE_PARTS | {"table"}


def start_tag_lines(text: str) -> dict[str, list[int]]:
    """For each tag name (lower case), the lines of its start tags in source order.

    End tags are not read, except to know whether a table is open: a ``<`` in one is taken
    as text, which only an end tag holding attributes with markup in them (never written)
    would make wrong.
    """
    if "\r" in text:  # a lone carriage return ends a line too
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    scan = _Scan(text)
    position: int | None = 0
    while position is not None:
        position = scan.from_position(position)
    return scan.lines


class _Scan:
    """The start tags found so far, and the line reached."""

    __slots__ = ("counted", "line", "lines", "tables", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[str, list[int]] = {}
        self.line, self.counted = 1, 0
        self.tables = _Tables(text)

    def from_position(self, position: int) -> int | None:
        """Scan on from ``position`` up to the end of the page (``None``), or up to the end
        of a raw-text element's text (where to go on)."""
        text, lines, count, tables = self.text, self.lines, self.text.count, self.tables
        line, counted = self.line, self.counted
        try:
            for match in _TOKEN.finditer(text, position):
                name, closed = match.groups()
                if name is None:
                    continue
                if not closed:  # the page ends inside the tag: the tokenizer drops it
                    return None
                if not name.islower():
                    name = name.translate(_ASCII_LOWER)
                if name in _TABLE_ELEMENTS and not tables.started(name, match.start()):
                    continue
                end = match.end()
                line += count("\n", counted, end)
                counted = end
                found = lines.get(name)
                if found is None:
                    lines[name] = [line]
                else:
                    found.append(line)
                if name in _RAW_TEXT and not _in_foreign_content(text, match.start()):
                    closing = None if name == "plaintext" else _RAW_END[name].search(text, end)
                    return None if closing is None else closing.start()
            return None
        finally:
            self.line, self.counted = line, counted


class _Tables:
    """Whether a table part's start tag makes an element: only inside an open table."""

    __slots__ = ("closed", "counted", "opened", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.opened = self.closed = self.counted = 0  # tables closed before `counted`

    def started(self, name: str, start: int) -> bool:
        if name == "table":
            self.opened += 1
            return True
        text = self.text
        self.closed += text.count("</table", self.counted, start)
        self.closed += text.count("</TABLE", self.counted, start)
        self.counted = start
        return self.opened > self.closed


def _in_foreign_content(text: str, position: int) -> bool:
    """Whether an ``<svg>`` or ``<math>`` element is open at ``position`` (there ``script``,
    ``style`` and ``title`` hold markup, not text)."""
    for name in ("svg", "math"):
        start = text.rfind(f"<{name}", 0, position)
        if start >= 0 and text.find(f"</{name}", start, position) < 0:
            return True
    return False


class LineCounter:
    """Gives each element, visited in tree order, the line of its start tag."""

    __slots__ = ("last", "pending")

    def __init__(self, text: str) -> None:
        # Each name's lines, last first, so the next one is popped from the end.
        self.pending = {name: found[::-1] for name, found in start_tag_lines(text).items()}
        self.last = 1

    def next(self, name: str) -> int:
        """The line of the next element called ``name`` in tree order."""
        found = self.pending.get(name)
        if found:
            self.last = found.pop()
        return self.last
