"""JQL syntax for the Jira simulator: tokenizer, parser and boolean evaluation.

Field semantics (what ``status = Done`` means for one issue) live in the Jira app; this
module turns query text into an AST, reports syntax errors the way Jira words them, and
parses JQL date literals (absolute and relative).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
)
OPERATORS = ("!=", ">=", "<=", "!~", "=", ">", "<", "~")
VALID_OPERATORS = (
    "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', "
    "'IS' and 'IS NOT'."
)
_WORD_STOP = set(" \t\r\n()=,!<>~\"'&|")


class JqlError(ValueError):
    """A JQL syntax or validation error, worded like Jira's."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Token:
    """One lexical token; ``kind`` is word, string, op, lparen, rparen, comma or eof."""

    kind: str
    value: str
    pos: int

    @property
    def keyword(self) -> str | None:
        """Lower-cased keyword when this is an unquoted reserved word."""
        lowered = self.value.lower()
        return lowered if self.kind == "word" and lowered in KEYWORDS else None


@dataclass(frozen=True)
class Literal:
    """A single value; ``quoted`` tells "EMPTY" (a string) from EMPTY (the keyword)."""

    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Empty:
    """The EMPTY / NULL keyword."""


@dataclass(frozen=True)
class FuncCall:
    """A JQL function such as ``currentUser()`` or ``startOfDay(-1d)``."""

    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListOf:
    """A parenthesised list of values for IN / NOT IN."""

    items: tuple[Literal | FuncCall, ...]


Value = Literal | Empty | FuncCall | ListOf


@dataclass(frozen=True)
class Clause:
    """``field op value``; ``op`` is lower-case: =, !=, >, in, not in, is, is not, ..."""

    field: str
    op: str
    value: Value


@dataclass(frozen=True)
class BoolOp:
    """AND / OR over two or more operands."""

    op: str
    items: tuple[Node, ...]


@dataclass(frozen=True)
class NotOp:
    """Negation."""

    item: Node


Node = Clause | BoolOp | NotOp


@dataclass(frozen=True)
class OrderBy:
    """One ORDER BY term."""

    field: str
    descending: bool


@dataclass(frozen=True)
class Query:
    """A parsed JQL query; ``where`` is None for an unbounded query."""

    where: Node | None
    order_by: tuple[OrderBy, ...]


def _error(message: str, pos: int | None = None) -> JqlError:
    where = f" (line 1, character {pos + 1})" if pos is not None else ""
    return JqlError(f"Error in the JQL Query: {message}{where}")


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote, i, out = text[start], start + 1, []
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt))
            i += 2
            continue
        if char == quote:
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise _error(f"The quoted string '{text[start + 1 :]}' has not been completed.", start)


