"""Ports: the small protocols the engine needs from trackers and state stores.

Adapters implement them (``adapters/trackers``, ``adapters/stores``); the engine and tests
depend only on these. Adapters raise only the errors defined here, never vendor exceptions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from followthrough.domain.ticket_history import TicketChange
from followthrough.domain.tickets import Comment, FieldChanges, Marker, Ticket, TicketSpec


class TrackerError(Exception):
    """Base of every error a tracker adapter raises."""


class TransientError(Exception):
    """Worth retrying (a tracker's 429/5xx/reset, an SMTP 4xx): the one family the retry
    policy retries. ``retry_after`` is the server's wish in seconds, ``status`` its HTTP code
    (``None`` when no answer came: the request may or may not have been acted on)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class TrackerTemporaryError(TrackerError, TransientError):
    """Worth retrying: 429, 5xx, timeouts, dropped connections. ``retry_after`` in seconds."""


class RetryLaterError(TrackerTemporaryError):
    """The tracker asked to wait longer than the retry cap: the call was not made again, and
    the rest of the work waits for the next cycle."""


class TrackerPermanentError(TrackerError):
    """Not worth retrying: 400, 401, 403 (not rate limiting), 404 on the project, 422."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TicketNotFoundError(TrackerPermanentError):
    """A ticket named by reference does not exist (or we may not see it)."""


class TrackerCalls(Protocol):
    """Told of every HTTP call a tracker adapter makes and every error it raises to the engine
    (the worker's metrics listen; ``tracker`` is ``jira`` or ``github``)."""

    def answered(self, tracker: str, status: int | None) -> None:
        """One HTTP attempt and its status (``None``: no answer, e.g. a timeout)."""
        ...

    def failed(self, tracker: str, error: TrackerError) -> None:
        """One error the adapter raised instead of an answer."""
        ...


class NoTrackerCalls:
    """Nobody listens: the commands count nothing."""

    def answered(self, tracker: str, status: int | None) -> None:
        return None

    def failed(self, tracker: str, error: TrackerError) -> None:
        return None


@dataclass(frozen=True, slots=True)
class TicketBatch:
    """Tickets from one listing, and the moment the listing is complete up to."""

    tickets: tuple[Ticket, ...]
    as_of: dt.datetime
    calls: int = 1
    # What the tracker's own history says changed (Jira's changelog, GitHub's issue events),
    # read along with the listing: never a call per ticket per cycle.
    history: tuple[TicketChange, ...] = ()


class Tracker(Protocol):
    """One tracker project (a Jira project, a GitHub repository) as the engine uses it."""

    kind: str  # "jira" or "github"
    project: str  # "OPS" or "acme/ops"

    def consistency_window(self) -> dt.timedelta:
        """How long after a write a marker search may still miss it (Jira search lag)."""
        ...

    def list_tickets(self, *, updated_since: dt.datetime | None) -> TicketBatch:
        """Our tickets (marker label) updated at or after ``updated_since``; all when ``None``."""
        ...

    def find(self, marker: Marker) -> Ticket | None:
        """The ticket carrying this marker, looked up by marker only (never by item text)."""
        ...

    def get(self, ref: str) -> Ticket:
        """One ticket by reference (raises `TicketNotFoundError`)."""
        ...

    def create(self, spec: TicketSpec) -> Ticket: ...

    def create_many(self, specs: Sequence[TicketSpec]) -> list[Ticket | TrackerError]:
        """Bulk create where the tracker has it (Jira); results in the order of ``specs``."""
        ...

    def update(self, ref: str, changes: FieldChanges) -> Ticket: ...

    def adopt(self, ref: str, marker: Marker, *, labels: Sequence[str]) -> Ticket:
        """Put our marker on an existing ticket the document names."""
        ...

    def comment(self, ref: str, text: str, *, marker: str) -> Comment:
        """Add a comment; ``marker`` is a hidden tag so the comment is recognisably ours."""
        ...

    def comments(self, ref: str) -> list[Comment]: ...

    def ping(self) -> None:
        """Cheap authenticated read; raises a `TrackerError` when the tracker is unusable."""
        ...


@dataclass(frozen=True, slots=True)
class Intent:
    """A tracker write announced in the journal before it is made."""

    id: int
    team: str
    item_key: str
    operation: str  # "create", "update", "annotate", "adopt", "close", "nudge"
    payload: dict[str, Any]
    created: dt.datetime
    ticket_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """What the journal knows about an item's ticket: its reference and last-synced values."""

    team: str
    item_key: str
    ticket_ref: str
    postmortem_id: str
    synced: dict[str, Any] = field(default_factory=dict)  # last values pushed/seen, per field
    removed_noted: bool = False
    updated: dt.datetime | None = None


class Store(Protocol):
    """The journal and state store (SQLite by default, PostgreSQL with a DSN)."""

    def migrate(self) -> None:
        """Create or upgrade the schema (versioned migrations)."""
        ...

    def begin_intent(
        self, *, team: str, item_key: str, operation: str, payload: dict[str, Any], now: dt.datetime
    ) -> Intent: ...

    def finish_intent(
        self,
        intent_id: int,
        *,
        ok: bool,
        ticket_ref: str | None,
        error: str | None,
        now: dt.datetime,
        links: Sequence[Link] = (),
    ) -> None:
        """Record a write's result once, with the links it made, in one transaction."""
        ...

    def open_intents(self, team: str) -> list[Intent]:
        """Intents with no recorded result (a crash happened between intent and result)."""
        ...

    def links(self, team: str) -> dict[str, Link]: ...

    def save_link(self, link: Link) -> None: ...

    def known_tickets(self, team: str, project: str) -> dict[str, Ticket]:
        """Last-seen state of our tickets in a tracker project, by reference (for quiet cycles)."""
        ...

    def remember_tickets(
        self,
        team: str,
        project: str,
        tickets: Sequence[Ticket],
        *,
        complete: bool = False,
        history: Sequence[TicketChange] = (),
    ) -> None:
        """Upsert ticket states as read (see `ticket_to_json`) and keep their ``history``
        (as `record_history`), together; ``complete`` (a full listing) forgets every other
        stored ticket of the project."""
        ...

    def record_history(self, team: str, project: str, changes: Sequence[TicketChange]) -> None:
        """Keep ticket changes (tracker history and the listing's sightings); kept once."""
        ...

    def ticket_history(self, team: str, project: str) -> dict[str, list[TicketChange]]:
        """The kept changes of a tracker project's tickets, by reference, oldest first."""
        ...

    def cursor(self, team: str, name: str) -> str | None:
        """A small named value per team (e.g. the last full listing time)."""
        ...

    def set_cursor(self, team: str, name: str, value: str) -> None: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


class NudgeRow(Protocol):
    """A reminder as journalled: announced ('intent'), then 'posted' or 'failed'."""

    @property
    def id(self) -> int: ...
    @property
    def ticket_ref(self) -> str: ...
    @property
    def item_key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def posted_at(self) -> dt.datetime: ...


class ReminderStore(Store, Protocol):
    """The store as the reminder engine uses it: the journal plus the nudge log."""

    def begin_nudge(
        self, *, team: str, ticket_ref: str, item_key: str, kind: Any, now: dt.datetime
    ) -> NudgeRow: ...

    def finish_nudge(
        self,
        nudge_id: int,
        *,
        ok: bool,
        comment_id: str | None,
        error: str | None,
        now: dt.datetime,
    ) -> None: ...

    def nudges(self, team: str, ticket_ref: str | None = None) -> Sequence[NudgeRow]: ...
