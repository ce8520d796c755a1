"""Markdown parser adapter: Markdown text → `SourceDocument` blocks (markdown-it-pyrs).

markdown-it-pyrs (a binding of the Rust port of markdown-it) gives the CommonMark block
structure, GFM tables and strikethrough and resolved links (reference-style included), with
byte offsets into the source. Inline text is then cut from the source lines exactly as
markdown-it does (container markers and the block's indentation removed, wrapped lines kept
as separate lines, the whole trimmed), so extraction sees the author's Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import accumulate
from typing import Final

from markdown_it_pyrs import MarkdownIt, Node

from followthrough.adapters.sources.dialects import as_commonmark, written_in_a_dialect
from followthrough.adapters.sources.frontmatter import split_front_matter
from followthrough.adapters.sources.html import parse_html
from followthrough.adapters.sources.limits import (
    LONG_PREFIX,
    PREFIX_CHARACTERS,
    UnsafeDocumentError,
    check_markdown,
)
from followthrough.adapters.sources.panic_report import is_panic, without_panic_report
from followthrough.domain.document import (
    Block,
    Heading,
    ListBlock,
    ListEntry,
    Opaque,
    Paragraph,
    SourceDocument,
    Table,
    Text,
)
from followthrough.domain.itemtext import has_invisible

# CommonMark whitespace plus the Unicode spaces markdown-it trims inline content with.
_TRIM: Final = "".join(
    chr(code)
    for code in sorted(
        {9, 10, 11, 12, 13, 32, 160, 5760, 8239, 8287, 12288, 0x2028, 0x2029}
        | set(range(0x2000, 0x200B))
    )
)
# What else `str.strip()` strips (all of _TRIM is whitespace to it): where a body holds
# none of these, `strip()` trims as `strip(_TRIM)` does, and faster.
_NOT_TRIMMED: Final = ("\x1c", "\x1d", "\x1e", "\x1f", "\x85")
_NEWLINES: Final = re.compile(r"\r\n?")
_INLINE: Final = frozenset(
    {
        "text",
        "text_special",
        "softbreak",
        "hardbreak",
        "em",
        "strong",
        "strikethrough",
        "code_inline",
        "html_inline",
        "link",
        "autolink",
        "image",
    }
)
_OPAQUE: Final = frozenset({"fence", "code_block", "html_block"})
_SPACE: Final = 0x20
_TAB: Final = 0x09
_HASH: Final = 0x23
# For each ASCII code, 1 when the character may be part of a container prefix.
_IN_PREFIX: Final = bytes(int(chr(code) in PREFIX_CHARACTERS) for code in range(128))
_LONG_PREFIX: Final = LONG_PREFIX


def new_parser() -> MarkdownIt:
    """A CommonMark parser with the GFM extensions postmortems use.

    The rules are those of the "commonmark" preset and GFM tables, in their order, but for
    line breaks, emphasis and strikethrough: text is cut from the source, and of the inline
    nodes only links are read. Emphasis is resolved after links are found and never changes
    which text is a link, so without those rules the links are the same, each a direct child
    of its block, and there are fewer nodes to build and convert.
    """
    return MarkdownIt("zero").enable_many(
        [
            *("escape", "backticks", "link", "image", "autolink", "entity"),
            *("code", "fence", "blockquote", "hr", "list", "reference", "heading", "lheading"),
            *("paragraph", "html_inline", "html_block", "table"),
        ]
    )


def _links(nodes: Sequence[Node]) -> tuple[str, ...]:
    """Link targets in document order, as markdown-it's flat inline stream lists them."""
    found: list[str] = []
    for node in nodes:
        if node.name in ("link", "autolink"):
            url = node.meta.get("url")
            if url is not None:
                found.append(str(url))
    return tuple(found)


