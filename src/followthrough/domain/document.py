"""The block structure that source parsers produce and extraction reads.

Markdown and HTML are both reduced to these few shapes, so the extraction rules are
written once. Inline text stays in a Markdown-like form (``**bold**``, ``[text](url)``,
``~~struck~~``) because that is where owners, tickets and done markers live.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any, Final

from followthrough.domain.frozen import stores_through_slots


class Value:
    """A frozen value built by the thousand on every scan: equality, hashing, ``repr`` and
    pickling by its fields (as a frozen dataclass has them), and no field changed afterwards.

    These are plain classes, not dataclasses: compiled (setup.py), each is a native class whose
    ``__init__`` stores straight into its fields, a small fraction of a dataclass's cost. Run as
    Python, `__setattr__` refuses every store, so `value_fields` gives each class an
    ``__init__`` that stores through its slots.

    A subclass keeps its fields in ``__slots__``, returns them in order from ``_values``,
    defines ``__setattr__`` and ``__delattr__`` that call `refuse_change`, and has its fields
    named through `value_fields` after its definition. The blocks below are such values, and
    so are the walk's `Candidate` and the tables' `TableRow`.
    """

    __slots__ = ()

    def _values(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Value) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        names = _FIELDS[type(self)]
        shown = ", ".join(
            f"{name}={value!r}" for name, value in zip(names, self._values(), strict=True)
        )
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), self._values())


def refuse_change(name: str) -> None:
    """What a `Value`'s ``__setattr__`` and ``__delattr__`` do: refuse, as a frozen dataclass."""
    raise FrozenInstanceError(f"cannot assign to or delete field {name!r}")


# Each value class's fields in order, for its repr (a compiled class keeps no ``__slots__``).
_FIELDS: Final[dict[type, tuple[str, ...]]] = {}


def value_fields(cls: type[Value], names: tuple[str, ...]) -> None:
    """Name the fields of ``cls`` (its ``__init__`` parameters, in order), for its ``repr``;
    run as Python, its ``__init__`` then stores them through its slots."""
    _FIELDS[cls] = names
    stores_through_slots(cls, names)


class Text(Value):
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
    # into its fields directly (a refusal inherited from `Value` would refuse those too).
    def __setattr__(self, name: str, value: object) -> None:
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


class Heading(Value):
    __slots__ = ("level", "text")
    level: int
    text: Text

    def __init__(self, level: int, text: Text) -> None:
        self.level = level
        self.text = text

    def _values(self) -> tuple[object, ...]:
        return (self.level, self.text)

    def __setattr__(self, name: str, value: object) -> None:
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


class Paragraph(Value):
    __slots__ = ("text",)
    text: Text

    def __init__(self, text: Text) -> None:
        self.text = text

    def _values(self) -> tuple[object, ...]:
        return (self.text,)

    def __setattr__(self, name: str, value: object) -> None:
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


class ListEntry(Value):
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
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


class ListBlock(Value):
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
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


class Table(Value):
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
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


class Opaque(Value):
    """Code, raw HTML and anything else extraction must not read items from."""

    __slots__ = ("line",)
    line: int

    def __init__(self, line: int) -> None:
        self.line = line

    def _values(self) -> tuple[object, ...]:
        return (self.line,)

    def __setattr__(self, name: str, value: object) -> None:
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


value_fields(Text, ("raw", "line", "links", "lines_follow_source"))
value_fields(Heading, ("level", "text"))
value_fields(Paragraph, ("text",))
value_fields(ListEntry, ("text", "children"))
value_fields(ListBlock, ("ordered", "entries", "line"))
value_fields(Table, ("header", "rows", "line"))
value_fields(Opaque, ("line",))

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
