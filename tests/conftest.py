"""Set-up shared by every test."""

from __future__ import annotations

import pytest

from followthrough.adapters.trackers.memory import forget_projects


@pytest.fixture(autouse=True)
def _no_memory_of_earlier_sandboxes() -> None:
    """Each test starts with no memory of tracker projects.

    Every sandbox listens on a port the system picks, and a port freed by one test can be
    given to a later one; a tracker's memory is keyed by its address, so a listing from an
    earlier test would otherwise vouch for tickets of a later test's sandbox for a minute
    (a test of call counts then saw one read fewer, depending on which port it was given).
    """
    forget_projects()
