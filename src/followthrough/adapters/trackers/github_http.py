"""GitHub adapter, transport half: PyGithub's requester, call counting, write pacing, our errors.

Every request of the GitHub adapter goes through `GitHubHttp.request`, which sends it with
``Github.requester.requestJson`` (PyGithub supplies the token header, the base URL with an
Enterprise ``/api/v3`` prefix, the connection pool and the timeout; retries are off and its
own pacing is off). Using the requester directly gives us the status and headers of every
answer, which conditional requests (``If-None-Match`` → 304) and ``Retry-After`` need, and
lets payloads follow the official REST description (labels as ``{"labels": [...]}``).

Every request body is sent `writable_json`: no control or bidi character reaches GitHub,
whichever path built it. Writes are paced: at most one per ``min_write_interval`` seconds, measured from the end of
the previous write, as GitHub asks to stay clear of its secondary (content-creation) limits.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

import requests
from github import Auth, Consts, GithubException
from github.Requester import Requester

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

ACCEPT = "application/vnd.github+json"
API_VERSION = "2022-11-28"
SECONDARY_LIMIT_WAIT = 60.0  # GitHub: wait at least a minute when no header says how long
MAX_PAGES = 1_000  # a guard against a server whose Link header never ends
_NEXT = re.compile(r'<(?P<url>[^>]+)>\s*;\s*rel="next"')


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer: status, lower-cased headers, decoded JSON (``None`` when empty)."""

    status: int
    headers: Mapping[str, str]
    data: Any


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A listing page as last seen, reusable when the server answers 304."""

    etag: str
    items: tuple[Any, ...]
    next_url: str | None


@dataclass(slots=True)
class PageCache:
    """ETags and items of the pages of one listing, keyed by request URL."""

    pages: dict[str, CachedPage] = field(default_factory=dict)


def next_link(headers: Mapping[str, str]) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header."""
    found = _NEXT.search(headers.get("link", ""))
    return found.group("url") if found else None


def _message(data: Any) -> str:
    if isinstance(data, Mapping):
        text = str(data.get("message") or "")
        errors = data.get("errors")
        return f"{text} {json.dumps(errors)}" if errors else text
    return str(data or "")[:200]


def _rate_limited(status: int, message: str, headers: Mapping[str, str]) -> bool:
    if status == 429:
        return True
    lowered = message.lower()
    return status == 403 and (
        "rate limit" in lowered
        or "retry-after" in headers
        or headers.get("x-ratelimit-remaining") == "0"
    )


def rate_limit_wait(headers: Mapping[str, str], *, now: dt.datetime) -> float:
    """Seconds to wait: ``Retry-After``, else the primary window's reset, else a minute."""
    advised = retry_after_seconds(headers, now=now)
    if advised is not None:
        return advised
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return max(float(reset) - now.timestamp(), 0.0)
    return SECONDARY_LIMIT_WAIT


def status_error(
    status: int, data: Any, headers: Mapping[str, str], *, ref: str | None, now: dt.datetime
) -> TrackerError:
    """Our error for an HTTP error status (``ref``: the issue asked for, if any)."""
    message = _message(data)
    text = f"GitHub {status}: {message or 'no details'}"
    if _rate_limited(status, message, headers):
        return TrackerTemporaryError(
            text, retry_after=rate_limit_wait(headers, now=now), status=status
        )
    if status == 408 or status >= 500:
        wait = retry_after_seconds(headers, now=now)
        return TrackerTemporaryError(text, retry_after=wait, status=status)
    if status in (404, 410) and ref is not None:
        return TicketNotFoundError(f"{ref}: {text}", status=status)
    return TrackerPermanentError(text, status=status)


def _decode(output: str, *, status: int) -> Any:
    """JSON, or for an error status the text itself (a proxy's HTML page, say)."""
    if not output.strip():
        return None
    try:
        return json.loads(output)
    except ValueError as error:  # a body cut short by a dropped connection
        if status >= 400:
            return output
        raise TrackerTemporaryError(f"GitHub sent an unreadable response: {error}") from error