def tokenize(text: str) -> list[Token]:
    """Split JQL text into tokens."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "\"'":
            value, end = _read_string(text, i)
            tokens.append(Token("string", value, i))
            i = end
        elif char in "(),":
            tokens.append(Token({"(": "lparen", ")": "rparen", ",": "comma"}[char], char, i))
            i += 1
        elif text.startswith(("&&", "||"), i):
            tokens.append(Token("word", "and" if char == "&" else "or", i))
            i += 2
        else:
            i = _read_operator_or_word(text, i, tokens)
    tokens.append(Token("eof", "", len(text)))
    return tokens


def _read_operator_or_word(text: str, i: int, tokens: list[Token]) -> int:
    for op in OPERATORS:
        if text.startswith(op, i):
            tokens.append(Token("op", op, i))
            return i + len(op)
    if text[i] == "!":
        tokens.append(Token("word", "not", i))
        return i + 1
    end = i
    while end < len(text) and text[end] not in _WORD_STOP:
        end += 1
    if end == i:
        raise _error(f"The character '{text[i]}' is a reserved JQL character.", i)
    tokens.append(Token("word", text[i:end], i))
    return end


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def query(self) -> Query:
        where = None if self.tok.keyword == "order" or self.tok.kind == "eof" else self.or_()
        order = self.order_by() if self.tok.keyword == "order" else ()
        if self.tok.kind != "eof":
            raise _error(
                f"Expecting either 'OR' or 'AND' but got '{self.tok.value}'.", self.tok.pos
            )
        return Query(where, order)

    def or_(self) -> Node:
        items = [self.and_()]
        while self.tok.keyword == "or":
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.tok.keyword == "and":
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_(self) -> Node:
        if self.tok.keyword == "not":
            self.take()
            return NotOp(self.not_())
        if self.tok.kind == "lparen":
            self.take()
            node = self.or_()
            self.expect("rparen", "Expecting ')' but got '{}'.")
            return node
        return self.clause()

    def expect(self, kind: str, message: str) -> Token:
        if self.tok.kind != kind:
            if self.tok.kind == "eof":
                raise _error(
                    message.split(" but ", maxsplit=1)[0] + " before the end of the query."
                )
            raise _error(message.format(self.tok.value), self.tok.pos)
        return self.take()

    def field_name(self) -> str:
        tok = self.tok
        if tok.kind == "eof":
            raise _error("Expecting a field name at the end of the query.")
        if tok.kind not in {"word", "string"} or tok.keyword:
            raise _error(f"Expecting a field name but got '{tok.value}'.", tok.pos)
        return self.take().value

    def clause(self) -> Clause:
        field = self.field_name()
        op = self.operator()
        value = self.value_for(op)
        return Clause(field, op, value)

    def operator(self) -> str:
        tok = self.take()
        if tok.kind == "op":
            return tok.value
        if tok.keyword == "in":
            return "in"
        if tok.keyword == "is":
            if self.tok.keyword == "not":
                self.take()
                return "is not"
            return "is"
        if tok.keyword == "not" and self.tok.keyword == "in":
            self.take()
            return "not in"
        if tok.kind == "eof":
            raise _error(f"Expecting operator before the end of the query. {VALID_OPERATORS}")
        raise _error(f"Expecting operator but got '{tok.value}'. {VALID_OPERATORS}", tok.pos)

    def value_for(self, op: str) -> Value:
        if op in {"is", "is not"}:
            tok = self.take()
            if tok.keyword not in {"empty", "null"}:
                raise _error(f"Expecting 'EMPTY' or 'NULL' but got '{tok.value}'.", tok.pos)
            return Empty()
        if op in {"in", "not in"}:
            return self.list_value()
        if self.tok.keyword in {"empty", "null"}:
            self.take()
            return Empty()
        return self.single_value()

    def list_value(self) -> ListOf:
        self.expect("lparen", "Expecting '(' but got '{}'.")
        items = [self.single_value()]
        while self.tok.kind == "comma":
            self.take()
            items.append(self.single_value())
        self.expect("rparen", "Expecting ')' but got '{}'.")
        return ListOf(tuple(items))

    def single_value(self) -> Literal | FuncCall:
        tok = self.tok
        if tok.kind == "string":
            self.take()
            return Literal(tok.value, quoted=True)
        if tok.kind == "word" and not tok.keyword:
            self.take()
            if self.tok.kind == "lparen":
                return self.function_args(tok.value)
            return Literal(tok.value)
        if tok.kind == "eof":
            raise _error("Expecting either a value, list or function before the end of the query.")
        raise _error(
            f"Expecting either a value, list or function but got '{tok.value}'. You must "
            f"surround '{tok.value}' in quotation marks to use it as a value.",
            tok.pos,
        )

    def function_args(self, name: str) -> FuncCall:
        self.take()
        args: list[str] = []
        while self.tok.kind != "rparen":
            tok = self.take()
            if tok.kind == "eof":
                raise _error(f"Expecting ')' before the end of the query in function '{name}'.")
            if tok.kind != "comma":
                args.append(tok.value)
        self.take()
        return FuncCall(name, tuple(args))

    def order_by(self) -> tuple[OrderBy, ...]:
        self.take()
        by = self.take()
        if by.keyword != "by":
            raise _error(f"Expecting 'by' but got '{by.value}'.", by.pos)
        terms = [self.order_term()]
        while self.tok.kind == "comma":
            self.take()
            terms.append(self.order_term())
        return tuple(terms)

    def order_term(self) -> OrderBy:
        field = self.field_name()
        descending = False
        if self.tok.keyword in {"asc", "desc"}:
            descending = self.take().keyword == "desc"
        return OrderBy(field, descending)


def parse(text: str) -> Query:
    """Parse JQL text; raises JqlError with Jira's wording on syntax errors."""
    return _Parser(text).query()


def evaluate(node: Node, match: Callable[[Clause], bool]) -> bool:
    """Evaluate a boolean tree, asking ``match`` about each clause."""
    if isinstance(node, Clause):
        return match(node)
    if isinstance(node, NotOp):
        return not evaluate(node.item, match)
    if node.op == "and":
        return all(evaluate(item, match) for item in node.items)
    return any(evaluate(item, match) for item in node.items)


def clauses(node: Node | None) -> list[Clause]:
    """Every clause in a tree, left to right."""
    if node is None:
        return []
    if isinstance(node, Clause):
        return [node]
    if isinstance(node, NotOp):
        return clauses(node.item)
    return [clause for item in node.items for clause in clauses(item)]


_RELATIVE = re.compile(r"^([+-]?)\s*(\d+)\s*([wdhm])$", re.IGNORECASE)
_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}
_ABSOLUTE_FORMATS = ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")


def parse_date(text: str, *, now: datetime, zone: tzinfo = UTC) -> datetime:
    """A JQL date: ``YYYY-MM-DD``, ``YYYY-MM-DD HH:mm`` or relative ``-5m``/``-2d``.

    Absolute dates are read in ``zone``, the searching user's time zone, as Jira does.
    """
    cleaned = text.strip()
    relative = _RELATIVE.match(cleaned)
    if relative:
        sign = -1 if relative.group(1) == "-" else 1
        seconds = int(relative.group(2)) * _UNITS[relative.group(3).lower()]
        return now + timedelta(seconds=sign * seconds)
    for fmt in _ABSOLUTE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    raise JqlError(
        f"Date value '{text}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
        "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )


def function_date(call: FuncCall, *, now: datetime) -> datetime:
    """Dates from now(), startOfDay(), endOfDay(), startOfWeek() with optional offsets."""
    name = call.name.lower()
    offset = parse_date(call.args[0], now=now) - now if call.args else timedelta(0)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if name == "now":
        base = now
    elif name == "startofday":
        base = midnight
    elif name == "endofday":
        base = midnight + timedelta(days=1) - timedelta(milliseconds=1)
    elif name == "startofweek":
        base = midnight - timedelta(days=(now.weekday() + 1) % 7)
    else:
        raise JqlError(f"Unable to find JQL function '{call.name}({', '.join(call.args)})'.")
    return base + offset
