"""Domain model: postmortems, their action items and the findings about them.

Everything here is an immutable value; adapters build them, the domain reasons over them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from followthrough.domain.frozen import quick_init


class ItemStatus(StrEnum):
    """Where an action item stands according to its document."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class Category(StrEnum):
    """The practitioners' four kinds of action item."""

    DETECTION = "detection"
    RESPONSE = "response"
    PREVENTION = "prevention"
    COMMUNICATION = "communication"


class Severity(StrEnum):
    """How serious a finding is: errors fail `lint`, warnings only inform."""

    ERROR = "error"
    WARNING = "warning"


@quick_init
@dataclass(frozen=True, slots=True)
class ActionItem:
    """One commitment taken from a postmortem."""

    key: str
    title: str
    line: int
    owner: str | None = None
    due: dt.date | None = None
    ticket: str | None = None
    status: ItemStatus = ItemStatus.OPEN
    category: Category | None = None
    priority: str | None = None
    # What the document says, before normalisation: lint quotes these back to the author.
    owner_text: str | None = None
    due_text: str | None = None
    horizon: str | None = None
    tickets: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@quick_init
@dataclass(frozen=True, slots=True)
class Finding:
    """A problem the author should know about, located in the document."""

    code: str
    severity: Severity
    message: str
    path: str
    line: int
    item: str | None = None


@quick_init
@dataclass(frozen=True, slots=True)
class Postmortem:
    """One incident review, as read from one document (or one part of a multi-incident file)."""

    id: str
    path: str
    title: str
    line: int = 1
    team: str | None = None
    date: dt.date | None = None
    severity: str | None = None
    incident_id: str | None = None
    authors: tuple[str, ...] = ()
    status: str | None = None
    action_items: tuple[ActionItem, ...] = ()
    findings: tuple[Finding, ...] = ()
    has_action_section: bool = False
    readable: bool = True
    topics: tuple[str, ...] = ()  # services, components and tags it is about
    # Where people read the document, set by its source (None: nowhere known), and, where
    # the source can point at one line, that address with ``{line}`` for the line number.
    url: str | None = None
    line_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
