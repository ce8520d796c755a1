"""Tracker adapters' process-wide memory of one project's tickets, kept current by its listings.

Some writes answer with less than the ticket: Jira's transition answers nothing, its edit
leaves out issue properties (our identity marker), and a GitHub due-date change must send
the whole body, which the write does not know. Rather than read the ticket again, the
adapter takes the missing part from here. Adapters are built afresh per team and cycle, so
the memory lives per process, keyed by server and project (`project_memory`).

The memory vouches for a ticket only while every listing since the ticket entered it (by a
listing or by our own write) reached back to where the one before it ended, so no change by
someone else can have slipped between two of them, and the last listing is at most
``max_age`` seconds old. A listing that leaves a gap (the first one of the process, or one
after another process moved the shared cursor on) starts afresh with what it showed. Within
a cycle, a change made in the tracker after the listing and before our write is the one
thing it cannot know; ``max_age`` bounds that window. Transition choices (Jira) are
remembered per project for the life of the process.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from followthrough.domain.tickets import Marker, Ticket

MAX_AGE = 60.0  # seconds a listing vouches for what it showed


@dataclass(frozen=True, slots=True)
class Remembered:
    """A ticket as last seen, with what the adapter needs beyond the `Ticket`.

    ``status``: Jira's status id (transitions are offered per status). ``property_marker``:
    Jira's identity property, apart from a marker line in the description (``None``: none).
    """

    ticket: Ticket
    status: str = ""
    property_marker: Marker | None = None


@dataclass(frozen=True, slots=True)
class TransitionChoice:
    """A Jira transition known to lead from one status to a state: id, screen fields, target."""

    id: str
    fields: dict[str, Any]
    to_status: str


class ProjectMemory:
    """Tickets of one tracker project as this process last saw them (see the module docstring)."""

    def __init__(
        self, *, max_age: float = MAX_AGE, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._lock = threading.Lock()
        self._max_age = max_age
        self._monotonic = monotonic
        self._tickets: dict[str, Remembered] = {}
        self._covered_until: dt.datetime | None = None
        self._listed_at: float | None = None
        self._transitions: dict[tuple[str, str], TransitionChoice] = {}

    def listed(
        self, found: Iterable[Remembered], *, since: dt.datetime | None, as_of: dt.datetime
    ) -> None:
        """Take in a listing of everything changed since ``since`` (all when ``None``)."""
        with self._lock:
            if since is None or self._covered_until is None or since > self._covered_until:
                self._tickets = {}  # only what this listing showed is known to be current
            self._tickets.update((seen.ticket.ref, seen) for seen in found)
            self._covered_until = as_of
            self._listed_at = self._monotonic()

    def wrote(self, seen: Remembered) -> None:
        """Record a ticket as one of our own writes left it."""
        with self._lock:
            self._tickets[seen.ticket.ref] = seen

    def recall(self, ref: str) -> Remembered | None:
        """The ticket as last seen, while the memory is covered and fresh; else ``None``."""
        with self._lock:
            if self._listed_at is None or self._monotonic() - self._listed_at > self._max_age:
                return None
            return self._tickets.get(ref)

    def transition(self, status: str, state: str) -> TransitionChoice | None:
        """The transition last used from ``status`` to ``state``, if any."""
        with self._lock:
            return self._transitions.get((status, state))

    def learn_transition(self, status: str, state: str, choice: TransitionChoice | None) -> None:
        """Remember (or, with ``None``, forget) the way from ``status`` to ``state``."""
        with self._lock:
            if choice is None:
                self._transitions.pop((status, state), None)
            else:
                self._transitions[(status, state)] = choice


_MEMORIES: dict[tuple[str, str, str], ProjectMemory] = {}
_MEMORIES_LOCK = threading.Lock()


def project_memory(kind: str, server: str, project: str) -> ProjectMemory:
    """This process's memory of a project (``kind``: ``jira`` or ``github``; ``server``: URL)."""
    key = (kind, server.rstrip("/").lower(), project)
    with _MEMORIES_LOCK:
        if key not in _MEMORIES:
            _MEMORIES[key] = ProjectMemory()
        return _MEMORIES[key]


def forget_projects() -> None:
    """Forget every project this process remembers, as a process that starts over would.

    For a process that serves one tracker address after another (a test suite starts each
    sandbox on whatever port is free, and a port comes round again): the memory is keyed by the
    address, so without this a listing of one server would vouch for tickets of the next.
    """
    with _MEMORIES_LOCK:
        _MEMORIES.clear()
