"""Postmortem metadata: from front matter, ``Key: value`` lines near the top, and field tables."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from followthrough.domain.document import Block, Heading, ListBlock, Paragraph, Table
from followthrough.domain.itemtext import page_links_as_words, plain_text
from followthrough.domain.memo import remember
from followthrough.domain.sections import is_action_heading
from followthrough.domain.values import find_calendar_date, is_placeholder, parse_calendar_date

_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "date of incident",
        "incident date",
        "incident start",
        "occurred",
        "occurred on",
        "publishdate",
        "start date",
        "started",
        "when",
        "day",
    ),
    "team": (
        "team",
        "owning team",
        "teams",
        "squad",
        "service team",
        "responsible team",
        "team attribution",
    ),
    "severity": ("severity", "sev", "severity level", "incident severity", "impact level"),
    "incident_id": (
        "incident id",
        "incident",
        "incident number",
        "incident #",
        "id",
        "incident ref",
    ),
    "authors": (
        "authors",
        "author",
        "created by",
        "written by",
        "postmortem owner",
        "owner",
        "owner of review process",
        "report author",
        "incident leader",
        "incident lead",
    ),
    "status": ("status", "document status", "postmortem status", "state"),
    "title": ("title", "incident title", "name"),
    "topics": (
        "service",
        "services",
        "affected service",
        "affected services",
        "services affected",
        "component",
        "components",
        "affected components",
        "system",
        "systems",
        "tags",
        "labels",
    ),
}
# Field name → role; a name listed under two roles belongs to the first.
_ROLES: Mapping[str, str] = {
    name: role for role, names in reversed(_FIELD_NAMES.items()) for name in names
}
# A field's key, up to and including its colon (every field form has one).
_FIELD_KEY_WORDS: Final = r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?\s*(?P<key>[A-Za-z][\w #/'-]{0,40}?)\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:|:)"
_FIELD_KEY: Final = re.compile(_FIELD_KEY_WORDS)
_KEY_LENGTH: Final = 41  # the longest key _FIELD_KEY_WORDS reads
_LINE_FIELD: Final = re.compile(_FIELD_KEY_WORDS + r"\s*(?P<value>.*?)\s*$")
_TOP_BLOCKS: Final = 30


@dataclass(frozen=True, slots=True)
class Metadata:
    """Fields read from a document's head; each ``None`` when not stated."""

    title: str | None = None
    date: dt.date | None = None
    team: str | None = None
    severity: str | None = None
    incident_id: str | None = None
    authors: tuple[str, ...] = ()
    status: str | None = None
    # Services, components and tags the postmortem is about (lower case, as written).
    topics: tuple[str, ...] = ()
    raw: dict[str, str] = field(default_factory=dict)


def read_metadata(blocks: Sequence[Block], front_matter: Mapping[str, Any]) -> Metadata:
    """Front matter wins over fields in the text; the text wins over nothing."""
    fields = _fields_in_text(blocks[:_TOP_BLOCKS])
    for key, value in front_matter.items():
        role = _role_of(str(key))
        if role and value is not None and not isinstance(value, dict | list):
            fields[role] = str(value)
        elif role in ("authors", "topics") and isinstance(value, list):
            joined = ", ".join(str(v) for v in value)
            fields[role] = (
                f"{fields[role]}, {joined}" if role == "topics" and role in fields else joined
            )
    date_text = fields.get("date")
    return Metadata(
        title=fields.get("title"),
        date=find_calendar_date(date_text) if date_text else None,
        team=_team(fields.get("team")),
        severity=_severity(fields.get("severity")),
        incident_id=fields.get("incident_id"),
        authors=tuple(
            a.strip() for a in _AUTHOR_SEPARATOR.split(fields.get("authors", "")) if a.strip()
        ),
        status=fields.get("status"),
        topics=_topics(fields.get("topics", "")),
        raw=fields,
    )


def _topics(text: str) -> tuple[str, ...]:
    """``payments-api, Ledger; #db`` → ``("payments-api", "ledger", "db")``, each once."""
    found = (part.strip().lstrip("#").strip().lower() for part in _TOPIC_SEPARATOR.split(text))
    return tuple(dict.fromkeys(t for t in found if t and not is_placeholder(t)))


