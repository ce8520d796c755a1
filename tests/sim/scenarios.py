"""The scenarios: every write the product makes, each as set-up steps and faulted steps.

A scenario's ``prepare`` steps run once without faults (the world is then snapshotted);
its ``act`` steps run under a fault schedule. Documents are per team; ticket references in
steps are by title, so the same scenario runs on Jira and on GitHub. The steady cycle a
restarted worker repeats is the last documents' sync, plus reminders and reports when the
scenario has them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

PAYMENTS, WEB, BROKEN = "payments", "web", "broken"

ALERT = "Alert when pool usage exceeds 80% for 2 minutes"
VALIDATE = "Validate pool sizes in the config pipeline"
ROLLBACK = "Roll back the pool change"
RUNBOOK = "Write the failover runbook"


def document(team: str, *lines: str, date: str = "2026-11-10") -> str:
    """A postmortem in Markdown with the given action-item lines."""
    items = "\n".join(f"- {line}" for line in lines)
    return (
        f"---\ndate: {date}\nteam: {team}\n---\n# Pool exhaustion\n\n## Action items\n\n{items}\n"
    )


BASE = (
    f"{ALERT}. Owner: @alice, due 2026-12-04",
    f"{VALIDATE}. Owner: @bob, due 2026-12-11",
    f"[x] {ROLLBACK}. Owner: @alice, due 2026-11-20",
)
BASE_DOC = document(PAYMENTS, *BASE)
WEB_DOC = document(WEB, f"{RUNBOOK}. Owner: @carol, due 2026-12-18", BASE[1])


@dataclass(frozen=True, slots=True)
class Sync:
    """A sync run over the scenario's teams with these documents (team → Markdown)."""

    docs: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Remind:
    """A reminder run over the scenario's teams."""


@dataclass(frozen=True, slots=True)
class Report:
    """A report run: each team's weekly e-mail."""


@dataclass(frozen=True, slots=True)
class Wait:
    seconds: float


@dataclass(frozen=True, slots=True)
class HumanEdit:
    """A person changes a ticket in the tracker."""

    team: str
    title: str
    assignee: str | None = None  # a person's name from the directory
    due: dt.date | None = None


@dataclass(frozen=True, slots=True)
class HumanCreate:
    """A person opens a ticket without our marker (for a document to name it)."""

    team: str
    title: str


@dataclass(frozen=True, slots=True)
class HumanDelete:
    team: str
    title: str


Step = Sync | Remind | Report | Wait | HumanEdit | HumanCreate | HumanDelete


def sync(**docs: str) -> Sync:
    return Sync(MappingProxyType(dict(docs)))


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    teams: tuple[str, ...]
    act: tuple[Step, ...]
    prepare: tuple[Step, ...] = ()
    healthy: frozenset[str] = field(default_factory=frozenset)  # teams that must not fail

    def steady_cycle(self) -> tuple[Step, ...]:
        """What a restarted worker runs again and again: the last documents, and the rest."""
        syncs = [s for s in (*self.prepare, *self.act) if isinstance(s, Sync)]
        cycle: list[Step] = [syncs[-1]] if syncs else []
        if any(isinstance(s, Remind) for s in self.act):
            cycle.append(Remind())
        if any(isinstance(s, Report) for s in self.act):
            cycle.append(Report())
        return tuple(cycle)