class _Source:
    """The body as text and as bytes, with where each line starts and where its content
    starts."""

    def __init__(self, body: str, line_offset: int, starts: list[int] | None) -> None:
        self.body = body
        self.data = body.encode()
        # An ASCII body comes with its line starts: a character's offset is its byte's.
        self.ascii = starts is not None
        self.plain_spaces = not any(char in body for char in _NOT_TRIMMED)
        # Where each line starts, then one past the end of the body: line ``n`` ends (before
        # its newline) at ``starts[n + 1] - 1``. Those of an ASCII body come found already.
        if starts is None:
            lengths = map((1).__add__, map(len, self.data.split(b"\n")))  # a line and its \n
            starts = list(accumulate(lengths, initial=0))
        self.starts = starts
        self.count = len(self.starts) - 1  # lines; offsets past the end are on the last one
        # Where markdown-it's block state begins each line (after blockquote markers): the
        # line starts themselves until a quoted line is met (`quoted`), then a copy.
        self.bmark = self.starts
        self.quoted = False
        self.offset = line_offset + 1

    def line_at(self, offset: int) -> int:
        """The line holding byte ``offset`` (a binary search of the line starts)."""
        starts = self.starts
        low, high = 0, self.count
        while low < high:
            middle = (low + high) // 2
            if offset < starts[middle]:
                high = middle
            else:
                low = middle + 1
        return low - 1

    def last_line(self, start: int, end: int) -> int:
        """The line of a node's last byte (of its start, when it is empty)."""
        return self.line_at(end - 1 if end > start else start)

    def number(self, offset: int) -> int:
        """1-based line number in the whole file for a byte offset of the body."""
        return self.line_at(offset) + self.offset

    def eol(self, line: int) -> int:
        return self.starts[line + 1] - 1

    def column(self, line: int, pos: int) -> int:
        """Columns from the line's content start to ``pos`` (tabs to multiples of four)."""
        data, base, col = self.data, self._tab_base(line), 0
        for at in range(self.bmark[line], pos):  # a marker's few bytes: no slice is made
            col += 4 - (col + base) % 4 if data[at] == _TAB else 1
        return col

    def _tab_base(self, line: int) -> int:
        return self.bmark[line] - self.starts[line]

    def dedent(self, line: int, indent: int) -> bytes:
        """One line without up to ``indent`` columns of leading whitespace (``getLines``)."""
        pos, end, col = self.bmark[line], self.starts[line + 1] - 1, 0
        data = self.data
        while pos < end and col < indent:
            byte = data[pos]
            if byte == _SPACE:
                col += 1
            elif byte == _TAB:
                col += 4 - (col + self._tab_base(line)) % 4
            else:
                break
            pos += 1
        pad = b" " * (col - indent) if col > indent else b""
        return pad + data[pos:end]

    def text(self, first: int, line: int, last_line: int, indent: int) -> str:
        """Inline content from byte ``first`` (on ``line``) to the end of ``last_line``, trimmed."""
        data = self.data
        if last_line <= line or (indent == 0 and not self.quoted):
            # Nothing to remove from the lines after the first: the source as it stands.
            return self.trimmed(self.cut(first, self.starts[max(line, last_line) + 1] - 1))
        parts = [data[first : self.starts[line + 1] - 1]]
        parts.extend(self.dedent(other, indent) for other in range(line + 1, last_line + 1))
        return self.trimmed(b"\n".join(parts).decode())

    def trimmed(self, text: str) -> str:
        """``text`` without the whitespace markdown-it trims inline content of."""
        return text.strip() if self.plain_spaces else text.strip(_TRIM)

    def cut(self, start: int, end: int) -> str:
        """The body from byte ``start`` to ``end``: of an ASCII body, a slice of the text
        itself (no bytes are copied and decoded)."""
        return self.body[start:end] if self.ascii else self.data[start:end].decode()

    def content_start(self, line: int) -> int:
        pos, end = self.bmark[line], self.starts[line + 1] - 1
        if pos >= end:
            return pos
        return end - len(self.data[pos:end].lstrip(b" \t"))


