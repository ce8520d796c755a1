"""The block structure that source parsers produce and extraction reads.

Markdown and HTML are both reduced to these few shapes, so the extraction rules are
written once. Inline text stays in a Markdown-like form (``**bold**``, ``[text](url)``,
``~~struck~~``) because that is where owners, tickets and done markers live.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any, Final

from followthrough.domain.frozen import stores_through_slots


class _Value:
    """A frozen value built by the thousand on every scan: equality, hashing, ``repr`` and
    pickling by its fields (as a frozen dataclass has them), and no field changed afterwards.

    These are plain classes, not dataclasses: compiled (setup.py), each is a native class whose
    ``__init__`` stores straight into its fields, a small fraction of a dataclass's cost. Run as
    Python, `__setattr__` refuses every store, so `stores_through_slots` gives each class an
    ``__init__`` that stores through its slots.
    """

    __slots__ = ()

    def _values(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Value) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        names = _FIELDS[type(self).__name__]
        shown = ", ".join(
            f"{name}={value!r}" for name, value in zip(names, self._values(), strict=True)
        )
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), self._values())


def _refuse(name: str) -> None:
    raise FrozenInstanceError(f"cannot assign to or delete field {name!r}")


class Text(_Value):
    """Inline content: Markdown-like source (wrapped lines joined by newlines) and its links."""

    __slots__ = ("line", "lines_follow_source", "links", "raw")
    raw: str
    line: int
    links: tuple[str, ...]
    # Markdown wraps one source line per text line; an HTML element's text lines (split at
    # <br>) all start on the element's line.
    lines_follow_source: bool

    def __init__(
        self, raw: str, line: int, links: tuple[str, ...] = (), lines_follow_source: bool = True
    ) -> None:
        self.raw = raw
        self.line = line
        self.links = links
        self.lines_follow_source = lines_follow_source

    def _values(self) -> tuple[object, ...]:
        return (self.raw, self.line, self.links, self.lines_follow_source)

    # Each class refuses changes itself: compiled, a class's own __init__ then still stores
    # into its fields directly (a refusal inherited from `_Value` would refuse those too).
    def __setattr__(self, name: str, value: object) -> None:
        _refuse(name)

    def __delattr__(self, name: str) -> None:
        _refuse(name)


class Heading(_Value):
    __slots__ = ("level", "text")
    level: int
    text: Text

    def __init__(self, level: int, text: Text) -> None:
        self.level = level
        self.text = text

    def _values(self) -> tuple[object, ...]:
        return (self.level, self.text)

    def __setattr__(self, name: str, value: object) -> None:
        _refuse(name)

    def __delattr__(self, name: str) -> None:
        _refuse(name)


class Paragraph(_Value):
    __slots__ = ("text",)
    text: Text

    def __init__(self, text: Text) -> None:
        self.text = text

    def _values(self) -> tuple[object, ...]:
        return (self.text,)

    def __setattr__(self, name: str, value: object) -> None:
        _refuse(name)

    def __delattr__(self, name: str) -> None:
        _refuse(name)


class ListEntry(_Value):
    """One list item: its first paragraph, then whatever is nested below it."""

    __slots__ = ("children", "text")
    text: Text
    children: tuple[Block, ...]

    def __init__(self, text: Text, children: tuple[Block, ...] = ()) -> None:
        self.text = text
        self.children = children

    def _values(self) -> tuple[object, ...]:
        return (self.text, self.children)

    def __setattr__(self, name: str, value: object) -> None:
        _refuse(name)

    def __delattr__(self, name: str) -> None:
        _refuse(name)


class ListBlock(_Value):
    __slots__ = ("entries", "line", "ordered")
    ordered: bool
    entries: tuple[ListEntry, ...]
    line: int

    def __init__(self, ordered: bool, entries: tuple[ListEntry, ...], line: int) -> None:
        self.ordered = ordered
        self.entries = entries
        self.line = line

    def _values(self) -> tuple[object, ...]:
        return (self.ordered, self.entries, self.line)

    def __setattr__(self, name: str, value: object) -> None:
        _refuse(name)

    def __delattr__(self, name: str) -> None:
        _refuse(name)


class Table(_Value):
    __slots__ = ("header", "line", "rows")
    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]
    line: int

    def __init__(
        self, header: tuple[Text, ...], rows: tuple[tuple[Text, ...], ...], line: int
    ) -> None:
        self.header = header
        self.rows = rows
        self.line = line

    def _values(self) -> tuple[object, ...]:
        return (self.header, self.rows, self.line)

    def __setattr__(self, name: str, value: object) -> None:
        _refuse(name)

    def __delattr__(self, name: str) -> None:
        _refuse(name)


class Opaque(_Value):
    """Code, raw HTML and anything else extraction must not read items from."""

    __slots__ = ("line",)
    line: int

    def __init__(self, line: int) -> None:
        self.line = line

    def _values(self) -> tuple[object, ...]:
        return (self.line,)

    def __setattr__(self, name: str, value: object) -> None:
        _refuse(name)

    def __delattr__(self, name: str) -> None:
        _refuse(name)


# Each value's fields in order, for its repr (a compiled class keeps no ``__slots__``).
_FIELDS: Final = {
    "Text": ("raw", "line", "links", "lines_follow_source"),
    "Heading": ("level", "text"),
    "Paragraph": ("text",),
    "ListEntry": ("text", "children"),
    "ListBlock": ("ordered", "entries", "line"),
    "Table": ("header", "rows", "line"),
    "Opaque": ("line",),
}
for _value in (Text, Heading, Paragraph, ListEntry, ListBlock, Table, Opaque):
    stores_through_slots(_value, _FIELDS[_value.__name__])

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
