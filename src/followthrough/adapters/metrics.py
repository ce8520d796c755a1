"""Prometheus metrics for the daemon's ``/metrics`` endpoint, on a registry of their own.

Nothing is registered globally: each `Metrics` owns a `CollectorRegistry`, so tests and
several daemons in one process never share state. Gauges are set from each team's standing
after a sync; counters are advanced from sync and reminder results and, through
`TrackerCallMetrics` (a `TrackerCalls` listener), from every tracker HTTP call and error.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge
from prometheus_client import generate_latest as _generate_latest

from followthrough.domain.standing import Standing
from followthrough.ports import TrackerError, TrackerTemporaryError

# Sync operation kinds (``SyncResult.applied`` keys) as reported: created or updated.
_CREATED = frozenset({"create"})
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """The followthrough metrics, registered on ``registry`` (a new one by default)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        r = self.registry
        self.items = Gauge(
            "followthrough_action_items",
            "Action items by team and state.",
            ["team", "status"],
            registry=r,
        )
        self.overdue = Gauge(
            "followthrough_overdue_items",
            "Open action items past their due date (due before today in the team's zone).",
            ["team"],
            registry=r,
        )
        self.completion = Gauge(
            "followthrough_completion_rate",
            "Share of the items due in the last complete week that are done (NaN: none due).",
            ["team"],
            registry=r,
        )
        self.open_by_age = Gauge(
            "followthrough_open_items_by_age",
            "Open action items by how long ago they were promised.",
            ["team", "age"],
            registry=r,
        )
        self.recurring = Gauge(
            "followthrough_recurring_promises",
            "Promises made in two or more postmortems whose latest is still open.",
            ["team"],
            registry=r,
        )
        self.nudges = Counter(
            "followthrough_nudges_sent", "Reminder comments posted.", ["team", "kind"], registry=r
        )
        self.sync = Counter(
            "followthrough_sync_operations",
            "Tracker writes made by sync, by result (created, updated, failed).",
            ["team", "result"],
            registry=r,
        )
        self.api_calls = Counter(
            "followthrough_tracker_api_calls",
            "Tracker HTTP calls, by status class (2xx, 3xx, 4xx, 5xx; none: no answer).",
            ["tracker", "status"],
            registry=r,
        )
        self.api_errors = Counter(
            "followthrough_tracker_api_errors",
            "Tracker errors raised instead of an answer, by kind (temporary, permanent).",
            ["tracker", "kind"],
            registry=r,
        )

        self._jobs = _JobMetrics(r)

    def record_job(
        self, job: str, *, ok: bool, seconds: float, finished: float, skipped: int
    ) -> None:
        """One run of a worker job (``finished``: a Unix time; ``skipped``: sources and
        documents it could not read)."""
        jobs = self._jobs
        jobs.runs.labels(job=job, result="ok" if ok else "failed").inc()
        jobs.seconds.labels(job=job).inc(max(seconds, 0.0))
        if ok:
            jobs.last_success.labels(job=job).set(finished)
        jobs.status.labels(job=job).set(0 if ok else 1)
        jobs.skipped.labels(job=job).set(skipped)

    def record_team_status(self, job: str, team: str, *, ok: bool) -> None:
        self._jobs.team_status.labels(job=job, team=team).set(0 if ok else 1)

    def set_leader(self, leader: bool) -> None:
        self._jobs.leader.set(int(leader))

    def update_standing(self, team: str, standing: Standing) -> None:
        """Set a team's gauges from where its items stand now."""
        for status, count in (
            ("open", standing.open),
            ("done", standing.done),
            ("dropped", standing.dropped),
        ):
            self.items.labels(team=team, status=status).set(count)
        self.overdue.labels(team=team).set(standing.overdue)
        rate = standing.completion_rate
        self.completion.labels(team=team).set(float("nan") if rate is None else rate)
        for age, count in standing.open_by_age.items():
            self.open_by_age.labels(team=team, age=age).set(count)
        self.recurring.labels(team=team).set(standing.recurring_open)

    def record_nudges(self, team: str, *, reminders: int = 0, escalations: int = 0) -> None:
        self.nudges.labels(team=team, kind="nudge").inc(reminders)
        self.nudges.labels(team=team, kind="escalation").inc(escalations)

    def record_sync(self, team: str, *, applied: Mapping[str, int], failed: int) -> None:
        """From a sync result: ``applied`` counts by operation kind, ``failed`` writes."""
        created = sum(n for kind, n in applied.items() if kind in _CREATED)
        updated = sum(n for kind, n in applied.items() if kind not in _CREATED)
        self.sync.labels(team=team, result="created").inc(created)
        self.sync.labels(team=team, result="updated").inc(updated)
        self.sync.labels(team=team, result="failed").inc(failed)

    def record_api_call(self, tracker: str, status: int | None) -> None:
        """One tracker HTTP call and its status (``None``: no answer came)."""
        self.api_calls.labels(tracker=tracker, status=status_class(status)).inc()
        for kind in _ERROR_KINDS:  # every kind shows from the first call on, at 0 until one
            self.api_errors.labels(tracker=tracker, kind=kind)

    def record_api_error(self, tracker: str, error: TrackerError) -> None:
        """One error a tracker adapter raised (temporary: worth retrying; else permanent)."""
        kind = "temporary" if isinstance(error, TrackerTemporaryError) else "permanent"
        self.api_errors.labels(tracker=tracker, kind=kind).inc()

    def tracker_calls(self) -> TrackerCallMetrics:
        """The listener to hand the tracker adapters (a `followthrough.ports.TrackerCalls`)."""
        return TrackerCallMetrics(self)

    def exposition(self) -> bytes:
        """The text format for ``GET /metrics`` (serve with `CONTENT_TYPE`)."""
        return generate_latest(self.registry)


