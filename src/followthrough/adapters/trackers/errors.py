"""Tracker adapters' shared HTTP helpers: ``Retry-After`` advice, the server's clock,
timeouts and unreachable hosts.

Used by the Jira and GitHub adapters when they turn a 429/503 into a
`TrackerTemporaryError` (the engine's retry policy lets the server's advice win), to read the
tracker's own time from a response's ``Date`` (listing cursors are in its clock), and when a
server cannot be reached at all (one line saying why, not the HTTP client's nested repr).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

# Seconds to wait for a connection, and for each answer once connected. An unreachable host
# costs at most CONNECT_TIMEOUT per attempt, so a command reports it in bounded time.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0

_CAUSES = (
    ("NameResolutionError", "cannot resolve the host name"),
    ("Name or service not known", "cannot resolve the host name"),
    ("ConnectTimeout", "no connection within {connect:g} s (connect timeout)"),
    ("ReadTimeout", "no answer within {read:g} s (read timeout)"),
    ("Connection refused", "connection refused"),
    ("CERTIFICATE_VERIFY_FAILED", "TLS certificate not trusted"),
    ("RemoteDisconnected", "the server closed the connection"),
    ("Connection reset", "the connection was reset"),
)


def unreachable(
    service: str,
    base: str,
    error: BaseException,
    *,
    connect: float = CONNECT_TIMEOUT,
    read: float = READ_TIMEOUT,
) -> str:
    """``Jira at https://x unreachable: connection refused`` — one line, the cause named."""
    text = f"{type(error).__name__}: {error}"
    for needle, said in _CAUSES:
        if needle in text:
            return f"{service} at {base} unreachable: {said.format(connect=connect, read=read)}"
    first = " ".join(str(error).split())[:160]
    return f"{service} at {base} unreachable: {type(error).__name__}: {first}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header value by case-insensitive name (plain dicts are case-sensitive)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def _http_date(text: str) -> dt.datetime | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def retry_after_seconds(
    headers: Mapping[str, str] | None, *, now: dt.datetime | None = None
) -> float | None:
    """Seconds to wait from ``Retry-After`` (delay-seconds or HTTP-date), or ``None``.

    An HTTP-date is measured against the response's own ``Date`` header when present (so
    our clock's skew does not matter), else against ``now`` (default: the current time).
    Negative waits become 0; unparseable values are ignored.
    """
    if not headers:
        return None
    raw = (_header(headers, "Retry-After") or "").strip()
    if not raw:
        return None
    if raw.isdigit() or raw.replace(".", "", 1).isdigit():
        return float(raw)
    until = _http_date(raw)
    if until is None:
        return None
    sent = _http_date(_header(headers, "Date") or "")
    base = sent or now or dt.datetime.now(dt.UTC)
    return max((until - base).total_seconds(), 0.0)


def server_time(headers: Mapping[str, str] | None) -> dt.datetime | None:
    """The moment a response's ``Date`` header gives (the server's clock), or ``None``."""
    text = _header(headers or {}, "Date")
    return _http_date(text) if text else None
