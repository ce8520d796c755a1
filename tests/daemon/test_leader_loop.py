"""The election loop on a hand-written lock: stepping down, staying down, trusting a proof."""

from __future__ import annotations

import datetime as dt
import time

from followthrough.adapters.stores import StoreError
from followthrough.app.daemon.leader import ElectedLeadership
from tests.daemon.conftest import FakeClock, RecordingLog

START = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


class FakeLock:
    """A `LeaderLock` whose session the test breaks."""

    def __init__(self, lease: dt.timedelta) -> None:
        self.lease = lease
        self.free = True
        self.alive = True
        self.tries = 0

    def try_acquire(self) -> bool:
        self.tries += 1
        if not self.alive:
            raise StoreError("unreachable")
        return self.free

    def check_held(self) -> None:
        if not self.alive:
            raise StoreError("session lost")

    def release(self) -> None:
        return None


def test_a_lost_session_is_lost_leadership_at_once(log: RecordingLog) -> None:
    clock, lock = FakeClock(START), FakeLock(dt.timedelta(seconds=15))
    leadership = ElectedLeadership(lock, clock=clock, log=log)
    assert leadership.refresh() == "leader"
    lock.alive = False
    assert leadership.refresh() == "unknown"
    assert not leadership.is_leader()
    assert log.named("leadership_changed")[-1]["reason"].startswith("connection lost")


def test_a_stepped_down_leader_waits_a_retry_before_trying_again(log: RecordingLog) -> None:
    clock, lock = FakeClock(START), FakeLock(dt.timedelta(seconds=15))
    leadership = ElectedLeadership(lock, clock=clock, log=log)
    leadership.refresh()
    lock.alive = False
    leadership.refresh()
    lock.alive, tries = True, lock.tries
    assert leadership.refresh() == "unknown"  # a standby gets the first chance
    assert lock.tries == tries
    clock.advance(seconds=3)
    assert leadership.refresh() == "leader"


def test_a_leader_without_a_recent_proof_does_not_act(log: RecordingLog) -> None:
    lease = dt.timedelta(seconds=0.4)
    leadership = ElectedLeadership(FakeLock(lease), clock=FakeClock(START), log=log)
    assert leadership.refresh() == "leader"
    assert leadership.is_leader()
    time.sleep(0.3)  # more than half a lease without a refresh (a stuck loop)
    assert leadership.role == "leader"
    assert not leadership.is_leader()
    leadership.refresh()
    assert leadership.is_leader()
