"""Fixtures for the tracker adapter tests: simulators on a frozen clock, and adapters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from followthrough.adapters.trackers.github import GitHubTracker
from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.github import GitHubApp
from followthrough.sandbox.jira import JiraApp

JIRA_START = dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)
JIRA_SEARCH_LAG = 5.0


@pytest.fixture
def jira_clock() -> SimClock:
    """A simulated clock frozen at 2024-05-01 10:00 UTC."""
    clock = SimClock(JIRA_START)
    clock.freeze(JIRA_START)
    return clock


@pytest.fixture
def jira_sandbox(jira_clock: SimClock) -> Iterator[Sandbox]:
    """A started sandbox serving only the Jira simulator (5 s search lag), fresh per test."""
    box = Sandbox(apps=[JiraApp(clock=jira_clock, search_lag=JIRA_SEARCH_LAG)], clock=jira_clock)
    box.start()
    yield box
    box.stop()


@pytest.fixture
def jira_make_tracker(jira_sandbox: Sandbox, jira_clock: SimClock) -> Callable[..., JiraTracker]:
    """Build a `JiraTracker` against the sandbox; keyword arguments override the defaults."""

    def build(**overrides: Any) -> JiraTracker:
        info = jira_sandbox.info()
        options: dict[str, Any] = {
            "url": info["jira"],
            "user": info["user"],
            "token": info["token"],
            "project": "OPS",
            "search_lag": dt.timedelta(seconds=JIRA_SEARCH_LAG),
            "timeout": 5.0,
            "clock": jira_clock.now,
            **overrides,
        }
        return JiraTracker(**options)

    return build


@pytest.fixture
def jira_tracker(jira_make_tracker: Callable[..., JiraTracker]) -> JiraTracker:
    """A Cloud `JiraTracker` for project OPS."""
    return jira_make_tracker()


GITHUB_START = dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def github_clock() -> SimClock:
    """A simulated clock frozen at 2024-05-01 10:00 UTC, for the GitHub simulator."""
    clock = SimClock(GITHUB_START)
    clock.freeze(GITHUB_START)
    return clock


@pytest.fixture
def github_sandbox(github_clock: SimClock) -> Iterator[Sandbox]:
    """A started sandbox serving only the GitHub simulator (repo ``acme/ops``), fresh per test."""
    box = Sandbox(apps=[GitHubApp(clock=github_clock)], clock=github_clock)
    box.start()
    yield box
    box.stop()


@pytest.fixture
def github_app(github_sandbox: Sandbox) -> GitHubApp:
    """The GitHub simulator behind `github_sandbox`, for set-up and assertions."""
    app = github_sandbox.app("github")
    assert isinstance(app, GitHubApp)
    return app


@pytest.fixture
def github_make_tracker(
    github_sandbox: Sandbox, github_clock: SimClock
) -> Callable[..., GitHubTracker]:
    """Build a `GitHubTracker` for ``acme/ops``; keyword arguments override the defaults."""

    def build(**overrides: Any) -> GitHubTracker:
        info = github_sandbox.info()
        options: dict[str, Any] = {
            "token": info["token"],
            "repo": "acme/ops",
            "base_url": info["github"],
            "timeout": 5.0,
            "min_write_interval": 0.0,
            "clock": github_clock.now,
            **overrides,
        }
        return GitHubTracker(**options)

    return build


@pytest.fixture
def github_tracker(github_make_tracker: Callable[..., GitHubTracker]) -> GitHubTracker:
    """A `GitHubTracker` for ``acme/ops`` on github.com-style URLs, without write pacing."""
    return github_make_tracker()
