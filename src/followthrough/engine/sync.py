"""The sync cycle of one team: observe (journal + tracker), plan (pure), apply (journalled).

`SyncEngine` wires the three jobs of a cycle: settling writes whose outcome is unknown
(`settle.py`), listing the tracker (`listing.py`), and applying the plan (`apply.py`). A dry
run is decided here and only here: it reads the journal through a read-only view and never
reaches the apply step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from followthrough.domain.model import Finding, Postmortem, Severity
from followthrough.domain.plan import LinkState, Plan, PlannedItem, plan_team
from followthrough.domain.policy import TeamPolicy
from followthrough.domain.tickets import Ticket
from followthrough.engine.apply import BULK_CHUNK, PlanApplier, WriteProgress, missing_cursor
from followthrough.engine.listing import FULL_LISTING_EVERY, TicketListing, project_scope
from followthrough.engine.readonly import ReadOnlyStore
from followthrough.engine.settle import IntentSettler
from followthrough.ports import Link, Store, TicketNotFoundError, Tracker, TrackerError
from followthrough.retry import RetryPolicy, call_with_retry, log_retries, no_log

Log = Callable[..., None]

__all__ = [
    "BULK_CHUNK",
    "Observation",
    "SyncEngine",
    "SyncResult",
    "WriteProgress",
    "project_scope",
]


@dataclass(frozen=True, slots=True)
class Observation:
    """What a cycle saw before planning: tickets by marker, links, pending writes, reads made."""

    tickets: Mapping[str, Ticket]
    links: Mapping[str, LinkState]
    pending: frozenset[str]
    read_calls: int
    duplicates: tuple[Finding, ...] = ()
    missing: frozenset[str] = frozenset()  # tickets the documents name that do not exist


@dataclass(slots=True)
class SyncResult:
    """What a cycle did for one team."""

    team: str
    plan: Plan
    applied: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    read_calls: int = 0
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failed


@dataclass
class SyncEngine:
    """Runs cycles for teams. Time, retries and logging are injected."""

    store: Store
    clock: Callable[[], dt.datetime]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    log: Log = no_log
    full_listing_every: dt.timedelta = FULL_LISTING_EVERY
    progress: WriteProgress | None = None
    should_stop: Callable[[], bool] = field(default=lambda: False)
    listing: TicketListing = field(init=False)

    def __post_init__(self) -> None:
        self.listing = TicketListing(
            clock=self.clock,
            retry=self.retry,
            on_retry=log_retries(self.log),
            full_listing_every=self.full_listing_every,
        )

    def sync_team(
        self,
        team: TeamPolicy,
        tracker: Tracker,
        postmortems: Sequence[Postmortem],
        *,
        unreadable: Collection[str] = (),
        read_roots: Collection[str] = (),
        dry_run: bool = False,
    ) -> SyncResult:
        """One cycle for one team. Every tracker failure ends as a result of this team.

        ``read_roots`` are the folders (and repository folders) read in full this cycle: a
        linked postmortem that was there and is not any more was renamed or deleted, and its
        items are matched to a renamed copy or judged removed."""
        store: Store = ReadOnlyStore(self.store) if dry_run else self.store
        try:
            observation = self._observe(team, tracker, postmortems, store=store)
            plan = self._plan(
                team,
                postmortems,
                observation,
                store=store,
                unreadable=unreadable,
                vanished=vanished_postmortems(observation.links, postmortems, read_roots),
            )
        except TrackerError as error:
            return self._failed(team, Plan(team=team.name, operations=()), error)
        result = SyncResult(team=team.name, plan=plan, read_calls=observation.read_calls)
        result.findings.extend(observation.duplicates)
        if dry_run:
            return result
        if self.progress is not None:
            self.progress.start(team.name, len(plan.writes))
        try:
            self._applier(tracker).apply(team.name, plan, result)
        except TrackerError as error:  # a read between writes refused: the rest waits
            result.error = f"{type(error).__name__}: {error}"
        finally:
            if self.progress is not None:
                self.progress.finish()
        if result.error is not None:
            self.log("team_sync_stopped", team=team.name, error=result.error)
            result.findings.append(_tracker_finding(result.error))
        return result

    def _failed(self, team: TeamPolicy, plan: Plan, error: TrackerError) -> SyncResult:
        message = f"{type(error).__name__}: {error}"
        self.log("team_sync_stopped", team=team.name, error=message)
        return SyncResult(
            team=team.name, plan=plan, error=message, findings=[_tracker_finding(message)]
        )

    def _settler(self, tracker: Tracker, store: Store) -> IntentSettler:
        return IntentSettler(
            store=store,
            tracker=tracker,
            listing=self.listing,
            clock=self.clock,
            retry=self.retry,
            on_retry=log_retries(self.log),
            log=self.log,
        )

    def _applier(self, tracker: Tracker) -> PlanApplier:
        return PlanApplier(
            store=self.store,
            tracker=tracker,
            listing=self.listing,
            settler=self._settler(tracker, self.store),
            clock=self.clock,
            retry=self.retry,
            on_retry=log_retries(self.log),
            log=self.log,
            progress=self.progress,
            should_stop=self.should_stop,
        )

    def _observe(
        self, team: TeamPolicy, tracker: Tracker, postmortems: Sequence[Postmortem], *, store: Store
    ) -> Observation:
        """Settle unconfirmed writes, then list the tracker (incrementally when possible)."""
        pending = self._settler(tracker, store).settle(team.name)
        tickets, calls = self.listing.tickets(tracker, store=store)
        by_key, duplicates = _by_marker(tickets)
        links = {key: _link_state(link) for key, link in store.links(team.name).items()}
        return Observation(
            tickets=by_key,
            links=links,
            pending=frozenset(pending),
            read_calls=calls,
            duplicates=duplicates,
            missing=frozenset(self._missing_refs(team, tracker, postmortems, store)),
        )

    def _plan(
        self,
        team: TeamPolicy,
        postmortems: Sequence[Postmortem],
        observation: Observation,
        *,
        store: Store,
        unreadable: Collection[str],
        vanished: Collection[str] = (),
    ) -> Plan:
        """The pure planner, fed with what was observed."""
        items = [
            PlannedItem(item=item, postmortem=pm, first_seen=self._first_seen(team, pm, store))
            for pm in postmortems
            for item in pm.action_items
        ]
        return plan_team(
            items,
            team,
            tickets=observation.tickets,
            links=observation.links,
            now=self.clock(),
            pending=observation.pending,
            unreadable_postmortems=set(unreadable),
            read_postmortems={pm.id for pm in postmortems if pm.readable},
            missing_refs=observation.missing,
            vanished_postmortems=vanished,
        )

    def _missing_refs(
        self, team: TeamPolicy, tracker: Tracker, postmortems: Sequence[Postmortem], store: Store
    ) -> set[str]:
        """Tickets the documents name that were found not to exist: each is read once a cycle
        (not written to) until it exists, and its item is held with a finding meanwhile."""
        named = {ref for pm in postmortems for item in pm.action_items for ref in item.tickets}
        missing = set()
        for ref in sorted(named):
            if not store.cursor(team.name, missing_cursor(ref)):
                continue
            try:
                call_with_retry(
                    lambda ref=ref: tracker.get(ref),  # type: ignore[misc]
                    policy=self.retry,
                    what="get",
                    on_retry=log_retries(self.log),
                )
            except TicketNotFoundError:
                missing.add(ref)
                continue
            store.set_cursor(team.name, missing_cursor(ref), "")  # it exists now
        return missing

    def _first_seen(self, team: TeamPolicy, pm: Postmortem, store: Store) -> dt.date:
        name = f"first_seen:{pm.id}"
        seen = store.cursor(team.name, name)
        if seen:
            return dt.date.fromisoformat(seen)
        today = self.clock().date()
        store.set_cursor(team.name, name, today.isoformat())
        return today

    def current_tickets(self, team: TeamPolicy, tracker: Tracker, *, dry_run: bool) -> list[Ticket]:
        """The tracker project's tickets as of now (shares this cycle's listing)."""
        store: Store = ReadOnlyStore(self.store) if dry_run else self.store
        tickets, _calls = self.listing.tickets(tracker, store=store)
        return tickets

    def new_cycle(self) -> None:
        """Forget this cycle's listings: teams sharing a tracker project share one listing."""
        self.listing.new_cycle()