_ERROR_KINDS = ("temporary", "permanent")


def status_class(status: int | None) -> str:
    """``2xx`` for 200 to 299 and so on; ``none`` when no answer came."""
    return "none" if status is None else f"{status // 100}xx"


class TrackerCallMetrics:
    """The `TrackerCalls` listener that counts into `Metrics`."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def answered(self, tracker: str, status: int | None) -> None:
        self._metrics.record_api_call(tracker, status)

    def failed(self, tracker: str, error: TrackerError) -> None:
        self._metrics.record_api_error(tracker, error)


STATUS_TEXT = "Last run's exit status as a command would give it: 0 done, 1 something failed."
TEAM_TEXT = "Last run's status for one team: 0 done, 1 failed (tracker refused, error)."
SKIPPED_TEXT = "Sources skipped and documents unread in the job's last run."


class _JobMetrics:
    """The worker's own series: job runs, time, last success and status, leadership."""

    def __init__(self, r: CollectorRegistry) -> None:
        self.runs = Counter(
            "followthrough_job_runs", "Job runs by job kind and result.", ["job", "result"],
            registry=r,
        )  # fmt: skip
        self.seconds = Counter(
            "followthrough_job_seconds", "Time spent in jobs.", ["job"], registry=r
        )
        self.last_success = Gauge(
            "followthrough_job_last_success_timestamp_seconds", "Last successful run.", ["job"],
            registry=r,
        )  # fmt: skip
        self.leader = Gauge(
            "followthrough_leader", "1 when this replica is the leader.", registry=r
        )
        self.status = Gauge("followthrough_job_last_status", STATUS_TEXT, ["job"], registry=r)
        self.team_status = Gauge(
            "followthrough_team_last_status", TEAM_TEXT, ["job", "team"], registry=r
        )
        self.skipped = Gauge("followthrough_job_last_skipped", SKIPPED_TEXT, ["job"], registry=r)


def generate_latest(registry: CollectorRegistry) -> bytes:
    """The Prometheus text exposition of one registry (never the global default)."""
    return _generate_latest(registry)
