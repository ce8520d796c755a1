"""The worker's metrics, in the Prometheus text format, for ``/metrics``.

Sits under ``daemon``. The daemon talks to a `Metrics` object only: job outcomes go in (each
team's standing after a sync, writes, reminders, job results), tracker calls are counted by the
listener it hands the tracker adapters, and the exposition comes out.
"""

from __future__ import annotations

from typing import Protocol

from followthrough.adapters.metrics import Metrics as SharedMetrics
from followthrough.app.daemon.jobs import JobOutcome
from followthrough.ports import TrackerCalls

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics(Protocol):
    """What the daemon records, and the text ``/metrics`` serves."""

    def job_finished(self, outcome: JobOutcome) -> None: ...

    def set_leader(self, leader: bool) -> None: ...

    def tracker_calls(self) -> TrackerCalls: ...

    def render(self) -> str: ...


class RegistryMetrics:
    """The shared Prometheus registry (``adapters.metrics``), fed from job outcomes."""

    def __init__(self, metrics: SharedMetrics | None = None) -> None:
        self.shared = metrics or SharedMetrics()

    def job_finished(self, outcome: JobOutcome) -> None:
        kind = outcome.job.partition(":")[0]
        self.shared.record_job(
            kind,
            ok=outcome.ok,
            seconds=outcome.seconds,
            finished=outcome.finished.timestamp(),
            skipped=len(outcome.problems),
        )
        for team in outcome.teams:
            self.shared.record_team_status(kind, team.team, ok=team.ok)
            if team.standing is not None:
                self.shared.update_standing(team.team, team.standing)
            counts = dict(team.counts)
            if kind == "sync":
                failed = counts.pop("failed", 0)
                counts.pop("waiting", None)
                self.shared.record_sync(team.team, applied=counts, failed=failed)
            elif kind == "remind":
                escalations = counts.get("escalated", 0)
                self.shared.record_nudges(
                    team.team,
                    reminders=counts.get("posted", 0) - escalations,
                    escalations=escalations,
                )

    def set_leader(self, leader: bool) -> None:
        self.shared.set_leader(leader)

    def tracker_calls(self) -> TrackerCalls:
        return self.shared.tracker_calls()

    def render(self) -> str:
        return self.shared.exposition().decode("utf-8")


def metrics_for_daemon() -> Metrics:
    """The metrics the daemon serves, on a registry of their own."""
    return RegistryMetrics()
