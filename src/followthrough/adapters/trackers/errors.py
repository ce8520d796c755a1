"""Tracker adapters' shared HTTP helpers: a server's ``Retry-After`` advice and its clock.

Used by the Jira and GitHub adapters when they turn a 429/503 into a
`TrackerTemporaryError` (the engine's retry policy lets the server's advice win), and to
read the tracker's own time from a response's ``Date`` (listing cursors are in its clock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from email.utils import parsedate_to_datetime


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