@lru_cache(maxsize=4096)
def _role_of(key: str) -> str | None:
    # "Author(s)" is "authors".
    return _ROLES.get(" ".join(key.replace("_", " ").replace("(s)", "s").lower().split()))


# The role of each key read (``""``: none), as `_role_of_text` found it: the same keys,
# headings and cells come back in document after document. A plain dictionary, read in the
# compiled build without a call (`memo`).
_TEXT_ROLES: Final[dict[str, str]] = {}


def _role_of_text(raw: str) -> str | None:
    """The role of a key as written (a cell, a heading): markup is only read when present."""
    role = _TEXT_ROLES.get(raw)
    if role is None:
        if "[" in raw or "`" in raw or "<" in raw or "http" in raw:
            key = plain_text(raw)
        else:
            key = raw.replace("*", " ").strip(" -–—:;,|.")
        role = remember(_TEXT_ROLES, raw, _role_of(key) or "")
    return role or None


def _fields_in_text(blocks: Sequence[Block]) -> dict[str, str]:
    fields: dict[str, str] = {}
    pending_heading_role: str | None = None
    for block in blocks:
        if isinstance(block, Heading):
            if is_action_heading(block.text.raw):
                break  # "Owner:" lines below belong to items, not to the document
            pending_heading_role = _heading_field(block, fields)
            continue
        if isinstance(block, Paragraph):
            raw = block.text.raw
            if pending_heading_role and pending_heading_role not in fields:
                fields[pending_heading_role] = plain_text(_first_line(raw))
            if ":" in raw:  # every field form has a colon
                _line_fields(_colon_lines(raw), fields)
        elif isinstance(block, ListBlock):
            _line_fields([_first_line(entry.text.raw) for entry in block.entries], fields)
        elif isinstance(block, Table):
            _table_fields(block, fields)
        pending_heading_role = None
    return fields


def _colon_lines(raw: str) -> list[str]:
    """The lines of ``raw`` that hold a colon, in order: the only ones a field may be on."""
    lines: list[str] = []
    colon = raw.find(":")
    while colon >= 0:
        end = raw.find("\n", colon)
        if end < 0:
            end = len(raw)
        lines.append(raw[raw.rfind("\n", 0, colon) + 1 : end])
        colon = raw.find(":", end)
    return lines


def _first_line(raw: str) -> str:
    """``raw`` up to its first line break (itself, not a copy, when it has none)."""
    end = raw.find("\n")
    return raw if end < 0 else raw[:end]


def _heading_field(block: Heading, fields: dict[str, str]) -> str | None:
    """``## Owner: @x`` is a field; ``## Date`` announces one in the next paragraph."""
    found, role = _heading_reading(block.text.raw)
    if found:
        _store(fields, found[0], found[1])
    return role


# What `_heading_reading` found of each heading, as `_TEXT_ROLES` (the same headings come
# back in document after document).
_HEADING_READINGS: Final[dict[str, tuple[tuple[str, str] | None, str | None]]] = {}


def _heading_reading(text: str) -> tuple[tuple[str, str] | None, str | None]:
    """The field a heading states, else the role of the field it announces."""
    reading = _HEADING_READINGS.get(text)
    if reading is None:
        found = _field(text)
        reading = remember(
            _HEADING_READINGS,
            text,
            (found, None) if found and found[1] else (None, _role_of_text(text)),
        )
    return reading


