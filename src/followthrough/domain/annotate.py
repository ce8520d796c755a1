"""Writing an item's ticket back into its Markdown document, in the document's own style.

Pure text in, text out: the caller says which ticket belongs beside which item (the item's
line and title, from extraction) and gets the edited text plus every item it could not
annotate, with the reason. The edit follows what the item already looks like:

- a table row with a ticket column gets the key in that cell (an empty or placeholder cell
  only: a cell naming something else is left to its author);
- a table row without one gets `` (KEY)`` after the item's text in its cell;
- an item whose fields are sub-bullets (``- Owner: …``) gets a ``- Ticket: KEY`` sub-bullet;
- an empty ``Ticket:`` / ``Tracking:`` field is filled;
- any other item (bullet, numbered, task, paragraph line, heading) gets `` (KEY)`` at the end
  of its text.

Extraction reads each of these forms back as the item's ticket and cleans it from the title,
so the item keeps its key and adopts the ticket it already has: annotating twice changes
nothing. Nothing is guessed: an item whose line no longer holds its title is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from followthrough.domain.model import Postmortem
from followthrough.domain.plan import adoptable_ref
from followthrough.domain.policy import TeamPolicy


@dataclass(frozen=True, slots=True)
class TicketNote:
    """A ticket to write beside one item: the item's line (1-based) and title, and the key."""

    line: int
    title: str
    ticket: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item left as it is, and why."""

    note: TicketNote
    reason: str


@dataclass(frozen=True, slots=True)
class Annotated:
    """The edited text, the notes written into it, and those skipped."""

    text: str
    written: tuple[TicketNote, ...]
    skipped: tuple[Skipped, ...]


_WORD = re.compile(r"[^\W_]+")
_BLOCK_START = re.compile(r"^\s*(?:[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|#|\||>|```|~~~)")
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_TICKET_COLUMN = re.compile(
    r"^(?:tickets?|issues?|jira|tracking|tracker|links?|refs?|references?|key)\b", re.I
)
_PLACEHOLDER = re.compile(r"^(?:|[-–—?]|tbd|n/?a|none|todo)$", re.I)
_FIELD_BULLET = re.compile(
    r"^(?P<indent>\s*)(?P<marker>[-*+])\s+(?:\*\*|__)?(?P<key>[A-Za-z][\w ]{0,20}?)"
    r"(?:\*\*|__)?\s*:(?:\*\*|__)?\s*(?P<value>.*?)\s*$"
)
_FIELD_KEYS = frozenset(
    "owner owners assignee who due deadline eta priority status state category type "
    "ticket tracking issue jira".split()
)
_EMPTY_TICKET_FIELD = re.compile(
    r"(?P<label>(?:\*\*|__)?(?:ticket|tracking|issue|jira)(?:\*\*|__)?\s*:(?:\*\*|__)?)"
    r"(?P<gap>\s*)(?P<value>[-–—?]|tbd|n/?a|none|todo)?(?=[ \t]*(?:[·|;,]|$))",
    re.I | re.M,
)


def missing_keys(
    postmortem: Postmortem, tickets: Mapping[str, str], team: TeamPolicy
) -> list[TicketNote]:
    """The tickets its items have (``tickets``: item key → reference) that the document does
    not name yet, one note per item."""
    notes = []
    for item in postmortem.action_items:
        ref = tickets.get(item.key)
        if ref is not None and adoptable_ref(item.tickets, team) != ref:
            notes.append(TicketNote(item.line, item.title, ref))
    return notes


def annotate_markdown(text: str, notes: Sequence[TicketNote]) -> Annotated:
    """``text`` with each note's ticket written beside its item (see the module's rules)."""
    lines = text.splitlines(keepends=True)
    written: list[TicketNote] = []
    skipped: list[Skipped] = []
    # From the bottom up: a line inserted for one item never moves another item's line.
    for note in sorted(notes, key=lambda n: n.line, reverse=True):
        reason = _annotate(lines, note)
        if reason is None:
            written.append(note)
        elif reason:
            skipped.append(Skipped(note, reason))
    written.reverse()
    skipped.reverse()
    return Annotated("".join(lines), tuple(written), tuple(skipped))


def _annotate(lines: list[str], note: TicketNote) -> str | None:
    """Edit ``lines`` in place; None when written, "" when already there, else why not."""
    index = note.line - 1
    if not 0 <= index < len(lines):
        return f"line {note.line} is past the end of the document; extract it again"
    if lines[index].strip() == "---":
        return f"listed in the front matter: add `ticket: {note.ticket}` to its entry"
    last = _last_line(lines, index)
    here = "".join(lines[index : last + 1])
    if not _holds(here, note.title):
        return f"line {note.line} no longer holds “{note.title}”; extract it again"
    fields_end = None if _is_table_row(lines, index) else _field_bullets_end(lines, last)
    written = "".join(lines[index : (fields_end if fields_end is not None else last) + 1])
    if re.search(rf"(?<![\w/#-]){re.escape(note.ticket)}(?![\w-])", written, re.I):
        return ""
    if _is_table_row(lines, index):
        return _annotate_row(lines, index, note)
    if _EMPTY_TICKET_FIELD.search(written):
        return _fill_field(lines, index, fields_end if fields_end is not None else last, note)
    if fields_end is not None:
        indent, marker = _bullet_shape(lines[fields_end])
        eol = _eol(lines[fields_end]) or "\n"
        if not lines[fields_end].endswith(("\n", "\r")):
            lines[fields_end] += eol
        lines.insert(fields_end + 1, f"{indent}{marker} Ticket: {note.ticket}{eol}")
        return None
    lines[last] = _with_ticket(lines[last], note.ticket)
    return None


def _with_ticket(line: str, ticket: str) -> str:
    """The line with the ticket after its text: inside a field group it ends with, as a field
    in the line's style, or as ``(KEY)``."""
    body = line.rstrip("\r\n").rstrip(" \t")
    opening = body.rfind("(")
    if body.endswith(")") and opening >= 0:
        addition = _inline_field(body[opening:-1], ticket)
        if not addition.startswith(" ("):  # "(owner: @x, due: …)": the ticket joins the group
            return body[:-1] + addition + ")" + line[len(body) :]
        return _append(line, f" ({ticket})")
    return _append(line, _inline_field(line, ticket))


