"""Tickets as the sync engine sees them: what we want on a ticket, and what a tracker holds.

Tracker-neutral: Jira and GitHub adapters translate to and from these values. A ticket is
ours when it carries the identity marker (`Marker`): a label plus an exact, versioned record
of the item key (a Jira issue property, a hidden line in a GitHub issue body).

Whatever is written to a tracker passes `writable` (no control or bidi characters) and stays
within the tracker's limits (`shortened`, `TITLE_LIMITS`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

MARKER_LABEL: Final = "followthrough"
MARKER_VERSION: Final = 1
NEEDS_OWNER_LABEL: Final = "needs-owner"
# Titles: GitHub takes 256 characters, Jira 255 (both count UTF-16 units at most).
TITLE_LIMITS: Final[dict[str, int]] = {"github": 256, "jira": 255}
SHORTENED: Final = "… (shortened)"
# C0 and C1 controls (tab, line feed and carriage return kept) and the bidirectional
# controls that reorder how text is shown (U+202E turns "exe.txt" into "txt.exe").
_UNWRITABLE: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_BODY_MARKER: Final = re.compile(
    r'^<!-- followthrough:v(?P<version>\d+) item="(?P<key>[^"\r\n]+)" -->\r?$', re.M
)


def writable(text: str) -> str:
    """Text with control and bidi characters removed: what any tracker write may carry."""
    return _UNWRITABLE.sub("", text)


def writable_json(value: Any) -> Any:
    """A JSON request body with every string in it `writable` (keys and values)."""
    if isinstance(value, str):
        return writable(value)
    if isinstance(value, dict):
        return {writable_json(key): writable_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [writable_json(item) for item in value]
    return value


def shortened(text: str, limit: int) -> str:
    """``text`` when it fits in ``limit`` characters, else cut to fit, ending in a visible
    "… (shortened)". Counted in UTF-16 units, never fewer than characters: it fits either way."""
    if _units(text) <= limit:
        return text
    budget = limit - _units(SHORTENED)
    cut = text[:budget]
    while _units(cut) > budget:
        cut = cut[: len(cut) - max(1, (_units(cut) - budget) // 2)]
    return cut.rstrip() + SHORTENED


def ticket_title(text: str, tracker_kind: str) -> str:
    """An item's title as a tracker keeps it: one line, writable, within the title limit."""
    return shortened(" ".join(writable(text).split()), TITLE_LIMITS.get(tracker_kind, 255))


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TicketState(StrEnum):
    """A ticket's state in tracker-neutral terms: done and won't-do are kept apart."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Marker:
    """The identity a ticket carries: which item of which postmortem it tracks."""

    item_key: str
    version: int = MARKER_VERSION

    def search_label(self) -> str:
        """A label derived from the key, for trackers that index labels but not the exact
        record (Jira searches only app-declared issue properties): found by label, confirmed
        by the exact record."""
        digest = hashlib.sha256(self.item_key.encode()).hexdigest()[:20]
        return f"ft-{digest}"

    def body_line(self) -> str:
        """The hidden line written into ticket bodies (GitHub) and read back exactly."""
        if '"' in self.item_key or "\n" in self.item_key:
            raise ValueError(f"item key cannot be written into a marker: {self.item_key!r}")
        return f'<!-- followthrough:v{self.version} item="{self.item_key}" -->'

    @classmethod
    def from_body(cls, body: str | None) -> Marker | None:
        """The marker in a ticket body, or ``None``; a body with two different markers has none."""
        if not body:
            return None
        found = {(int(m.group("version")), m.group("key")) for m in _BODY_MARKER.finditer(body)}
        if len(found) != 1:
            return None
        version, key = found.pop()
        return cls(item_key=key, version=version)


@dataclass(frozen=True, slots=True)
class TicketFields:
    """The fields followthrough manages on a ticket (what the plan compares and pushes)."""

    title: str
    assignee: str | None = None  # tracker identity: Jira accountId or GitHub login
    due: dt.date | None = None
    state: TicketState = TicketState.OPEN
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TicketSpec:
    """Everything needed to create a ticket for an item."""

    marker: Marker
    fields: TicketFields
    body: str
    postmortem_url: str | None = None
    components: tuple[str, ...] = ()
    issue_type: str | None = None
    priority: str | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket as read from a tracker."""

    ref: str  # "OPS-12" or "acme/ops#12"
    url: str
    fields: TicketFields
    marker: Marker | None = None
    updated: dt.datetime | None = None
    body: str = ""
    tracker_id: str | None = None  # Jira issue id (for reconcileIssues), GitHub node id
    created: dt.datetime | None = None
    # When the tracker closed it (Jira's resolution date, GitHub's closed_at); None if open.
    closed: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """A ticket comment, for reminders (who spoke last) and for annotate-once checks."""

    id: str
    author: str
    body: str
    created: dt.datetime
    ours: bool = False
    tag: str | None = None  # our hidden tag (`comment_tag`), parsed exactly; None if untagged


