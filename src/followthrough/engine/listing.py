"""Listing a tracker project's tickets, incrementally, with its cursors.

Each cycle lists a project once (teams sharing a project share the listing): the tickets
updated since the last listing, on top of the stored ones, and every few hours everything —
which also forgets tickets that were deleted or lost our marker. The cursor is the tracker's
own moment of the listing (`TicketBatch.as_of`), never our clock.

Each listing also keeps history in the journal (local writes only, no tracker call): the
changes the tracker reported along with the listing (`TicketBatch.history`), a first sight of
each new ticket, and every managed field found different from the last known value. A ticket
as our own write left it (`TicketListing.remember`) is kept as followthrough's change, so the
next listing does not take it for a person's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from followthrough.domain.ticket_history import observed_changes
from followthrough.domain.tickets import Ticket
from followthrough.ports import Store, Tracker
from followthrough.retry import RetryLog, RetryPolicy, call_with_retry

FULL_LISTING_EVERY = dt.timedelta(hours=6)
LISTING_MARGIN = dt.timedelta(minutes=2)


def project_scope(tracker: Tracker) -> str:
    """The store namespace of a tracker project's listing state (shared by its teams)."""
    return listing_scope(tracker.kind, tracker.project)


def listing_scope(kind: str, project: str) -> str:
    """`project_scope` from the tracker kind and project key (``jira:OPS``, ``github:o/r``)."""
    return f"{kind}:{project}"


@dataclass
class TicketListing:
    """Per-cycle listings of tracker projects, kept in the store between cycles."""

    clock: Callable[[], dt.datetime]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    on_retry: RetryLog | None = None
    full_listing_every: dt.timedelta = FULL_LISTING_EVERY
    _listed: dict[str, dict[str, Ticket]] = field(default_factory=dict, init=False, repr=False)

    def new_cycle(self) -> None:
        """Forget this cycle's listings."""
        self._listed.clear()

    def tickets(self, tracker: Tracker, *, store: Store) -> tuple[list[Ticket], int]:
        """The project's tickets as of now, and the read calls it took (0 when shared)."""
        scope = project_scope(tracker)
        if scope in self._listed:
            return list(self._listed[scope].values()), 0
        full, since = self._window(tracker, store=store)
        batch = call_with_retry(
            lambda: tracker.list_tickets(updated_since=since),
            policy=self.retry,
            what="list_tickets",
            on_retry=self.on_retry,
        )
        stored = dict(store.known_tickets(scope, tracker.project))
        known = {} if full else dict(stored)
        known.update({ticket.ref: ticket for ticket in batch.tickets})
        seen = [
            change
            for ticket in batch.tickets
            for change in observed_changes(stored.get(ticket.ref), ticket, at=batch.as_of)
        ]
        store.remember_tickets(
            scope, tracker.project, batch.tickets, complete=full, history=[*batch.history, *seen]
        )
        store.set_cursor(scope, "listed", batch.as_of.isoformat())
        if full:
            store.set_cursor(scope, "full_listing", batch.as_of.isoformat())
        self._listed[scope] = known
        return list(known.values()), batch.calls

    def _window(self, tracker: Tracker, *, store: Store) -> tuple[bool, dt.datetime | None]:
        """Whether this listing is a full one, and else the moment to list changes since."""
        scope = project_scope(tracker)
        last = store.cursor(scope, "listed")
        last_full = store.cursor(scope, "full_listing")
        if last is None or last_full is None:
            return True, None
        listed, listed_full = dt.datetime.fromisoformat(last), dt.datetime.fromisoformat(last_full)
        if listed - listed_full > self.full_listing_every or (
            self.clock() - listed_full > self.full_listing_every
        ):
            return True, None
        return False, listed - LISTING_MARGIN - tracker.consistency_window()

    def remember(self, tracker: Tracker, ticket: Ticket, *, store: Store) -> None:
        """A ticket as one of our writes left it (so this cycle's listing stays current)."""
        scope = project_scope(tracker)
        if scope in self._listed:  # this cycle's listing knows every ticket: absent is new
            before = self._listed[scope].get(ticket.ref)
        else:  # a write settled before the listing (rare): the journal's last sight
            before = store.known_tickets(scope, tracker.project).get(ticket.ref)
        changes = observed_changes(before, ticket, at=self.clock(), human=False)
        store.remember_tickets(scope, tracker.project, [ticket], history=changes)
        if scope in self._listed:
            self._listed[scope][ticket.ref] = ticket

    def forget(self, tracker: Tracker, ref: str) -> None:
        """A ticket found missing this cycle (deleted in the tracker)."""
        self._listed.get(project_scope(tracker), {}).pop(ref, None)