def _marker_end(data: bytes, start: int) -> int:
    """Where the list marker at ``start`` ends, spaces and tabs before it included: up to
    nine digits and a ``.`` or ``)``, or one of ``-*+``; ``start + 1`` where none is."""
    size, pos = len(data), start
    while pos < size and data[pos] in (_SPACE, _TAB):
        pos += 1
    if pos < size and data[pos] in (0x2A, 0x2B, 0x2D):  # * + -
        return pos + 1
    digits = pos
    while pos < size and pos - digits < 9 and 0x30 <= data[pos] <= 0x39:
        pos += 1
    if pos > digits and pos < size and data[pos] in (0x29, 0x2E):  # ) .
        return pos + 1
    return start + 1


def _prefixed_lines(text: str, starts: list[int]) -> list[int]:
    """The starts of the lines of ASCII ``text`` that open with a long container prefix (see
    `check_markdown`): a look at the first characters of each line."""
    found: list[int] = []
    size = len(text)
    for index in range(len(starts) - 1):
        start = starts[index]
        stop = start + _LONG_PREFIX
        if stop > size:
            continue
        at = start
        while at < stop and _IN_PREFIX[ord(text[at])]:
            at += 1
        if at == stop:
            found.append(start)
    return found


def _line_starts(text: str) -> list[int]:
    """Where each line of ``text`` starts, then one past its end."""
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        at += 1
        starts.append(at)
        at = text.find("\n", at)
    starts.append(len(text) + 1)
    return starts


