"""Applying a plan: each write journalled as an intent before it is sent, and its outcome
(applied / refused / unknown) after it — the result and the links it made in one store
transaction, so a crash never leaves an applied write without its ticket in the journal.

An unknown outcome leaves the intent open; the next cycle settles it (`settle.py`) before
anything is sent again. A refusal that every later write would meet too (credentials, a
missing project, a rate limit past the cap) stops the team's writes for this cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from followthrough.domain.model import Finding, Postmortem, Severity
from followthrough.domain.plan import Operation, OpKind, Plan, synced_values
from followthrough.domain.tickets import MARKER_LABEL, Marker, Ticket
from followthrough.engine.listing import TicketListing
from followthrough.engine.outcome import Outcome, WriteOutcome, attempt, failed
from followthrough.engine.settle import IntentSettler, removal_tag
from followthrough.ports import Intent, Link, Store, Tracker, TrackerError
from followthrough.retry import RetryLog, RetryPolicy, no_log

Log = Callable[..., None]
BULK_CHUNK = 50
TicketOutcome = WriteOutcome[Ticket | None]


class WriteProgress(Protocol):
    """Shows how far a long apply has come (a progress bar in the CLI)."""

    def start(self, team: str, writes: int) -> None: ...
    def advance(self) -> None: ...
    def finish(self) -> None: ...


class ApplyRecord(Protocol):
    """Where the applier reports what it did (`SyncResult`)."""

    applied: dict[str, int]
    failed: list[str]
    findings: list[Finding]
    error: str | None


@dataclass
class PlanApplier:
    """Carries out one team's plan against its tracker."""

    store: Store
    tracker: Tracker
    listing: TicketListing
    settler: IntentSettler
    clock: Callable[[], dt.datetime]
    retry: RetryPolicy
    on_retry: RetryLog | None = None
    log: Log = no_log
    progress: WriteProgress | None = None
    should_stop: Callable[[], bool] = lambda: False

    def apply(self, team: str, plan: Plan, record: ApplyRecord) -> None:
        """All writes of ``plan``; bulk creates where the tracker has them. ``should_stop`` is
        asked between writes: a stopping process finishes the write under way and leaves the
        rest to the next cycle."""
        for op in plan.operations:
            if op.kind == OpKind.NOOP and op.synced is not None and op.ticket_ref:
                self.store.save_link(self._link(team, op, op.ticket_ref, op.synced))
        for batch in self._batches(plan):
            if self.should_stop() or record.error is not None:
                return
            outcomes = self._write_batch(team, batch)
            for op, (intent, outcome) in zip(batch, outcomes, strict=True):
                self._journal(team, op, intent, outcome, record)
                if self.progress is not None:
                    self.progress.advance()

    def _batches(self, plan: Plan) -> list[list[Operation]]:
        creates = plan.by_kind(OpKind.CREATE)
        others = [op for op in plan.operations if op.writes and op.kind != OpKind.CREATE]
        if len(creates) > 1 and self.tracker.kind == "jira":
            chunks = [creates[i : i + BULK_CHUNK] for i in range(0, len(creates), BULK_CHUNK)]
        else:
            chunks = [[op] for op in creates]
        return chunks + [[op] for op in others]

    def _write_batch(
        self, team: str, batch: Sequence[Operation]
    ) -> list[tuple[Intent, TicketOutcome]]:
        intents = [
            self.store.begin_intent(
                team=team,
                item_key=op.item_key,
                operation=op.kind.value,
                payload=_payload(op),
                now=self.clock(),
            )
            for op in batch
        ]
        if len(batch) > 1:
            return list(zip(intents, self._create_many(batch), strict=True))
        return [(intents[0], self._write(batch[0]))]

    def _create_many(self, ops: Sequence[Operation]) -> list[TicketOutcome]:
        specs = [op.spec for op in ops if op.spec is not None]
        whole: WriteOutcome[list[Ticket | TrackerError]] = attempt(
            lambda: self.tracker.create_many(specs),
            policy=self.retry,
            what="create_many",
            idempotent=False,
            on_retry=self.on_retry,
        )
        if whole.value is None:
            return [WriteOutcome(whole.outcome, error=whole.error) for _ in ops]
        return [_outcome_of(each) for each in whole.value]

    def _write(self, op: Operation) -> TicketOutcome:
        ref = op.ticket_ref or ""
        if op.kind == OpKind.CREATE and op.spec is not None:
            spec = op.spec
            return self._attempt(lambda: self.tracker.create(spec), "create", idempotent=False)
        if op.kind in (OpKind.ADOPT, OpKind.REKEY):
            marker = Marker(item_key=op.new_key or op.item_key)
            adopted = self._attempt(
                lambda: self.tracker.adopt(ref, marker, labels=(MARKER_LABEL,)), op.kind.value
            )
            if op.kind == OpKind.ADOPT or not adopted.applied or op.changes is None:
                return adopted
            return self._retitle(op, ref, adopted)
        if op.kind == OpKind.UPDATE and op.changes is not None:
            changes = op.changes
            return self._attempt(lambda: self.tracker.update(ref, changes), "update")
        if op.kind == OpKind.ANNOTATE and op.text:
            text, tag = op.text, removal_tag(op.item_key)
            return self._attempt(
                lambda: (self.tracker.comment(ref, text, marker=tag), None)[1],
                "comment",
                idempotent=False,
            )
        return WriteOutcome(Outcome.REFUSED, error=TrackerError(f"nothing to write for {op}"))

    def _retitle(self, op: Operation, ref: str, adopted: TicketOutcome) -> TicketOutcome:
        """The title edit of a rekey whose marker already moved: the rekey itself is applied
        whatever becomes of the edit (the link records the title only when it arrived)."""
        changes = op.changes
        assert changes is not None
        edited = self._attempt(lambda: self.tracker.update(ref, changes), "update")
        if edited.applied:
            return edited
        self.log(
            "ticket_written",
            operation="rekey-title",
            item=op.new_key,
            ticket=ref,
            result=edited.outcome.value,
            error=edited.message,
        )
        return adopted

    def _attempt(
        self, call: Callable[[], Ticket | None], what: str, *, idempotent: bool = True
    ) -> TicketOutcome:
        return attempt(
            call, policy=self.retry, what=what, idempotent=idempotent, on_retry=self.on_retry
        )

    # -- journalling outcomes -------------------------------------------------------------

    def _journal(
        self, team: str, op: Operation, intent: Intent, outcome: TicketOutcome, record: ApplyRecord
    ) -> None:
        if outcome.outcome == Outcome.APPLIED:
            self._applied(team, op, intent, outcome.value, record)
        elif outcome.outcome == Outcome.UNKNOWN:
            record.failed.append(op.item_key)  # the intent stays open: settled next cycle
            self._log_write(team, op, result="unknown", error=outcome.message)
        else:
            self._refused(team, op, intent, outcome, record)

    def _applied(
        self, team: str, op: Operation, intent: Intent, ticket: Ticket | None, record: ApplyRecord
    ) -> None:
        ref = ticket.ref if ticket else op.ticket_ref
        self.store.finish_intent(
            intent.id,
            ok=True,
            ticket_ref=ref,
            error=None,
            now=self.clock(),
            links=self._links_after(team, op, ticket),
        )
        if ticket is not None:
            self.listing.remember(self.tracker, ticket, store=self.store)
        record.applied[op.kind.value] = record.applied.get(op.kind.value, 0) + 1
        self._log_write(team, op, result="ok", ticket=ref)

    def _refused(
        self, team: str, op: Operation, intent: Intent, outcome: TicketOutcome, record: ApplyRecord
    ) -> None:
        links: list[Link] = []
        if op.kind in (OpKind.UPDATE, OpKind.REKEY) and op.ticket_ref and not outcome.not_found:
            # a multi-step update may have made some of its steps before the refusal
            try:
                _all, links = self.settler.update_arrived(team, intent, op.ticket_ref)
            except TrackerError as error:  # cannot tell now: the next cycle settles it
                record.failed.append(op.item_key)
                self._log_write(team, op, result="unknown", error=f"{outcome.message}; {error}")
                return
        self.store.finish_intent(
            intent.id,
            ok=False,
            ticket_ref=op.ticket_ref,
            error=outcome.message,
            now=self.clock(),
            links=links,
        )
        record.failed.append(op.item_key)
        if outcome.not_found:
            record.findings.append(_not_found(op))
            if op.ticket_ref:
                self.listing.forget(self.tracker, op.ticket_ref)
            if op.kind == OpKind.ADOPT and op.ticket_ref:
                now = self.clock().isoformat()
                self.store.set_cursor(team, missing_cursor(op.ticket_ref), now)
        if outcome.stops_team:
            record.error = outcome.message
        self._log_write(team, op, result="failed", error=outcome.message)

    def _links_after(self, team: str, op: Operation, ticket: Ticket | None) -> list[Link]:
        """The links an applied write makes (saved with its result, in one transaction)."""
        ref = ticket.ref if ticket else op.ticket_ref or ""
        if op.kind == OpKind.ADOPT and ticket is not None:
            pm = Postmortem(id=op.postmortem_id, path="", title="")
            return [self._link(team, op, ref, synced_values(ticket.fields, pm))]
        if op.kind == OpKind.REKEY and op.new_key:
            noted = self._noted(team, op.item_key)
            synced = dict(op.synced or {})
            wanted = op.changes.title if op.changes is not None else None
            if ticket is not None and wanted is not None and ticket.fields.title != wanted:
                # the title edit did not arrive: keep the old baseline so it is pushed again
                synced["title"] = (noted[0].synced if noted else {}).get("title")
            return [*noted, self._link(team, op, ref, synced, key=op.new_key)]
        if op.kind == OpKind.ANNOTATE:
            return self._noted(team, op.item_key)
        if op.kind == OpKind.CREATE and ticket is not None and op.synced is not None:
            # the state the ticket really has: a close that failed after the create is then
            # pushed by the next cycle
            return [self._link(team, op, ref, {**op.synced, "state": ticket.fields.state.value})]
        if op.synced is not None and ref:
            return [self._link(team, op, ref, op.synced)]
        return []

    def _noted(self, team: str, item_key: str) -> list[Link]:
        old = self.store.links(team).get(item_key)
        return [] if old is None else [replace(old, removed_noted=True, updated=self.clock())]

    def _link(
        self,
        team: str,
        op: Operation,
        ref: str,
        synced: Mapping[str, Any],
        *,
        key: str | None = None,
    ) -> Link:
        return Link(
            team=team,
            item_key=key or op.item_key,
            ticket_ref=ref,
            postmortem_id=op.postmortem_id,
            synced=dict(synced),
            updated=self.clock(),
        )

    def _log_write(
        self, team: str, op: Operation, *, result: str, ticket: str | None = None, error: str = ""
    ) -> None:
        fields: dict[str, Any] = {"error": error} if error else {}
        self.log(
            "ticket_written",
            team=team,
            item=op.item_key,
            operation=op.kind.value,
            ticket=ticket or op.ticket_ref,
            result=result,
            **fields,
        )


def _outcome_of(each: Ticket | TrackerError) -> TicketOutcome:
    """One spec's result of a bulk create, as an outcome."""
    if isinstance(each, Ticket):
        return WriteOutcome(Outcome.APPLIED, value=each)
    return failed(each)


def missing_cursor(ref: str) -> str:
    """The journal's note that a ticket a document names was found not to exist."""
    return f"missing:{ref}"


def _not_found(op: Operation) -> Finding:
    message = f"{op.ticket_ref} named for “{op.title}” does not exist or is not visible"
    return Finding(
        code="ticket-not-found",
        severity=Severity.ERROR,
        message=message,
        path="",
        line=0,
        item=op.item_key,
    )


def _payload(op: Operation) -> dict[str, Any]:
    return {
        "marker": op.new_key or op.item_key,
        "ticket_ref": op.ticket_ref,
        "postmortem_id": op.postmortem_id,
        "synced": dict(op.synced or {}),
        "reason": op.reason,
    }
