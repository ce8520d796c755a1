"""Jira adapter, transport half: the ``jira`` client's session, call counting, our errors.

Every request of the Jira adapter goes through `JiraHttp`: it builds the ``jira`` client
(no retries, a timeout, basic auth on Cloud and a bearer token on Data Center), counts
each HTTP attempt (and tells a `TrackerCalls` listener its status and every error), and turns ``JIRAError`` and ``requests`` exceptions into the
`TrackerError` family so nothing vendor-specific reaches the engine. Request bodies are
sent `writable_json` (no control or bidi character reaches Jira).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from jira import JIRA, JIRAError
from requests.adapters import HTTPAdapter

from followthrough.adapters.trackers.errors import (
    CONNECT_TIMEOUT,
    retry_after_seconds,
    server_time,
    unreachable,
)
from followthrough.domain.tickets import writable_json
from followthrough.ports import (
    NoTrackerCalls,
    TicketNotFoundError,
    TrackerCalls,
    TrackerError,
    TrackerPermanentError,
    TrackerTemporaryError,
)

T = TypeVar("T")
TEMPORARY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    requests.exceptions.JSONDecodeError,
)


class WritePacer:
    """At most one write per ``interval`` seconds, to stay under Jira's burst limits.

    Reads (GETs, and the POSTs of searches) are not paced. Clock and sleep are injectable.
    """

    def __init__(
        self,
        interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = max(interval, 0.0)
        self._monotonic = monotonic
        self._sleep = sleep
        self._last: float | None = None
        self._lock = threading.Lock()

    def before(self, method: str, url: str) -> None:
        if self._interval <= 0 or method.upper() == "GET" or "/search" in url:
            return
        with self._lock:
            if self._last is not None:
                wait = self._last + self._interval - self._monotonic()
                if wait > 0:
                    self._sleep(wait)
            self._last = self._monotonic()


class _CountingAdapter(HTTPAdapter):
    """Counts every attempt (including those that time out or lose the connection), paced;
    ``count`` gets the answer's status, or ``None`` when none came."""

    def __init__(self, count: Callable[[int | None], None], pacer: WritePacer) -> None:
        super().__init__()
        self._count = count
        self._pacer = pacer

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        self._pacer.before(str(request.method or "GET"), str(request.url or ""))
        try:
            response = super().send(request, *args, **kwargs)
        except BaseException:
            self._count(None)
            raise
        self._count(response.status_code)
        return response


def status_error(
    status: int | None,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    ref: str | None = None,
) -> TrackerError:
    """The error for an HTTP status (``None``: no usable response, worth retrying)."""
    if status is None or status in TEMPORARY_STATUSES or status >= 500:
        return TrackerTemporaryError(
            message, retry_after=retry_after_seconds(headers), status=status
        )
    if status == 404 and ref is not None:
        return TicketNotFoundError(f"{ref}: {message}", status=status)
    return TrackerPermanentError(message, status=status)


def translate(error: Exception, *, ref: str | None = None, base: str = "") -> TrackerError:
    """Our error for a ``jira`` or ``requests`` exception."""
    if isinstance(error, JIRAError):
        response = getattr(error, "response", None)
        headers = dict(response.headers) if response is not None else None
        status = error.status_code if isinstance(error.status_code, int) else None
        text = error.text or "no details"
        return status_error(status, f"Jira {status}: {text}", headers=headers, ref=ref)
    if isinstance(error, _TRANSIENT):
        return TrackerTemporaryError(unreachable("Jira", base or "the configured URL", error))
    if isinstance(error, ValueError):  # a body cut short parses as broken JSON
        return TrackerTemporaryError(f"Jira sent an unreadable response: {error}")
    return TrackerPermanentError(f"Jira request failed: {type(error).__name__}: {error}")


def json_object(value: Any, *, what: str) -> Mapping[str, Any]:
    """A JSON object from a response; anything else (an HTML error page) is worth a retry."""
    if not isinstance(value, Mapping):
        raise TrackerTemporaryError(f"Jira sent an unexpected {what} body: {str(value)[:200]!r}")
    return value


@dataclass(frozen=True, slots=True)
class Answer:
    """A decoded JSON body (``None`` when empty) and the server's time when it answered."""

    data: Any
    date: dt.datetime | None


class JiraHttp:
    """The ``jira`` client plus a counted, error-translated raw request for REST v2."""

    def __init__(
        self,
        *,
        url: str,
        user: str,
        token: str,
        cloud: bool,
        timeout: float,
        pacer: WritePacer | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        listener: TrackerCalls | None = None,
    ) -> None:
        self.base = url.rstrip("/")
        self._lock = threading.Lock()
        self._calls = 0
        self._listener = listener or NoTrackerCalls()
        auth: dict[str, Any] = {"basic_auth": (user, token)} if cloud else {"token_auth": token}
        # No server-info call at construction: nothing here needs the client's version
        # sniffing, and a constructor should not do I/O. Retries are the engine's job.
        self.client = JIRA(
            server=self.base,
            get_server_info=False,
            max_retries=0,
            timeout=(min(connect_timeout, timeout), timeout),
            **auth,
        )
        adapter = _CountingAdapter(self._count, pacer or WritePacer(0.0))
        self._session: requests.Session = self.client._session  # the client's only handle
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def _count(self, status: int | None) -> None:
        with self._lock:
            self._calls += 1
        self._listener.answered("jira", status)

    @property
    def calls(self) -> int:
        """HTTP attempts made so far."""
        with self._lock:
            return self._calls

    @contextmanager
    def translated(self, *, ref: str | None = None) -> Iterator[None]:
        """Raise our error types instead of the client's (``ref``: 404 means no such ticket)."""
        try:
            yield
        except (JIRAError, requests.RequestException, ValueError) as error:
            ours = translate(error, ref=ref, base=self.base)
            self._listener.failed("jira", ours)
            raise ours from error

    def call(self, action: Callable[[], T], *, ref: str | None = None) -> T:
        """Run one ``jira`` client method with translated errors."""
        with self.translated(ref=ref):
            return action()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        ref: str | None = None,
        keep_body_of: frozenset[int] = frozenset(),
    ) -> Any:
        """One REST v2 call; JSON body or ``None``. ``keep_body_of``: error statuses to return."""
        return self.exchange(
            method, path, params=params, body=body, ref=ref, keep_body_of=keep_body_of
        ).data

    def exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        ref: str | None = None,
        keep_body_of: frozenset[int] = frozenset(),
    ) -> Answer:
        """Like `request`, with the answer's ``Date`` (the tracker's clock) beside the body."""
        url = f"{self.base}/rest/api/2/{path}"
        with self.translated(ref=ref):
            try:
                response = self._session.request(
                    method, url, params=params, json=writable_json(body)
                )
            except JIRAError as error:
                kept = error.response if error.status_code in keep_body_of else None
                if kept is None:
                    raise
                response = kept
            data = response.json() if response.content else None
            return Answer(data=data, date=server_time(response.headers))
