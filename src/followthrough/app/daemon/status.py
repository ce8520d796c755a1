"""What the worker says about itself: readiness checks and the status view.

Sits under ``daemon``; pure functions of what the daemon hands in, so ``/readyz`` and
``/status.json`` are tested without a running loop. The store is pinged by `StorePing`, on a
thread of its own and with a time limit, so a journal stuck on a stalled network makes the
worker not ready instead of making ``/readyz`` hang.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from followthrough.app.daemon.jobs import JobOutcome, JobStatus
from followthrough.app.daemon.leader import Role
from followthrough.config import Config
from followthrough.ports import Store


def readiness_checks(
    *,
    rejected: Sequence[str],
    store: Mapping[str, Any],
    role: Role,
    sync: JobStatus | None,
    now: dt.datetime,
    unready_after: dt.timedelta,
    jobs: Mapping[str, JobStatus] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each check as ``{"ok": …}``: ready is all of them (the sum of pings). ``outcomes`` is
    detail only: each job's last exit status (0 done, 1 something failed) and what failed."""
    checks: dict[str, dict[str, Any]] = {
        "config": {"ok": True, "refused_change": list(rejected) or None},
        "store": dict(store),
        "leadership": {"ok": role in ("leader", "standby"), "role": role},
    }
    if role != "leader":
        checks["sync"] = {"ok": True, "note": "standby: the leader syncs"}
    elif sync is None or sync.failing_since is None:
        checks["sync"] = {"ok": True, "last_ok": _iso(sync.last_ok if sync else None)}
    else:
        failing_for = now - sync.failing_since
        checks["sync"] = {
            "ok": failing_for <= unready_after,
            "failing_since": _iso(sync.failing_since),
            "error": sync.last.error if sync.last else None,
        }
    if sync is not None and sync.last is not None:
        checks["sync"].update(outcome_detail(sync.last))
    skipped = [p for p in (sync.last.problems if sync and sync.last else ()) if _skipped_source(p)]
    # A source that cannot be read leaves its teams blind: not ready until it is read again.
    checks["sources"] = {"ok": role != "leader" or not skipped, "skipped": skipped or None}
    checks["outcomes"] = {
        "ok": True,  # one team's trouble is named here; only a long sync failure is unready
        "jobs": {
            name: outcome_detail(status.last)
            for name, status in sorted((jobs or {}).items())
            if status.last is not None
        },
    }
    return checks


def _skipped_source(line: str) -> bool:
    """A sync problem line that names a source it could not read (``source …: skipped, …``)."""
    return line.startswith("source ") and ": skipped, " in line


class _PingRun:
    """One ping on its own thread; `result` is set before `done`."""

    def __init__(self, store: Store) -> None:
        self.done = threading.Event()
        self.result: dict[str, Any] = {"ok": False}
        self._store = store
        threading.Thread(target=self._run, name="followthrough-store-ping", daemon=True).start()

    def _run(self) -> None:
        try:
            self._store.ping()
        except Exception as error:  # any failure is "not ready", with its reason
            self.result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        else:
            self.result = {"ok": True}
        self.done.set()


class StorePing:
    """The store check of ``/readyz``: at most one ping at a time, waited for ``timeout``."""

    def __init__(self, *, timeout: float = 0.8) -> None:
        self._timeout = timeout
        self._guard = threading.Lock()
        self._running: _PingRun | None = None

    def check(self, store: Store) -> dict[str, Any]:
        with self._guard:
            if self._running is None or self._running.done.is_set():
                self._running = _PingRun(store)
            running = self._running
        if not running.done.wait(self._timeout):
            return {"ok": False, "error": f"the journal did not answer within {self._timeout} s"}
        return running.result


def exit_status(outcome: JobOutcome) -> int:
    """The exit status the job's run would have had as a command: 0 done, 1 something failed."""
    return 0 if outcome.ok else 1


def outcome_detail(outcome: JobOutcome) -> dict[str, Any]:
    """A run's exit status, the teams that failed (and why), and the sources it skipped."""
    return {
        "last_status": exit_status(outcome),
        "failed_teams": {t.team: t.error or t.summary for t in outcome.teams if not t.ok},
        "skipped": list(outcome.problems),
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def outcome_view(outcome: JobOutcome) -> dict[str, Any]:
    """One job run as JSON."""
    return {
        "ok": outcome.ok,
        "started": _iso(outcome.started),
        "finished": _iso(outcome.finished),
        "error": outcome.error,
        "note": outcome.note,
        "status": exit_status(outcome),
        "skipped": list(outcome.problems),
        "counts": outcome.counts(),
        "teams": [
            {"team": t.team, "ok": t.ok, "summary": t.summary, "counts": dict(t.counts)}
            for t in outcome.teams
        ],
    }


def status_view(
    *,
    pid: int,
    role: Role,
    config: Config,
    rejected: Sequence[str],
    jobs: Mapping[str, JobStatus],
    next_runs: Mapping[str, dt.datetime],
    running: str | None,
) -> dict[str, Any]:
    """Everything ``/status.json`` and the status page show."""
    names = sorted(set(jobs) | set(next_runs))
    view: dict[str, Any] = {
        "pid": pid,
        "role": role,
        "leader": role == "leader",
        "config_file": str(config.file) if config.file else "embedded default",
        "teams": sorted(config.teams),
        "running": running,
        "config_rejected": list(rejected),
        "jobs": {name: _job_view(jobs.get(name), next_runs.get(name)) for name in names},
        "waiting": _waiting(jobs.get("sync")),
    }
    return view


def _job_view(status: JobStatus | None, next_run: dt.datetime | None) -> dict[str, Any]:
    status = status or JobStatus()
    return {
        "next_run": _iso(next_run),
        "runs": status.runs,
        "skipped": status.skipped,
        "failures": status.failures,
        "failing_since": _iso(status.failing_since),
        "last": outcome_view(status.last) if status.last else None,
    }


def _waiting(sync: JobStatus | None) -> dict[str, list[dict[str, Any]]]:
    if sync is None or sync.last is None:
        return {}
    return {
        team.team: [
            {"item": w.item, "title": w.title, "until": w.until.isoformat() if w.until else None}
            for w in team.waiting
        ]
        for team in sync.last.teams
    }
