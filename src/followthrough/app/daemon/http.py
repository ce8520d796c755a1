"""The worker's HTTP endpoints: liveness, readiness, metrics, status (JSON and a small page).

Sits under ``daemon``; the standard library's threading server, one thread per connection,
read only. It binds exactly the address it is given, says only ``followthrough`` in
``Server:``, closes a connection whose request stops arriving for ``read_timeout`` seconds,
and refuses connections beyond ``max_connections`` at once (so threads stay bounded).
``/healthz`` says the process answers; ``/readyz`` is the sum of the checks the daemon
reports (200 or 503 with a JSON body naming the failing check); ``/metrics`` is Prometheus
text; ``/status.json`` and ``/`` show teams, last results, waiting items and next runs.
"""

from __future__ import annotations

import html
import json
import socket
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast

from followthrough.app.daemon.metrics import CONTENT_TYPE as METRICS_TYPE


class StatusSource(Protocol):
    """What the endpoints read; every method is called from a request thread."""

    def readiness(self) -> dict[str, dict[str, Any]]:
        """Check name → ``{"ok": bool, ...details}``."""
        ...

    def metrics_text(self) -> str: ...

    def status(self) -> dict[str, Any]:
        """A JSON-ready view: role, teams, jobs (last outcome, next run), waiting items."""
        ...


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        source: StatusSource,
        *,
        read_timeout: float,
        max_connections: int,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.source = source
        self.read_timeout = read_timeout
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # full: refused rather than queued on a new thread
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class _Handler(BaseHTTPRequestHandler):
    server_version = "followthrough"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(cast(_Server, self.server).read_timeout)  # every read

    def version_string(self) -> str:
        return self.server_version  # no Python version for a scanner to match

    def do_GET(self) -> None:
        source = cast(_Server, self.server).source
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self._send(200, "application/json", json.dumps({"status": "alive"}))
        elif path == "/readyz":
            checks = source.readiness()
            ready = all(check.get("ok") for check in checks.values())
            body = {"ready": ready, "failing": [n for n, c in checks.items() if not c.get("ok")]}
            self._send(200 if ready else 503, "application/json", json.dumps(body | checks))
        elif path == "/metrics":
            self._send(200, METRICS_TYPE, source.metrics_text())
        elif path == "/status.json":
            self._send(200, "application/json", json.dumps(source.status(), default=str))
        elif path == "/":
            self._send(200, "text/html; charset=utf-8", status_page(source.status()))
        else:
            self._send(404, "application/json", json.dumps({"error": "not found"}))

    def _send(self, code: int, content_type: str, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: probes every few seconds would drown the structured log."""


class StatusServer:
    """Serves the endpoints on a background thread until `stop`."""

    def __init__(
        self,
        source: StatusSource,
        *,
        host: str,
        port: int,
        read_timeout: float = 10.0,
        max_connections: int = 64,
    ) -> None:
        self._server = _Server(
            (host, port), source, read_timeout=read_timeout, max_connections=max_connections
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="followthrough-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Where the server listens, exactly as bound."""
        host = str(self._server.server_address[0])
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def status_page(status: Mapping[str, Any]) -> str:
    """The status page: every value escaped, nothing interactive."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>followthrough</title>",
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;"
        "text-align:left;vertical-align:top}</style></head><body>",
        f"<h1>followthrough</h1><p>role: <b>{_e(status.get('role'))}</b> · "
        f"config: {_e(status.get('config_file'))} · teams: "
        f"{_e(', '.join(status.get('teams', [])))}</p>",
        _jobs_table(status.get("jobs", {})),
        _waiting_table(status.get("waiting", {})),
    ]
    if status.get("config_rejected"):
        items = "".join(f"<li>{_e(p)}</li>" for p in status["config_rejected"])
        parts.append(f"<h2>Refused configuration change</h2><ul>{items}</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def _jobs_table(jobs: Mapping[str, Mapping[str, Any]]) -> str:
    rows = []
    for name, job in sorted(jobs.items()):
        last = job.get("last") or {}
        result = "—" if not last else ("ok" if last.get("ok") else "failed")
        teams = "; ".join(f"{t['team']}: {t['summary']}" for t in last.get("teams", []))
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{_e(v)}</td>"
                for v in (
                    name,
                    last.get("finished", "—"),
                    result,
                    teams or last.get("error") or last.get("note") or "",
                    job.get("next_run", "—"),
                )
            )
            + "</tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("job", "last run", "result", "did", "next run"))
    return f"<h2>Jobs</h2><table><tr>{head}</tr>{''.join(rows)}</table>"


def _waiting_table(waiting: Mapping[str, list[Mapping[str, Any]]]) -> str:
    rows = [
        f"<tr><td>{_e(team)}</td><td>{_e(w.get('title'))}</td><td>{_e(w.get('until'))}</td></tr>"
        for team, items in sorted(waiting.items())
        for w in items
    ]
    head = "<tr><th>team</th><th>item</th><th>becomes a ticket on</th></tr>"
    return f"<h2>Waiting for soak</h2><table>{head}{''.join(rows)}</table>"
