"""The simulator's own parts: boundaries are numbered as documented and faults take effect."""

from __future__ import annotations

from typing import Any

from tests.sim.boundaries import Crash, FaultKind, PortProxy, Timeline
from tests.sim.conftest import SimulatorFor


class Recorder:
    """A port stand-in with a read, a write and a plain attribute."""

    kind = "jira"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def comments(self, ref: str) -> list[str]:
        self.calls.append(f"comments {ref}")
        return []

    def comment(self, ref: str, text: str) -> str:
        self.calls.append(f"comment {ref}")
        return text

    def consistency_window(self) -> int:
        return 5


class Still:
    """Surroundings where nothing can be armed and time stands still."""

    def arm_refusal(self, port: str, kind: FaultKind) -> bool:
        return False

    def disarm(self) -> None:
        return None

    def advance(self, seconds: float) -> None:
        return None

    def search_lag(self) -> float:
        return 5.0


def test_reads_are_one_boundary_writes_two_and_local_calls_none() -> None:
    timeline = Timeline(Still(), keep_seen=True)
    proxy: Any = PortProxy(Recorder(), port="tracker", timeline=timeline)
    assert proxy.kind == "jira"
    assert proxy.consistency_window() == 5
    proxy.comments("OPS-1")
    proxy.comment("OPS-1", "hello")
    assert [str(b) for b in timeline.seen] == [
        "#1 tracker.comments before (-)",
        "#2 tracker.comment before (-)",
        "#3 tracker.comment after (-)",
    ]


def test_a_crash_after_a_write_comes_after_the_call_made_it() -> None:
    inner = Recorder()
    timeline = Timeline(Still(), schedule={3: FaultKind.CRASH})
    proxy: Any = PortProxy(inner, port="tracker", timeline=timeline)
    proxy.comments("OPS-1")
    try:
        proxy.comment("OPS-1", "hello")
    except Crash:
        pass
    else:
        raise AssertionError("no crash")
    assert inner.calls == ["comments OPS-1", "comment OPS-1"]
    assert [i.kind for i in timeline.injected] == [FaultKind.CRASH]


def test_a_refusal_is_answered_by_the_sandbox_and_retried(simulator_for: SimulatorFor) -> None:
    simulator = simulator_for("github", "sqlite", "create-one")
    boundary = simulator.boundary_labelled("payments.tracker.create.before.1")
    faults_before = len(simulator.world.sandbox.faults.log())
    episode = simulator.play({boundary.number: FaultKind.REFUSE_503})
    fired = simulator.world.sandbox.faults.log()[faults_before:]
    assert [entry["kind"] for entry in fired] == ["server_error"]
    assert episode.records[0].outcomes["payments"] == "error=False applied[create=1] failed=0"
    assert episode.violations == []


def test_a_lost_answer_leaves_the_write_made(simulator_for: SimulatorFor) -> None:
    simulator = simulator_for("github", "sqlite", "create-one")
    boundary = simulator.boundary_labelled("payments.tracker.create.after.1")
    episode = simulator.play({boundary.number: FaultKind.LOST})
    assert episode.records[0].outcomes["payments"] == "error=False applied[] failed=1"
    assert sum(episode.view.markers().values()) == 1
    assert episode.violations == []