class _Builder:
    """Turns the node tree into blocks, cutting inline text from the source.

    Each attribute of a node is read at most once: every read crosses into the parser's
    Rust objects and builds a new Python value.
    """

    def __init__(self, source: _Source) -> None:
        self.src = source

    def make_text(self, first: int, last_line: int, indent: int, inline: Node | list[Node]) -> Text:
        """The text from byte ``first`` to the end of ``last_line``; ``inline`` is the node
        holding its inline nodes, or those nodes."""
        return self.text_on(first, self.src.line_at(first), last_line, indent, inline)

    def text_on(
        self, first: int, line: int, last_line: int, indent: int, inline: Node | list[Node]
    ) -> Text:
        """`make_text` for a text whose first line, ``line``, is known already."""
        src = self.src
        raw = src.text(first, line, last_line, indent)
        if "[" in raw or "<" in raw:
            links = _links(inline if isinstance(inline, list) else inline.children)
            return Text(raw, line + src.offset, links)
        return Text(raw, line + src.offset)

    def blocks(self, nodes: Sequence[Node], indent: int) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            found = self.block(node, indent)
            if isinstance(found, list):
                out.extend(found)
            elif found is not None:
                out.append(found)
        return out

    def block(self, node: Node, indent: int) -> Block | list[Block] | None:
        start, end = node.srcmap or (0, 0)
        return self.named_block(node, node.name, start, end, indent)

    def named_block(
        self, node: Node, name: str, start: int, end: int, indent: int
    ) -> Block | list[Block] | None:
        """The block of ``node``, whose name and source span are read already."""
        if name == "paragraph":
            last = self.src.last_line(start, end)
            return Paragraph(self.make_text(start, last, indent, node))
        if name == "heading":
            return self.atx_heading(node, start)
        if name == "lheading":
            level = int(node.meta.get("level", 1))
            last = self.src.last_line(start, end) - 1
            return Heading(level, self.make_text(start, last, indent, node))
        if name in ("bullet_list", "ordered_list"):
            entries = tuple([self.list_entry(item) for item in node.children])
            return ListBlock(name == "ordered_list", entries, self.src.number(start))
        if name == "table":
            return self.table(node, start, end)
        if name == "blockquote":
            return self.blockquote(node, start, end)
        if name == "html_block":
            return self.html_block(start, end)
        if name in _OPAQUE:
            return Opaque(self.src.number(start))
        return None

    def html_block(self, start: int, end: int) -> Block | list[Block]:
        """HTML written in the Markdown: a table or a list in it is read as the page's own
        ("<table>" rows of actions); anything else says nothing to a reader."""
        line = self.src.number(start)
        found = html_blocks(self.src.data[start:end].decode(errors="replace"), line)
        return Opaque(line) if found is None else found

    def atx_heading(self, node: Node, start: int) -> Heading:
        """An ATX heading: its level is its count of ``#``, its text what follows them up to
        a closing run of ``#`` (when a space or tab comes before that run)."""
        src = self.src
        line = src.line_at(start)
        data, pos, end = src.data, start, src.eol(line)
        while pos < end and data[pos] in (_SPACE, _TAB):
            pos += 1
        hashes = pos
        while pos < end and data[pos] == _HASH:
            pos += 1
        level = pos - hashes
        while end > pos and data[end - 1] in (_SPACE, _TAB):
            end -= 1
        unclosed = end
        while unclosed > pos and data[unclosed - 1] == _HASH:
            unclosed -= 1
        if unclosed > pos and data[unclosed - 1] in (_SPACE, _TAB):
            end = unclosed
        raw = src.trimmed(src.cut(pos, end))
        if "[" in raw or "<" in raw:
            text = Text(raw, line + src.offset, _links(node.children))
        else:
            text = Text(raw, line + src.offset)
        return Heading(level, text)

    def list_entry(self, item: Node) -> ListEntry:
        src = self.src
        start, end = item.srcmap or (0, 0)
        marker_line = src.line_at(start)
        content, indent = self.item_content(marker_line, start)
        last_line = src.last_line(start, end)
        text, children = self.item_blocks(item.children, indent, marker_line, content, last_line)
        if text is not None:
            return ListEntry(text, tuple(children))
        if children and isinstance(children[0], Paragraph):
            return ListEntry(children[0].text, tuple(children[1:]))
        return ListEntry(Text("", marker_line + src.offset), tuple(children))

    def item_content(self, line: int, start: int) -> tuple[int, int]:
        """Where an item's text starts on its marker line, and the item's content indent."""
        src = self.src
        data = src.data
        after = _marker_end(data, start)
        initial = src.column(line, after)
        pos, col, end = after, initial, src.eol(line)
        while pos < end and data[pos] in (_SPACE, _TAB):
            col += 4 - (col + src._tab_base(line)) % 4 if data[pos] == _TAB else 1
            pos += 1
        gap = 1 if pos >= end else col - initial
        return pos, initial + (1 if gap > 4 else gap)

    def item_blocks(
        self, nodes: Sequence[Node], indent: int, marker_line: int, content: int, last_line: int
    ) -> tuple[Text | None, list[Block]]:
        """An item's blocks; a tight item's paragraphs are runs of inline nodes.

        The text of a paragraph (or run) the item opens with comes first, on its own (the
        entry's text: no paragraph is made of it), then the other blocks; ``None`` when the
        item opens with none of those.

        A run ends where the next block starts (or the item ends): inline offsets are not
        used for that, as they drift on lines holding tabs.
        """
        first: Text | None = None
        out: list[Block] = []
        run: list[Node] = []
        for node in nodes:
            name = node.name
            if name in _INLINE:
                run.append(node)
                continue
            start, end = node.srcmap or (0, 0)
            if run:
                stop = self.src.line_at(start) - 1
                text = self.run_text(run, indent, marker_line, content, stop)
                if first is None and not out:
                    first = text
                else:
                    out.append(Paragraph(text))
                run = []
            if name == "paragraph" and first is None and not out:
                first = self.make_text(start, self.src.last_line(start, end), indent, node)
                continue
            block = self.named_block(node, name, start, end, indent)
            if isinstance(block, list):
                out.extend(block)
            elif block is not None:
                out.append(block)
        if run:
            text = self.run_text(run, indent, marker_line, content, last_line)
            if first is None and not out:
                first = text
            else:
                out.append(Paragraph(text))
        return first, out

    def run_text(
        self, run: list[Node], indent: int, marker_line: int, content: int, stop: int
    ) -> Text:
        """The text of a run of inline nodes; the item's text starts at ``content`` on its
        ``marker_line``."""
        src = self.src
        line = src.line_at((run[0].srcmap or (0, 0))[0])
        first = content if line == marker_line else src.bmark[line]
        while stop > line and not src.dedent(stop, indent).strip(b" \t"):
            stop -= 1  # blank lines before the next block are not part of the text
        return self.text_on(first, line, stop, indent, run)

    def table(self, node: Node, start: int, end: int) -> Table:
        """A table's rows are lines: the header's, then each line after the delimiter row.

        Their nodes are read only when a row holds a link.
        """
        src = self.src
        table_line = src.line_at(start)
        lines: list[int] = [table_line, *range(table_line + 2, src.last_line(start, end) + 1)]
        row_nodes: list[Node] = []
        rows: list[tuple[Text, ...]] = []
        width = 0
        for index, line in enumerate(lines):
            # The header row may share its line with a list marker: it starts where the table
            # does (the spaces and tabs before a row's first pipe go with the trimming).
            first = start if index == 0 else src.bmark[line]
            text = src.trimmed(src.cut(first, src.starts[line + 1] - 1))
            if "[" in text or "<" in text:
                if not row_nodes:
                    row_nodes = [row for section in node.children for row in section.children]
                cells = self.linked_row(text, row_nodes[index], width, line)
            else:
                cells = self.plain_row(text, width, line)
            width = width or len(cells)
            rows.append(cells)
        return Table(rows[0], tuple(rows[1:]), table_line + src.offset)

    def plain_row(self, text: str, width: int, line: int) -> tuple[Text, ...]:
        columns = _split_cells(text)
        count = width or len(columns)
        src = self.src
        number = line + src.offset
        out = [Text(src.trimmed(column), number) for column in columns[:count]]
        out.extend(Text("", number) for _ in range(count - len(out)))
        return tuple(out)

    def linked_row(self, text: str, row: Node, width: int, line: int) -> tuple[Text, ...]:
        columns = _split_cells(text)
        count = width or len(columns)
        src = self.src
        number = line + src.offset
        cells = row.children
        out = []
        for index in range(count):
            raw = src.trimmed(columns[index]) if index < len(columns) else ""
            if index < len(cells) and ("[" in raw or "<" in raw):
                out.append(Text(raw, number, _links(cells[index].children)))
            else:
                out.append(Text(raw, number))
        return tuple(out)

    def blockquote(self, node: Node, start: int, end: int) -> list[Block]:
        """A quote's blocks stand in its place: teams quote their own callouts and boards
        ("> **Action items** …" then a list)."""
        self.quote_lines(start, self.src.last_line(start, end))
        return self.blocks(node.children, 0)

    def quote_lines(self, start: int, last: int) -> None:
        """Move each quoted line's start past its ``>`` (and one space), as markdown-it does."""
        src, data = self.src, self.src.data
        first = src.line_at(start)
        for line in range(first, last + 1):
            pos = start if line == first else src.content_start(line)
            if pos < len(data) and data[pos] == 0x3E:  # '>'
                pos += 1
                if pos < len(data) and data[pos] == _SPACE:
                    pos += 1
                if not src.quoted:
                    src.bmark, src.quoted = list(src.starts), True
                src.bmark[line] = pos


