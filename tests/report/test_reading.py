"""The report reads at a glance: a week with nothing due says so, dates and keys never break,
and an item is as many days past due as its reminder says."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import html5lib
import pytest

from followthrough.adapters.mail import ReportRenderer
from followthrough.domain.calendar import BusinessCalendar
from followthrough.domain.remind import ReminderPolicy, TicketActivity, decide
from followthrough.domain.report_document import report_document, team_report
from followthrough.domain.report_period import local_date

from .helpers import AUCKLAND, LONDON, W18, empty_inputs, fixture_inputs

NOW = dt.datetime(2024, 5, 6, 8, tzinfo=dt.UTC)
XHTML = "{http://www.w3.org/1999/xhtml}"


def digest() -> dict[str, Any]:
    teams = [team_report(fixture_inputs()), team_report(empty_inputs())]
    return report_document(kind="digest", week=W18, generated_at=NOW, teams=teams)


@pytest.mark.parametrize("fmt", ["html", "md", "txt"])
def test_a_week_with_nothing_due_says_so(fmt: str) -> None:
    quiet = report_document(
        kind="team", week=W18, generated_at=NOW, teams=[team_report(empty_inputs())]
    )
    text = ReportRenderer().render(quiet, fmt, chart_src="chart.png")
    assert "no items due this week" in text.lower()
    assert "no items completed this week" in text.lower()
    assert "2024-W18 none due" in re.sub(r"\s+", " ", text)  # the trend's last week
    assert "0 of 0" not in text
    assert not re.search(r"—\s*\(0", text)  # no "— (0 of 0)"


def test_groups_and_the_digest_say_none_due_rather_than_zero_of_zero() -> None:
    for fmt in ("html", "md", "txt"):
        text = ReportRenderer().render(digest(), fmt, chart_src="chart.png")
        assert "0 of 0" not in text, fmt
    html = ReportRenderer().render(digest(), "html", chart_src="chart.png")
    assert "none due" in html  # the quiet team's row, and the response category's


def cells_by_column(html: str, header: str) -> list[tuple[str, str]]:
    """``(text, style)`` of every data cell under a column header, in every table."""
    tree = html5lib.parse(html)
    found = []
    for table in tree.iter(f"{XHTML}table"):
        rows = [tr for body in table for tr in body if tr.tag == f"{XHTML}tr"]  # not nested ones
        heads = ["".join(th.itertext()).strip() for th in rows[0] if th.tag == f"{XHTML}th"]
        if header not in heads:
            continue
        column = heads.index(header)
        for row in rows[1:]:
            cell = [td for td in row if td.tag == f"{XHTML}td"][column]
            found.append(("".join(cell.itertext()).strip(), cell.get("style", "")))
    return found


@pytest.mark.parametrize("header", ["Due", "Ticket", "Days past"])
def test_dates_and_ticket_keys_never_wrap(header: str) -> None:
    html = ReportRenderer().render(digest(), "html", chart_src="chart.png")
    cells = cells_by_column(html, header)
    assert cells, f"no {header} column"
    for text, style in cells:
        assert "white-space:nowrap" in style.replace(" ", ""), (header, text)


@pytest.mark.parametrize(
    ("made", "tz"),
    [
        (dt.datetime(2024, 5, 6, 8, tzinfo=LONDON), LONDON),  # the Monday the week ends
        (dt.datetime(2024, 5, 8, 10, tzinfo=LONDON), LONDON),  # two days later
        (dt.datetime(2024, 5, 9, 1, tzinfo=dt.UTC), AUCKLAND),  # already the 9th in Auckland
    ],
)
def test_days_past_due_are_the_days_remind_shows(made: dt.datetime, tz: ZoneInfo) -> None:
    inputs = dataclasses.replace(fixture_inputs(tz=tz), today=local_date(made, tz))
    document = report_document(
        kind="team", week=W18, generated_at=made, teams=[team_report(inputs)]
    )
    listed = {
        item["ticket"]: item["days_overdue"] for item in document["teams"][0]["overdue_items"]
    }
    assert set(listed) == {"OPS-2", "OPS-6"}
    calendar = BusinessCalendar(tz=tz)
    for ref, shown in listed.items():
        ticket = inputs.tickets[ref]
        activity = TicketActivity(
            ticket=ticket, item_key=ref, owner="acc-1", created=dt.datetime(2024, 4, 10, tzinfo=tz)
        )
        decision = decide(
            activity,
            history=(),
            owner_week_count=0,
            policy=ReminderPolicy(),
            calendar=calendar,
            now=made,
        )
        found = re.search(r"overdue by (\d+) days?", decision.reason)
        assert found, decision.reason
        assert shown == int(found[1]), (ref, decision.reason)
