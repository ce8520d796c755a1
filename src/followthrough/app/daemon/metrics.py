"""The worker's metrics, in the Prometheus text format, for ``/metrics``.

Sits under ``daemon``. The daemon talks to a `Metrics` object only: job outcomes go in, the
exposition comes out. `metrics_for_daemon` picks the implementation: the shared registry of
``adapters.metrics`` (with the job counters added to it), or this module's own small counters.
"""

from __future__ import annotations

import threading
from typing import Protocol

from followthrough.adapters.metrics import SKIPPED_TEXT as _SKIPPED_TEXT
from followthrough.adapters.metrics import STATUS_TEXT as _STATUS_TEXT
from followthrough.adapters.metrics import TEAM_TEXT as _TEAM_TEXT
from followthrough.adapters.metrics import Metrics as SharedMetrics
from followthrough.app.daemon.jobs import JobOutcome

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics(Protocol):
    """What the daemon records, and the text ``/metrics`` serves."""

    def job_finished(self, outcome: JobOutcome) -> None: ...

    def set_leader(self, leader: bool) -> None: ...

    def render(self) -> str: ...


def _labels(**labels: str) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    inner = ",".join(f'{key}="{escape(value)}"' for key, value in sorted(labels.items()))
    return "{" + inner + "}" if inner else ""


_STATUS_HELP = (
    f"# HELP followthrough_job_last_status {_STATUS_TEXT}",
    "# TYPE followthrough_job_last_status gauge",
)
_TEAM_STATUS_HELP = (
    f"# HELP followthrough_team_last_status {_TEAM_TEXT}",
    "# TYPE followthrough_team_last_status gauge",
)
_SKIPPED_HELP = (
    f"# HELP followthrough_job_last_skipped {_SKIPPED_TEXT}",
    "# TYPE followthrough_job_last_skipped gauge",
)


class DaemonMetrics:
    """Counters and gauges kept in memory (one process's view, reset at restart)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[tuple[str, str], int] = {}
        self._seconds: dict[str, float] = {}
        self._last_success: dict[str, float] = {}
        self._written: dict[tuple[str, str], int] = {}
        self._status: dict[str, int] = {}
        self._team_status: dict[tuple[str, str], int] = {}
        self._skipped: dict[str, int] = {}
        self._leader = 0

    def job_finished(self, outcome: JobOutcome) -> None:
        kind = outcome.job.partition(":")[0]
        result = "ok" if outcome.ok else "failed"
        with self._lock:
            self._runs[(kind, result)] = self._runs.get((kind, result), 0) + 1
            self._seconds[kind] = self._seconds.get(kind, 0.0) + outcome.seconds
            if outcome.ok:
                self._last_success[kind] = outcome.finished.timestamp()
            self._status[kind] = 0 if outcome.ok else 1
            self._skipped[kind] = len(outcome.problems)
            for team in outcome.teams:
                self._team_status[(kind, team.team)] = 0 if team.ok else 1
                for key, value in team.counts.items():
                    if key in ("create", "update", "adopt", "rekey", "annotate", "posted"):
                        slot = (team.team, key)
                        self._written[slot] = self._written.get(slot, 0) + value

    def set_leader(self, leader: bool) -> None:
        with self._lock:
            self._leader = int(leader)

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP followthrough_leader 1 when this replica is the leader.",
                "# TYPE followthrough_leader gauge",
                f"followthrough_leader {self._leader}",
                "# HELP followthrough_job_runs_total Job runs by job kind and result.",
                "# TYPE followthrough_job_runs_total counter",
                *(
                    f"followthrough_job_runs_total{_labels(job=job, result=result)} {n}"
                    for (job, result), n in sorted(self._runs.items())
                ),
                "# HELP followthrough_job_seconds_total Time spent in jobs, by job kind.",
                "# TYPE followthrough_job_seconds_total counter",
                *(
                    f"followthrough_job_seconds_total{_labels(job=job)} {s:.3f}"
                    for job, s in sorted(self._seconds.items())
                ),
                "# HELP followthrough_job_last_success_timestamp_seconds Last successful run.",
                "# TYPE followthrough_job_last_success_timestamp_seconds gauge",
                *(
                    f"followthrough_job_last_success_timestamp_seconds{_labels(job=job)} {t:.0f}"
                    for job, t in sorted(self._last_success.items())
                ),
                *self._status_lines(),
                "# HELP followthrough_tracker_writes_total Tracker writes made, by team and kind.",
                "# TYPE followthrough_tracker_writes_total counter",
                *(
                    f"followthrough_tracker_writes_total{_labels(team=team, operation=op)} {n}"
                    for (team, op), n in sorted(self._written.items())
                ),
            ]
        return "\n".join(lines) + "\n"

    def _status_lines(self) -> list[str]:
        """The last run's outcome per job and per team (called with the lock held)."""
        return [
            *_STATUS_HELP,
            *(
                f"followthrough_job_last_status{_labels(job=job)} {n}"
                for job, n in sorted(self._status.items())
            ),
            *_TEAM_STATUS_HELP,
            *(
                f"followthrough_team_last_status{_labels(job=job, team=team)} {n}"
                for (job, team), n in sorted(self._team_status.items())
            ),
            *_SKIPPED_HELP,
            *(
                f"followthrough_job_last_skipped{_labels(job=job)} {n}"
                for job, n in sorted(self._skipped.items())
            ),
        ]


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
            counts = dict(team.counts)
            if kind == "sync":
                failed = counts.pop("failed", 0)
                counts.pop("waiting", None)
                self.shared.record_sync(team.team, applied=counts, failed=failed)
            elif kind == "remind":
                self.shared.record_nudges(team.team, reminders=counts.get("posted", 0))

    def set_leader(self, leader: bool) -> None:
        self.shared.set_leader(leader)

    def render(self) -> str:
        return self.shared.exposition().decode("utf-8")


def metrics_for_daemon() -> Metrics:
    """The metrics implementation the daemon uses (`DaemonMetrics` needs no registry)."""
    return RegistryMetrics()
