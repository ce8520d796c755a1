"""The outcome of one tracker write as a value: applied, refused, or unknown.

Engines never steer by exceptions through a half-filled result: a write is attempted once
(with the retry policy) and yields a `WriteOutcome`. "Unknown" means the request may have
reached the tracker (a dropped connection, a gateway error): it is never sent again blindly,
but settled later by looking for its marker or tag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from followthrough.ports import (
    RetryLaterError,
    TicketNotFoundError,
    TrackerError,
    TrackerPermanentError,
    TrackerTemporaryError,
)
from followthrough.retry import RetryLog, RetryPolicy, call_with_retry, may_have_applied

T = TypeVar("T")


class Outcome(StrEnum):
    """What became of a write."""

    APPLIED = "applied"
    REFUSED = "refused"  # the tracker surely did not act on it
    UNKNOWN = "unknown"  # it may have acted: look before sending it again


@dataclass(frozen=True, slots=True)
class WriteOutcome(Generic[T]):
    """One write's outcome, the value it returned when applied, the error otherwise."""

    outcome: Outcome
    value: T | None = None
    error: TrackerError | None = None

    @property
    def applied(self) -> bool:
        return self.outcome == Outcome.APPLIED

    @property
    def message(self) -> str:
        return "" if self.error is None else f"{type(self.error).__name__}: {self.error}"

    @property
    def stops_team(self) -> bool:
        """A refusal that every further write of the team would meet too: bad credentials,
        no permission, a missing project, or a rate limit that asks to wait past the cap."""
        error = self.error
        if isinstance(error, RetryLaterError):
            return True
        if isinstance(error, TicketNotFoundError) or not isinstance(error, TrackerPermanentError):
            return False
        return error.status in (401, 403, 404)

    @property
    def not_found(self) -> bool:
        return isinstance(self.error, TicketNotFoundError)


def attempt(
    call: Callable[[], T],
    *,
    policy: RetryPolicy,
    what: str,
    idempotent: bool,
    on_retry: RetryLog | None = None,
) -> WriteOutcome[T]:
    """Make one write (with retries) and return its outcome instead of raising."""
    try:
        value = call_with_retry(
            call, policy=policy, what=what, on_retry=on_retry, idempotent=idempotent
        )
    except TrackerError as error:
        return failed(error)
    return WriteOutcome(Outcome.APPLIED, value=value)


def failed(error: TrackerError) -> WriteOutcome[Any]:
    """The outcome a tracker error stands for: unknown when the request may have been acted
    on (no answer, a gateway error), refused otherwise."""
    unknown = (
        isinstance(error, TrackerTemporaryError)
        and may_have_applied(error)
        and not isinstance(error, RetryLaterError)
    )
    return WriteOutcome(Outcome.UNKNOWN if unknown else Outcome.REFUSED, error=error)