SETTLE = 6.0  # past the search lag
EDITED = document(PAYMENTS, f"{ALERT}. Owner: @bob, due 2026-12-18", BASE[1], BASE[2])
CLOSED = document(PAYMENTS, BASE[0], f"[x] {VALIDATE}. Owner: @bob, due 2026-12-11", BASE[2])
REWORDED = document(
    PAYMENTS,
    BASE[0],
    "Validate every pool size in the config pipeline. Owner: @bob, due 2026-12-11",
    BASE[2],
)
REMOVED = document(PAYMENTS, BASE[0], BASE[2])
ADOPTING = document(
    PAYMENTS, *BASE, f"{RUNBOOK} (tracked in {{ref}}). Owner: @carol, due 2026-12-18"
)
OVERDUE = document(
    PAYMENTS,
    f"{ALERT}. Owner: @alice, due 2026-11-02",  # three weeks overdue: escalated
    f"{VALIDATE}. Owner: @bob, due 2026-11-20",  # a few days overdue: nudged
    "Check the pool sizes again. Owner: @alice, due 2027-03-01",  # not due: left alone
)
MISSING = document(PAYMENTS, f"{ALERT} (tracked in {{missing}}). Owner: @alice")
MOVED = "<!-- file: archive-2026-11-10-payments -->\n" + BASE_DOC  # the file renamed


def _ticket_writes() -> tuple[Scenario, ...]:
    """Each ticket write of sync: create, bulk create, update, close, rekey, annotate, adopt."""
    synced = (sync(payments=BASE_DOC), Wait(SETTLE))
    return (
        Scenario("create", (PAYMENTS,), act=(sync(payments=BASE_DOC),)),
        Scenario("create-one", (PAYMENTS,), act=(sync(payments=document(PAYMENTS, BASE[0])),)),
        Scenario("update", (PAYMENTS,), prepare=synced, act=(sync(payments=EDITED),)),
        Scenario("close", (PAYMENTS,), prepare=synced, act=(sync(payments=CLOSED),)),
        Scenario("rekey", (PAYMENTS,), prepare=synced, act=(sync(payments=REWORDED),)),
        Scenario("annotate", (PAYMENTS,), prepare=synced, act=(sync(payments=REMOVED),)),
        Scenario("move", (PAYMENTS,), prepare=synced, act=(sync(payments=MOVED),)),
        Scenario("delete", (PAYMENTS,), prepare=synced, act=(sync(payments=""),)),
        Scenario(
            "adopt",
            (PAYMENTS,),
            prepare=(HumanCreate(PAYMENTS, RUNBOOK), *synced),
            act=(sync(payments=ADOPTING),),
        ),
        Scenario(
            "human-edits",
            (PAYMENTS,),
            prepare=(
                *synced,
                HumanEdit(PAYMENTS, ALERT, assignee="carol"),
                HumanEdit(PAYMENTS, VALIDATE, due=dt.date(2027, 1, 8)),
                Wait(SETTLE),
            ),
            act=(sync(payments=EDITED),),
        ),
    )


def _other_writes() -> tuple[Scenario, ...]:
    """Reminders, escalations and report e-mail; two teams where one cannot be served."""
    return (
        Scenario(
            "remind",
            (PAYMENTS,),
            prepare=(sync(payments=OVERDUE), Wait(SETTLE)),
            act=(Remind(), Wait(3600), Remind()),
        ),
        Scenario(
            "report",
            (PAYMENTS, WEB),
            prepare=(sync(payments=BASE_DOC, web=WEB_DOC), Wait(SETTLE)),
            act=(Report(),),
        ),
        Scenario(
            "two-teams-missing-ticket",
            (PAYMENTS, WEB),
            act=(sync(payments=MISSING, web=WEB_DOC),),
            healthy=frozenset({WEB}),
        ),
        Scenario(
            "two-teams-refusing-project",
            (BROKEN, WEB),
            act=(sync(broken=document(BROKEN, BASE[0]), web=WEB_DOC),),
            healthy=frozenset({WEB}),
        ),
        Scenario(
            "deleted-ticket",
            (PAYMENTS,),
            prepare=(
                sync(payments=OVERDUE),
                Wait(SETTLE),
                HumanDelete(PAYMENTS, VALIDATE),
                Wait(SETTLE),
            ),
            act=(sync(payments=OVERDUE), Remind()),
        ),
    )


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (*_ticket_writes(), *_other_writes())}