class GitHubHttp:
    """Counted, paced, error-translated requests through PyGithub's requester."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str,
        timeout: float,
        min_write_interval: float,
        clock: Callable[[], dt.datetime],
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        listener: TrackerCalls | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.calls = 0
        self._listener = listener or NoTrackerCalls()
        self._clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._interval = max(min_write_interval, 0.0)
        self._last_write: float | None = None
        # PyGithub's client insists on one whole-second timeout; its requester hands the value
        # to requests unchanged, which takes (connect, read): an unreachable host then costs
        # only the short connect timeout. Built directly, as the client would build it.
        self._requester = Requester(
            auth=Auth.Token(token),
            base_url=self.base_url,
            timeout=cast(int, (min(CONNECT_TIMEOUT, timeout), max(timeout, 1.0))),
            user_agent=Consts.DEFAULT_USER_AGENT,
            per_page=Consts.DEFAULT_PER_PAGE,
            verify=True,
            retry=None,
            pool_size=None,
            seconds_between_requests=0,
            seconds_between_writes=0,
        )

    def request(
        self,
        verb: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        ref: str | None = None,
        ok: frozenset[int] = frozenset(),
    ) -> Answer:
        """One call; error statuses raise our errors unless listed in ``ok``. The listener
        hears of the call's status and of the error raised, if any."""
        try:
            return self._request(
                verb, url, params=params, body=body, headers=headers, ref=ref, ok=ok
            )
        except TrackerError as error:
            self._listener.failed("github", error)
            raise

    def _request(
        self,
        verb: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: Mapping[str, str] | None,
        ref: str | None,
        ok: frozenset[int],
    ) -> Answer:
        writing = verb != "GET"
        if writing:
            self._pace()
        sent = {"Accept": ACCEPT, "X-GitHub-Api-Version": API_VERSION, **(headers or {})}
        try:
            self.calls += 1
            status, got, output = self._requester.requestJson(
                verb, url, dict(params) if params else None, sent, writable_json(body)
            )
        except (requests.RequestException, OSError) as error:
            self._listener.answered("github", None)
            raise TrackerTemporaryError(unreachable("GitHub", self.base_url, error)) from error
        except GithubException as error:
            self._listener.answered("github", error.status)
            raise status_error(
                error.status, error.data, error.headers or {}, ref=ref, now=self._clock()
            ) from error
        except RuntimeError as error:  # PyGithub refuses a redirect to another host or scheme
            self._listener.answered("github", None)
            raise TrackerPermanentError(f"GitHub request refused: {error}") from error
        finally:
            if writing:
                self._last_write = self._monotonic()
        self._listener.answered("github", status)
        lowered = {str(k).lower(): str(v) for k, v in got.items()}
        data = _decode(output, status=status)
        if status >= 400 and status not in ok:
            raise status_error(status, data, lowered, ref=ref, now=self._clock())
        return Answer(status=status, headers=lowered, data=data)

    def _pace(self) -> None:
        if self._last_write is None or self._interval <= 0:
            return
        wait = self._last_write + self._interval - self._monotonic()
        if wait > 0:
            self._sleep(wait)

    def all_pages(
        self, url: str, params: Mapping[str, Any], *, ref: str | None = None
    ) -> list[Any]:
        """Every item of a paged list, following ``Link: rel="next"``."""
        items: list[Any] = []
        answer = self.request("GET", url, params=params, ref=ref)
        for _ in range(MAX_PAGES):
            items += _items(answer.data)
            following = next_link(answer.headers)
            if following is None:
                break
            answer = self.request("GET", following, ref=ref)
        return items

    def cached_pages(
        self, url: str, params: Mapping[str, Any], cache: PageCache
    ) -> tuple[list[Any], dt.datetime | None]:
        """Like `all_pages`, asking with ``If-None-Match`` for pages seen before.

        A 304 costs no rate limit; the page's items come from ``cache``, which is then
        replaced by the pages of this listing only. Also returns GitHub's time (``Date``)
        when it answered the first page: the listing is complete up to then.
        """
        items: list[Any] = []
        seen: dict[str, CachedPage] = {}
        first: dt.datetime | None = None
        target: str | None = self._absolute(url, params)
        for page_number in range(MAX_PAGES):
            if target is None:
                break
            page, answered = self._conditional_page(target, cache.pages.get(target))
            first = answered if page_number == 0 else first
            seen[target] = page
            items += page.items
            target = page.next_url
        cache.pages = seen
        return items, first

    def _conditional_page(
        self, url: str, known: CachedPage | None
    ) -> tuple[CachedPage, dt.datetime | None]:
        headers = {"If-None-Match": known.etag} if known and known.etag else {}
        answer = self.request("GET", url, headers=headers)
        answered = server_time(answer.headers)
        if answer.status == 304 and known is not None:
            return known, answered
        items = tuple(_items(answer.data))
        page = CachedPage(
            etag=answer.headers.get("etag", ""), items=items, next_url=next_link(answer.headers)
        )
        return page, answered

    def _absolute(self, url: str, params: Mapping[str, Any]) -> str:
        query = urlencode(sorted((str(k), str(v)) for k, v in params.items()))
        return f"{self.base_url}{url}?{query}" if query else f"{self.base_url}{url}"


def _items(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TrackerTemporaryError(f"GitHub sent an unexpected list body: {str(data)[:200]!r}")
    return data
