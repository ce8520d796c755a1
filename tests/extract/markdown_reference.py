"""Reference Markdown reader (markdown-it-py token stream) that the fast adapter must match.

This is the adapter's former implementation, kept only to check the current one block for
block (see test_markdown_differential.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from followthrough.adapters.sources.dialects import as_commonmark, written_in_a_dialect
from followthrough.adapters.sources.frontmatter import split_front_matter
from followthrough.adapters.sources.markdown import html_blocks
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


def new_parser() -> MarkdownIt:
    """A CommonMark parser with the GFM extensions postmortems use."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


class _Builder:
    """Turns markdown-it's flat token stream into nested blocks."""

    def __init__(self, tokens: Sequence[Token], line_offset: int) -> None:
        self.tokens = tokens
        self.pos = 0
        self.offset = line_offset

    def line_of(self, token: Token) -> int:
        return (token.map[0] if token.map else 0) + 1 + self.offset

    def text(self, inline: Token, line: int) -> Text:
        links = tuple(
            str(child.attrs["href"])
            for child in inline.children or ()
            if child.type == "link_open" and "href" in child.attrs
        )
        return Text(raw=inline.content, line=line, links=links)

    def blocks_until(self, close_type: str | None) -> list[Block]:
        blocks: list[Block] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if close_type is not None and token.type == close_type:
                self.pos += 1
                return blocks
            block = self.block()
            if isinstance(block, list):
                blocks.extend(block)
            elif block is not None:
                blocks.append(block)
        return blocks

    def block(self) -> Block | list[Block] | None:
        token = self.tokens[self.pos]
        kind = token.type
        if kind == "heading_open":
            return self.heading(token)
        if kind == "paragraph_open":
            return self.paragraph(token)
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list_block(token)
        if kind == "table_open":
            return self.table(token)
        if kind == "blockquote_open":
            self.pos += 1
            return self.blocks_until("blockquote_close")
        self.pos += 1
        if kind == "html_block":
            found = html_blocks(token.content, self.line_of(token))
            if found is not None:
                return found
        if kind in ("fence", "code_block", "html_block"):
            return Opaque(line=self.line_of(token))
        return None

    def heading(self, token: Token) -> Heading:
        inline = self.tokens[self.pos + 1]
        self.pos += 3
        return Heading(level=int(token.tag[1]), text=self.text(inline, self.line_of(token)))

    def paragraph(self, token: Token) -> Paragraph:
        inline = self.tokens[self.pos + 1]
        self.pos += 3
        return Paragraph(text=self.text(inline, self.line_of(token)))

    def list_block(self, token: Token) -> ListBlock:
        close = token.type.replace("_open", "_close")
        self.pos += 1
        entries: list[ListEntry] = []
        while self.pos < len(self.tokens) and self.tokens[self.pos].type != close:
            item = self.tokens[self.pos]
            self.pos += 1
            entries.append(self.list_entry(item))
        self.pos += 1
        return ListBlock(
            ordered=token.type == "ordered_list_open",
            entries=tuple(entries),
            line=self.line_of(token),
        )

    def list_entry(self, item: Token) -> ListEntry:
        line = self.line_of(item)
        children = self.blocks_until("list_item_close")
        if children and isinstance(children[0], Paragraph):
            first = children.pop(0)
            assert isinstance(first, Paragraph)
            return ListEntry(text=first.text, children=tuple(children))
        return ListEntry(text=Text(raw="", line=line), children=tuple(children))

    def table(self, token: Token) -> Table:
        self.pos += 1
        header: tuple[Text, ...] = ()
        rows: list[tuple[Text, ...]] = []
        while self.tokens[self.pos].type != "table_close":
            current = self.tokens[self.pos]
            if current.type == "tr_open":
                cells = self.table_row(self.line_of(current))
                if header:
                    rows.append(cells)
                else:
                    header = cells
            else:
                self.pos += 1
        self.pos += 1
        return Table(header=header, rows=tuple(rows), line=self.line_of(token))

    def table_row(self, line: int) -> tuple[Text, ...]:
        cells: list[Text] = []
        self.pos += 1
        while self.tokens[self.pos].type != "tr_close":
            current = self.tokens[self.pos]
            if current.type == "inline":
                cells.append(self.text(current, line))
            self.pos += 1
        self.pos += 1
        return tuple(cells)


def parse_markdown(
    text: str,
    *,
    path: str,
    parser: MarkdownIt | None = None,
    folder: str | None = None,
    stem: str = "",
) -> SourceDocument:
    """Parse a Markdown document (optionally with YAML front matter) into blocks."""
    front = split_front_matter(text)
    md = parser or new_parser()
    env: dict[str, Any] = {}
    tokens = md.parse(front.body, env)
    blocks = _Builder(tokens, line_offset=front.body_line - 1).blocks_until(None)
    if written_in_a_dialect(b.text.raw for b in blocks if isinstance(b, Paragraph)):
        tokens = md.parse(as_commonmark(front.body), {})
        blocks = _Builder(tokens, line_offset=front.body_line - 1).blocks_until(None)
    return SourceDocument(
        path=path,
        blocks=tuple(blocks),
        front_matter=front.data,
        front_matter_line=1,
        problems=front.problems,
        folder=folder,
        stem=stem,
    )