def _tracker_finding(message: str) -> Finding:
    return Finding(code="tracker-error", severity=Severity.ERROR, message=message, path="", line=0)


def _link_state(link: Link) -> LinkState:
    return LinkState(
        ticket_ref=link.ticket_ref,
        postmortem_id=link.postmortem_id,
        synced=dict(link.synced),
        removed_noted=link.removed_noted,
    )


def _by_marker(tickets: Sequence[Ticket]) -> tuple[dict[str, Ticket], tuple[Finding, ...]]:
    """Tickets by item key; when two carry one marker the oldest wins and the rest are reported."""
    by_key: dict[str, Ticket] = {}
    findings: list[Finding] = []
    for ticket in sorted(tickets, key=lambda t: _ref_order(t.ref)):
        if ticket.marker is None:
            continue
        key = ticket.marker.item_key
        if key in by_key:
            message = f"{ticket.ref} carries the marker of {by_key[key].ref} ({key}); the older ticket is kept"
            findings.append(
                Finding(
                    code="duplicate-ticket",
                    severity=Severity.ERROR,
                    message=message,
                    path="",
                    line=0,
                    item=key,
                )
            )
            continue
        by_key[key] = ticket
    return by_key, tuple(findings)


def _ref_order(ref: str) -> tuple[str, int]:
    head, _, number = ref.replace("#", "-").rpartition("-")
    return (head, int(number)) if number.isdigit() else (ref, 0)


def vanished_postmortems(
    links: Mapping[str, LinkState], postmortems: Sequence[Postmortem], read_roots: Collection[str]
) -> set[str]:
    """Linked postmortems whose document lay under a root read in full and is not there now."""
    if not read_roots:
        return set()
    present = {pm.id for pm in postmortems}
    roots = [PurePosixPath(root) for root in read_roots]
    gone: set[str] = set()
    for link in links.values():
        path = str(link.synced.get("path") or "")
        if link.postmortem_id in present or not path:
            continue
        if any(PurePosixPath(path).is_relative_to(root) for root in roots):
            gone.add(link.postmortem_id)
    return gone