# The last labelled field on an item's line (``Owner: @x, due 2025-01-01`` or
# ``**Owner:** @x · **Due:** …``): the ticket follows in the same separator and markup.
_INLINE_FIELD = re.compile(
    r"(?P<sep>\s*[·|;,]\s*|\s+[—–]\s+|\.\s+|\s+)(?P<open>\*\*|__)?"
    r"(?P<key>owner|owned by|assignee|due(?:\s+date)?|deadline|eta|priority)"
    r"(?P<inner>\s*:)?(?P<close>\*\*|__)?(?P<outer>\s*:)?(?=\s)",
    re.I,
)


def _inline_field(line: str, ticket: str) -> str:
    """`` (KEY)``, or ``, Ticket: KEY`` in the style of the line's own last field."""
    found = list(_INLINE_FIELD.finditer(line))
    if not found:
        return f" ({ticket})"
    last = found[-1]
    label = "Ticket" if last.group("key")[0].isupper() else "ticket"
    open_, close = last.group("open") or "", last.group("close") or ""
    if last.group("inner") or not last.group("outer"):
        labelled = f"{open_}{label}:{close}"  # "**Owner:**", "Owner:", "due …": colon inside
    else:
        labelled = f"{open_}{label}{close}:"  # "**Owner**:"
    separator = last.group("sep") if last.group("sep").strip() else ", "
    return f"{separator}{labelled} {ticket}"


def _holds(text: str, title: str) -> bool:
    """Does the text still carry the title's first words (markup and case aside)?"""
    wanted = _WORD.findall(title.casefold())[:4]
    have = set(_WORD.findall(text.casefold()))
    return bool(wanted) and all(word in have for word in wanted)


