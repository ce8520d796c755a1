"""The block structure that source parsers produce and extraction reads.

Markdown and HTML are both reduced to these few shapes, so the extraction rules are
written once. Inline text stays in a Markdown-like form (``**bold**``, ``[text](url)``,
``~~struck~~``) because that is where owners, tickets and done markers live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from followthrough.domain.frozen import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Text:
    """Inline content: Markdown-like source (wrapped lines joined by newlines) and its links."""

    raw: str
    line: int
    links: tuple[str, ...] = ()
    # Markdown wraps one source line per text line; an HTML element's text lines (split at
    # <br>) all start on the element's line.
    lines_follow_source: bool = True


@quick_init
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: Text


@quick_init
@dataclass(frozen=True, slots=True)
class Paragraph:
    text: Text


@quick_init
@dataclass(frozen=True, slots=True)
class ListEntry:
    """One list item: its first paragraph, then whatever is nested below it."""

    text: Text
    children: tuple[Block, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class ListBlock:
    ordered: bool
    entries: tuple[ListEntry, ...]
    line: int


@quick_init
@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]
    line: int


@quick_init
@dataclass(frozen=True, slots=True)
class Opaque:
    """Code, raw HTML and anything else extraction must not read items from."""

    line: int


Block = Heading | Paragraph | ListBlock | Table | Opaque


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """Something a parser could not read cleanly; becomes a finding."""

    code: str
    message: str
    line: int


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A parsed document: its blocks, its front matter and what went wrong reading it."""

    path: str
    blocks: tuple[Block, ...]
    front_matter: dict[str, Any] = field(default_factory=dict)
    front_matter_line: int = 1
    problems: tuple[SourceProblem, ...] = ()
    folder: str | None = None
    stem: str = ""
    # The parser saw no control or bidi character anywhere in the file, so no text of the
    # document holds one (extraction then skips its cleaning pass).
    visible_only: bool = field(default=False, compare=False)
