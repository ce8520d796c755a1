"""Loopback HTTP plumbing for the sandbox: one threaded server per simulated vendor.

This module knows nothing about vendors, faults or state. It reads a request, hands a
``RawExchange`` to a dispatch callable and writes the ``RawReply`` back, optionally cutting
the connection part-way through the body to simulate a dropped connection.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class RawExchange:
    """One HTTP request as read from the socket."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RawReply:
    """What to write back; ``cut_after`` bytes of body are sent before the socket closes."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    cut_after: int | None = None


Dispatch = Callable[[RawExchange], RawReply]


def _write_reply(handler: BaseHTTPRequestHandler, reply: RawReply) -> None:
    """Send status, headers and body; cut the body short and close for a dropped connection.

    The reply's own ``Date`` (the simulated clock) replaces the real-time one.
    """
    handler.log_request(reply.status)
    handler.send_response_only(reply.status)
    handler.send_header("Server", handler.version_string())
    if not any(name.lower() == "date" for name in reply.headers):
        handler.send_header("Date", handler.date_time_string())
    for name, value in reply.headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(reply.body)))
    if reply.cut_after is not None:
        handler.send_header("Connection", "close")
    handler.end_headers()
    if reply.cut_after is None:
        handler.wfile.write(reply.body)
        return
    handler.wfile.write(reply.body[: reply.cut_after])
    handler.wfile.flush()
    handler.close_connection = True
    with contextlib.suppress(OSError):
        handler.connection.shutdown(socket.SHUT_RDWR)


def _make_handler(dispatch: Dispatch) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def version_string(self) -> str:
            return "followthrough-sandbox/1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = dispatch(RawExchange(self.command, self.path, headers, body))
            _write_reply(self, reply)

        do_GET = _serve  # noqa: N815 - names fixed by BaseHTTPRequestHandler
        do_POST = _serve  # noqa: N815
        do_PUT = _serve  # noqa: N815
        do_DELETE = _serve  # noqa: N815
        do_PATCH = _serve  # noqa: N815
        do_HEAD = _serve  # noqa: N815
        do_OPTIONS = _serve  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet; accounting is the record of traffic."""

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LoopbackServer:
    """A ThreadingHTTPServer bound to loopback, serving in a daemon thread."""

    def __init__(self, *, host: str, port: int, dispatch: Dispatch) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"the sandbox only binds loopback, not {host!r}")
        self._httpd = _Server((host, port), _make_handler(dispatch))
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.host = host

    @property
    def port(self) -> int:
        """The bound port (useful when 0 was asked for)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL of the bound address."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Start serving in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
