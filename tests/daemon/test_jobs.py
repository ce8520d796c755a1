"""Jobs never overlap, a still-running job is skipped, and a failing job neither stops the rest
nor is logged on every retry."""

from __future__ import annotations

import datetime as dt
import threading

from followthrough.adapters.scheduler import ClockedScheduler
from followthrough.app.daemon.jobs import JobBody, JobBook, JobOutcome, TeamOutcome, Worker
from followthrough.app.daemon.schedule import Every, JobSpec
from tests.daemon.conftest import FakeClock, RecordingLog

START = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


def outcome(name: str, clock: FakeClock, *, ok: bool = True) -> JobOutcome:
    team = TeamOutcome("payments", ok=ok, summary="done", counts={"create": 1})
    return JobOutcome(job=name, ok=ok, started=clock(), finished=clock(), teams=(team,))


def test_jobs_never_overlap_and_a_running_job_is_skipped(log: RecordingLog) -> None:
    clock = FakeClock(START)
    release = threading.Event()
    running: list[str] = []
    overlap: list[tuple[str, ...]] = []
    finished = threading.Event()

    def body(name: str) -> JobBody:
        def run() -> JobOutcome:
            running.append(name)
            overlap.append(tuple(running))
            if name == "sync":
                release.wait(10)
            running.remove(name)
            if name == "remind:web":
                finished.set()
            return outcome(name, clock)

        return run

    book = JobBook(clock=clock, log=log)
    worker = Worker(book=book, bodies=body)
    worker.start()
    assert worker.submit("sync")
    while worker.running != "sync":
        threading.Event().wait(0.01)
    assert not worker.submit("sync")  # still running when due again
    assert worker.submit("remind:web")  # queued behind it, not beside it
    assert not worker.submit("remind:web")
    release.set()
    assert finished.wait(10)
    assert worker.stop(grace=dt.timedelta(seconds=5))
    assert all(len(active) == 1 for active in overlap)
    assert [f["job"] for f in log.named("job_skipped")] == ["sync", "remind:web"]
    status = book.status()
    assert status["sync"].skipped == 1
    assert status["sync"].runs == 1
    assert status["remind:web"].runs == 1


def test_a_failing_job_does_not_stop_the_others_and_is_retried(log: RecordingLog) -> None:
    clock = FakeClock(START)
    calls = {"sync": 0, "remind:web": 0}

    def body(name: str) -> JobBody:
        def run() -> JobOutcome:
            calls[name] += 1
            if name == "sync" and calls[name] <= 3:
                raise RuntimeError("tracker down")
            return outcome(name, clock)

        return run

    book = JobBook(clock=clock, log=log)
    worker = Worker(book=book, bodies=body)
    scheduler = ClockedScheduler(clock)
    minute = Every(dt.timedelta(minutes=1))
    scheduler.replace_all(
        [
            JobSpec("sync", minute, kind="sync", immediately=True),
            JobSpec("remind:web", minute, kind="remind", immediately=True),
        ],
        worker.submit,
        last_runs={},
    )
    for _ in range(5):
        scheduler.run_pending()
        while worker.run_next():
            pass
        clock.advance(minutes=1)
    assert calls == {"sync": 5, "remind:web": 5}
    assert len(log.named("job_failed")) == 1
    assert log.named("job_failed")[0]["error"] == "RuntimeError: tracker down"
    assert len(log.named("job_recovered")) == 1
    status = book.status()
    assert status["sync"].failing_since is None
    assert status["sync"].last is not None
    assert status["sync"].last.ok
    assert status["remind:web"].failures == 0


def test_failed_teams_make_the_job_failed_with_their_errors(log: RecordingLog) -> None:
    clock = FakeClock(START)
    book = JobBook(clock=clock, log=log)
    result = book.run("sync", lambda: outcome("sync", clock, ok=False))
    assert not result.ok
    assert book.status()["sync"].failing_since == START
    assert log.named("job_failed")[0]["error"] == "payments: done"
