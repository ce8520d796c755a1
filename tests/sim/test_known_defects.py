"""Minimal reproductions of the defects the simulator found, one schedule each.

Each case names a tracker, a scenario, a boundary (by call and occurrence, so it survives
renumbering) and a fault. A defect still open (`defects.KNOWN`) is marked
``xfail(strict=True)``, so its fix turns into a failure here until the mark goes; the fixed
ones (`defects.FIXED`) run as regression tests: each failed on the engine before its fix.
"""

from __future__ import annotations

import random

import pytest

from tests.sim.boundaries import FaultKind
from tests.sim.conftest import SimulatorFor
from tests.sim.defects import KNOWN
from tests.sim.scenarios import SCENARIOS
from tests.sim.simulate import RANDOM_FAULTS

# (defect, tracker, scenario, boundary label, fault)
CASES = (
    ("unset-ticket", "jira", "update", "payments.tracker.update.before.1", "403"),
    ("unset-ticket", "github", "close", "payments.tracker.update.before.1", "401"),
    ("unset-ticket", "jira", "rekey", "payments.tracker.adopt.before.1", "404"),
    ("unset-ticket", "github", "rekey", "payments.tracker.update.before.1", "403"),
    ("unset-ticket", "jira", "annotate", "payments.tracker.comment.before.1", "401"),
    ("unset-ticket", "jira", "human-edits", "payments.tracker.update.before.1", "404"),
    (
        "crash-between-journal-steps",
        "jira",
        "create",
        "payments.store.finish_intent.after.2",
        "crash",
    ),
    (
        "crash-between-journal-steps",
        "jira",
        "create-one",
        "payments.store.finish_intent.after.1",
        "crash",
    ),
    (
        "crash-between-journal-steps",
        "jira",
        "two-teams-refusing-project",
        "web.store.finish_intent.after.1",
        "crash",
    ),
    ("reminder-lost-answer", "jira", "remind", "payments.tracker.comment.after.1", "lost"),
    ("reminder-lost-answer", "github", "remind", "payments.tracker.comment.after.2", "lost"),
    ("remind-no-team-boundary", "jira", "remind", "payments.tracker.list_tickets.before.1", "401"),
    ("remind-no-team-boundary", "github", "remind", "payments.tracker.comments.before.1", "404"),
    ("removal-note-twice", "jira", "annotate", "payments.tracker.comment.after.1", "lost"),
    ("removal-note-twice", "jira", "annotate", "payments.tracker.comment.after.1", "crash"),
    ("removal-note-twice", "github", "annotate", "payments.store.finish_intent.after.1", "crash"),
    (
        "interrupted-rekey-annotated",
        "github",
        "rekey",
        "payments.store.finish_intent.after.1",
        "crash",
    ),
    ("interrupted-rekey-annotated", "github", "rekey", "payments.tracker.update.before.1", "401"),
    (
        "retry-after-uncapped",
        "jira",
        "create-one",
        "payments.tracker.list_tickets.before.1",
        "429-long",
    ),
    ("retry-after-uncapped", "github", "remind", "payments.tracker.comment.before.1", "429-long"),
)
# (defect, tracker, scenario, seed): random schedules that found a defect no single fault shows.
SEEDED = (
    ("adopt-link-lost", "jira", "adopt", 17),
    ("adopt-link-lost", "github", "adopt", 17),
    ("adopt-link-lost", "jira", "adopt", 755),
    ("adopt-link-lost", "github", "adopt", 872),
    ("refused-update-unchecked", "jira", "update", 8618),
)
# Scenarios that broke their promises without any fault.
FAULT_FREE = {
    ("jira", "two-teams-missing-ticket"): "missing-ticket-stops-teams",
    ("github", "two-teams-missing-ticket"): "missing-ticket-stops-teams",
    ("jira", "deleted-ticket"): "deleted-ticket-breaks-remind",
    ("github", "deleted-ticket"): "deleted-ticket-breaks-remind",
}


def _open(defect: str) -> list[pytest.MarkDecorator]:
    """The strict xfail of a defect not fixed yet; nothing for a fixed one."""
    known = {d.name: d for d in KNOWN}
    if defect not in known:
        return []
    return [pytest.mark.xfail(strict=True, reason=known[defect].reason)]


def _case_id(case: tuple[str, str, str, str, str]) -> str:
    _defect, tracker, scenario, label, fault = case
    return f"{tracker}-{scenario}-{label}-{fault}"


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=_case_id(case),
            marks=_open(case[0]),
        )
        for case in CASES
    ],
)
def test_known_defect_reproduction(
    case: tuple[str, str, str, str, str], simulator_for: SimulatorFor
) -> None:
    _defect, tracker, scenario, label, fault = case
    simulator = simulator_for(tracker, "sqlite", scenario)
    try:
        boundary = simulator.boundary_labelled(label)
    except LookupError as gone:  # the engine's calls changed: the exhaustive test covers them
        pytest.skip(f"{gone}; drop this case")
    episode = simulator.play({boundary.number: FaultKind(fault)})
    assert [i.kind for i in episode.injected] == [FaultKind(fault)]
    assert episode.violations == [], episode.describe()


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            case,
            id=f"{case[1]}-{case[2]}-seed-{case[3]}",
            marks=_open(case[0]),
        )
        for case in SEEDED
    ],
)
def test_known_defect_found_by_a_random_schedule(
    case: tuple[str, str, str, int], simulator_for: SimulatorFor
) -> None:
    _defect, tracker, scenario, seed = case
    simulator = simulator_for(tracker, "sqlite", scenario)
    schedule = simulator.random_schedule(random.Random(seed), RANDOM_FAULTS)
    episode = simulator.play(schedule, seed=seed)
    assert episode.violations == [], episode.describe()


def _fault_free_params() -> list[object]:
    params: list[object] = []
    for tracker in ("jira", "github"):
        for scenario in sorted(SCENARIOS):
            defect = FAULT_FREE.get((tracker, scenario))
            marks = _open(defect) if defect else []
            params.append(pytest.param(tracker, scenario, marks=marks, id=f"{tracker}-{scenario}"))
    return params


@pytest.mark.parametrize(("tracker", "scenario"), _fault_free_params())
def test_fault_free_run_keeps_the_promises(
    tracker: str, scenario: str, simulator_for: SimulatorFor
) -> None:
    simulator = simulator_for(tracker, "sqlite", scenario)
    assert simulator.reference.quiescent
    assert simulator.reference.violations == []
