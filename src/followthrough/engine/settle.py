"""Settling writes whose outcome is unknown (a crash, a lost answer) before anything is sent
again: each open intent is looked up in the tracker — by marker for a create, adopt or
rekey (after the tracker's search lag), by exact comment tag for a removal note, field by
field for an update — and its result and link are journalled together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from followthrough.domain.model import Postmortem
from followthrough.domain.plan import synced_values
from followthrough.domain.tickets import Marker, Ticket, comment_tag
from followthrough.engine.listing import TicketListing
from followthrough.ports import Intent, Link, Store, TicketNotFoundError, Tracker
from followthrough.retry import RetryLog, RetryPolicy, call_with_retry, no_log

Log = Callable[..., None]
MANAGED_FIELDS = ("title", "assignee", "due", "state")


def removal_tag(item_key: str) -> str:
    """The tag of the one comment that says an item left its postmortem."""
    return f"removed:{item_key}"


@dataclass
class IntentSettler:
    """Resolves a team's open intents; returns the items still too recent to look up."""

    store: Store
    tracker: Tracker
    listing: TicketListing
    clock: Callable[[], dt.datetime]
    retry: RetryPolicy
    on_retry: RetryLog | None = None
    log: Log = no_log

    def settle(self, team: str) -> set[str]:
        """Settle what can be settled; the rest is held (the tracker's search may lag)."""
        pending: set[str] = set()
        now = self.clock()
        settled_before = now - self.tracker.consistency_window()
        for intent in self.store.open_intents(team):
            if intent.created > settled_before:
                pending.add(intent.item_key)
                continue
            applied, links = self._look_up(team, intent)
            self.store.finish_intent(
                intent.id,
                ok=applied,
                ticket_ref=intent.ticket_ref,
                error=None if applied else "not applied (checked after an interruption)",
                now=now,
                links=links,
            )
            self.log(
                "intent_resolved",
                team=team,
                item=intent.item_key,
                operation=intent.operation,
                applied=applied,
            )
        return pending

    def _look_up(self, team: str, intent: Intent) -> tuple[bool, list[Link]]:
        if intent.operation in ("create", "adopt", "rekey"):
            return self._by_marker(team, intent)
        if intent.operation == "annotate" and intent.ticket_ref:
            return self._by_removal_tag(team, intent, intent.ticket_ref)
        if intent.operation == "update" and intent.ticket_ref:
            return self.update_arrived(team, intent, intent.ticket_ref)
        return False, []

    def _by_marker(self, team: str, intent: Intent) -> tuple[bool, list[Link]]:
        key = str(intent.payload.get("marker") or intent.item_key)
        found = self._call(lambda: self.tracker.find(Marker(item_key=key)), what="find")
        if found is None:
            return False, []
        self.listing.remember(self.tracker, found, store=self.store)
        links = [link_from_ticket(team, key, found, intent.payload, now=self.clock())]
        if intent.operation == "rekey":
            links.extend(self._removed_noted(team, intent.item_key))
        return True, links

    def _by_removal_tag(self, team: str, intent: Intent, ref: str) -> tuple[bool, list[Link]]:
        try:
            comments = self._call(lambda: self.tracker.comments(ref), what="comments")
        except TicketNotFoundError:
            return False, self._removed_noted(team, intent.item_key)  # nothing left to note on
        tag = comment_tag(removal_tag(intent.item_key))
        if any(comment.tag == tag for comment in comments):
            return True, self._removed_noted(team, intent.item_key)
        return False, []

    def update_arrived(self, team: str, intent: Intent, ref: str) -> tuple[bool, list[Link]]:
        """Which fields of an interrupted update reached the ticket: those move the baseline,
        so our own write is not mistaken next cycle for a change a person made."""
        link = self.store.links(team).get(intent.item_key)
        if link is None:
            return False, []
        try:
            ticket = self._call(lambda: self.tracker.get(ref), what="get")
        except TicketNotFoundError:
            return False, []
        self.listing.remember(self.tracker, ticket, store=self.store)
        intended = dict(intent.payload.get("synced") or {})
        have = synced_values(ticket.fields, Postmortem(id="", path="", title=""))
        fields = [name for name in MANAGED_FIELDS if name in intended]
        arrived = {name: intended[name] for name in fields if intended[name] == have[name]}
        moved = replace(link, synced={**link.synced, **arrived}, updated=self.clock())
        return len(arrived) == len(fields), ([moved] if arrived else [])

    def _removed_noted(self, team: str, item_key: str) -> list[Link]:
        old = self.store.links(team).get(item_key)
        if old is None:
            return []
        return [replace(old, removed_noted=True, updated=self.clock())]

    def _call(self, fn: Callable[[], Any], *, what: str) -> Any:
        return call_with_retry(fn, policy=self.retry, what=what, on_retry=self.on_retry)


def link_from_ticket(
    team: str, key: str, ticket: Ticket, payload: Mapping[str, Any], *, now: dt.datetime
) -> Link:
    """The link for a ticket found by its marker: the ticket as it is now, not as planned —
    a crash may have come between a create and a follow-up write (the close of a done item),
    which the next plan then redoes."""
    path = (payload.get("synced") or {}).get("path", "")
    synced = synced_values(ticket.fields, Postmortem(id="", path=str(path), title=""))
    return Link(
        team=team,
        item_key=key,
        ticket_ref=ticket.ref,
        postmortem_id=str(payload.get("postmortem_id", "")),
        synced=synced,
        updated=now,
    )
