"""Open items by age, the oldest five, and the backlog's direction, computed by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from followthrough.adapters.mail import ReportRenderer
from followthrough.domain.model import ActionItem, ItemStatus, Postmortem
from followthrough.domain.report import item_facts
from followthrough.domain.report_backlog import backlog, merge_backlogs
from followthrough.domain.report_document import report_document, team_report

from .helpers import W18, empty_inputs, fixture_inputs


def test_ages_oldest_and_direction_by_hand() -> None:
    found = backlog(W18, item_facts(fixture_inputs()))
    # Open at the end of W18 (5 May): b (reopened), d and f, all promised in pm1 on 10 April.
    assert found.ages == {"30_days_or_less": 3, "31_to_90_days": 0, "over_90_days": 0}
    assert [(f.key, days) for f, days in found.oldest] == [("b", 25), ("d", 25), ("f", 25)]
    weeks = {w.week: (w.opened, w.closed) for w in found.weeks}
    assert weeks["2024-W14"] == (1, 1)  # g promised and done (in its document) on 1 April
    assert weeks["2024-W15"] == (6, 0)  # pm1's six items on 10 April
    assert weeks["2024-W18"] == (0, 2)  # a closed 2 May, e 30 April
    assert sum(o for o, _ in weeks.values()) == 7
    assert found.direction == "growing"  # 7 opened, 3 closed in 12 weeks
    assert found.weeks_to_clear == 12  # 3 open at 3 closed per 12 weeks


def test_an_empty_team_has_an_empty_steady_backlog() -> None:
    found = backlog(W18, item_facts(empty_inputs()))
    assert (sum(found.ages.values()), found.oldest, found.direction) == (0, (), "steady")
    assert found.weeks_to_clear is None


def test_old_items_fall_in_the_older_buckets_and_teams_merge() -> None:
    facts = item_facts(fixture_inputs())
    aged = [
        replace(f, opened_on=W18.sunday - dt.timedelta(days=days))
        for f, days in zip(facts, (200, 60, 10, 91, 31, 5, 400), strict=True)
    ]
    found = backlog(W18, aged)
    # Open: b (60 days), d (91), f (5).
    assert found.ages == {"30_days_or_less": 1, "31_to_90_days": 1, "over_90_days": 1}
    assert [f.key for f, _ in found.oldest] == ["d", "b", "f"]
    both = merge_backlogs([found, backlog(W18, item_facts(fixture_inputs()))])
    assert both is not None
    assert sum(both.ages.values()) == 6
    assert [days for _, days in both.oldest] == [91, 60, 25, 25, 25]


def test_the_report_json_carries_backlog_recurrences_and_accepted_risk() -> None:
    report = team_report(fixture_inputs())
    document = report_document(
        kind="team", week=W18, generated_at=dt.datetime(2024, 5, 6, tzinfo=dt.UTC), teams=[report]
    )
    team = document["teams"][0]
    assert team["backlog"]["open_by_age"]["30_days_or_less"] == 3
    assert team["backlog"]["direction"] == "growing"
    assert team["recurring_promises"] == []
    none = {"count": 0, "by_topic": {}}
    assert (team["accepted_risk"], document["overall"]["accepted_risk"]) == (none, none)


def test_recurring_promises_and_accepted_risk_are_reported() -> None:
    def pm(ident: str, day: dt.date, *titles: str, risk: bool = False) -> Postmortem:
        items = tuple(
            ActionItem(key=f"{ident}:{n}", title=t, line=n + 5, status=ItemStatus.OPEN)
            for n, t in enumerate(titles)
        )
        return Postmortem(
            id=ident,
            path=f"{ident}.md",
            title=ident,
            date=day,
            action_items=items,
            extra={"accepted_risk": "yes"} if risk else {},
            topics=("payouts",) if risk else (),
        )

    inputs = replace(
        empty_inputs("payments"),
        postmortems=(
            pm("march", dt.date(2024, 3, 4), "Alert when the payout queue is stuck for 10 minutes"),
            pm("april", dt.date(2024, 4, 22), "Add alerting on a stuck payout queue"),
            pm("may", dt.date(2024, 5, 1), risk=True),
            pm("later", dt.date(2024, 6, 1), "Alert when payout queue stuck"),  # after W18
        ),
    )
    report = team_report(inputs)
    (recurring,) = report.recurring
    assert recurring.summary() == "promised in 2024-03 and 2024-04; still open"
    assert report.accepted_risk == 1
    assert report.accepted_risk_by_topic == {"payouts": 1}


def test_every_format_shows_the_backlog_recurrences_and_accepted_risk() -> None:
    march = Postmortem(
        id="march",
        path="march.md",
        title="March",
        date=dt.date(2024, 3, 4),
        action_items=(
            ActionItem(
                key="m:1",
                title="Alert when the payout queue is stuck for 10 minutes",
                line=5,
                owner="ines",
            ),
        ),
    )
    april = replace(
        march,
        id="april",
        path="april.md",
        date=dt.date(2024, 4, 22),
        action_items=(ActionItem(key="a:1", title="Add alerting on a stuck payout queue", line=5),),
    )
    risky = replace(march, id="may", path="may.md", date=dt.date(2024, 5, 1), action_items=(),
                    extra={"accepted_risk": "yes"}, topics=("payouts",))  # fmt: skip
    inputs = replace(empty_inputs("payments"), postmortems=(march, april, risky))
    document = report_document(
        kind="team",
        week=W18,
        generated_at=dt.datetime(2024, 5, 6, tzinfo=dt.UTC),
        teams=[team_report(inputs)],
    )
    for kind in ("html", "md", "txt"):
        shown = ReportRenderer().render(document, kind, chart_src="chart.png").replace("\\", "")
        assert "2 promised in the last 30 days" not in shown  # march is 62 days old
        assert "1 promised in the last 30 days, 1 31 to 90 days ago" in shown.replace(
            " open items promised", " promised"
        ), kind
        assert "the backlog is growing" in shown, kind
        assert "nothing was closed, so at this rate it never clears" in shown, kind
        assert "promised in 2024-03 and 2024-04; still open" in shown, kind
        assert "accept the risk instead of listing actions: 1 (payouts 1)." in shown, kind
        assert "Done dates are approximate" not in shown, kind


def test_every_format_shows_promise_keeping() -> None:
    document = report_document(
        kind="team",
        week=W18,
        generated_at=dt.datetime(2024, 5, 6, tzinfo=dt.UTC),
        teams=[team_report(fixture_inputs())],
    )
    for kind in ("html", "md", "txt"):
        shown = ReportRenderer().render(document, kind, chart_src="chart.png").replace("\\", "")
        assert "Kept by the date first promised" in shown, kind
        assert "Due dates moved" in shown, kind
        assert "Reassigned" in shown, kind
        assert "Median time to first activity" in shown, kind
