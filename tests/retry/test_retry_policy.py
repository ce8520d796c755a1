"""The one retry policy: named transient errors only, Retry-After honoured up to a cap, the
total-time cap checked before sleeping, non-idempotent calls resent only when surely refused,
and every retry logged — for tracker calls and report mail alike."""

from __future__ import annotations

from typing import Any

import pytest

from followthrough.ports import (
    RetryLaterError,
    TrackerPermanentError,
    TrackerTemporaryError,
)
from followthrough.retry import RetryPolicy, call_with_retry


class Flaky:
    """Fails with the given errors in turn, then answers ``done``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def policy(slept: list[float], **options: Any) -> RetryPolicy:
    return RetryPolicy(sleep=slept.append, jitter=lambda: 0.5, **options)


def test_retry_after_is_honoured_within_the_cap() -> None:
    slept: list[float] = []
    call = Flaky(TrackerTemporaryError("slow down", retry_after=7, status=429))
    assert call_with_retry(call, policy=policy(slept), what="x") == "done"
    assert slept == [7.0]


def test_a_retry_after_beyond_the_cap_is_not_slept_on() -> None:
    """Before: GitHub's one-hour reset slept an hour on the worker's only thread."""
    slept: list[float] = []
    call = Flaky(TrackerTemporaryError("primary limit", retry_after=3600, status=403))
    with pytest.raises(RetryLaterError, match="3600 s, more than the 120 s cap"):
        call_with_retry(call, policy=policy(slept), what="create")
    assert slept == []
    assert call.calls == 1


def test_the_total_time_cap_is_checked_before_sleeping() -> None:
    slept: list[float] = []
    call = Flaky(*[TrackerTemporaryError("busy", retry_after=50, status=503)] * 5)
    with pytest.raises(TrackerTemporaryError):
        call_with_retry(call, policy=policy(slept, max_seconds=120), what="x")
    assert slept == [50.0, 50.0]  # a third wait would end past 120 s: given up before it
    assert call.calls == 3


def test_permanent_errors_are_never_retried() -> None:
    slept: list[float] = []
    call = Flaky(TrackerPermanentError("no", status=400))
    with pytest.raises(TrackerPermanentError):
        call_with_retry(call, policy=policy(slept), what="x")
    assert call.calls == 1


@pytest.mark.parametrize(
    ("status", "resent"), [(None, False), (502, False), (429, True), (503, True)]
)
def test_a_write_that_may_have_applied_is_never_resent(status: int | None, resent: bool) -> None:
    slept: list[float] = []
    call = Flaky(TrackerTemporaryError("lost", status=status))
    if resent:
        assert call_with_retry(call, policy=policy(slept), what="x", idempotent=False) == "done"
    else:
        with pytest.raises(TrackerTemporaryError):
            call_with_retry(call, policy=policy(slept), what="x", idempotent=False)
    assert call.calls == (2 if resent else 1)


def test_every_retry_is_logged() -> None:
    events: list[dict[str, Any]] = []
    call = Flaky(
        TrackerTemporaryError("busy", status=503), TrackerTemporaryError("busy", status=503)
    )
    call_with_retry(call, policy=policy([]), what="comment", on_retry=events.append)
    assert [(e["event"], e["call"], e["attempt"]) for e in events] == [
        ("retry_scheduled", "comment", 1),
        ("retry_scheduled", "comment", 2),
    ]
