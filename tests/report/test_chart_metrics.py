"""The trend chart is a valid PNG; a team's standing; metrics live on their own registry."""

from __future__ import annotations

import struct
import zlib

from prometheus_client import REGISTRY

from followthrough.adapters.chart import Bar, png_size, trend_png
from followthrough.adapters.metrics import Metrics, generate_latest
from followthrough.domain.standing import Standing, standing
from followthrough.ports import TicketNotFoundError, TrackerTemporaryError

from .helpers import day, fixture_inputs


def test_chart_png_decodes():
    rates = [None, 0.5, 1.0, 0.0] + [None] * 8
    bars = [Bar(f"2024-W{week:02d}", rate) for week, rate in enumerate(rates, start=7)]
    data = trend_png(bars, width=300, height=100)
    assert png_size(data) == (300, 100)
    length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41 : 41 + length])
    assert len(raw) == 100 * (1 + 300 * 3)


def test_standing_counts_every_item_written_so_far_and_overdue_as_remind_does():
    # Wednesday of the week after W18: the postmortem of 10 May is counted, "late" open.
    later = standing(fixture_inputs(), day(5, 8))
    ages = {"30_days_or_less": 4, "31_to_90_days": 0, "over_90_days": 0}  # 28 days at most
    assert later == Standing(
        open=4, done=3, dropped=1, overdue=2, completion_rate=0.6667, open_by_age=ages
    )
    # On 3 May (inside W18) item b, due that day, is not overdue yet; f (due 20 April) is.
    on_the_day = standing(fixture_inputs(), day(5, 3))
    assert (on_the_day.open, on_the_day.overdue) == (3, 1)


def test_metrics_from_standing_and_results():
    metrics = Metrics()
    metrics.update_standing(
        "payments",
        Standing(
            open=3,
            done=2,
            dropped=1,
            overdue=2,
            completion_rate=0.6667,
            open_by_age={"30_days_or_less": 1, "31_to_90_days": 0, "over_90_days": 2},
            recurring_open=1,
        ),
    )
    metrics.update_standing(
        "web", Standing(open=0, done=0, dropped=0, overdue=0, completion_rate=None)
    )
    metrics.record_sync("payments", applied={"create": 2, "update": 1, "annotate": 1}, failed=1)
    metrics.record_nudges("payments", reminders=3, escalations=1)
    calls = metrics.tracker_calls()
    calls.answered("jira", 201)
    calls.answered("jira", 503)
    calls.failed("jira", TrackerTemporaryError("Jira 503: busy", status=503))
    calls.answered("github", None)
    calls.failed("github", TicketNotFoundError("acme/ops#9: GitHub 404", status=404))
    text = generate_latest(metrics.registry).decode()
    assert 'followthrough_action_items{status="open",team="payments"} 3.0' in text
    assert 'followthrough_overdue_items{team="payments"} 2.0' in text
    assert 'followthrough_open_items_by_age{age="over_90_days",team="payments"} 2.0' in text
    assert 'followthrough_recurring_promises{team="payments"} 1.0' in text
    assert 'followthrough_completion_rate{team="payments"} 0.6667' in text
    assert 'followthrough_completion_rate{team="web"} NaN' in text
    assert 'followthrough_sync_operations_total{result="updated",team="payments"} 2.0' in text
    assert 'followthrough_nudges_sent_total{kind="nudge",team="payments"} 3.0' in text
    assert 'followthrough_tracker_api_calls_total{status="2xx",tracker="jira"} 1.0' in text
    assert 'followthrough_tracker_api_calls_total{status="5xx",tracker="jira"} 1.0' in text
    assert 'followthrough_tracker_api_calls_total{status="none",tracker="github"} 1.0' in text
    assert 'followthrough_tracker_api_errors_total{kind="temporary",tracker="jira"} 1.0' in text
    assert 'followthrough_tracker_api_errors_total{kind="permanent",tracker="jira"} 0.0' in text
    assert 'followthrough_tracker_api_errors_total{kind="permanent",tracker="github"} 1.0' in text
    assert metrics.exposition() == generate_latest(metrics.registry)
    assert b"followthrough_" not in generate_latest(REGISTRY)
    Metrics()  # a second set of metrics does not clash with the first
