"""The promises checked after every schedule, against the documents and the fault-free run.

Each check returns sentences naming the invariant broken (the text before the colon), so a
failing schedule says what went wrong in words a test id can carry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from followthrough.domain.plan import OpKind, PlannedItem, plan_team
from followthrough.domain.tickets import TicketFields, TicketSpec
from followthrough.retry import RetryPolicy
from tests.sim.boundaries import DELAYS, FaultKind
from tests.sim.observe import ESCALATION_TEXT, NUDGE_TEXT, RawTicket
from tests.sim.runs import postmortems, team_policy
from tests.sim.scenarios import BROKEN
from tests.sim.world import START, TeamSpec

if TYPE_CHECKING:
    from tests.sim.scenarios import Scenario
    from tests.sim.simulate import Episode

FIELDS = ("title", "assignee", "due", "state")
LONGEST_WAIT = RetryPolicy().max_seconds  # no single retry wait may outlast the whole budget


@dataclass
class Expectations:
    """What the documents and people asked for, gathered while the steps ran."""

    teams: tuple[TeamSpec, ...]
    docs: dict[str, str] = field(default_factory=dict)
    human: dict[str, set[str]] = field(default_factory=dict)  # ref → fields a person changed
    deleted: set[str] = field(default_factory=set)  # markers of tickets a person deleted

    def copy(self) -> Expectations:
        human = {ref: set(names) for ref, names in self.human.items()}
        return replace(self, docs=dict(self.docs), human=human, deleted=set(self.deleted))

    def wanted(self) -> dict[str, TicketSpec]:
        """Items the documents want a new ticket for, by item key, with the wanted fields."""
        specs: dict[str, TicketSpec] = {}
        for team in self.teams:
            if team.name == BROKEN:
                continue  # its project refuses every call: nothing can be wanted there
            pms = postmortems(team, self.docs.get(team.name, ""))
            items = [
                PlannedItem(item=i, postmortem=pm, first_seen=START.date())
                for pm in pms
                for i in pm.action_items
            ]
            plan = plan_team(
                items,
                team_policy(team),
                tickets={},
                links={},
                now=START,
                pending=frozenset(),
                unreadable_postmortems=set(),
                read_postmortems={pm.id for pm in pms},
            )
            for op in plan.operations:
                if op.kind == OpKind.CREATE and op.spec is not None:
                    specs[op.item_key] = op.spec
        return specs


def check(
    episode: Episode, expect: Expectations, reference: Episode, scenario: Scenario
) -> list[str]:
    found = [
        *_run_outcomes(episode),
        *_one_ticket_per_item(episode, expect, reference),
        *_fields(episode, expect, reference),
        *_comments(episode, reference),
        *_isolation(episode, reference, scenario),
    ]
    if not episode.quiescent:
        found.append("quiescence: the steady cycle still writes (or fails) after recovery")
    return found


def _run_outcomes(episode: Episode) -> Iterator[str]:
    for number, record in enumerate(episode.records, 1):
        if record.unhandled is not None:
            yield f"outcome: run {number} ({record.step}) raised {record.unhandled}"
        longest = max(record.waits, default=0.0)
        if longest > LONGEST_WAIT:
            yield (
                f"retry-wait: run {number} ({record.step}) waited {longest:g} s in one retry"
                f" (the whole retry budget is {LONGEST_WAIT:g} s)"
            )


def _one_ticket_per_item(
    episode: Episode, expect: Expectations, reference: Episode
) -> Iterator[str]:
    counts = episode.view.markers()
    for key, count in sorted(counts.items()):
        if count > 1:
            refs = ", ".join(t.ref for t in episode.view.with_marker(key))
            yield f"one-ticket: item {key} has {count} tickets: {refs}"
    wanted = set(expect.wanted()) | set(reference.view.markers())
    for key in sorted(wanted - expect.deleted):
        if counts[key] == 0:
            yield f"one-ticket: item {key} has no ticket"


def _fields(episode: Episode, expect: Expectations, reference: Episode) -> Iterator[str]:
    mine, theirs = _by_marker(episode), _by_marker(reference)
    for key, spec in sorted(expect.wanted().items()):
        ticket = mine.get(key)
        if ticket is None or ticket.ref not in episode.view.fields:
            continue
        kept = expect.human.get(ticket.ref, set())
        yield from _differences(key, episode.view.fields[ticket.ref], spec.fields, kept, "document")
    for key, ticket in sorted(theirs.items()):
        own = mine.get(key)
        if (
            own is None
            or own.ref not in episode.view.fields
            or ticket.ref not in reference.view.fields
        ):
            continue
        have, want = episode.view.fields[own.ref], reference.view.fields[ticket.ref]
        yield from _differences(key, have, want, set(), "fault-free run")


def _differences(
    key: str, have: TicketFields, want: TicketFields, kept: set[str], oracle: str
) -> Iterator[str]:
    for name in FIELDS:
        if name in kept:
            continue
        value, wanted = _value(have, name), _value(want, name)
        if value != wanted:
            yield f"fields: item {key} {name} is {value!r}, the {oracle} has {wanted!r}"


def _value(fields: TicketFields, name: str) -> object:
    value = getattr(fields, name)
    return value.isoformat() if isinstance(value, dt.date) else str(value) if value else None


def _by_marker(episode: Episode) -> dict[str, RawTicket]:
    return {t.marker: t for t in sorted(episode.view.tickets, key=lambda t: t.ref) if t.marker}


def _comments(episode: Episode, reference: Episode) -> Iterator[str]:
    """Each tag once; one removal note, reminder and escalation per ticket at most (no
    scenario spans the 7-day back-off, so one reminder per ticket is one per due nudge);
    and as many as the fault-free run posted, so a lost reminder shows too."""
    theirs = _by_marker(reference)
    for key, ticket in sorted(_by_marker(episode).items()):
        twice = sorted(tag for tag, n in ticket.tags().items() if n > 1)
        if twice:
            yield f"comments: item {key} has tags posted twice: {', '.join(twice)}"
        other = theirs.get(key)
        checks = (
            ("removal note", ticket.removal_notes(), other.removal_notes() if other else 0),
            ("reminder", ticket.reminders(NUDGE_TEXT), other.reminders(NUDGE_TEXT) if other else 0),
            (
                "escalation",
                ticket.reminders(ESCALATION_TEXT),
                other.reminders(ESCALATION_TEXT) if other else 0,
            ),
        )
        for what, count, wanted in checks:
            if count > 1:
                yield f"comments: item {key} has {count} {what} comments (at most one)"
            elif count != wanted:
                yield f"comments: item {key} has {count} {what} comments, the fault-free run {wanted}"
    yield from _mail(episode, reference)


def _mail(episode: Episode, reference: Episode) -> Iterator[str]:
    for team in sorted(set(episode.mails) | set(reference.mails)):
        sent, wanted = episode.mails.get(team, 0), reference.mails.get(team, 0)
        interrupted = any(r.deliveries.get(team) == "interrupted" for r in episode.records)
        if sent > 1:
            yield f"mail: {sent} report e-mails for {team} this week (at most one)"
        elif sent != wanted and not interrupted:
            yield f"mail: {sent} report e-mails for {team}, the fault-free run sent {wanted}"


def _isolation(episode: Episode, reference: Episode, scenario: Scenario) -> Iterator[str]:
    """A team's outcomes match the fault-free run's until a fault (or a delay) touches it."""
    act = zip(
        episode.records[: episode.act_runs], reference.records[: reference.act_runs], strict=False
    )
    touched: set[str] = set()
    for number, (record, clean) in enumerate(act, 1):
        if record.crashed or any(i.kind in DELAYS for i in record.injected):
            break
        touched |= {i.boundary.team for i in record.injected if i.kind != FaultKind.CRASH}
        for team in scenario.teams:
            if team in touched or team == record.stopped_at:
                continue
            if team not in record.outcomes:
                yield (
                    f"isolation: run {number} ({record.step}) gave {team} no outcome"
                    f" ({record.stopped_at} raised)"
                )
            elif team in clean.outcomes and record.outcomes[team] != clean.outcomes[team]:
                yield (
                    f"isolation: run {number} ({record.step}) {team} got {record.outcomes[team]},"
                    f" the fault-free run {clean.outcomes[team]}"
                )
            elif team in scenario.healthy and "error=True" in record.outcomes[team]:
                yield f"isolation: run {number} ({record.step}) stopped the healthy team {team}"
