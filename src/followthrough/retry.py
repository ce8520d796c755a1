"""The one retry policy (tenacity) for tracker calls and report mail: named transient errors
only, the server's ``Retry-After`` honoured up to a cap, exponential back-off with jitter,
attempts and total time both capped, and every retry logged as one event.

A wait the server asks for beyond the cap is not slept on the worker's only thread: the call
gives up at once with `RetryLaterError`, and the rest of the work waits for the next cycle.
The total-time cap is checked before sleeping, so a retry never starts a wait it cannot finish.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception

from followthrough.ports import RetryLaterError, TrackerTemporaryError, TransientError

T = TypeVar("T")
RetryLog = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try a call. ``sleep`` is injectable so tests never wait."""

    attempts: int = 6
    max_seconds: float = 300.0
    base_seconds: float = 0.5
    cap_seconds: float = 60.0
    max_retry_after: float = 120.0  # a longer Retry-After is left for the next cycle
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = field(default=random.random)

    @classmethod
    def no_wait(cls, attempts: int = 6) -> RetryPolicy:
        """For tests: same decisions, no sleeping."""
        return cls(attempts=attempts, sleep=lambda _seconds: None, jitter=lambda: 0.0)

    def wait_seconds(self, state: RetryCallState) -> float:
        """Retry-After when the server gave one, else capped exponential back-off with jitter."""
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransientError) and error.retry_after is not None:
            return float(max(error.retry_after, 0.0))
        backoff: float = min(
            self.cap_seconds, self.base_seconds * 2.0 ** (state.attempt_number - 1)
        )
        return backoff * (0.5 + self.jitter())

    def should_stop(self, state: RetryCallState) -> bool:
        """Out of attempts, or the next wait would end past the total-time cap."""
        if state.attempt_number >= self.attempts:
            return True
        # idle_for counts the waits themselves (an injected sleep takes no real time)
        elapsed = max(state.seconds_since_start or 0.0, state.idle_for)
        return elapsed + self.wait_seconds(state) > self.max_seconds


def call_with_retry(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    what: str,
    on_retry: RetryLog | None = None,
    idempotent: bool = True,
) -> T:
    """Run ``fn``, retrying `TransientError` only; re-raise the last error when out of tries.

    A call that is not ``idempotent`` (a create, a comment, a mail) is sent again only when the
    server surely did not act on it (`surely_not_applied`). A ``Retry-After`` above the
    policy's cap raises `RetryLaterError` without waiting.
    """

    def retryable(error: BaseException) -> bool:
        if not isinstance(error, TransientError):
            return False
        return idempotent or surely_not_applied(error)

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        if on_retry is not None:
            on_retry(
                {
                    "event": "retry_scheduled",
                    "call": what,
                    "attempt": state.attempt_number,
                    "cause": f"{type(error).__name__}: {error}",
                    "wait_seconds": round(state.upcoming_sleep, 3),
                }
            )

    def checked() -> T:
        try:
            return fn()
        except TransientError as error:
            raise _capped(error, policy=policy, what=what) from error

    retrying = Retrying(
        retry=retry_if_exception(retryable),
        stop=policy.should_stop,
        wait=policy.wait_seconds,
        sleep=policy.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(checked)


def _capped(error: TransientError, *, policy: RetryPolicy, what: str) -> TransientError:
    """The error itself, or `RetryLaterError` when its Retry-After exceeds the cap."""
    wait = error.retry_after
    if wait is None or wait <= policy.max_retry_after or isinstance(error, RetryLaterError):
        return error
    return RetryLaterError(
        f"{what}: the server asks to wait {wait:g} s, more than the {policy.max_retry_after:g} s "
        f"cap; left for the next cycle ({error})",
        retry_after=wait,
        status=error.status,
    )


def may_have_applied(error: TransientError) -> bool:
    """A lost connection, a timeout or a gateway error may come after the server acted."""
    return error.status is None or error.status in (500, 502, 504)


def surely_not_applied(error: BaseException) -> bool:
    """Rate limits and 503s are refused before anything is written: safe to send again."""
    return isinstance(error, TransientError) and not may_have_applied(error)


def log_retries(log: Callable[..., None]) -> RetryLog:
    """A retry sink that writes each retry as one event to an engine's ``log``."""

    def sink(fields: dict[str, Any]) -> None:
        event = dict(fields)
        log(str(event.pop("event")), **event)

    return sink


def no_log(_event: str, **_fields: Any) -> None:
    """The default event sink of the engines and jobs: logs nothing."""
    return


__all__ = [
    "RetryLaterError",
    "RetryPolicy",
    "TrackerTemporaryError",
    "call_with_retry",
    "log_retries",
    "may_have_applied",
    "no_log",
    "surely_not_applied",
]