def _field(text: str) -> tuple[str, str] | None:
    """``Key: value`` as (key, value), as _LINE_FIELD reads it; ``None`` when not a field.

    Most lines with a colon are prose ("… joined the call at 09:30 UTC"); they are told
    apart, and plain ``Key: value`` lines read, without running the regex.
    """
    colon = text.find(":")
    if colon < 0:
        return None  # every field form has a colon
    # The key ends at the first colon, and nothing before it is a full stop or a comma.
    head = text[:colon]
    if "." in head or "," in head:
        return None
    if "\n" in text:
        match = _LINE_FIELD.match(text)
        return (match.group("key"), match.group("value")) if match else None
    opens_with_key = head[:1].isalpha() and head.isascii()
    if opens_with_key and head.replace(" ", "").isalnum():
        return _plain_field(text, head, colon)
    if head.startswith(("**", "__")) and _plain_words(head[2:]):
        return _plain_field(text, head[2:], colon)  # "**Key:** value"
    if opens_with_key and head[_KEY_LENGTH:].replace("*", "").replace("_", "").strip():
        return None  # only spaces and bold markers stand between a key and its colon
    key_match = _FIELD_KEY.match(text)
    if key_match is None:
        return None
    # On one line, what follows the match stripped is the value _LINE_FIELD reads.
    return key_match.group("key"), text[key_match.end() :].strip()


def _plain_words(head: str) -> bool:
    """Is ``head`` ASCII words and spaces, opening with a letter (a key as it stands)?"""
    return head[:1].isalpha() and head.isascii() and head.replace(" ", "").isalnum()


def _plain_field(text: str, head: str, colon: int) -> tuple[str, str] | None:
    """The field of ``text`` whose key is plain words (``head``, perhaps after a bold
    marker), up to the colon at ``colon``: the key is the words, what follows the colon (and
    a bold marker closing a bold key) the value, as _FIELD_KEY reads them."""
    key = head.rstrip(" ")
    if len(key) > _KEY_LENGTH:
        return None
    value = text[colon + 1 :]
    bold = value.lstrip()
    return key, (bold[2:] if bold.startswith(("**", "__")) else value).strip()


def _line_fields(lines: Sequence[str], fields: dict[str, str]) -> None:
    for line in lines:
        found = _field(line) if ":" in line else None  # every field form has a colon
        if found is None:
            continue
        if not _may_hold_pairs(line) or not _may_open_pair(line):
            if found[1]:
                _store(fields, found[0], found[1])
            continue
        for pair in _pairs(line):
            pair_found = _field(pair)
            if pair_found and pair_found[1]:
                _store(fields, pair_found[0], pair_found[1])


# "Date: 2025-01-09 · Owner: Priya · Team: ledger": pairs split at a middle dot, a pipe, a
# semicolon or a spaced dash, when what follows the separator is itself a known "Key:".
_PAIR_SEPARATOR: Final = re.compile(r"(\s*(?:[·•|;]|\s[—–-]{1,2}\s)\s*)(?=\S)")

_NO_PAIR_SEPARATOR: Final = frozenset("·•|;—–")
_PAIR_MARKS: Final = frozenset({"·", "•", "|"})


def _may_hold_pairs(line: str) -> bool:
    """Does ``line`` hold a character (or a spaced dash) that may separate two pairs?"""
    if " -" in line:
        return True
    if line.isascii():  # three substring scans instead of a set lookup per character
        return "|" in line or ";" in line
    return not _NO_PAIR_SEPARATOR.isdisjoint(line)


_SEPARATOR_CHARACTERS: Final = "·•|;—–-"


def _may_open_pair(line: str) -> bool:
    """Cheap pre-check for `_pairs`: may a separator open a ``Key:`` pair after the first?

    A pair's key runs from its separator to its colon and holds no full stop or comma, so a
    separator's character stands between a colon and the last full stop or comma before it.
    Where none does, `_pairs` gives the line whole.
    """
    colon = line.find(":")
    while colon >= 0:
        start = max(line.rfind(".", 0, colon), line.rfind(",", 0, colon)) + 1
        before = line[start:colon]
        if any(char in before for char in _SEPARATOR_CHARACTERS):
            return True
        colon = line.find(":", colon + 1)
    return False


def _pairs(line: str) -> list[str]:
    """The ``Key: value`` pairs of one line; a separator not followed by a known key is text."""
    parts = _PAIR_SEPARATOR.split(line)  # text, separator, text, separator, …
    pairs = [parts[0]]
    for separator, part in zip(parts[1::2], parts[2::2], strict=True):
        found = _field(part)
        # After a middle dot or a pipe, any "Key:" opens a pair ("Team: Lakehouse · Notebook:
        # Incidents"); after a dash or a semicolon, only a known one.
        if found and (separator.strip() in _PAIR_MARKS or _role_of(plain_text(found[0]))):
            pairs.append(part)
        else:
            pairs[-1] += separator + part
    return pairs


