"""A read-only view of the journal: what a dry run plans with.

Dry-run is decided in one place (`SyncEngine.sync_team`): a dry run reads the journal through
this view, whose writes change nothing, and never reaches the apply step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from followthrough.domain.ticket_history import TicketChange
from followthrough.domain.tickets import Ticket
from followthrough.ports import Intent, Link, Store


class ReadOnlyStore:
    """Forwards reads to a store; every write is dropped."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def migrate(self) -> None:
        return

    def begin_intent(
        self, *, team: str, item_key: str, operation: str, payload: dict[str, Any], now: dt.datetime
    ) -> Intent:
        raise RuntimeError("a dry run never writes to a tracker")

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
        return

    def open_intents(self, team: str) -> list[Intent]:
        return self._store.open_intents(team)

    def links(self, team: str) -> dict[str, Link]:
        return self._store.links(team)

    def save_link(self, link: Link) -> None:
        return

    def known_tickets(self, team: str, project: str) -> dict[str, Ticket]:
        return self._store.known_tickets(team, project)

    def remember_tickets(
        self,
        team: str,
        project: str,
        tickets: Sequence[Ticket],
        *,
        complete: bool = False,
        history: Sequence[TicketChange] = (),
    ) -> None:
        return

    def record_history(self, team: str, project: str, changes: Sequence[TicketChange]) -> None:
        return

    def ticket_history(self, team: str, project: str) -> dict[str, list[TicketChange]]:
        return self._store.ticket_history(team, project)

    def cursor(self, team: str, name: str) -> str | None:
        return self._store.cursor(team, name)

    def set_cursor(self, team: str, name: str, value: str) -> None:
        return

    def ping(self) -> None:
        self._store.ping()

    def close(self) -> None:
        return
