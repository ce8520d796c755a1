"""What the HTTP endpoint shows and allows: the bound address, the banner, half-sent requests."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from followthrough.app.daemon.http import StatusServer
from tests.daemon.conftest import Worker

READ_TIMEOUT = 0.5
MAX_CONNECTIONS = 16


class Quiet:
    """A status source with nothing to report."""

    def readiness(self) -> dict[str, dict[str, Any]]:
        return {"store": {"ok": True}}

    def metrics_text(self) -> str:
        return ""

    def status(self) -> dict[str, Any]:
        return {"role": "leader"}


@pytest.fixture
def server() -> Iterator[StatusServer]:
    served = StatusServer(
        Quiet(),
        host="127.0.0.1",
        port=0,
        read_timeout=READ_TIMEOUT,
        max_connections=MAX_CONNECTIONS,
    )
    served.start()
    yield served
    served.stop()


def test_the_banner_names_no_python_version(server: StatusServer) -> None:
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        banner = response.headers["Server"]
    assert banner == "followthrough"


def half_sent(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: unfinished
    return sock


def closed_by_server(sock: socket.socket, *, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_half_sent_requests_are_closed_and_threads_stay_bounded(server: StatusServer) -> None:
    before = threading.active_count()
    held = [half_sent(server.port) for _ in range(MAX_CONNECTIONS * 6)]
    try:
        time.sleep(READ_TIMEOUT / 2)
        assert threading.active_count() <= before + MAX_CONNECTIONS
        assert all(closed_by_server(sock, within=READ_TIMEOUT + 2) for sock in held)
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
            assert response.status == 200  # still serving
    finally:
        for sock in held:
            sock.close()


def test_the_worker_binds_only_the_address_it_announces(workspace: Path) -> None:
    worker = Worker(["--config", "config/followthrough.yaml", "--port", "0"], cwd=workspace)
    try:
        url = worker.base_url()
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            assert response.status == 200
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()  # other address
    finally:
        worker.stop()


def named(worker: Worker, event: str) -> list[dict[str, Any]]:
    return [e for e in list(worker.events) if e.get("event") == event]


def test_an_address_that_cannot_be_bound_is_one_clear_error(workspace: Path) -> None:
    worker = Worker(
        ["--config", "config/followthrough.yaml", "--host", "192.0.2.1", "--port", "0"],
        cwd=workspace,
    )
    try:
        code = worker.proc.wait(20)
        deadline = time.monotonic() + 5  # the log reader may still be draining the pipe
        while time.monotonic() < deadline and not named(worker, "daemon_stopped"):
            time.sleep(0.05)
        [stopped] = named(worker, "daemon_stopped")
    finally:
        worker.stop()
    assert code == 2
    assert stopped["error"].startswith("cannot listen on 192.0.2.1:0: ")
    assert not [e for e in worker.events if "Traceback" in str(e.get("line", ""))]
