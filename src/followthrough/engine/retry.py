"""One retry policy for tracker calls (tenacity): named transient errors only, the server's
``Retry-After`` wins, exponential back-off with jitter, attempts and total time both capped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
)

from followthrough.ports import TrackerTemporaryError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try a tracker call. ``sleep`` is injectable so tests never wait."""

    attempts: int = 6
    max_seconds: float = 300.0
    base_seconds: float = 0.5
    cap_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = field(default=random.random)

    @classmethod
    def no_wait(cls, attempts: int = 6) -> RetryPolicy:
        """For tests: same decisions, no sleeping."""
        return cls(attempts=attempts, sleep=lambda _seconds: None, jitter=lambda: 0.0)

    def wait_seconds(self, state: RetryCallState) -> float:
        """Retry-After when the server gave one, else capped exponential back-off with jitter."""
        error = state.outcome.exception() if state.outcome else None
        backoff: float = min(
            self.cap_seconds, self.base_seconds * 2.0 ** (state.attempt_number - 1)
        )
        backoff *= 0.5 + self.jitter()
        if isinstance(error, TrackerTemporaryError) and error.retry_after is not None:
            return float(max(error.retry_after, 0.0))
        return backoff


def call_with_retry(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    what: str,
    on_retry: Callable[[dict[str, Any]], None] | None = None,
    idempotent: bool = True,
) -> T:
    """Run ``fn``, retrying `TrackerTemporaryError` only; re-raise the last error when out of
    tries. A call that is not ``idempotent`` (a create, a comment) is sent again only when the
    tracker surely did not act on it (`surely_not_applied`)."""

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is None:
            return
        error = state.outcome.exception() if state.outcome else None
        on_retry(
            {
                "event": "retry_scheduled",
                "call": what,
                "attempt": state.attempt_number,
                "cause": f"{type(error).__name__}: {error}",
                "wait_seconds": round(state.upcoming_sleep, 3),
            }
        )

    retrying = Retrying(
        retry=retry_if_exception_type(TrackerTemporaryError)
        if idempotent
        else retry_if_exception(surely_not_applied),
        stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.max_seconds),
        wait=policy.wait_seconds,
        sleep=policy.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(fn)


def may_have_applied(error: TrackerTemporaryError) -> bool:
    """A lost connection, a timeout or a gateway error may come after the tracker acted."""
    return error.status is None or error.status in (500, 502, 504)


def surely_not_applied(error: BaseException) -> bool:
    """Rate limits and 503s are refused before anything is written: safe to send again."""
    return isinstance(error, TrackerTemporaryError) and not may_have_applied(error)


def no_log(_event: str, **_fields: Any) -> None:
    """The default event sink of the engines and jobs: logs nothing."""
    return
