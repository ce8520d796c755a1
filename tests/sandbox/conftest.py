"""Fixtures for the sandbox tests: a fresh Jira-only sandbox on a frozen clock, and clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from jira import JIRA

from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.jira import JiraApp

START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> SimClock:
    """A simulated clock frozen at 2024-05-01 10:00 UTC."""
    sim = SimClock(START)
    sim.freeze(START)
    return sim


@pytest.fixture
def sandbox(clock: SimClock) -> Iterator[Sandbox]:
    """A started sandbox serving only the Jira simulator, fresh per test."""
    box = Sandbox(apps=[JiraApp(clock=clock)], clock=clock, seed=7)
    box.start()
    yield box
    box.stop()


@pytest.fixture
def make_jira(sandbox: Sandbox) -> Callable[[str], JIRA]:
    """Build a real ``jira`` client for an API version ("2" or "3")."""

    def build(version: str = "2") -> JIRA:
        info = sandbox.info()
        return JIRA(
            server=info["jira"],
            basic_auth=(info["user"], info["token"]),
            options={"rest_api_version": version},
            max_retries=0,
        )

    return build


@pytest.fixture
def jira2(make_jira: Callable[[str], JIRA]) -> JIRA:
    """A v2 client (plain-text rich text)."""
    return make_jira("2")


@pytest.fixture
def jira3(make_jira: Callable[[str], JIRA]) -> JIRA:
    """A v3 client (ADF rich text)."""
    return make_jira("3")