def html_blocks(raw: str, line: int) -> list[Block] | None:
    """The blocks of an HTML block starting on ``line`` of the file, when it holds a table or
    a list; ``None`` when it holds nothing a reader takes from a postmortem."""
    lowered = raw.lower()
    if "<table" not in lowered and "<ul" not in lowered and "<ol" not in lowered:
        return None
    # As many line breaks first as lines come before it: its lines are the file's.
    return list(parse_html("\n" * (line - 1) + raw, path="").blocks)


def _split_cells(text: str) -> list[str]:
    """A table row's cells: split at unescaped pipes (``\\|`` becomes ``|``), outer pipes dropped."""
    columns: list[str] = text.split("|") if "\\" not in text else _escaped_split(text)
    if columns and columns[0] == "":
        columns.pop(0)
    if columns and columns[-1] == "":
        columns.pop()
    return columns


def _escaped_split(text: str) -> list[str]:
    columns: list[str] = []
    current, last, escaped = "", 0, False
    for pos, char in enumerate(text):
        if char == "|":
            if escaped:
                current += text[last : pos - 1]
                last = pos
            else:
                columns.append(current + text[last:pos])
                current, last = "", pos + 1
        escaped = char == "\\"
    columns.append(current + text[last:])
    return columns


_FENCE_LINE: Final = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*(?:```|~~~)")


def _tree(md: MarkdownIt, body: str) -> Node:
    """The document's node tree, working around the parser's known crashes.

    markdown-it-pyrs 0.4 panics on a backtick left open inside a link's brackets
    (``[the `flag``). Its block structure does not depend on inline backticks, so the
    document is parsed again with them turned into quotes (same width, so every offset into
    the source still holds); fences are kept. The panic's report stays off standard error.
    """
    try:
        return _quiet_tree(md, body)
    except BaseException as error:
        if not is_panic(error):
            raise
    quoted = "\n".join(
        line if _FENCE_LINE.match(line) else line.replace("`", "'") for line in body.split("\n")
    )
    try:
        return _quiet_tree(md, quoted)
    except BaseException as error:
        if not is_panic(error):
            raise
        raise UnsafeDocumentError("cannot be parsed: the Markdown parser failed on it") from None


def _quiet_tree(md: MarkdownIt, body: str) -> Node:
    """``md.tree(body)``; where a backtick follows an opening bracket, the parser may panic,
    and its report is kept off standard error."""
    bracket = body.find("[")
    if bracket < 0 or body.find("`", bracket) < 0:
        return md.tree(body)
    return without_panic_report(lambda: md.tree(body))


def _blocks(md: MarkdownIt, body: str, line_offset: int) -> list[Block]:
    """The body's blocks, once `check_markdown` finds it safe to parse."""
    # An ASCII body's line starts are found first (a character's offset is its byte's): the
    # check is told how many lines there are and which open with a long prefix.
    if not body.isascii():
        check_markdown(body, body.count("\n") + 1)
        source = _Source(body, line_offset, None)
    else:
        starts = _line_starts(body)
        check_markdown(body, len(starts) - 1, _prefixed_lines(body, starts))
        source = _Source(body, line_offset, starts)
    return _Builder(source).blocks(_tree(md, body).children, 0)


def parse_markdown(
    text: str,
    *,
    path: str,
    parser: MarkdownIt | None = None,
    folder: str | None = None,
    stem: str = "",
) -> SourceDocument:
    """Parse a Markdown document (optionally with YAML front matter) into blocks.

    Raises `UnsafeDocumentError` for a document too deeply nested or too heavy to parse safely.
    """
    front = split_front_matter(text)
    body = front.body
    if "\r" in body:
        body = _NEWLINES.sub("\n", body)
    if "\0" in body:
        body = body.replace("\0", "\ufffd")
    md = parser or new_parser()
    blocks = _blocks(md, body, front.body_line - 1)
    if written_in_a_dialect([b.text.raw for b in blocks if isinstance(b, Paragraph)]):
        converted = as_commonmark(body)  # admonitions, Jira wiki markup (`dialects`)
        if converted != body:
            blocks = _blocks(md, converted, front.body_line - 1)
    return SourceDocument(
        path=path,
        blocks=tuple(blocks),
        front_matter=front.data,
        front_matter_line=1,
        problems=front.problems,
        folder=folder,
        stem=stem,
        visible_only=not has_invisible(text),
    )
