"""Worker processes on PostgreSQL behind a broken network: leadership moves by itself, the
endpoints keep answering, and a stop keeps its grace period.

Each worker reaches PostgreSQL through its own `FaultProxy`, so one replica's link can stall,
be reset, or leave a half-open session on the server while the other's works.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.daemon.conftest import Worker, get, get_json
from tests.stores.fault_proxy import FaultProxy

pytestmark = pytest.mark.postgres

LEASE = 5
GRACE = 5
ARGS = ["--config", "config/followthrough.yaml", "--host", "127.0.0.1", "--port", "0"]


@pytest.fixture
def proxies() -> Iterator[tuple[FaultProxy, FaultProxy]]:
    pair = FaultProxy(), FaultProxy()
    yield pair
    for proxy in pair:
        proxy.close()


def environment(proxy: FaultProxy, dsn: str, **extra: str) -> dict[str, str]:
    return {
        "FOLLOWTHROUGH_STORE__DSN": proxy.url(dsn),
        "FOLLOWTHROUGH_STORE__LEADER_LEASE_SECONDS": str(LEASE),
        **extra,
    }


def status(url: str) -> dict[str, Any]:
    body: dict[str, Any] = get_json(f"{url}/status.json")
    return body


class LeaderWatch:
    """Polls both replicas' status; fails the test the moment both claim leadership."""

    def __init__(self, urls: list[str]) -> None:
        self.urls = urls

    def leaders(self) -> list[str]:
        found = [url for url in self.urls if status(url)["leader"]]
        assert len(found) <= 1, f"two leaders at once: {found}"
        return found

    def roles(self) -> set[str]:
        return {str(status(url)["role"]) for url in self.urls}

    def until(self, check: Callable[[list[str]], bool], timeout: float) -> float:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if check(self.leaders()):
                return time.monotonic() - start
            time.sleep(0.2)
        raise AssertionError(f"not within {timeout} s; leaders now {self.leaders()}")


@pytest.mark.parametrize("fault", ["reset", "stall", "half_open"])
def test_two_replicas_recover_leadership_by_themselves(
    workspace: Path, pg_schema_dsn: str, proxies: tuple[FaultProxy, FaultProxy], fault: str
) -> None:
    first = Worker(ARGS, cwd=workspace, env=environment(proxies[0], pg_schema_dsn))
    second: Worker | None = None
    try:
        first_url = first.base_url()
        first.wait_event("job_finished", job="sync")
        second = Worker(ARGS, cwd=workspace, env=environment(proxies[1], pg_schema_dsn))
        second_url = second.base_url()
        watch = LeaderWatch([first_url, second_url])
        watch.until(lambda _: status(second_url)["role"] == "standby", 10)
        assert watch.leaders() == [first_url]

        getattr(proxies[0], fault)()  # the leader's link breaks; nobody steps in by hand
        first.wait_event("leadership_changed", role="unknown", timeout=2 * LEASE)
        took = watch.until(lambda leaders: len(leaders) == 1, 4 * LEASE)
        proxies[0].heal()
        watch.until(lambda _: watch.roles() == {"leader", "standby"}, 4 * LEASE)
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert took < 4 * LEASE  # the stepped-down leader's lock was freed by the server


def test_readyz_answers_within_a_second_during_a_stall(
    workspace: Path, pg_schema_dsn: str, proxies: tuple[FaultProxy, FaultProxy]
) -> None:
    worker = Worker(ARGS, cwd=workspace, env=environment(proxies[0], pg_schema_dsn))
    try:
        url = worker.base_url()
        worker.wait_event("job_finished", job="sync")
        assert get_json(f"{url}/readyz")["ready"] is True
        proxies[0].stall()
        for _ in range(3):  # the first ask starts a ping that hangs; later ones must not wait
            start = time.monotonic()
            code, body = get(f"{url}/readyz")
            assert time.monotonic() - start < 1
            assert code == 503
            assert "store" in json.loads(body)["failing"]
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            assert response.status == 200
    finally:
        worker.stop()


def test_sigterm_during_a_stall_exits_within_the_grace_period(
    workspace: Path, pg_schema_dsn: str, proxies: tuple[FaultProxy, FaultProxy]
) -> None:
    worker = Worker(
        [*ARGS, "--grace", str(GRACE)], cwd=workspace, env=environment(proxies[0], pg_schema_dsn)
    )
    try:
        url = worker.base_url()
        worker.wait_event("job_started", job="sync")
        proxies[0].stall()  # the journal stops answering, mid-cycle or just after
        get(f"{url}/readyz")  # a ping now hangs on the store as well
        time.sleep(1)
        sent = time.monotonic()
        worker.proc.send_signal(signal.SIGTERM)
        code = worker.proc.wait(GRACE + 10)
        took = time.monotonic() - sent
    finally:
        worker.stop()
    assert took < GRACE + 1
    assert code in (0, 1)  # 1: a job was cut off at the grace period (resumed next start)
    worker.wait_event("daemon_stopped")
