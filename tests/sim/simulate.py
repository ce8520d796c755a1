"""Schedules: play a scenario under faults, recover to quiescence, check the invariants.

`Simulator.reference` plays a scenario without faults (counting its boundaries and keeping
its end state as the oracle); `Simulator.play` plays one schedule; `single_faults` lists
every boundary of the faulted steps with every fault kind that fits it; `random_schedule`
draws several faults from a seed, spread over the faulted steps and the first recovery runs.
"""

from __future__ import annotations

import email
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy

from followthrough.domain.tickets import FieldChanges
from tests.sim.boundaries import ANY, Boundary, FaultKind, Injected, Timeline, kinds_at
from tests.sim.invariants import Expectations, check
from tests.sim.observe import View, by_title, raw_tickets
from tests.sim.runs import Runner, RunRecord, team_spec
from tests.sim.scenarios import (
    BROKEN,
    SETTLE,
    HumanCreate,
    HumanDelete,
    HumanEdit,
    Remind,
    Report,
    Scenario,
    Step,
    Sync,
    Wait,
)
from tests.sim.world import Snapshot, TeamSpec, World

MAX_RECOVERY_CYCLES = 5
RANDOM_FAULTS = 3  # faults per random schedule


@dataclass
class Episode:
    """One schedule played to its end."""

    scenario: Scenario
    schedule: dict[int, FaultKind | str]
    records: list[RunRecord]
    act_runs: int
    act_boundaries: int
    injected: list[Injected]
    quiescent: bool
    view: View
    mails: dict[str, int] = field(default_factory=dict)  # report e-mails received per team
    seen: list[Boundary] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def describe(self) -> str:
        faults = ", ".join(f"{i.kind.value} at {i.boundary}" for i in self.injected) or "none"
        return f"{self.scenario.name}: {faults}"