def _last_line(lines: list[str], index: int) -> int:
    """The item's text runs on over its continuation lines (not a new block, not blank)."""
    if _is_table_row(lines, index) or lines[index].lstrip().startswith("#"):
        return index
    last = index
    while last + 1 < len(lines):
        following = lines[last + 1]
        if not following.strip() or _BLOCK_START.match(following):
            break
        last += 1
    return last


def _eol(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _append(line: str, addition: str) -> str:
    body = line.rstrip("\r\n")
    content = body.rstrip(" \t")
    hard_break = body[len(content) :] if body.endswith("  ") else ""
    return content + addition + hard_break + _eol(line)


def _is_table_row(lines: list[str], index: int) -> bool:
    if "|" not in lines[index]:
        return False
    return _table_header(lines, index) is not None


def _table_header(lines: list[str], index: int) -> int | None:
    """The header row's index of the table holding row ``index`` (rows are contiguous)."""
    row = index
    while row >= 1 and "|" in lines[row - 1]:
        if _TABLE_DELIMITER.match(lines[row - 1]) and row - 2 >= 0 and "|" in lines[row - 2]:
            return row - 2
        row -= 1
    return None


def _cells(line: str) -> list[tuple[int, int]]:
    """Each cell's (start, end) in the line, outer pipes excluded; ``\\|`` is not a pipe."""
    body = line.rstrip("\r\n")
    pipes = [m.start() for m in re.finditer(r"(?<!\\)\|", body)]
    bounds = [-1, *pipes, len(body)]
    cells = [(bounds[i] + 1, bounds[i + 1]) for i in range(len(bounds) - 1)]
    if cells and not body[: cells[0][1]].strip():
        cells.pop(0)  # before a leading pipe
    if cells and not body[cells[-1][0] :].strip():
        cells.pop()  # after a trailing pipe
    return cells


def _annotate_row(lines: list[str], index: int, note: TicketNote) -> str | None:
    header_index = _table_header(lines, index)
    assert header_index is not None
    header = lines[header_index]
    names = [header[start:end].strip().strip("*_ ") for start, end in _cells(header)]
    line = lines[index]
    cells = _cells(line)
    column = next((i for i, name in enumerate(names) if _TICKET_COLUMN.match(name)), None)
    if column is not None and column < len(cells):
        start, end = cells[column]
        current = line[start:end].strip()
        if not _PLACEHOLDER.match(current):
            return f"its ticket cell names “{current}”, not {note.ticket}; left to its author"
        lines[index] = f"{line[:start]} {note.ticket} {line[end:]}"
        return None
    for start, end in cells:
        if _holds(line[start:end], note.title):
            content_end = start + len(line[start:end].rstrip())
            lines[index] = f"{line[:content_end]} ({note.ticket}){line[content_end:]}"
            return None
    return f"line {note.line} no longer holds “{note.title}” in one cell; extract it again"


def _fill_field(lines: list[str], index: int, last: int, note: TicketNote) -> str | None:
    for row in range(index, last + 1):
        match = _EMPTY_TICKET_FIELD.search(lines[row])
        if match:
            line = lines[row]
            value_end = match.end("value") if match.group("value") else match.end("gap")
            lines[row] = f"{line[: match.end('label')]} {note.ticket}{line[value_end:]}"
            return None
    return f"line {note.line}: its ticket field could not be filled"


def _field_bullets_end(lines: list[str], last: int) -> int | None:
    """The last of the ``- Key: value`` sub-bullets right under the item, if it has any."""
    end: int | None = None
    item_indent = len(lines[last]) - len(lines[last].lstrip())
    row = last + 1
    while row < len(lines):
        match = _FIELD_BULLET.match(lines[row].rstrip("\r\n"))
        if not match or len(match.group("indent")) <= item_indent:
            break
        if match.group("key").strip().casefold() not in _FIELD_KEYS:
            break
        end = row
        row += 1
    return end


def _bullet_shape(line: str) -> tuple[str, str]:
    match = _FIELD_BULLET.match(line.rstrip("\r\n"))
    assert match is not None
    return match.group("indent"), match.group("marker")
