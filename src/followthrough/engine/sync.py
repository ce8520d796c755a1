"""The sync cycle of one team: observe (journal + tracker), plan (pure), apply (journalled).

Every tracker write is preceded by an intent in the journal and followed by its result, so
a crash between the two is resolved at the next cycle by looking the marker up in the
tracker (after its search lag) before anything is created again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol, TypeVar

from followthrough.domain.model import Finding, Postmortem, Severity
from followthrough.domain.plan import (
    LinkState,
    Operation,
    OpKind,
    Plan,
    PlannedItem,
    plan_team,
    synced_values,
)
from followthrough.domain.policy import TeamPolicy
from followthrough.domain.tickets import MARKER_LABEL, Marker, Ticket
from followthrough.engine.retry import RetryPolicy, call_with_retry, may_have_applied, no_log
from followthrough.ports import (
    Intent,
    Link,
    Store,
    TicketNotFoundError,
    Tracker,
    TrackerError,
    TrackerPermanentError,
    TrackerTemporaryError,
)

Log = Callable[..., None]
T = TypeVar("T")
FULL_LISTING_EVERY = dt.timedelta(hours=6)
LISTING_MARGIN = dt.timedelta(minutes=2)
BULK_CHUNK = 50


@dataclass(frozen=True, slots=True)
class Observation:
    """What a cycle saw before planning: tickets by marker, links, pending writes, reads made."""

    tickets: Mapping[str, Ticket]
    links: Mapping[str, LinkState]
    pending: frozenset[str]
    read_calls: int
    duplicates: tuple[Finding, ...] = ()


class WriteProgress(Protocol):
    """Shows how far a long apply has come (a progress bar in the CLI)."""

    def start(self, team: str, writes: int) -> None: ...
    def advance(self) -> None: ...
    def finish(self) -> None: ...


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
    _listed: dict[str, dict[str, Ticket]] = field(default_factory=dict, init=False, repr=False)

    def sync_team(
        self,
        team: TeamPolicy,
        tracker: Tracker,
        postmortems: Sequence[Postmortem],
        *,
        unreadable: Collection[str] = (),
        dry_run: bool = False,
    ) -> SyncResult:
        """One cycle for one team; a permanent tracker error stops this team only."""
        empty = Plan(team=team.name, operations=())
        try:
            observation = self.observe(team, tracker, dry_run=dry_run)
            plan = self.plan(team, postmortems, observation, unreadable=unreadable, dry_run=dry_run)
        except TrackerError as error:
            return self._failed(team, empty, error)
        result = SyncResult(team=team.name, plan=plan, read_calls=observation.read_calls)
        result.findings.extend(observation.duplicates)
        if dry_run:
            return result
        try:
            if self.progress is not None:
                self.progress.start(team.name, len(plan.writes))
            self.apply(team, tracker, plan, result)
        except TrackerPermanentError as error:
            if self.progress is not None:
                self.progress.finish()
            failed = self._failed(team, plan, error)
            failed.applied, failed.failed = result.applied, result.failed
            return failed
        if self.progress is not None:
            self.progress.finish()
        return result

    def _failed(self, team: TeamPolicy, plan: Plan, error: TrackerError) -> SyncResult:
        message = f"{type(error).__name__}: {error}"
        self.log("team_sync_stopped", team=team.name, error=message)
        finding = Finding(
            code="tracker-error", severity=Severity.ERROR, message=message, path="", line=0
        )
        return SyncResult(team=team.name, plan=plan, error=message, findings=[finding])

    def observe(self, team: TeamPolicy, tracker: Tracker, *, dry_run: bool) -> Observation:
        """Resolve unconfirmed writes, then list the tracker (incrementally when possible)."""
        now = self.clock()
        pending = self._resolve_intents(team, tracker, now=now, dry_run=dry_run)
        tickets, calls = self._listing(team, tracker, now=now, dry_run=dry_run)
        by_key, duplicates = _by_marker(tickets, team=team.name)
        links = {key: _link_state(link) for key, link in self.store.links(team.name).items()}
        return Observation(
            tickets=by_key,
            links=links,
            pending=frozenset(pending),
            read_calls=calls,
            duplicates=duplicates,
        )

    def plan(
        self,
        team: TeamPolicy,
        postmortems: Sequence[Postmortem],
        observation: Observation,
        *,
        unreadable: Collection[str] = (),
        dry_run: bool = False,
    ) -> Plan:
        """The pure planner, fed with what was observed."""
        items = [
            PlannedItem(
                item=item,
                postmortem=pm,
                first_seen=self._first_seen(team.name, pm, dry_run=dry_run),
            )
            for pm in postmortems
            for item in pm.action_items
        ]
        read = {pm.id for pm in postmortems if pm.readable}
        return plan_team(
            items,
            team,
            tickets=observation.tickets,
            links=observation.links,
            now=self.clock(),
            pending=observation.pending,
            unreadable_postmortems=set(unreadable),
            read_postmortems=read,
        )

    def _first_seen(self, team: str, pm: Postmortem, *, dry_run: bool) -> dt.date:
        name = f"first_seen:{pm.id}"
        seen = self.store.cursor(team, name)
        if seen:
            return dt.date.fromisoformat(seen)
        today = self.clock().date()
        if not dry_run:
            self.store.set_cursor(team, name, today.isoformat())
        return today

    def _resolve_intents(
        self, team: TeamPolicy, tracker: Tracker, *, now: dt.datetime, dry_run: bool
    ) -> set[str]:
        """Settle writes whose outcome a crash (or a lost answer) left unknown.

        Returns the item keys still too recent to look up: the tracker's search may not
        show them yet, so those items are held rather than written again.
        """
        pending: set[str] = set()
        settled = now - tracker.consistency_window()
        for intent in self.store.open_intents(team.name):
            if dry_run or intent.created > settled:
                pending.add(intent.item_key)
                continue
            applied = self._was_applied(team, tracker, intent)
            self.store.finish_intent(
                intent.id,
                ok=applied,
                ticket_ref=intent.ticket_ref,
                error=None if applied else "not applied (checked after an interruption)",
                now=now,
            )
            self.log(
                "intent_resolved",
                team=team.name,
                item=intent.item_key,
                operation=intent.operation,
                applied=applied,
            )
        return pending

    def _was_applied(self, team: TeamPolicy, tracker: Tracker, intent: Intent) -> bool:
        """Look the write up in the tracker (by marker only) and journal what is found."""
        key = str(intent.payload.get("marker") or intent.item_key)
        if intent.operation in ("create", "adopt", "rekey"):
            found = self._call(partial(tracker.find, Marker(item_key=key)), what="find")
            if found is None:
                return False
            self._link_from_intent(team.name, tracker, key, found, intent.payload)
            if intent.operation == "rekey":
                self._mark_removed(team.name, intent.item_key)
            return True
        if intent.operation == "annotate" and intent.ticket_ref:
            ref = intent.ticket_ref
            comments = self._call(partial(tracker.comments, ref), what="comments")
            noted = any(f"removed:{intent.item_key}" in comment.body for comment in comments)
            if noted:
                self._mark_removed(team.name, intent.item_key)
            return noted
        if intent.operation == "update" and intent.ticket_ref:
            return self._update_applied(team, tracker, intent)
        return False

    def _update_applied(self, team: TeamPolicy, tracker: Tracker, intent: Intent) -> bool:
        """Which fields of an interrupted update reached the ticket: those move the baseline,
        so our own write is not mistaken next cycle for a change a person made."""
        link = self.store.links(team.name).get(intent.item_key)
        if link is None or intent.ticket_ref is None:
            return False
        ticket = self._call(partial(tracker.get, intent.ticket_ref), what="get")
        intended = dict(intent.payload.get("synced") or {})
        have = synced_values(ticket.fields, Postmortem(id="", path="", title=""))
        fields = ("title", "assignee", "due", "state")
        arrived = {
            name: intended[name]
            for name in fields
            if name in intended and intended[name] == have[name]
        }
        if arrived:
            self.store.save_link(
                replace(link, synced={**link.synced, **arrived}, updated=self.clock())
            )
        return all(intended.get(name) == have[name] for name in fields if name in intended)

    def _mark_removed(self, team: str, item_key: str) -> None:
        old = self.store.links(team).get(item_key)
        if old is not None:
            self.store.save_link(replace(old, removed_noted=True, updated=self.clock()))

    def _link_from_intent(
        self, team: str, tracker: Tracker, key: str, ticket: Ticket, payload: Mapping[str, Any]
    ) -> None:
        # The ticket as it is now, not as planned: a crash may have come between the create
        # and a follow-up write (e.g. the transition of a done item), which the plan redoes.
        path = (payload.get("synced") or {}).get("path", "")
        synced = synced_values(ticket.fields, Postmortem(id="", path=str(path), title=""))
        self.store.save_link(
            Link(
                team=team,
                item_key=key,
                ticket_ref=ticket.ref,
                postmortem_id=str(payload.get("postmortem_id", "")),
                synced=synced,
                updated=self.clock(),
            )
        )
        self._remember(tracker, ticket)

    def current_tickets(self, team: TeamPolicy, tracker: Tracker, *, dry_run: bool) -> list[Ticket]:
        """The tracker project's tickets as of now (shares this cycle's listing)."""
        tickets, _calls = self._listing(team, tracker, now=self.clock(), dry_run=dry_run)
        return tickets

    def new_cycle(self) -> None:
        """Forget this cycle's listings: teams sharing a tracker project share one listing."""
        self._listed.clear()

    def _listing(
        self, team: TeamPolicy, tracker: Tracker, *, now: dt.datetime, dry_run: bool
    ) -> tuple[list[Ticket], int]:
        """Known tickets updated with what changed since the last listing (all, every few hours).

        Listings are kept per tracker project, not per team, and made once per cycle.
        """
        scope = project_scope(tracker)
        if scope in self._listed:
            return list(self._listed[scope].values()), 0
        last = self.store.cursor(scope, "listed")
        last_full = self.store.cursor(scope, "full_listing")
        full = (
            last is None
            or last_full is None
            or now - dt.datetime.fromisoformat(last_full) > self.full_listing_every
        )
        since = (
            None
            if full or last is None
            else dt.datetime.fromisoformat(last) - LISTING_MARGIN - tracker.consistency_window()
        )
        batch = self._call(lambda: tracker.list_tickets(updated_since=since), what="list_tickets")
        known = {} if full else dict(self.store.known_tickets(scope, tracker.project))
        known.update({ticket.ref: ticket for ticket in batch.tickets})
        if not dry_run:
            self.store.remember_tickets(scope, tracker.project, batch.tickets)
            self.store.set_cursor(scope, "listed", batch.as_of.isoformat())
            if full:
                self.store.set_cursor(scope, "full_listing", batch.as_of.isoformat())
        self._listed[scope] = known
        return list(known.values()), batch.calls

    def _remember(self, tracker: Tracker, ticket: Ticket) -> None:
        scope = project_scope(tracker)
        self.store.remember_tickets(scope, tracker.project, [ticket])
        if scope in self._listed:
            self._listed[scope][ticket.ref] = ticket

    def apply(self, team: TeamPolicy, tracker: Tracker, plan: Plan, result: SyncResult) -> None:
        """Carry out the writes of a plan, journalled; bulk-creates where the tracker has it.

        ``should_stop`` is asked between writes: a stopping process finishes the write under
        way and leaves the rest to the next cycle (nothing half-done is left unjournalled).
        """
        creates = plan.by_kind(OpKind.CREATE)
        if len(creates) > 1 and tracker.kind == "jira":
            for start in range(0, len(creates), BULK_CHUNK):
                if self.should_stop():
                    return
                self._create_many(team, tracker, creates[start : start + BULK_CHUNK], result)
        else:
            for op in creates:
                if self.should_stop():
                    return
                self._apply_one(team, tracker, op, result)
        for op in plan.operations:
            if op.kind == OpKind.CREATE:
                continue
            if op.kind == OpKind.NOOP and op.synced is not None and op.ticket_ref:
                self._save_link(team.name, op.item_key, op.ticket_ref, op.postmortem_id, op.synced)
                continue
            if op.writes:
                if self.should_stop():
                    return
                self._apply_one(team, tracker, op, result)

    def _apply_one(
        self, team: TeamPolicy, tracker: Tracker, op: Operation, result: SyncResult
    ) -> None:
        try:
            self._apply_write(team, tracker, op, result)
        finally:
            if self.progress is not None:
                self.progress.advance()

    def _apply_write(
        self, team: TeamPolicy, tracker: Tracker, op: Operation, result: SyncResult
    ) -> None:
        intent = self.store.begin_intent(
            team=team.name,
            item_key=op.item_key,
            operation=op.kind.value,
            payload=_payload(op),
            now=self.clock(),
        )
        try:
            ticket = self._write(tracker, op)
        except TrackerTemporaryError as error:
            if may_have_applied(error) and op.kind != OpKind.UPDATE:
                self._outcome_unknown(team, op, error, result)  # intent stays open
            else:
                self._record_failure(team, op, intent.id, error, result)
            return
        except TicketNotFoundError as error:
            self._record_failure(team, op, intent.id, error, result)
            message = f"{op.ticket_ref} named for “{op.title}” does not exist or is not visible"
            result.findings.append(
                Finding(
                    code="ticket-not-found",
                    severity=Severity.ERROR,
                    message=message,
                    path="",
                    line=0,
                    item=op.item_key,
                )
            )
        except TrackerPermanentError as error:
            self._record_failure(team, op, intent.id, error, result)
            if op.kind == OpKind.CREATE:
                raise  # a create refused for good (bad project, auth) stops the team
        self.store.finish_intent(
            intent.id,
            ok=True,
            ticket_ref=ticket.ref if ticket else op.ticket_ref,
            error=None,
            now=self.clock(),
        )
        self._after_write(team, tracker, op, ticket)
        result.applied[op.kind.value] = result.applied.get(op.kind.value, 0) + 1
        self.log(
            "ticket_written",
            team=team.name,
            item=op.item_key,
            operation=op.kind.value,
            ticket=ticket.ref if ticket else op.ticket_ref,
            result="ok",
        )

    def _outcome_unknown(
        self, team: TeamPolicy, op: Operation, error: TrackerError, result: SyncResult
    ) -> None:
        """The request may have reached the tracker: the next cycle looks before writing again."""
        result.failed.append(op.item_key)
        self.log(
            "write_outcome_unknown",
            team=team.name,
            item=op.item_key,
            operation=op.kind.value,
            ticket=op.ticket_ref,
            error=f"{type(error).__name__}: {error}",
        )

    def _record_failure(
        self,
        team: TeamPolicy,
        op: Operation,
        intent_id: int,
        error: TrackerError,
        result: SyncResult,
    ) -> None:
        message = f"{type(error).__name__}: {error}"
        self.store.finish_intent(
            intent_id, ok=False, ticket_ref=op.ticket_ref, error=message, now=self.clock()
        )
        result.failed.append(op.item_key)
        self.log(
            "ticket_written",
            team=team.name,
            item=op.item_key,
            operation=op.kind.value,
            ticket=op.ticket_ref,
            result="failed",
            error=message,
        )

    def _write(self, tracker: Tracker, op: Operation) -> Ticket | None:
        ref = op.ticket_ref or ""
        if op.kind == OpKind.CREATE and op.spec is not None:
            spec = op.spec
            return self._call(lambda: tracker.create(spec), what="create", idempotent=False)
        if op.kind == OpKind.ADOPT:
            marker = Marker(item_key=op.item_key)
            return self._call(
                lambda: tracker.adopt(ref, marker, labels=(MARKER_LABEL,)), what="adopt"
            )
        if op.kind == OpKind.UPDATE and op.changes is not None:
            changes = op.changes
            return self._call(lambda: tracker.update(ref, changes), what="update")
        if op.kind == OpKind.REKEY and op.new_key:
            marker = Marker(item_key=op.new_key)
            ticket = self._call(
                lambda: tracker.adopt(ref, marker, labels=(MARKER_LABEL,)), what="rekey"
            )
            if op.changes is not None:
                changes = op.changes
                ticket = self._call(lambda: tracker.update(ref, changes), what="update")
            return ticket
        if op.kind == OpKind.ANNOTATE and op.text:
            text = op.text
            self._call(
                lambda: tracker.comment(ref, text, marker=f"removed:{op.item_key}"),
                what="comment",
                idempotent=False,
            )
        return None

    def _after_write(
        self, team: TeamPolicy, tracker: Tracker, op: Operation, ticket: Ticket | None
    ) -> None:
        if ticket is not None:
            self._remember(tracker, ticket)
        ref = ticket.ref if ticket else op.ticket_ref or ""
        if op.kind == OpKind.ADOPT and ticket is not None:
            pm_path = ""
            synced = synced_values(
                ticket.fields, Postmortem(id=op.postmortem_id, path=pm_path, title="")
            )
            self._save_link(team.name, op.item_key, ref, op.postmortem_id, synced)
        elif op.kind == OpKind.REKEY and op.new_key:
            old = self.store.links(team.name).get(op.item_key)
            if old is not None:
                self.store.save_link(replace(old, removed_noted=True, updated=self.clock()))
            self._save_link(team.name, op.new_key, ref, op.postmortem_id, op.synced or {})
        elif op.kind == OpKind.ANNOTATE:
            old = self.store.links(team.name).get(op.item_key)
            if old is not None:
                self.store.save_link(replace(old, removed_noted=True, updated=self.clock()))
        elif op.kind == OpKind.CREATE and ticket is not None and op.synced is not None:
            # The state the ticket really has: a close that failed after the create is
            # then pushed by the next cycle.
            synced = {**op.synced, "state": ticket.fields.state.value}
            self._save_link(team.name, op.item_key, ref, op.postmortem_id, synced)
        elif op.synced is not None:
            self._save_link(team.name, op.item_key, ref, op.postmortem_id, op.synced)

    def _create_many(
        self, team: TeamPolicy, tracker: Tracker, ops: Sequence[Operation], result: SyncResult
    ) -> None:
        intents = [
            self.store.begin_intent(
                team=team.name,
                item_key=op.item_key,
                operation="create",
                payload=_payload(op),
                now=self.clock(),
            )
            for op in ops
        ]
        specs = [op.spec for op in ops if op.spec is not None]
        try:
            outcomes: list[Ticket | TrackerError] = self._call(
                lambda: tracker.create_many(specs), what="create_many", idempotent=False
            )
        except TrackerTemporaryError as error:
            outcomes = [error] * len(ops)
        for op, intent, outcome in zip(ops, intents, outcomes, strict=True):
            if self.progress is not None:
                self.progress.advance()
            if isinstance(outcome, TrackerTemporaryError) and may_have_applied(outcome):
                self._outcome_unknown(team, op, outcome, result)
                continue
            if isinstance(outcome, TrackerError):
                self._record_failure(team, op, intent.id, outcome, result)
                continue
            self.store.finish_intent(
                intent.id, ok=True, ticket_ref=outcome.ref, error=None, now=self.clock()
            )
            self._after_write(team, tracker, op, outcome)
            result.applied["create"] = result.applied.get("create", 0) + 1
            self.log(
                "ticket_written",
                team=team.name,
                item=op.item_key,
                operation="create",
                ticket=outcome.ref,
                result="ok",
            )

    def _save_link(
        self, team: str, key: str, ref: str, pm_id: str, synced: Mapping[str, Any]
    ) -> None:
        self.store.save_link(
            Link(
                team=team,
                item_key=key,
                ticket_ref=ref,
                postmortem_id=pm_id,
                synced=dict(synced),
                updated=self.clock(),
            )
        )

    def _log_event(self, fields: dict[str, Any]) -> None:
        event = dict(fields)
        self.log(str(event.pop("event")), **event)

    def _call(self, fn: Callable[[], T], *, what: str, idempotent: bool = True) -> T:
        return call_with_retry(
            fn,
            policy=self.retry,
            what=what,
            on_retry=self._log_event,
            idempotent=idempotent,
        )


def project_scope(tracker: Tracker) -> str:
    """The store namespace of a tracker project's listing state (shared by its teams)."""
    return f"{tracker.kind}:{tracker.project}"


def _payload(op: Operation) -> dict[str, Any]:
    return {
        "marker": op.new_key or op.item_key,
        "ticket_ref": op.ticket_ref,
        "postmortem_id": op.postmortem_id,
        "synced": dict(op.synced or {}),
        "reason": op.reason,
    }


def _link_state(link: Link) -> LinkState:
    return LinkState(
        ticket_ref=link.ticket_ref,
        postmortem_id=link.postmortem_id,
        synced=dict(link.synced),
        removed_noted=link.removed_noted,
    )


def _by_marker(
    tickets: Sequence[Ticket], *, team: str
) -> tuple[dict[str, Ticket], tuple[Finding, ...]]:
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
