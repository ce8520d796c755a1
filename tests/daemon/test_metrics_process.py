"""A running worker feeds every series the README lists, with the values its cycle implies.

The worker runs on the embedded sandbox with its clock set to a Monday just before the
payments team's reminder and report time, so one sync, one reminder run and one report run
within seconds. Expected values come from ``followthrough extract`` on the same folders.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.daemon.conftest import REPO, Worker, get

# Monday 16 November 2026, just before 08:00 in London (UTC in winter) and 03:00 in New York.
CLOCK_AT = "2026-11-16T07:59:56+00:00"
TODAY = dt.date(2026, 11, 16)  # in both teams' zones
LAST_WEEK = (dt.date(2026, 11, 9), dt.date(2026, 11, 15))  # 2026-W46, complete for both teams
WORKER_YAML = """\
sources:
  - path: examples/
store:
  sqlite_path: state/followthrough.db
schedule:
  sync_every_minutes: 10
  remind_at: "08:00"
  report_weekday: monday
  report_at: "08:00"
log:
  format: json
  level: info
"""
# A postmortem that names a Jira ticket the tracker does not have: reading it is refused (404),
# so the payments sync fails on that item, and the failure shows in the series too.
MISSING_TICKET = """\
---
title: Settlement file arrived late
date: 2026-11-10
team: payments
---

# Settlement file arrived late

## Action items

- Page on a missing settlement file by 06:00 (OPS-9999)
"""
SERIES = re.compile(r"^\| `(followthrough_[a-z_]+)` \|", re.MULTILINE)


def documented_series() -> list[str]:
    """The series listed in the README's metrics table."""
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("### Metrics", 1)[1].split("\n## ", 1)[0]
    names = SERIES.findall(section)
    assert len(names) >= 10, "the README's metrics table was not found"
    return names


def extracted(workspace: Path, team: str) -> list[dict[str, Any]]:
    """Every action item ``followthrough extract`` finds in a team's folder."""
    done = subprocess.run(
        [sys.executable, "-m", "followthrough", "extract", f"examples/{team}", "--format", "json"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return [item for pm in json.loads(done.stdout)["postmortems"] for item in pm["action_items"]]


def expected_figures(items: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    """Items by state, overdue today, and the last complete week's completion rate."""
    due = [
        item
        for item in items
        if item["due"] and item["status"] != "dropped"
        if LAST_WEEK[0] <= dt.date.fromisoformat(item["due"]) <= LAST_WEEK[1]
    ]
    done = sum(1 for item in due if item["status"] == "done")
    return {
        "states": Counter(item["status"] for item in items),
        "overdue": sum(
            1
            for item in items
            if item["status"] == "open" and item["due"]
            if dt.date.fromisoformat(item["due"]) < today
        ),
        "completion": done / len(due) if due else None,
    }


def scrape(url: str) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """``/metrics`` parsed: sample name → labels (sorted pairs) → value."""
    status, text = get(f"{url}/metrics")
    assert status == 200
    samples: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict[str, Any], name: str, **labels: str) -> float:
    return float(samples[name][tuple(sorted(labels.items()))])


def test_a_running_worker_feeds_every_documented_series(workspace: Path) -> None:
    (workspace / "config" / "followthrough.yaml").write_text(WORKER_YAML)
    (workspace / "examples" / "payments" / "2026-11-10-settlement.md").write_text(MISSING_TICKET)
    worker = Worker(
        ["--config", "config/followthrough.yaml", "--port", "0"],
        cwd=workspace,
        env={"FOLLOWTHROUGH_CLOCK_AT": CLOCK_AT},
    )
    try:
        url = worker.base_url()
        worker.wait_event("job_failed", timeout=60, job="sync")
        for job in ("remind:payments", "report:payments"):
            worker.wait_event("job_finished", timeout=60, job=job)
        samples = scrape(url)
    finally:
        worker.stop()

    served = {name for name in samples if not name.endswith("_created")}  # a counter's start
    missing = [name for name in documented_series() if name not in samples]
    assert not missing, f"documented but not served: {missing}"
    assert served <= set(documented_series()), "served but not documented"

    items = {team: extracted(workspace, team) for team in ("payments", "web")}
    for team in ("payments", "web"):
        want = expected_figures(items[team], TODAY)
        for state in ("open", "done", "dropped"):
            got = value(samples, "followthrough_action_items", team=team, status=state)
            assert got == want["states"][state], (team, state)
        assert value(samples, "followthrough_overdue_items", team=team) == want["overdue"], team
        rate = value(samples, "followthrough_completion_rate", team=team)
        assert math.isnan(rate) if want["completion"] is None else rate == want["completion"]
    assert value(samples, "followthrough_completion_rate", team="payments") == 0.0  # 1 due, open
    assert value(samples, "followthrough_overdue_items", team="payments") == 2

    created = {
        team: value(samples, "followthrough_sync_operations_total", team=team, result="created")
        for team in ("payments", "web")
    }
    # Every item got a ticket (done and won't-do ones closed), but the one naming OPS-9999.
    assert created == {"payments": len(items["payments"]) - 1, "web": len(items["web"])}
    assert value(samples, "followthrough_sync_operations_total", team="web", result="failed") == 0
    assert (
        value(samples, "followthrough_sync_operations_total", team="payments", result="failed") == 1
    )
    assert value(samples, "followthrough_nudges_sent_total", team="payments", kind="nudge") == 0

    calls = samples["followthrough_tracker_api_calls_total"]
    ok_calls = {
        dict(labels)["tracker"]: n for labels, n in calls.items() if ("status", "2xx") in labels
    }
    assert ok_calls["jira"] >= 1
    assert ok_calls["github"] >= 1
    assert ok_calls["github"] >= created["web"]  # GitHub creates one issue per call
    assert (
        value(samples, "followthrough_tracker_api_calls_total", tracker="jira", status="4xx") >= 1
    )
    errors = "followthrough_tracker_api_errors_total"
    assert value(samples, errors, tracker="jira", kind="permanent") >= 1  # OPS-9999: 404
    assert value(samples, errors, tracker="github", kind="temporary") == 0

    for job in ("sync", "remind", "report"):
        result = "failed" if job == "sync" else "ok"  # the payments sync failed on OPS-9999
        runs = samples["followthrough_job_runs_total"]
        assert {
            dict(labels)["result"]: n for labels, n in runs.items() if ("job", job) in labels
        } == {result: 1}
        assert value(samples, "followthrough_job_last_status", job=job) == (result == "failed")
        assert value(samples, "followthrough_job_last_skipped", job=job) == 0
        assert value(samples, "followthrough_job_seconds_total", job=job) > 0
    for job in ("remind", "report"):
        success = value(samples, "followthrough_job_last_success_timestamp_seconds", job=job)
        assert abs(success - dt.datetime.fromisoformat(CLOCK_AT).timestamp()) < 120
    assert value(samples, "followthrough_team_last_status", job="sync", team="web") == 0
    assert value(samples, "followthrough_team_last_status", job="sync", team="payments") == 1
    assert value(samples, "followthrough_team_last_status", job="report", team="payments") == 0
    assert value(samples, "followthrough_leader") == 1
