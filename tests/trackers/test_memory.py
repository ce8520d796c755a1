"""`ProjectMemory`: what a process may take from its last listings instead of reading again."""

from __future__ import annotations

import datetime as dt

from followthrough.adapters.trackers.memory import (
    ProjectMemory,
    Remembered,
    TransitionChoice,
    project_memory,
)
from followthrough.domain.tickets import Marker, Ticket, TicketFields

T0 = dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def seen(ref: str, title: str = "t") -> Remembered:
    ticket = Ticket(ref=ref, url="", fields=TicketFields(title=title), marker=Marker(ref))
    return Remembered(ticket)


def memory_at(now: list[float]) -> ProjectMemory:
    return ProjectMemory(max_age=60, monotonic=lambda: now[0])


def test_nothing_is_vouched_for_before_a_listing() -> None:
    memory = memory_at([0.0])
    memory.wrote(seen("A-1"))
    assert memory.recall("A-1") is None
    memory.listed([seen("A-2")], since=T0, as_of=T0)  # incremental: what it showed is current
    assert memory.recall("A-2") == seen("A-2")
    assert memory.recall("A-1") is None  # written before anything vouched for it
    memory.listed([seen("A-3")], since=None, as_of=T0)
    assert memory.recall("A-3") == seen("A-3")
    assert memory.recall("A-2") is None  # a full listing replaces what was known


def test_contiguous_listings_and_our_writes_keep_it_current() -> None:
    now = [0.0]
    memory = memory_at(now)
    memory.listed([seen("A-1"), seen("A-2")], since=None, as_of=T0)
    memory.wrote(seen("A-1", "ours"))
    now[0] = 50.0
    memory.listed([seen("A-2", "theirs")], since=T0 - MINUTE, as_of=T0 + 10 * MINUTE)
    assert memory.recall("A-1") == seen("A-1", "ours")
    assert memory.recall("A-2") == seen("A-2", "theirs")
    now[0] = 111.0  # the last listing is over a minute old
    assert memory.recall("A-1") is None


def test_a_gap_between_listings_forgets_what_came_before_it() -> None:
    memory = memory_at([0.0])
    memory.listed([seen("A-1")], since=None, as_of=T0)
    memory.listed([seen("A-2")], since=T0 + MINUTE, as_of=T0 + 10 * MINUTE)  # a minute unlisted
    assert memory.recall("A-1") is None
    assert memory.recall("A-2") == seen("A-2")
    memory.listed([seen("A-3")], since=T0 + 9 * MINUTE, as_of=T0 + 20 * MINUTE)
    assert memory.recall("A-2") == seen("A-2")


def test_transitions_are_kept_per_status_and_state_and_one_memory_per_project() -> None:
    memory = memory_at([0.0])
    way = TransitionChoice(id="31", fields={}, to_status="10002")
    memory.learn_transition("10000", "done", way)
    assert memory.transition("10000", "done") == way
    assert memory.transition("10001", "done") is None
    memory.learn_transition("10000", "done", None)
    assert memory.transition("10000", "done") is None
    assert project_memory("jira", "https://x.example/", "OPS") is project_memory(
        "jira", "https://X.example", "OPS"
    )
    assert project_memory("jira", "https://x.example", "PLAT") is not project_memory(
        "jira", "https://x.example", "OPS"
    )
