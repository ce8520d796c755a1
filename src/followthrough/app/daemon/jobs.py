"""Running the worker's jobs: one at a time, failures logged once, and what each run did.

Sits under ``daemon``. `Worker` owns the single worker thread: due jobs queue behind the
running one (jobs never overlap) and a job that is still running or queued when it is due
again is skipped, with a log line. `JobBook` runs one job, turns an exception into a failed
`JobOutcome`, and logs a failure when it starts and when it recovers — not on every retry.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from followthrough.domain.standing import Standing

Clock = Callable[[], dt.datetime]
Log = Callable[..., None]


@dataclass(frozen=True, slots=True)
class Waiting:
    """An item held back until its soak time ends."""

    item: str
    title: str
    until: dt.date | None


@dataclass(frozen=True, slots=True)
class TeamOutcome:
    """What one job did for one team."""

    team: str
    ok: bool
    summary: str
    counts: Mapping[str, int] = field(default_factory=dict)
    waiting: tuple[Waiting, ...] = ()
    error: str | None = None
    files: tuple[str, ...] = ()
    standing: Standing | None = None  # after a sync: where the team's items stand


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What one run of a job did; ``ok`` only when every team it touched succeeded."""

    job: str
    ok: bool
    started: dt.datetime
    finished: dt.datetime
    teams: tuple[TeamOutcome, ...] = ()
    error: str | None = None
    note: str | None = None
    problems: tuple[str, ...] = ()  # sources skipped and documents unread, one line each

    @property
    def seconds(self) -> float:
        return (self.finished - self.started).total_seconds()

    def counts(self) -> dict[str, int]:
        """Counts summed over teams (e.g. ``create``, ``update``, ``posted``)."""
        total: dict[str, int] = {}
        for team in self.teams:
            for key, value in team.counts.items():
                total[key] = total.get(key, 0) + value
        return total


@dataclass(slots=True)
class JobStatus:
    """A job's recent history, for the status page and readiness."""

    last: JobOutcome | None = None
    last_ok: dt.datetime | None = None
    failing_since: dt.datetime | None = None
    failures: int = 0
    runs: int = 0
    skipped: int = 0


JobBody = Callable[[], JobOutcome]
Observer = Callable[[JobOutcome], None]


class JobBook:
    """Runs jobs and keeps their status; failures are logged once, and once on recovery."""

    def __init__(self, *, clock: Clock, log: Log, observe: Observer | None = None) -> None:
        self._clock = clock
        self._log = log
        self._observe = observe
        self._lock = threading.Lock()
        self._status: dict[str, JobStatus] = {}

    def status(self) -> dict[str, JobStatus]:
        """A copy of every job's status, by name."""
        with self._lock:
            return {name: _copy(status) for name, status in self._status.items()}

    def last_runs(self) -> dict[str, dt.datetime]:
        """When each job last finished (the sync interval counts from there)."""
        with self._lock:
            return {n: s.last.finished for n, s in self._status.items() if s.last is not None}

    def run(self, name: str, body: JobBody) -> JobOutcome:
        """Run ``body`` now, in this thread; an exception becomes a failed outcome."""
        started = self._clock()
        self._log("job_started", job=name)
        try:
            outcome = body()
        except Exception as error:  # one job's failure must not stop the others
            outcome = JobOutcome(
                job=name,
                ok=False,
                started=started,
                finished=self._clock(),
                error=f"{type(error).__name__}: {error}",
            )
        if self._observe is not None:  # first: once a run is logged, its metrics are served
            self._observe(outcome)
        self._record(name, outcome)
        return outcome

    def skipped(self, name: str, *, reason: str) -> None:
        """Count a run that did not happen (still running, or no longer the leader)."""
        with self._lock:
            self._status.setdefault(name, JobStatus()).skipped += 1
        self._log("job_skipped", job=name, reason=reason)

    def _record(self, name: str, outcome: JobOutcome) -> None:
        with self._lock:
            status = self._status.setdefault(name, JobStatus())
            status.last, status.runs = outcome, status.runs + 1
            was_failing = status.failing_since
            if outcome.ok:
                status.last_ok, status.failing_since, status.failures = outcome.finished, None, 0
            else:
                status.failures += 1
                status.failing_since = was_failing or outcome.started
        if outcome.ok and was_failing is not None:
            since = (outcome.finished - was_failing).total_seconds()
            self._log("job_recovered", job=name, failing_for_seconds=round(since, 1))
        elif not outcome.ok and was_failing is None:
            self._log("job_failed", job=name, error=_failure_text(outcome), retry="next run")
        elif outcome.ok:
            self._log(
                "job_finished", job=name, seconds=round(outcome.seconds, 2), **_brief(outcome)
            )


def _copy(status: JobStatus) -> JobStatus:
    return JobStatus(
        last=status.last,
        last_ok=status.last_ok,
        failing_since=status.failing_since,
        failures=status.failures,
        runs=status.runs,
        skipped=status.skipped,
    )


def _failure_text(outcome: JobOutcome) -> str:
    if outcome.error:
        return outcome.error
    failed = [f"{t.team}: {t.error or t.summary}" for t in outcome.teams if not t.ok]
    return "; ".join(failed + list(outcome.problems)) or "failed"


def _brief(outcome: JobOutcome) -> dict[str, object]:
    brief: dict[str, object] = {"teams": len(outcome.teams)}
    brief.update(outcome.counts())
    if outcome.note:
        brief["note"] = outcome.note
    return brief


class Worker:
    """The single worker thread: queued jobs run one after another, never side by side."""

    def __init__(self, *, book: JobBook, bodies: Callable[[str], JobBody | None]) -> None:
        self._book = book
        self._bodies = bodies
        self._cv = threading.Condition()
        self._queue: deque[str] = deque()
        self._running: str | None = None
        self._closed = False
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> str | None:
        return self._running

    def submit(self, name: str) -> bool:
        """Queue ``name`` unless it is running or queued already (then skip it and say so)."""
        with self._cv:
            busy = name == self._running or name in self._queue
            if not busy and not self._closed:
                self._queue.append(name)
                self._cv.notify_all()
        if busy:
            self._book.skipped(name, reason="still running or queued from its previous run")
        return not busy

    def run_next(self) -> bool:
        """Run the oldest queued job in this thread (tests, ``--once``); ``False`` when idle."""
        with self._cv:
            if not self._queue or self._running is not None:
                return False
            name = self._queue.popleft()
            self._running = name
        try:
            body = self._bodies(name)
            if body is None:
                self._book.skipped(name, reason="no such job in the current configuration")
            else:
                self._book.run(name, body)
        finally:
            with self._cv:
                self._running = None
                self._cv.notify_all()
        return True

    def start(self) -> None:
        """Start the worker thread (a daemon thread: a stuck job cannot hold the exit)."""
        self._thread = threading.Thread(target=self._loop, name="followthrough-worker", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._closed:
                    self._cv.wait()
                if self._closed:
                    return
            self.run_next()

    def stop(self, *, grace: dt.timedelta) -> bool:
        """Drop queued jobs, let the running one finish; ``True`` when it did within ``grace``."""
        with self._cv:
            self._closed = True
            dropped = list(self._queue)
            self._queue.clear()
            self._cv.notify_all()
        for name in dropped:
            self._book.skipped(name, reason="shutting down")
        if self._thread is None:
            return True
        self._thread.join(grace.total_seconds())
        return not self._thread.is_alive()
