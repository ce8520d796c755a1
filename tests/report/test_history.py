"""A fresh install's trend: weeks before the first snapshot rebuilt from the trackers' dates."""

from __future__ import annotations

from followthrough.domain.report import item_facts
from followthrough.domain.report_document import team_report
from followthrough.domain.report_history import reconstructed_point
from followthrough.domain.report_period import Week

from .helpers import FakeSnapshot, fixture_inputs


def _point(week: int):  # type: ignore[no-untyped-def]
    return reconstructed_point(Week(2024, week), item_facts(fixture_inputs()))


def test_weeks_rebuilt_by_hand_from_close_dates_and_due_dates() -> None:
    # W16, 15-21 April: f (due 20th, open) and g (due 15th, done in its document on 1 April).
    w16 = _point(16)
    assert (w16.due_in_period, w16.done_of_due, w16.completion_rate) == (2, 1, 0.5)
    assert (w16.open, w16.overdue, w16.reconstructed) == (5, 1, True)  # a b d e f; f overdue
    # W17, 22-28 April: nothing due; a (closed 2 May) and e (30 April) were still open.
    w17 = _point(17)
    assert (w17.due_in_period, w17.done_of_due, w17.completion_rate) == (0, 0, None)
    assert (w17.open, w17.overdue) == (5, 1)
    # W14, 1-7 April: only pm3 was written (pm1 is dated 10 April); its item was done.
    w14 = _point(14)
    assert (w14.due_in_period, w14.open, w14.overdue) == (0, 0, 0)
    # W13: before any postmortem.
    assert (_point(13).open, _point(13).due_in_period) == (0, 0)


def test_a_first_report_has_a_full_trend_and_snapshots_win() -> None:
    report = team_report(fixture_inputs())
    assert len(report.trend) == 12
    assert all(p.open is not None for p in report.trend)  # no empty weeks on day one
    assert [p.reconstructed for p in report.trend] == [True] * 11 + [False]
    stored = FakeSnapshot(
        "2024-W16", {"due_in_period": 4, "done_of_due": 4, "open": 9, "overdue": 0}
    )
    with_snapshot = team_report(fixture_inputs(), [stored])
    w16 = next(p for p in with_snapshot.trend if p.week == "2024-W16")
    assert (w16.due_in_period, w16.done_of_due, w16.open, w16.reconstructed) == (4, 4, 9, False)
