"""Figures on a hand-computed fixture: won't-do, reopened tickets, missing dates, empty teams."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from followthrough.domain.model import ItemStatus
from followthrough.domain.report import figures, item_facts, merge, normalise_severity, team_figures
from followthrough.domain.report_document import snapshot_figures, team_report, trend

from .helpers import W18, FakeSnapshot, empty_inputs, fixture_inputs


def facts_by_key():
    return {f.key: f for f in item_facts(fixture_inputs())}


def test_states_follow_the_ticket_three_way():
    facts = facts_by_key()
    assert facts["a"].status == ItemStatus.DONE  # done ticket, document still open
    assert facts["b"].status == ItemStatus.OPEN  # reopened ticket, document says done
    assert facts["c"].status == ItemStatus.DROPPED
    assert facts["g"].status == ItemStatus.DONE  # no ticket: the document
    assert "late" not in facts  # postmortem dated after the week


def test_document_change_not_yet_pushed_wins():
    inputs = fixture_inputs()
    links = dict(inputs.links)
    links["f"] = replace(links["f"], synced={"state": "open"})
    pm1 = inputs.postmortems[0]
    items = tuple(
        replace(i, status=ItemStatus.DROPPED) if i.key == "f" else i for i in pm1.action_items
    )
    changed = replace(inputs, postmortems=(replace(pm1, action_items=items),), links=links)
    assert {f.key: f for f in item_facts(changed)}["f"].status == ItemStatus.DROPPED


def test_without_a_tracker_close_time_the_done_moment_is_the_earliest_known_update():
    facts = facts_by_key()
    assert facts["a"].done_on == dt.date(2024, 5, 2)  # sync had not seen it closed: the ticket's
    assert facts["e"].done_on == dt.date(2024, 4, 30)  # the link's, earlier than the ticket's


def test_an_item_done_in_its_document_without_a_ticket_was_done_by_its_postmortem():
    assert facts_by_key()["g"].done_on == dt.date(2024, 4, 1)  # pm3's date


def _closed_at(key: str, *, created: dt.datetime, closed: dt.datetime, doc: ItemStatus):
    """The fixture with item ``key``'s ticket closed by the tracker at ``closed``."""
    inputs = fixture_inputs()
    tickets = dict(inputs.tickets)
    ref = inputs.links[key].ticket_ref
    tickets[ref] = replace(tickets[ref], created=created, closed=closed)
    pms = tuple(
        replace(
            pm,
            action_items=tuple(
                replace(i, status=doc) if i.key == key else i for i in pm.action_items
            ),
        )
        for pm in inputs.postmortems
    )
    return {f.key: f for f in item_facts(replace(inputs, tickets=tickets, postmortems=pms))}[key]


def test_the_tracker_s_close_time_is_the_done_moment():
    opened = dt.datetime(2024, 4, 11, 9, tzinfo=dt.UTC)
    # Closed at 23:30 UTC on 1 May: 00:30 on 2 May in London, the team's day.
    closed = dt.datetime(2024, 5, 1, 23, 30, tzinfo=dt.UTC)
    fact = _closed_at("a", created=opened, closed=closed, doc=ItemStatus.OPEN)
    assert fact.done_on == dt.date(2024, 5, 2)
    fact = _closed_at(
        "e", created=opened, closed=dt.datetime(2024, 4, 20, tzinfo=dt.UTC), doc=ItemStatus.DONE
    )
    assert fact.done_on == dt.date(2024, 4, 20)  # not the link's 30 April: the tracker knows


def test_a_ticket_made_closed_for_a_done_item_counts_from_the_postmortem_date():
    made = dt.datetime(2024, 5, 28, 10, tzinfo=dt.UTC)  # first synced 48 days after pm1
    fact = _closed_at("e", created=made, closed=made + dt.timedelta(seconds=2), doc=ItemStatus.DONE)
    assert fact.done_on == dt.date(2024, 4, 10)  # pm1's date, not 28 May
    # The same quick close of an item the document still calls open is the tracker's close.
    fact = _closed_at("a", created=made, closed=made + dt.timedelta(seconds=2), doc=ItemStatus.OPEN)
    assert fact.done_on == dt.date(2024, 5, 28)


def test_team_figures_by_hand():
    f = team_figures(fixture_inputs(), item_facts(fixture_inputs()))
    assert (f.total, f.open, f.done, f.dropped) == (7, 3, 3, 1)
    assert (f.due_in_period, f.done_of_due, f.dropped_of_due) == (3, 2, 1)
    assert f.completion_rate == 0.6667  # won't-do is never done, and not in the denominator
    assert (f.completed_in_period, f.on_time, f.on_time_rate) == (2, 1, 0.5)
    assert (f.overdue, f.overdue_median_days, f.overdue_max_days) == (2, 9.5, 16)
    assert f.median_days_to_done == 20.0  # a 22 days, e 20, g 0 (done in its document)
    assert (f.missing_owner, f.missing_due) == (1, 2)
    assert (f.nudges_sent, f.escalations_sent) == (1, 1)


def test_breakdowns():
    report = team_report(fixture_inputs())
    assert set(report.by_category) == {
        "communication", "detection", "prevention", "response", "uncategorised"
    }  # fmt: skip
    prevention = report.by_category["prevention"]
    assert (prevention.open, prevention.dropped, prevention.completion_rate) == (1, 1, 0.0)
    assert report.by_severity["sev2"].total == 6
    assert report.by_severity["unspecified"].total == 1
    assert [f.key for f in report.overdue] == ["f", "b"]  # most overdue first
    assert [f.key for f in report.needs_attention] == ["d", "f"]


def test_empty_team_has_no_rates_not_zero():
    report = team_report(empty_inputs())
    f = report.figures
    assert (f.total, f.overdue, f.nudges_sent) == (0, 0, 0)
    assert f.completion_rate is None
    assert f.on_time_rate is None
    assert f.median_days_to_done is None
    assert f.overdue_max_days is None
    assert report.by_category == {}
    assert report.overdue == ()


def test_merge_recomputes_rates_and_medians():
    team = team_figures(fixture_inputs(), item_facts(fixture_inputs()))
    both = merge([team, figures([])])
    assert both.completion_rate == team.completion_rate
    assert merge([team, team]).overdue_median_days == 9.5
    assert merge([team, team]).total == 14


def test_trend_fills_twelve_weeks_from_snapshots():
    current = team_figures(fixture_inputs(), item_facts(fixture_inputs()))
    stored = [
        FakeSnapshot("2024-W16", {"due_in_period": 4, "done_of_due": 1, "open": 5, "overdue": 2}),
        FakeSnapshot("2024-W18", {"due_in_period": 9, "done_of_due": 9}),  # replaced by this run
        FakeSnapshot("2023-W01", {"due_in_period": 1, "done_of_due": 1}),  # too old
    ]
    points = trend(W18, current, stored)
    assert len(points) == 12
    assert points[0].week == "2024-W07"
    assert points[-1].week == "2024-W18"
    assert points[-3].completion_rate == 0.25
    assert points[-3].overdue == 2
    assert points[-2].completion_rate is None
    assert points[-1].completion_rate == 0.6667
    assert snapshot_figures(current)["due_in_period"] == 3


def test_severity_spellings_are_one():
    assert normalise_severity("SEV-2") == normalise_severity("sev 2") == "sev2"
    assert normalise_severity(None) == normalise_severity("  ") == "unspecified"
