"""The report reads at a glance: a week with nothing due says so, dates and keys never break."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import html5lib
import pytest

from followthrough.adapters.mail import ReportRenderer
from followthrough.domain.report_document import report_document, team_report

from .helpers import W18, empty_inputs, fixture_inputs

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
