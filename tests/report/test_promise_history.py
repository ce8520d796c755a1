"""Promise-keeping figures on a hand-computed fixture: moved dates, reassignment, reopening,
an item done before the first sync, an item nobody touched, and an empty team.

Week 18 of 2024 (Monday 29 April to Sunday 5 May), London. Every ticket was made on
10 April 2024 at 09:00 UTC unless said otherwise.

- m: due 20 April when made; moved to 27 April (18 April) and to 3 May (25 April, a change
  the journal's listing also saw); closed by a person on 2 May 15:00. Two moves, 7 + 6 = 13
  days; on time (2 May ≤ 3 May) but not kept (2 May > 20 April); first activity the close,
  22 days 6 hours = 22.25 days after it was made.
- r: made assigned to alice, given to bob (12 April), then GitHub-style unassigned and
  assigned back to bob (15 April: no reassignment); a person's comment on 11 April 21:00:
  1 reassignment, first activity 1.5 days.
- o: closed by a person on 13 April 09:00, reopened on 16 April: open now; first activity
  3.0 days.
- k: due 3 May, never moved; closed by a person on 1 May 09:00: on time and kept; first
  activity 21.0 days.
- p: done in its document before the first sync (pm date 10 April); its ticket was made closed
  on 1 May 10:00 by followthrough (no person's activity). First due = its ticket's 12 April.
- q: an open ticket (made 20 April) with only followthrough's own reminder comment: awaiting.

Team: completed in the week m, k → on time 2/2 = 1.0, kept 1/2 = 0.5; moves 1 item, 2 moves,
13 days; reassignments 1 item, 1 in all; first activity over m 22.25, r 1.5, o 3.0, k 21.0
→ median (3.0 + 21.0) / 2 = 12.0, measured 4, awaiting 1 (q).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import jsonschema

from followthrough.domain.model import ItemStatus, Postmortem
from followthrough.domain.report import TeamInputs, item_facts, merge, team_figures
from followthrough.domain.report_document import report_document, team_json, team_report
from followthrough.domain.ticket_history import TicketChange, promise_history
from followthrough.domain.tickets import TicketState

from .helpers import LONDON, W18, day, empty_inputs, item, ticket
from .test_document import schema

UTC = dt.UTC
MADE = dt.datetime(2024, 4, 10, 9, tzinfo=UTC)


def at(month: int, d: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2024, month, d, hour, tzinfo=UTC)


def change(ref: str, field: str, value: str | None, moment: dt.datetime, **kw: object):
    return TicketChange(ref=ref, field=field, value=value, at=moment, **kw)  # type: ignore[arg-type]


def inputs() -> TeamInputs:
    pm = Postmortem(
        id="pm1",
        path="pm1.md",
        title="Checkout outage",
        date=day(4, 10),
        action_items=(
            item("m", due=day(4, 20), owner="priya"),
            item("r", due=day(5, 20), owner="alice"),
            item("o", due=day(5, 1), owner="tom"),
            item("k", due=day(5, 3), owner="sara"),
            item("p", status=ItemStatus.DONE, due=day(4, 12), owner="tom"),
            item("q", due=day(6, 1), owner="tom"),
        ),
    )
    made = {"created": MADE}
    tickets = [
        replace(
            ticket("OPS-1", "m", state=TicketState.DONE, due=day(5, 3)),
            closed=at(5, 2, 15),
            **made,
        ),
        replace(ticket("OPS-2", "r", due=day(5, 20), assignee="bob"), **made),
        replace(ticket("OPS-3", "o", due=day(5, 1)), **made),
        replace(
            ticket("OPS-4", "k", state=TicketState.DONE, due=day(5, 3)), closed=at(5, 1), **made
        ),
        replace(
            ticket("OPS-5", "p", state=TicketState.DONE, due=day(4, 12)),
            created=at(5, 1, 10),
            closed=at(5, 1, 10) + dt.timedelta(seconds=2),
        ),
        replace(ticket("OPS-6", "q", due=day(6, 1)), created=at(4, 20)),
    ]
    history = {
        "OPS-1": [
            change("OPS-1", "due", "2024-04-20", MADE + dt.timedelta(minutes=5), source="seen"),
            change("OPS-1", "due", "2024-04-27", at(4, 18), before="2024-04-20", before_known=True),
            change("OPS-1", "due", "2024-05-03", at(4, 25), before="2024-04-27", before_known=True),
            change("OPS-1", "due", "2024-05-03", at(4, 25, 10), source="listing"),
            change("OPS-1", "state", "done", at(5, 2, 15), before="open", before_known=True),
        ],
        "OPS-2": [
            change("OPS-2", "assignee", "alice", MADE + dt.timedelta(minutes=5), source="seen"),
            change("OPS-2", "assignee", "bob", at(4, 12), before="alice", before_known=True),
            change("OPS-2", "assignee", None, at(4, 15)),
            change("OPS-2", "assignee", "bob", at(4, 15)),
            change("OPS-2", "comment", "c1", at(4, 11, 21)),
        ],
        "OPS-3": [
            change("OPS-3", "state", "done", at(4, 13), before="open", before_known=True),
            change("OPS-3", "state", "open", at(4, 16), before="done", before_known=True),
        ],
        "OPS-4": [change("OPS-4", "state", "done", at(5, 1), before="open", before_known=True)],
        "OPS-5": [
            change("OPS-5", "state", "done", at(5, 1, 10) + dt.timedelta(seconds=2), human=False)
        ],
        "OPS-6": [change("OPS-6", "comment", "c9", at(4, 28), human=False)],
    }
    return TeamInputs(
        team="payments",
        tz=LONDON,
        week=W18,
        postmortems=(pm,),
        tickets={t.ref: t for t in tickets},
        links={},
        history=history,
    )


def facts():
    return {f.key: f for f in item_facts(inputs())}


def test_a_date_moved_twice():
    m = facts()["m"]
    assert (m.first_due, m.due) == (day(4, 20), day(5, 3))
    assert (m.due_moves, m.days_moved) == (2, 13)  # the listing's sighting is the same move
    assert not m.kept_on_time
    assert m.first_activity_days == 22.25


def test_a_reassignment():
    r = facts()["r"]
    assert r.reassignments == 1  # off bob and back to bob is none
    assert r.first_activity_days == 1.5  # a person's comment; assignments are not activity
    assert r.due_moves == 0


def test_a_reopened_ticket_is_open_and_its_first_close_was_activity():
    o = facts()["o"]
    assert o.status == ItemStatus.OPEN
    assert not o.kept_on_time
    assert o.first_activity_days == 3.0
    assert not o.awaiting_activity


def test_an_item_done_before_the_first_sync_was_kept_by_its_postmortem_date():
    p = facts()["p"]
    assert (p.done_on, p.first_due) == (day(4, 10), day(4, 12))
    assert p.kept_on_time
    assert p.first_activity_days is None  # followthrough made it closed: nobody acted


def test_team_figures_by_hand():
    f = team_figures(inputs(), item_facts(inputs()))
    assert (f.completed_in_period, f.on_time, f.on_time_rate) == (2, 2, 1.0)
    assert (f.kept_on_time, f.kept_on_time_rate) == (1, 0.5)
    assert (f.moved_items, f.due_moves, f.days_moved) == (1, 2, 13)
    assert (f.reassigned_items, f.reassignments) == (1, 1)
    assert f.first_activity_median_days == 12.0
    assert (len(f.first_activity_days), f.awaiting_activity) == (4, 1)


def test_empty_team_has_no_history_figures():
    f = team_figures(empty_inputs(), item_facts(empty_inputs()))
    assert (f.kept_on_time, f.kept_on_time_rate) == (0, None)
    assert (f.moved_items, f.due_moves, f.days_moved) == (0, 0, 0)
    assert (f.reassigned_items, f.reassignments) == (0, 0)
    assert (f.first_activity_median_days, f.awaiting_activity) == (None, 0)
    team = team_figures(inputs(), item_facts(inputs()))
    both = merge([team, f])
    assert (both.kept_on_time_rate, both.first_activity_median_days) == (0.5, 12.0)
    assert merge([team, team]).first_activity_median_days == 12.0


def test_json_carries_the_figures_and_the_changed_items():
    report = team_report(inputs())
    data = team_json(report)
    figures = data["figures"]
    assert figures["completed_in_period"]["kept_on_time_rate"] == 0.5
    assert figures["due_date_moves"] == {"items": 1, "moves": 2, "days_moved": 13}
    assert figures["reassignments"] == {"items": 1, "total": 1}
    assert figures["first_activity"] == {"median_days": 12.0, "measured": 4, "awaiting": 1}
    changed = {c["key"]: c for c in data["changed_promises"]}
    assert set(changed) == {"m", "r"}
    assert changed["m"]["first_due"] == "2024-04-20"
    document = report_document(
        kind="digest",
        week=W18,
        generated_at=dt.datetime(2024, 5, 6, tzinfo=UTC),
        teams=[report, team_report(empty_inputs())],
    )
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(document)
    assert document["overall"]["figures"]["reassignments"]["total"] == 1


def test_github_style_history_without_before_values():
    made = MADE
    changes = [
        change("o#1", "assignee", "alice", made + dt.timedelta(seconds=3)),  # part of making it
        change("o#1", "assignee", None, at(4, 12)),
        change("o#1", "assignee", "bob", at(4, 12, 10)),
        change("o#1", "state", "done", at(4, 14), human=False),  # followthrough closed it
        change("o#1", "state", "open", at(4, 15)),  # a person reopened it
    ]
    found = promise_history(changes, due=None, created=made)
    assert found.reassignments == 1
    assert found.first_activity == at(4, 15)
    assert found.first_due is None


def test_a_first_due_date_set_later_is_the_first_commitment_not_a_move():
    changes = [
        change("X-1", "due", None, MADE + dt.timedelta(minutes=5), source="seen"),
        change("X-1", "due", "2024-05-10", at(4, 20), before=None, before_known=True),
    ]
    found = promise_history(changes, due=day(5, 10), created=MADE)
    assert (found.first_due, found.due_moves, found.days_moved) == (day(5, 10), 0, 0)