def comment_tag(marker: str) -> str:
    """The canonical form of a comment tag (``nudge:12``, ``removed:<key>``): one line, no
    characters any tracker's tag syntax would escape, so the tag read back from a comment
    equals this value exactly and tags are compared for equality, never by substring."""
    kept = "".join(ch if ch.isprintable() and ch not in '[]<>"&' else "_" for ch in marker)
    return "_".join(kept.split()) or "-"


@dataclass(frozen=True, slots=True)
class FieldChanges:
    """A partial update: only the fields that are set change; labels are added and removed."""

    title: str | None = None
    assignee: str | None = None
    clear_assignee: bool = False
    due: dt.date | None = None
    state: TicketState | None = None
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()
    body: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (
            self.title is not None
            or self.assignee is not None
            or self.clear_assignee
            or self.due is not None
            or self.state is not None
            or self.add_labels
            or self.remove_labels
            or self.body is not None
        )


def ticket_to_json(ticket: Ticket) -> dict[str, Any]:
    """A ticket as plain JSON values, for the state store."""
    return {
        "ref": ticket.ref,
        "url": ticket.url,
        "title": ticket.fields.title,
        "assignee": ticket.fields.assignee,
        "due": ticket.fields.due.isoformat() if ticket.fields.due else None,
        "state": ticket.fields.state.value,
        "labels": list(ticket.fields.labels),
        "marker": ticket.marker.item_key if ticket.marker else None,
        "marker_version": ticket.marker.version if ticket.marker else None,
        "updated": ticket.updated.isoformat() if ticket.updated else None,
        "body": ticket.body,
        "tracker_id": ticket.tracker_id,
        "created": ticket.created.isoformat() if ticket.created else None,
        "closed": ticket.closed.isoformat() if ticket.closed else None,
    }


def ticket_from_json(data: dict[str, Any]) -> Ticket:
    """The inverse of `ticket_to_json`."""
    marker = None
    if data.get("marker"):
        marker = Marker(item_key=str(data["marker"]), version=int(data.get("marker_version") or 1))
    return Ticket(
        ref=str(data["ref"]),
        url=str(data.get("url") or ""),
        fields=TicketFields(
            title=str(data.get("title") or ""),
            assignee=data.get("assignee"),
            due=dt.date.fromisoformat(data["due"]) if data.get("due") else None,
            state=TicketState(data.get("state") or "open"),
            labels=tuple(data.get("labels") or ()),
        ),
        marker=marker,
        updated=dt.datetime.fromisoformat(data["updated"]) if data.get("updated") else None,
        body=str(data.get("body") or ""),
        tracker_id=data.get("tracker_id"),
        created=dt.datetime.fromisoformat(data["created"]) if data.get("created") else None,
        closed=dt.datetime.fromisoformat(data["closed"]) if data.get("closed") else None,
    )
