"""Sync scenarios with hostile item text, on both trackers and both stores: a reference in
one item's text never takes over another item's ticket."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from followthrough.adapters.stores import SqliteStore
from followthrough.domain.model import Postmortem
from followthrough.domain.policy import TeamPolicy
from followthrough.engine.sync import SyncEngine
from followthrough.ports import Store, Tracker
from followthrough.sandbox.core import SimClock
from tests.sync.conftest import SEARCH_LAG, postmortems
from tests.sync.test_sync_engine import all_tickets, per_item

FIRST = """---
date: 2026-11-20
---
# Pool exhaustion

## Action items

- Rotate the TLS certificates. Owner: @alice, due 2026-12-04
"""

SECOND = """---
date: 2026-11-21
---
# Queue backlog

## Action items

| Action | Owner | Ticket |
|---|---|---|
| Ping the on-call about #1 and GH-2 | @bob | |
| Add an alert on queue depth | @bob | {ref} |
"""


def both(tracker_kind: str) -> list[Postmortem]:
    ref = "OPS-1" if tracker_kind == "jira" else "#1"
    return [
        *postmortems(FIRST, path="payments/2026-11-20-pool.md"),
        *postmortems(SECOND.format(ref=ref), path="payments/2026-11-21-queue.md"),
    ]


def test_a_reference_in_another_items_text_never_takes_its_ticket(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    tracker_kind: str,
    clock: SimClock,
) -> None:
    tracker = make_tracker()
    engine = make_engine(store_factory())
    first = postmortems(FIRST, path="payments/2026-11-20-pool.md")
    assert engine.sync_team(team, tracker, first).applied == {"create": 1}
    clock.advance(SEARCH_LAG + 1)
    (original,) = all_tickets(tracker)

    result = engine.sync_team(team, tracker, both(tracker_kind))
    clock.advance(SEARCH_LAG + 1)
    again = engine.sync_team(team, tracker, both(tracker_kind))

    assert result.applied == {"create": 1}
    assert again.applied == {}
    after = tracker.get(original.ref)
    assert after.marker == original.marker
    assert after.fields.title == "Rotate the TLS certificates"
    assert after.fields.due == original.fields.due
    claimed = [f for f in result.plan.findings if f.code == "ticket-claimed"]
    assert [f.path for f in claimed] == ["payments/2026-11-21-queue.md"]
    assert original.ref in claimed[0].message
    titles = sorted(t.fields.title for t in all_tickets(tracker))
    assert titles == ["Ping the on-call about #1 and GH-2", "Rotate the TLS certificates"]
    assert set(per_item(tracker).values()) == {1}


HUGE_ITEM = """---
date: 2026-11-20
---
# Pool exhaustion

## Action items

- {title}. Owner: @alice, due 2026-12-04
{notes}
"""


def test_an_item_beyond_the_trackers_limits_is_created_once_and_then_left_alone(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    title = "Rotate " + "the certificates and " * 70 + "the keys"  # far over 256 characters
    # extraction reads an item's text up to 2,000 characters, so the body grows by its notes
    notes = "\n".join(f"  - note {n}: " + "long note " * 190 for n in range(80))
    text = HUGE_ITEM.format(title=title, notes=notes)
    tracker = make_tracker()
    engine = make_engine(store_factory())
    first = engine.sync_team(team, tracker, postmortems(text))
    assert first.ok, first
    assert first.applied == {"create": 1}
    clock.advance(SEARCH_LAG + 1)
    second = engine.sync_team(team, tracker, postmortems(text))
    assert second.applied == {}
    assert [op.reason for op in second.plan.operations] == ["up to date"]
    (ticket,) = all_tickets(tracker)
    assert ticket.fields.title.startswith("Rotate the certificates and")
    assert ticket.fields.title.endswith("(shortened)")
    assert "(shortened)" in ticket.body
    assert str(ticket.fields.due) == "2026-12-04"


MARKUP = """---
date: 2026-11-20
---
# Pool exhaustion

## Action items

- h1. Tell @org/team {color:red}now{color} [~accountid:557058:abc] [click|https://evil.example] <img src=x> **bold**. Owner: @alice, due 2026-12-04
  - Ask @bob about <script>x</script>
"""


def test_markup_in_item_text_reaches_the_ticket_body_only_escaped(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    tracker = make_tracker()
    engine = make_engine(store_factory())
    (pm,) = postmortems(MARKUP)
    linked = replace(pm, url="https://wiki.example.com/pm/payments/2026-11-20-pool.md")
    result = engine.sync_team(team, tracker, [linked])
    assert result.applied == {"create": 1}
    clock.advance(SEARCH_LAG + 1)
    (ticket,) = all_tickets(tracker)
    human = ticket.body.split("<!-- followthrough:", 1)[0]
    for mention in ("@org/team", "@bob"):
        assert mention not in human
    for bare in (r"<img", r"<script", r"\{color", r"\[~accountid", r"\[click", r"\*\*bold"):
        assert re.search(r"(?<!\\)" + bare, human) is None, bare
    assert not any(line.startswith("h1.") for line in human.splitlines())
    assert "https://wiki.example.com/pm/payments/2026-11-20-pool.md" in human


def test_a_postmortem_named_with_control_characters_still_gets_one_ticket_per_item(
    tmp_path: Path,
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    tracker = make_tracker()
    engine = make_engine(store_factory())
    path = "payments/2026-11-20-\x1b[2Jpool\u202e.md"
    assert engine.sync_team(team, tracker, postmortems(DOC_ONE, path=path)).applied == {"create": 1}
    clock.advance(SEARCH_LAG + 1)
    engine.new_cycle()
    again = engine.sync_team(team, tracker, postmortems(DOC_ONE, path=path))
    assert again.applied == {}
    assert [op.reason for op in again.plan.operations] == ["up to date"]
    fresh = SqliteStore(tmp_path / "fresh.db")
    fresh.migrate()
    rebuilt = make_engine(fresh).sync_team(team, tracker, postmortems(DOC_ONE, path=path))
    assert rebuilt.applied == {}
    assert set(per_item(tracker).values()) == {1}
    (ticket,) = all_tickets(tracker)
    assert "\x1b" not in ticket.body
    assert "\u202e" not in ticket.body


DOC_ONE = FIRST