@dataclass
class Simulator:
    """Plays schedules of one scenario in one world, restoring the prepared state each time."""

    world: World
    scenario: Scenario
    _prepared: Snapshot | None = field(default=None, init=False)
    _expect: Expectations | None = field(default=None, init=False)
    reference: Episode = field(init=False)

    def __post_init__(self) -> None:
        self.teams = tuple(team_spec(self.world.kind, name) for name in self.scenario.teams)
        self._prepare()
        self.reference = self.play({}, keep_seen=True)

    def _prepare(self) -> None:
        self.world.reset()
        expect = Expectations(teams=self.teams)
        runner = Runner(self.world, self.teams, Timeline(self.world))
        for step in self.scenario.prepare:
            self._step(runner, step, expect)
        self._prepared = self.world.snapshot()
        self._expect = expect

    def play(
        self, schedule: dict[int, FaultKind | str], *, seed: int = 0, keep_seen: bool = False
    ) -> Episode:
        if self._prepared is not None:
            self.world.restore(self._prepared)
        else:  # a journal that cannot be copied (PostgreSQL): prepare again
            self._prepare()
        assert self._expect is not None
        expect = self._expect.copy()
        timeline = Timeline(self.world, schedule, random.Random(seed), keep_seen=keep_seen)
        runner = Runner(self.world, self.teams, timeline)
        for step in self.scenario.act:
            self._step(runner, step, expect)
        act_runs, act_boundaries = len(runner.records), timeline.count
        quiescent = self._recover(runner, timeline)
        episode = Episode(
            scenario=self.scenario,
            schedule=schedule,
            records=runner.records,
            act_runs=act_runs,
            act_boundaries=act_boundaries,
            injected=list(timeline.injected),
            quiescent=quiescent,
            view=self._view(),
            mails=self._mails(),
            seen=timeline.seen,
        )
        reference = getattr(self, "reference", None)
        episode.violations = check(episode, expect, reference or episode, self.scenario)
        return episode

    def _recover(self, runner: Runner, timeline: Timeline) -> bool:
        cycle = self.scenario.steady_cycle()
        for number in range(MAX_RECOVERY_CYCLES):
            if number:  # the first restart comes at once, inside the search lag
                self.world.advance(SETTLE)
            writes, runs = timeline.tracker_writes, len(runner.records)
            for step in cycle:
                self._step(runner, step, None)
            calm = all(record.settled() for record in runner.records[runs:])
            if number and calm and timeline.tracker_writes == writes:
                return True  # a quiet, settled cycle that started past the search lag
        return False

    def _step(self, runner: Runner, step: Step, expect: Expectations | None) -> None:
        if isinstance(step, Sync | Remind | Report):
            if isinstance(step, Sync) and expect is not None:
                expect.docs = dict(step.docs)
            runner.run(step)
            return
        if isinstance(step, Wait):
            self.world.advance(step.seconds)
            return
        assert expect is not None
        team = self._team(step.team)
        if isinstance(step, HumanCreate):
            self.world.human_create(team, step.title)
            return
        ticket = by_title(raw_tickets(self.world.sandbox, team.kind), team.project, step.title)
        if isinstance(step, HumanDelete):
            self.world.delete_ticket(team, ticket.ref)
            if ticket.marker:
                expect.deleted.add(ticket.marker)
            return
        self._edit(team, ticket.ref, step, expect)

    def _edit(self, team: TeamSpec, ref: str, step: HumanEdit, expect: Expectations) -> None:
        assignee = team.account(step.assignee) if step.assignee else None
        self.world.human_edit(team, ref, FieldChanges(assignee=assignee, due=step.due))
        changed = {"assignee"} if assignee else set()
        changed |= {"due"} if step.due else set()
        expect.human.setdefault(ref, set()).update(changed)

    def _mails(self) -> dict[str, int]:
        received: Counter[str] = Counter()
        for raw in self.world.inbox.messages:
            subject = str(email.message_from_bytes(raw, policy=policy.default)["Subject"])
            received[subject.removeprefix("Action-item follow-through for ").partition(",")[0]] += 1
        return dict(received)

    def _team(self, name: str) -> TeamSpec:
        return next(t for t in self.teams if t.name == name)

    def _view(self) -> View:
        tickets = raw_tickets(self.world.sandbox, self.world.kind)
        fields = {}
        for team in self.teams:
            if team.name == BROKEN:
                continue
            listed = self.world.adapter(team).list_tickets(updated_since=None).tickets
            fields.update({ticket.ref: ticket.fields for ticket in listed})
        return View(tickets=tuple(tickets), fields=fields)

    # -- schedules ----------------------------------------------------------------------------

    def single_faults(self) -> Iterator[tuple[Boundary, FaultKind]]:
        """Every boundary of the faulted steps, with every fault kind that fits it."""
        for boundary in self.reference.seen[: self.reference.act_boundaries]:
            for kind in kinds_at(boundary):
                yield boundary, kind

    def label(self, boundary: Boundary) -> str:
        """A boundary's name that survives renumbering: its call, phase and occurrence."""
        same = [
            b
            for b in self.reference.seen[: boundary.number]
            if (b.team, b.port, b.method, b.phase)
            == (boundary.team, boundary.port, boundary.method, boundary.phase)
        ]
        return f"{boundary.team}.{boundary.port}.{boundary.method}.{boundary.phase}.{len(same)}"

    def boundary_labelled(self, label: str) -> Boundary:
        for boundary in self.reference.seen[: self.reference.act_boundaries]:
            if self.label(boundary) == label:
                return boundary
        raise LookupError(f"{self.scenario.name} has no boundary {label} any more")

    def random_schedule(self, rng: random.Random, faults: int) -> dict[int, FaultKind | str]:
        """Several faults at random boundaries of the act and the first recovery runs."""
        span = max(self.reference.act_boundaries * 2, 1)
        numbers = rng.sample(range(1, span + 1), k=min(faults, span))
        return dict.fromkeys(numbers, ANY)
