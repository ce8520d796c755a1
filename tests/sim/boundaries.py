"""Numbered call boundaries at the engines' ports, and the faults injected at them.

`PortProxy` wraps any port object (a store, a tracker adapter, a mailer) and sends every public
method call through a `Timeline`. Each call is a *boundary* before it runs; a write is also a
boundary after it returned. The timeline numbers boundaries in the order they are reached
(deterministic, since a run is) and applies the fault its schedule names for that number.
Wrapping by name keeps the proxy working when a port gains or changes methods.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Protocol

from followthrough.adapters.mail import MailOutcomeUnknownError
from followthrough.ports import TrackerPermanentError, TrackerTemporaryError

Phase = Literal["before", "after"]
ANY = "any"  # a random schedule's entry: pick one of the kinds that fit the boundary

# Calls that are not port traffic: local getters and lifecycle.
LOCAL_METHODS = frozenset({"consistency_window", "close", "migrate", "calls"})
# A method writes when its first word is one of these (``comment`` writes, ``comments`` reads).
WRITE_WORDS = frozenset(
    {"create", "update", "adopt", "comment", "send", "transition", "delete"}
    | {"begin", "finish", "save", "set", "remember"}
)


class Crash(BaseException):
    """kill -9 at a boundary: unwinds the whole run; nothing after it runs, no handler sees it."""


class FaultKind(StrEnum):
    """What can happen at a boundary."""

    CRASH = "crash"
    LOST = "lost"  # the tracker (or relay) acted, the answer never arrived
    REFUSE_429 = "429"
    REFUSE_429_LONG = "429-long"  # Retry-After: 3600, GitHub's primary-limit reset
    REFUSE_503 = "503"
    REFUSE_500 = "500"
    REFUSE_401 = "401"
    REFUSE_403 = "403"
    REFUSE_404 = "404"
    DELAY_INSIDE = "delay-inside"  # the clock moves half the search lag
    DELAY_PAST = "delay-past"  # the clock moves past the search lag


REFUSALS = (
    FaultKind.REFUSE_429,
    FaultKind.REFUSE_429_LONG,
    FaultKind.REFUSE_503,
    FaultKind.REFUSE_500,
    FaultKind.REFUSE_401,
    FaultKind.REFUSE_403,
    FaultKind.REFUSE_404,
)
DELAYS = (FaultKind.DELAY_INSIDE, FaultKind.DELAY_PAST)


@dataclass(frozen=True, slots=True)
class Boundary:
    """One numbered place in a run: a port call, before it or after it returned."""

    number: int
    port: str  # "store", "tracker", "mail"
    team: str
    method: str
    phase: Phase

    def __str__(self) -> str:
        return f"#{self.number} {self.port}.{self.method} {self.phase} ({self.team or '-'})"


def kinds_at(boundary: Boundary) -> tuple[FaultKind, ...]:
    """The fault kinds that mean something at a boundary.

    A crash before a call is the same crash as one after the previous write (reads change
    nothing a restart keeps), so crashes are placed after writes only.
    """
    if boundary.phase == "after":
        return (FaultKind.CRASH,) if boundary.port == "store" else (FaultKind.CRASH, FaultKind.LOST)
    if boundary.port == "store":
        return ()
    if boundary.port == "mail":
        return (FaultKind.REFUSE_503, FaultKind.REFUSE_403)
    return (*REFUSALS, *DELAYS)


def is_write(method: str) -> bool:
    return method.split("_", 1)[0] in WRITE_WORDS


class Surroundings(Protocol):
    """What faults act on besides the call itself: the sandbox, the relay, the clock."""

    def arm_refusal(self, port: str, kind: FaultKind) -> bool:
        """Make the next request of this port fail; False when it cannot be done there."""
        ...

    def disarm(self) -> None: ...

    def advance(self, seconds: float) -> None: ...

    def search_lag(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Injected:
    boundary: Boundary
    kind: FaultKind


@dataclass
class Timeline:
    """Numbers the boundaries of one episode and applies its fault schedule."""

    surroundings: Surroundings
    schedule: Mapping[int, FaultKind | str] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    team: str = ""
    count: int = 0
    tracker_writes: int = 0
    injected: list[Injected] = field(default_factory=list)
    seen: list[Boundary] = field(default_factory=list)
    keep_seen: bool = False

    def call(self, port: str, method: str, fn: Callable[[], Any]) -> Any:
        write = is_write(method)
        fault = self._reach(port, method, "before")
        if write and port != "store":
            self.tracker_writes += 1
        try:
            if fault is not None:
                self._before(port, fault)
            result = fn()
        finally:
            self.surroundings.disarm()
        if write:
            fault = self._reach(port, method, "after")
            if fault is not None:
                self._after(port, fault)
        return result

    def _reach(self, port: str, method: str, phase: Phase) -> FaultKind | None:
        self.count += 1
        boundary = Boundary(self.count, port, self.team, method, phase)
        if self.keep_seen:
            self.seen.append(boundary)
        wanted = self.schedule.get(self.count)
        if wanted is None:
            return None
        kinds = kinds_at(boundary)
        if not kinds:
            return None
        kind = self.rng.choice(kinds) if wanted == ANY else FaultKind(wanted)
        if kind not in kinds:
            return None
        self.injected.append(Injected(boundary, kind))
        return kind

    def _before(self, port: str, kind: FaultKind) -> None:
        if kind == FaultKind.CRASH:
            raise Crash(f"crash before boundary {self.count}")
        if kind in DELAYS:
            lag = self.surroundings.search_lag()
            self.surroundings.advance(lag / 2 if kind == FaultKind.DELAY_INSIDE else lag + 1)
            return
        if not self.surroundings.arm_refusal(port, kind):
            raise TrackerPermanentError(f"HTTP {kind.value} (injected)", status=int(kind.value[:3]))

    def _after(self, port: str, kind: FaultKind) -> None:
        if kind == FaultKind.CRASH:
            raise Crash(f"crash after boundary {self.count}")
        if port == "mail":
            raise MailOutcomeUnknownError("connection lost after the data was sent (injected)")
        raise TrackerTemporaryError("connection dropped after the request (injected)", status=None)


class PortProxy:
    """Stands in for a port object: every public method call is a boundary on the timeline."""

    def __init__(self, inner: Any, *, port: str, timeline: Timeline) -> None:
        self._inner = inner
        self._port = port
        self._timeline = timeline

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name.startswith("_") or name in LOCAL_METHODS or not callable(attribute):
            return attribute

        def through_boundary(*args: Any, **kwargs: Any) -> Any:
            return self._timeline.call(self._port, name, lambda: attribute(*args, **kwargs))

        return through_boundary
