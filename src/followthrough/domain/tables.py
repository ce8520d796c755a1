"""Action-item tables: header-driven column mapping with synonyms, any column order."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from followthrough.domain.document import Table, Text, Value, refuse_change, value_fields
from followthrough.domain.fields import DONE_WORDS, DROPPED_WORDS, OPEN_WORDS
from followthrough.domain.model import Category, ItemStatus
from followthrough.domain.sections import heading_words

_COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "action": (
        "action item",
        "action items",
        "action",
        "actions",
        "description",
        "item",
        "items",
        "task",
        "remediation",
        "follow-up",
        "follow up",
        "followup",
        "what",
        "todo",
        "summary",  # a Jira issue list: Key | Summary | Assignee | Due | Status
        "action item description",
        "action description",
        "task description",
        "name",  # a Notion database's title column (with an owner or a due column)
        "title",  # a SharePoint list's (with an owner or a due column)
    ),
    "owner": (
        "owner",
        "owners",
        "assignee",
        "assigned to",
        "who",
        "responsible",
        "responsible party",
        "responsible person",
        "accountable",
        "dri",
    ),
    "due": (
        "due",
        "due date",
        "deadline",
        "target date",
        "target",
        "eta",
        "when",
        "due by",
        "by",
        "by when",
        "target completion",
        "target completion date",
        "due on",
    ),
    "ticket": (
        "ticket",
        "tickets",
        "bug",
        "bug #",
        "bugs",
        "jira",
        "issue",
        "issue #",
        "issues",
        "tracking",
        "work item",  # Azure Boards
        "work items",
        "related issue",
        "related issues",
        "link",
        "tracker",
        "pr",
        "key",
        "issue key",
        "tracking #",
        "tracking id",
        "ticket #",
        "ticket id",
        "jira ticket",
        "jira key",
    ),
    "status": (
        "status",
        "state",
        "done",
        "progress",
        "current state",
        "current status",
        "task status",
    ),
    "category": ("type", "kind", "category", "class", "type-action", "type-acton"),
    "priority": ("priority", "prio", "importance"),
}
# A template's "<owner name>" placeholder, but not an HTML element such as <img src=x>:
# a row holding markup is a real row whose text the author should see read (or reported).
_PLACEHOLDER: Final = (
    r"<(?!/?(?:a|abbr|b|br|code|del|div|em|embed|i|iframe|img|input|link|object|p|s|script|"
    r"span|strike|strong|style|sub|sup|svg|u|video|audio|source|math)\b)[^<>=/]*>"
)
_EXAMPLE_ROW: Final = re.compile(
    r"^(?:example\b.*|e\.g\..*|sample\b.*|\.{3}|…|" + _PLACEHOLDER + r"|\$\{[^}]*\}|\[[^\]]*\]|x+|"
    r"description|action item|tbd|todo)$",
    re.I,
)
_TEMPLATE_OWNER: Final = re.compile(
    r"^(?:ldap|name|\[name\]|\[owner\]|owner|\[team member\]|team member|who|x+|\.\.\.|"
    + _PLACEHOLDER
    + r")$",
    re.I,
)
# The characters each can open with: its forms' first characters in either case (and "ſ",
# which a case-insensitive "s" matches too).
_EXAMPLE_ROW_OPENINGS: Final = frozenset("eEsSſ.…<$[xXdDaAtT")
_TEMPLATE_OWNER_OPENINGS: Final = frozenset("lLnN[oOtTwWxX.<")
# A cell says its state with the words a status field uses, a cell's own shorthand besides.
_DONE_CELL: Final = re.compile(r"^(?:" + DONE_WORDS + r"|yes|y)\b", re.I)
# "Removed": Azure Boards' state for work that will not be done.
_DROPPED_CELL: Final = re.compile(
    r"^(?:won['’]?t\s*(?:do|fix)|removed|" + DROPPED_WORDS + ")", re.I
)
_OPEN_CELL: Final = re.compile(r"^(?:" + OPEN_WORDS + r"|in\s*progress|delayed|no)\b", re.I)
_MARKUP: Final = re.compile(r"[*_`]+")
_MARKUP_CHARACTERS: Final = frozenset("*_`")
# A status mark opening a cell: done (group 1) or dropped, with its variation selector.
# ✅ ✔ ☑ ☒ (a ticked ballot box, as Word writes one) done; ❌ 🚫 dropped.
_STATUS_EMOJI: Final = re.compile("(?:([\u2705\u2714\u2611\u2612])|[\u274c\U0001f6ab])\ufe0f?\\s*")
_STRUCK_WORDS: Final = re.compile(r"~~[^~]*~~")
_STATUS_MARKUP: Final = re.compile(r"[*_`~.]+")
_STATUS_MARKER: Final = re.compile(
    r"\*\*(DONE|TODO|Done|Todo|WON['’]T (?:FIX|DO)|Won['’]t (?:fix|do))\*\*|^\s*(DONE|TODO)\b\.?"
)
_MARKER_OPENINGS: Final = frozenset("DT")
_CATEGORY_CELL: tuple[tuple[re.Pattern[str], Category], ...] = (
    (re.compile(r"^(?:detect|detection|detective|monitor)", re.I), Category.DETECTION),
    (re.compile(r"^(?:prevent|prevention|preventive|preventative)", re.I), Category.PREVENTION),
    (re.compile(r"^(?:mitigat|respon|recover|repair)", re.I), Category.RESPONSE),
    (re.compile(r"^(?:communicat|comms)", re.I), Category.COMMUNICATION),
)


class TableRow(Value):
    """One row of an action-item table, by meaning rather than by position."""

    __slots__ = (
        "action",
        "category",
        "category_text",
        "due",
        "line",
        "owner",
        "priority",
        "status",
        "ticket",
    )
    action: Text
    line: int
    owner: str | None
    due: str | None
    ticket: Text | None
    status: ItemStatus | None
    category: Category | None
    category_text: str | None
    priority: str | None

    def __init__(  # noqa: PLR0917 - positional, as the dataclass it replaces took them
        self,
        action: Text,
        line: int,
        owner: str | None = None,
        due: str | None = None,
        ticket: Text | None = None,
        status: ItemStatus | None = None,
        category: Category | None = None,
        category_text: str | None = None,
        priority: str | None = None,
    ) -> None:
        self.action = action
        self.line = line
        self.owner = owner
        self.due = due
        self.ticket = ticket
        self.status = status
        self.category = category
        self.category_text = category_text
        self.priority = priority

    def _values(self) -> tuple[object, ...]:
        return (
            self.action,
            self.line,
            self.owner,
            self.due,
            self.ticket,
            self.status,
            self.category,
            self.category_text,
            self.priority,
        )

    def __setattr__(self, name: str, value: object) -> None:
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


value_fields(
    TableRow,
    (
        "action",
        "line",
        "owner",
        "due",
        "ticket",
        "status",
        "category",
        "category_text",
        "priority",
    ),
)


def column_roles(header: tuple[Text, ...]) -> dict[str, int]:
    """Map roles (action, owner, due, …) to column indexes; the first matching column wins."""
    return dict(_column_roles(tuple(cell.raw for cell in header)))


@lru_cache(maxsize=4096)
def _column_roles(names: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """Cached by header text: the same few headers come back in table after table."""
    roles: dict[str, int] = {}
    for index, raw in enumerate(names):
        name = heading_words(raw).lower()
        name = re.sub(r"\s*\(.*$", "", name).strip().rstrip("?").strip()  # "Done?"
        for role, synonyms in _COLUMN_SYNONYMS.items():
            if name in synonyms:
                if role not in roles:
                    roles[role] = index
                elif role == "status":  # "Done" (a box) beside "Status": read the other too
                    roles.setdefault(_OTHER_STATUS, index)
                break
    return tuple(roles.items())


_OTHER_STATUS: Final = "other status"


def is_action_table(table: Table) -> bool:
    """A table is an action-item table when a column is named like an action, plus one more role
    (a column called only "Name" holds actions beside an owner or a due column)."""
    roles = column_roles(table.header)
    if "action" not in roles or len(roles) < 2:
        return False
    named = heading_words(table.header[roles["action"]].raw).strip().lower() in ("name", "title")
    return not named or "owner" in roles or "due" in roles


@lru_cache(maxsize=4096)
def status_of_cell(text: str) -> ItemStatus | None:
    """``Done``, ``**DONE**``, ``Won't do``, ``Ongoing`` … as an item state.

    Cached: the same few states are written in row after row."""
    if "~~" in text:  # "~~Open~~ Done": the struck state is the old one
        text = _STRUCK_WORDS.sub(" ", text).strip() or text
    words = _STATUS_MARKUP.sub("", text).strip()
    mark = _STATUS_EMOJI.match(words)
    if mark:  # "✅ Done", "❌ Won't do", "✅": the words say more, else the mark alone
        words = words[mark.end() :]
    if _DROPPED_CELL.match(words):
        return ItemStatus.DROPPED
    if _DONE_CELL.match(words):
        return ItemStatus.DONE
    if _OPEN_CELL.match(words):
        return ItemStatus.OPEN
    if mark:
        return ItemStatus.DONE if mark.group(1) else ItemStatus.DROPPED
    return None


@lru_cache(maxsize=4096)
def category_of_cell(text: str) -> Category | None:
    """``Mitigate`` → response, ``Prevent`` → prevention, ``Detect`` → detection …

    Cached: the same few kinds are written in row after row."""
    words = _MARKUP.sub("", text).strip()
    return next((cat for pattern, cat in _CATEGORY_CELL if pattern.match(words)), None)


def table_rows(table: Table) -> list[TableRow]:
    """The real rows of an action-item table: empty and template example rows give nothing."""
    roles = column_roles(table.header)
    rows: list[TableRow] = []
    for cells in table.rows:
        row = _row(cells, roles)
        if row is not None:
            rows.append(row)
    return rows


def _cell(cells: tuple[Text, ...], roles: dict[str, int], role: str) -> Text | None:
    index = roles.get(role)
    if index is None or index >= len(cells):
        return None
    return cells[index] if cells[index].raw.strip() else None


def _row(cells: tuple[Text, ...], roles: dict[str, int]) -> TableRow | None:
    action = _cell(cells, roles, "action")
    if action is None:
        # No action text, yet other cells filled (its markup was dropped, say): kept, so
        # extraction can report the row rather than lose it.
        filled = [cell for cell in cells if cell.raw.strip()]
        if not filled:
            return None
        action = Text("", filled[0].line)
    elif _may_open(action.raw, _EXAMPLE_ROW_OPENINGS) and _EXAMPLE_ROW.match(
        _MARKUP.sub("", action.raw).strip()
    ):
        return None
    owner_cell = _cell(cells, roles, "owner")
    if (
        owner_cell
        and _may_open(owner_cell.raw, _TEMPLATE_OWNER_OPENINGS)
        and _TEMPLATE_OWNER.match(_MARKUP.sub("", owner_cell.raw).strip())
    ):
        return None  # a template's example row names a placeholder owner such as "LDAP" or "Name"
    status_cell = _cell(cells, roles, "status")
    ticket_cell = _cell(cells, roles, "ticket")
    status = status_of_cell(status_cell.raw) if status_cell else None
    other_status_cell = _cell(cells, roles, _OTHER_STATUS) if status is None else None
    if other_status_cell is not None:
        status = status_of_cell(other_status_cell.raw)
    if ticket_cell is not None:
        # Real documents put DONE/TODO in the Bug column; read it as state, not as a ticket.
        ticket_status = _leading_status(ticket_cell.raw)
        status = status or ticket_status
    category_cell = _cell(cells, roles, "category")
    due_cell = _cell(cells, roles, "due")
    priority_cell = _cell(cells, roles, "priority")
    return TableRow(
        action=action,
        line=action.line,
        owner=owner_cell.raw.strip() if owner_cell else None,
        due=due_cell.raw.strip() if due_cell else None,
        ticket=ticket_cell,
        status=status,
        category=category_of_cell(category_cell.raw) if category_cell else None,
        category_text=category_cell.raw.strip() if category_cell else None,
        priority=priority_cell.raw.strip() if priority_cell else None,
    )


def _may_open(raw: str, openings: frozenset[str]) -> bool:
    """Whether ``raw``, its markup dropped and then stripped, can open with one of
    ``openings``: it opens with the first character of ``raw`` unless that is markup or a
    space, which are dropped."""
    first = raw[:1]
    return first in openings or first in _MARKUP_CHARACTERS or first.isspace()


def _leading_status(text: str) -> ItemStatus | None:
    # A marker is bold, or opens the text after spaces with "DONE" or "TODO".
    marker = (
        _STATUS_MARKER.search(text)
        if "**" in text or text.lstrip()[:1] in _MARKER_OPENINGS
        else None
    )
    if marker is None:
        status = status_of_cell(text)
        return status if status == ItemStatus.DONE else None
    word = (marker.group(1) or marker.group(2)).upper()
    if word.startswith("WON"):
        return ItemStatus.DROPPED
    return ItemStatus.DONE if word == "DONE" else ItemStatus.OPEN
