"""Defects the simulator found in the engines, and how to tell their violations apart.

A violation is *explained* by a known defect when its text matches the defect's pattern and
the schedule injected a fault the defect needs (or none, for a defect the fault-free run
shows). The exhaustive and random tests accept explained violations only, so a new failure
mode fails them. `KNOWN` holds the defects not yet fixed (none today): a defect found later
goes there with its reproductions marked ``xfail(strict=True)`` in ``test_known_defects``
until the engine is fixed. `FIXED` keeps the ones already fixed, whose reproductions now
run as plain regression tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tests.sim.boundaries import FaultKind, Injected


@dataclass(frozen=True, slots=True)
class Defect:
    name: str
    reason: str
    violation: re.Pattern[str]
    methods: frozenset[str] = frozenset()  # "port.method.phase" the fault sits at; any if empty
    kinds: frozenset[FaultKind] = frozenset()  # empty: shows without any fault
    scenarios: frozenset[str] = frozenset()  # where it shows (every scenario when empty)

    def explains(self, violation: str, injected: Iterable[Injected], scenario: str) -> bool:
        if not self.violation.search(violation):
            return False
        if self.scenarios and scenario not in self.scenarios:
            return False
        if not self.kinds:
            return True
        return any(
            i.kind in self.kinds
            and (
                not self.methods
                or f"{i.boundary.port}.{i.boundary.method}.{i.boundary.phase}" in self.methods
            )
            for i in injected
        )


_PERMANENT = frozenset({FaultKind.REFUSE_401, FaultKind.REFUSE_403, FaultKind.REFUSE_404})

FIXED = (
    Defect(
        "unset-ticket",
        "a permanent refusal of an update, adopt or comment falls through to an unset "
        "ticket: UnboundLocalError ends the run",
        re.compile(r"raised UnboundLocalError"),
        frozenset({"tracker.update.before", "tracker.adopt.before", "tracker.comment.before"}),
        _PERMANENT,
    ),
    Defect(
        "missing-ticket-stops-teams",
        "a document naming a ticket that does not exist raises UnboundLocalError in sync, "
        "every cycle, and the teams after it are never synced",
        re.compile(
            r"raised UnboundLocalError|no outcome \(payments raised\)|has no ticket|quiescence"
        ),
        scenarios=frozenset({"two-teams-missing-ticket"}),
    ),
    Defect(
        "crash-between-journal-steps",
        "a crash after the journal closed a create (or rekey) but before its link was saved "
        "makes a restart inside the search lag create a second ticket",
        re.compile(r"one-ticket: .* has 2 tickets"),
        frozenset({"store.finish_intent.after", "store.save_link.after"}),
        frozenset({FaultKind.CRASH}),
    ),
    Defect(
        "reminder-lost-answer",
        "a reminder or escalation whose answer was lost is recorded as failed and posted again",
        re.compile(r"has \d+ (reminder|escalation) comments \(at most one\)"),
        frozenset({"tracker.comment.after"}),
        frozenset({FaultKind.LOST}),
    ),
    Defect(
        "remind-no-team-boundary",
        "a refused listing or comments read in remind raises out of the run: no per-team "
        "error boundary",
        re.compile(r"\(remind\) raised (TrackerPermanentError|TicketNotFoundError)"),
        frozenset({"tracker.list_tickets.before", "tracker.comments.before"}),
        _PERMANENT,
    ),
    Defect(
        "deleted-ticket-breaks-remind",
        "a ticket deleted in the tracker stays in the stored listing and remind raises "
        "not-found for the team on every run",
        re.compile(r"\(remind\) raised TicketNotFoundError|quiescence|no outcome"),
        scenarios=frozenset({"deleted-ticket"}),
    ),
    Defect(
        "removal-note-twice",
        "a removal note whose comment reached the tracker is posted again: a pending "
        "annotate is not held (Jira) and a crash before the link is marked repeats it",
        re.compile(r"tags posted twice: removed:|\d+ removal note comments \(at most one\)"),
        frozenset({"tracker.comment.after", "store.finish_intent.after", "store.save_link.after"}),
        frozenset({FaultKind.CRASH, FaultKind.LOST}),
    ),
    Defect(
        "interrupted-rekey-annotated",
        "a rekey interrupted after the marker moved (a crash, or a refused follow-up update) "
        "leaves the reworded item annotated as removed from its postmortem",
        re.compile(r"removal note comments, the fault-free run 0"),
        frozenset(
            {
                "store.finish_intent.after",
                "store.remember_tickets.after",
                "tracker.adopt.before",
                "tracker.adopt.after",
                "tracker.update.before",
            }
        ),
        frozenset({FaultKind.CRASH, FaultKind.LOST}) | _PERMANENT,
        scenarios=frozenset({"rekey"}),
    ),
    Defect(
        "retry-after-uncapped",
        "a Retry-After of an hour is slept in full on the worker's only thread: the wait is "
        "not capped",
        re.compile(r"retry-wait: .* waited 3600 s"),
        kinds=frozenset({FaultKind.REFUSE_429_LONG}),
    ),
    Defect(
        "adopt-link-lost",
        "an adopt interrupted after the journal closed it but before its link was saved is "
        "relinked from the ticket as it is: the document's title, owner and due date are "
        "never pushed",
        re.compile(r"fields: .* the fault-free run has"),
        kinds=frozenset({FaultKind.CRASH}),
        scenarios=frozenset({"adopt"}),
    ),
)
FIXED = (
    *FIXED,
    Defect(
        "refused-update-unchecked",
        "an update refused after a step may have reached the ticket is checked by a read; "
        "that read refused too (401) raised out of the sync run",
        re.compile(r"\(sync\) raised TrackerPermanentError"),
        frozenset({"tracker.get.before"}),
        _PERMANENT,
        scenarios=frozenset({"update"}),
    ),
)
KNOWN: tuple[Defect, ...] = ()
BY_NAME = {defect.name: defect for defect in (*FIXED, *KNOWN)}


def unexplained(
    violations: Iterable[str], injected: Iterable[Injected], scenario: str
) -> list[str]:
    """The violations no known defect accounts for."""
    faults = list(injected)
    return [v for v in violations if not any(d.explains(v, faults, scenario) for d in KNOWN)]
