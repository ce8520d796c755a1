"""Due dates: calendar dates in several spellings; anything else is quoted back by lint."""

from __future__ import annotations

import datetime as dt

import pytest

from followthrough.domain.model import Severity
from tests.extract.helpers import md, only_item

DATED = """
# Cache outage

**Date:** 2024-03-01

## Action items

- Add an alert on queue depth (owner: @alice, due: {due})
"""


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        ("2024-04-26", dt.date(2024, 4, 26)),
        ("2024/04/26", dt.date(2024, 4, 26)),
        ("May 10, 2024", dt.date(2024, 5, 10)),
        ("15 Nov 2024", dt.date(2024, 11, 15)),
        ("10 May", dt.date(2024, 5, 10)),
        ("Friday, May 10th", dt.date(2024, 5, 10)),
    ],
)
def test_calendar_dates(due: str, expected: dt.date) -> None:
    pm = md(DATED.format(due=due))
    item = only_item(pm)
    assert (item.title, item.due, item.due_text) == ("Add an alert on queue depth", expected, due)
    assert pm.findings == ()


def test_due_by_without_a_colon() -> None:
    item = only_item(md(DATED.format(due="x").replace("due: x", "due by May 10")))
    assert (item.title, item.due) == ("Add an alert on queue depth", dt.date(2024, 5, 10))


@pytest.mark.parametrize("due", ["next sprint", "Q3", "2024-13-02", "04/05/2024"])
def test_unparseable_due_is_quoted(due: str) -> None:
    pm = md(DATED.format(due=due))
    item = only_item(pm)
    assert (item.due, item.due_text) == (None, due)
    assert [(f.code, f.severity, f.line, f.item) for f in pm.findings] == [
        ("unparseable-due", Severity.ERROR, 7, item.key)
    ]
    assert f"“{due}”" in pm.findings[0].message


def test_a_date_that_reads_both_ways_is_named_with_both_readings() -> None:
    (finding,) = md(DATED.format(due="12/06/2024")).findings
    assert finding.code == "unparseable-due"
    assert "6 December 2024 (2024-12-06)" in finding.message
    assert "12 June 2024 (2024-06-12)" in finding.message
    (finding,) = md(DATED.format(due="31/02/2024")).findings
    assert "is not a calendar date" in finding.message


def test_day_and_month_without_a_postmortem_date_is_unparseable() -> None:
    pm = md(
        "# Cache outage\n\n## Action items\n\n- Add an alert on queue depth (owner: @a, due 10 May)\n"
    )
    item = only_item(pm)
    assert (item.due, item.due_text) == (None, "10 May")
    assert [f.code for f in pm.findings] == ["unparseable-due"]


def test_due_column_in_a_table() -> None:
    pm = md(
        """
        # Cache outage

        **Date:** 2024-03-01

        ## Action items

        | Action | Owner | Target date |
        |---|---|---|
        | Add an alert on queue depth | @alice | 26 Apr |
        | Pin the client library version | @bob | end of Q2 |
        """
    )
    assert [(i.due, i.due_text) for i in pm.action_items] == [
        (dt.date(2024, 4, 26), "26 Apr"),
        (None, "end of Q2"),
    ]
    assert [(f.code, f.line) for f in pm.findings] == [("unparseable-due", 10)]


def test_placeholder_due_is_missing_due() -> None:
    pm = md(DATED.format(due="TBD"))
    item = only_item(pm)
    assert (item.due, item.due_text) == (None, "TBD")
    assert [f.code for f in pm.findings] == ["missing-due"]
    assert "“TBD”" in pm.findings[0].message
