"""The HTTP endpoints, by real requests: health, readiness, metrics, status JSON and page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from followthrough.app.daemon.core import Daemon, DaemonOptions, Parts
from followthrough.app.daemon.http import StatusServer
from followthrough.app.daemon.jobs import JobOutcome, TeamOutcome, Waiting
from followthrough.app.daemon.leader import Role, SingleReplica
from followthrough.app.daemon.metrics import RegistryMetrics
from followthrough.app.wiring import open_configured_store
from followthrough.config import load_config
from tests.daemon.conftest import FakeClock, RecordingLog, get, get_json

START = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


class Standby(SingleReplica):
    """A replica that is not the leader."""

    @property
    def role(self) -> Role:
        return "standby"

    def is_leader(self) -> bool:
        return False

    def refresh(self) -> Role:
        return "standby"


class Served:
    def __init__(self, daemon: Daemon, server: StatusServer, clock: FakeClock) -> None:
        self.daemon, self.server, self.clock = daemon, server, clock
        self.url = f"http://127.0.0.1:{server.port}"


def serve(workspace: Path, log: RecordingLog, leadership: SingleReplica) -> Iterator[Served]:
    config = load_config(workspace / "config" / "followthrough.yaml")
    clock = FakeClock(START)
    parts = Parts(
        store=open_configured_store(config),
        leadership=leadership,
        metrics=RegistryMetrics(),
        load=load_config,
    )
    daemon = Daemon(config, parts=parts, clock=clock, log=log, options=DaemonOptions())
    server = StatusServer(daemon, host="127.0.0.1", port=0)
    server.start()
    try:
        yield Served(daemon, server, clock)
    finally:
        server.stop()
        parts.store.close()


@pytest.fixture
def served(workspace: Path, log: RecordingLog) -> Iterator[Served]:
    yield from serve(workspace, log, SingleReplica())


def sync_run(clock: FakeClock, *, ok: bool, summary: str = "2 created") -> JobOutcome:
    waiting = (Waiting("pm-1:abc", "Add <b>alerts</b> & paging", dt.date(2026, 11, 26)),)
    team = TeamOutcome("payments", ok=ok, summary=summary, counts={"create": 2}, waiting=waiting)
    return JobOutcome(job="sync", ok=ok, started=clock(), finished=clock(), teams=(team,))


def test_healthz_and_readyz_when_all_is_well(served: Served) -> None:
    assert get(f"{served.url}/healthz") == (200, '{"status": "alive"}')
    status, _body = get(f"{served.url}/readyz")
    assert status == 200
    body = get_json(f"{served.url}/readyz")
    assert body["ready"] is True
    assert body["leadership"]["role"] == "leader"
    assert get(f"{served.url}/nowhere")[0] == 404


def test_readyz_names_a_sync_failing_for_too_long(served: Served) -> None:
    served.daemon.book.run("sync", lambda: sync_run(served.clock, ok=False))
    assert get(f"{served.url}/readyz")[0] == 200  # failing, but not for long yet
    served.clock.advance(minutes=31)  # three 10-minute intervals
    status, _ = get(f"{served.url}/readyz")
    body = get_json(f"{served.url}/readyz")
    assert status == 503
    assert body["failing"] == ["sync"]
    served.daemon.book.run("sync", lambda: sync_run(served.clock, ok=True))
    assert get(f"{served.url}/readyz")[0] == 200


def test_readyz_fails_at_once_while_a_source_cannot_be_read(served: Served) -> None:
    skipped = "source github acme/postmortems:/: skipped, GitHub answered 404 (check the repo)"
    unread = "postmortems/web/x.md:1: unreadable-document: file is empty"

    def failed_run() -> JobOutcome:
        return JobOutcome(
            job="sync",
            ok=False,
            started=served.clock(),
            finished=served.clock(),
            problems=(skipped, unread),
        )

    served.daemon.book.run("sync", failed_run)
    status, _ = get(f"{served.url}/readyz")
    body = get_json(f"{served.url}/readyz")
    assert status == 503  # no grace: the teams of that source are blind
    assert body["failing"] == ["sources"]
    assert body["sources"]["skipped"] == [skipped]  # an unreadable document is not a source
    served.daemon.book.run("sync", lambda: sync_run(served.clock, ok=True))
    assert get(f"{served.url}/readyz")[0] == 200


def test_readyz_names_an_unreachable_store(served: Served) -> None:
    served.daemon._runtime.store.close()  # the journal goes away under the daemon
    status, _ = get(f"{served.url}/readyz")
    assert status == 503
    assert get_json(f"{served.url}/readyz")["failing"] == ["store"]


def test_standby_is_ready(workspace: Path, log: RecordingLog) -> None:
    for served in serve(workspace, log, Standby()):
        body = get_json(f"{served.url}/readyz")
        assert body["ready"] is True
        assert body["leadership"]["role"] == "standby"
        assert get_json(f"{served.url}/status.json")["leader"] is False


def test_metrics_are_prometheus_text(served: Served) -> None:
    served.daemon.book.run("sync", lambda: sync_run(served.clock, ok=True))
    status, text = get(f"{served.url}/metrics")
    assert status == 200
    assert "# TYPE followthrough_job_runs_total counter" in text
    assert 'followthrough_job_runs_total{job="sync",result="ok"} 1.0' in text
    assert 'followthrough_sync_operations_total{result="created",team="payments"} 2.0' in text


def test_status_json_and_the_escaped_page(served: Served) -> None:
    served.daemon.book.run("sync", lambda: sync_run(served.clock, ok=True, summary="<script>x"))
    status = get_json(f"{served.url}/status.json")
    assert status["role"] == "leader"
    assert status["teams"] == ["payments", "web"]
    assert status["jobs"]["sync"]["last"]["teams"][0]["summary"] == "<script>x"
    assert status["jobs"]["remind:web"]["next_run"] == "2026-11-24T14:30:00+00:00"
    assert status["waiting"]["payments"][0]["until"] == "2026-11-26"
    code, page = get(f"{served.url}/")
    assert code == 200
    assert "<script>" not in page
    assert "&lt;script&gt;x" in page
    assert "Add &lt;b&gt;alerts&lt;/b&gt; &amp; paging" in page
    assert "remind:web" in page


def test_the_shared_registry_carries_job_and_sync_metrics() -> None:
    clock = FakeClock(START)
    metrics = RegistryMetrics()
    metrics.job_finished(sync_run(clock, ok=True))
    counts = {"posted": 3, "escalated": 1, "failed": 0}
    team = TeamOutcome("payments", ok=True, summary="3 reminders posted", counts=counts)
    metrics.job_finished(
        JobOutcome(job="remind:payments", ok=True, started=clock(), finished=clock(), teams=(team,))
    )
    metrics.set_leader(True)
    text = metrics.render()
    assert 'followthrough_nudges_sent_total{kind="nudge",team="payments"} 2.0' in text
    assert 'followthrough_nudges_sent_total{kind="escalation",team="payments"} 1.0' in text
    assert 'followthrough_job_runs_total{job="sync",result="ok"} 1.0' in text
    assert 'followthrough_sync_operations_total{result="created",team="payments"} 2.0' in text
    assert "followthrough_leader 1.0" in text
