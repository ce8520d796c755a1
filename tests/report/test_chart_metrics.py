"""The trend chart is a valid PNG; metrics live on their own registry."""

from __future__ import annotations

import struct
import zlib

from prometheus_client import REGISTRY

from followthrough.adapters.chart import png_size, trend_png
from followthrough.adapters.metrics import Metrics, generate_latest
from followthrough.domain.report import item_facts, team_figures

from .helpers import fixture_inputs


def test_chart_png_decodes():
    data = trend_png([None, 0.5, 1.0, 0.0] + [None] * 8, width=300, height=100)
    assert png_size(data) == (300, 100)
    length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41 : 41 + length])
    assert len(raw) == 100 * (1 + 300 * 3)


def test_metrics_from_figures_and_results():
    metrics = Metrics()
    figures = team_figures(fixture_inputs(), item_facts(fixture_inputs()))
    metrics.update_from_figures("payments", figures)
    metrics.record_sync("payments", applied={"create": 2, "update": 1, "annotate": 1}, failed=1)
    metrics.record_nudges("payments", reminders=3, escalations=1)
    metrics.record_api_call("jira")
    metrics.record_api_call("jira", error="temporary")
    text = generate_latest(metrics.registry).decode()
    assert 'followthrough_action_items{status="open",team="payments"} 3.0' in text
    assert 'followthrough_overdue_items{team="payments"} 2.0' in text
    assert 'followthrough_completion_rate{team="payments"} 0.6667' in text
    assert 'followthrough_sync_operations_total{result="updated",team="payments"} 2.0' in text
    assert 'followthrough_tracker_api_errors_total{kind="temporary",tracker="jira"} 1.0' in text
    assert 'followthrough_nudges_sent_total{kind="nudge",team="payments"} 3.0' in text
    assert metrics.exposition() == generate_latest(metrics.registry)
    assert b"followthrough_" not in generate_latest(REGISTRY)
    Metrics()  # a second set of metrics does not clash with the first