def _table_fields(table: Table, fields: dict[str, str]) -> None:
    if len(table.header) != 2 or any(len(row) != 2 for row in table.rows):
        return
    if _is_key_value_header(table.header[0].raw, table.header[1].raw):
        for key_cell, value_cell in table.rows:  # "Field | Value": it says what it is
            _store(fields, plain_text(key_cell.raw), value_cell.raw)
        return
    # An empty header row ("| | |", for a table that has no header) is no row of it.
    empty_header = not any(cell.raw.strip() for cell in table.header)
    rows = table.rows if empty_header else (table.header, *table.rows)
    # A two-column table of names and roles (or a timeline) is not a Field | Value table:
    # at least two keys, and more than half of them, must be known.
    unknown = 0
    for key_cell, _ in rows:
        if not _role_of_text(key_cell.raw):
            unknown += 1
            if unknown * 2 >= len(rows):
                return
    if len(rows) - unknown < 2:
        return
    for key_cell, value_cell in rows:
        _store(fields, plain_text(key_cell.raw), value_cell.raw)


_KEY_VALUE_HEADER: Final = re.compile(
    r"^(?:field|key|property|attribute|detail|item)s? \| (?:value|details?)s?$", re.I
)


@lru_cache(maxsize=4096)
def _is_key_value_header(key: str, value: str) -> bool:
    """Do a two-column table's header cells say "Field | Value"? Cached: the same headers
    come back in document after document."""
    return _KEY_VALUE_HEADER.match(f"{plain_text(key)} | {plain_text(value)}") is not None


def _store(fields: dict[str, str], key: str, value: str) -> None:
    role = _role_of_text(key)
    if not role or role in fields:
        return  # only known fields are cleaned, and the first mention of each wins
    cleaned = _cleaned_value(value)
    if cleaned is not None:
        fields[role] = cleaned


@lru_cache(maxsize=4096)
def _cleaned_value(value: str) -> str | None:
    """A field's value as words (``None``: a placeholder). Cached: teams, severities,
    states and people come back in document after document."""
    value = page_links_as_words(value)  # "[[Traffic SRE]]": the page's name
    # A backslash ending the line is a hard line break (Outline, Google Docs' Markdown).
    cleaned = plain_text(value).rstrip("\\").rstrip(".").strip()
    return None if is_placeholder(cleaned) else cleaned


# "Developer Productivity (@acme/devprod)": the team, then its handle.
_TEAM_HANDLE: Final = re.compile(r"\s*\(@[\w./-]+\)$")


def _team(text: str | None) -> str | None:
    return _TEAM_HANDLE.sub("", text) or None if text else None


def _severity(text: str | None) -> str | None:
    if not text:
        return None
    match = _SEVERITY_LEVEL.search(text)
    if match:
        return match.group(1).upper().replace(" ", "")
    return _SEVERITY_NOTE.split(text, maxsplit=1)[0].strip() or None


_AUTHOR_SEPARATOR: Final = re.compile(r",|\band\b|;")
_TOPIC_SEPARATOR: Final = re.compile(r"[,;/|]")
_SEVERITY_LEVEL: Final = re.compile(r"\b(SEV-?\s?\d|S\d|P\d)\b", re.I)
_SEVERITY_NOTE: Final = re.compile(r"\s+[-–—(]")


def date_from_name(name: str, title: str | None) -> dt.date | None:
    """A date written in a title or a file name, as a last resort for the incident date."""
    for text in (title or "", name):
        found = find_calendar_date(text.replace("_", " "))
        if found:
            return found
        match = re.search(r"(\d{4})-(\d{2})-(\d{2})", text)
        if match:
            found = parse_calendar_date(match.group(0))
            if found:
                return found
    return None
