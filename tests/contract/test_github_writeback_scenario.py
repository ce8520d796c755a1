"""Write-back pull requests through the Prism validating proxy: every request and answer checked.

The writer's own requests (pulls by head, branch refs, compare, contents read and update,
pull creation) go through GitHub's official description; a person's commit and the merge
are made with PyGithub through the same proxy.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from github import Github

from followthrough.adapters.sources.github_writeback import TicketKeyPullRequests, branch_for
from followthrough.domain.annotate import TicketNote

from .conftest import PrismStack, ViolationRecorder

pytestmark = pytest.mark.contract

PATH = "payments/2026-10-14-card-auth.md"
DOC = (
    "# Card auth timeouts\n\n## Action items\n\n"
    "| Action | Owner | Ticket |\n|---|---|---|\n"
    "| Alert on pool usage over 80% | @priya | |\n"
    "| Validate pool sizes in the config pipeline | @tom | |\n"
)
FIRST = TicketNote(7, "Alert on pool usage over 80%", "OPS-1")
SECOND = TicketNote(8, "Validate pool sizes in the config pipeline", "OPS-2")


def test_write_back_pull_requests_follow_the_description(
    github_client: Github, prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    name = f"postmortems-{uuid.uuid4().hex[:8]}"
    repo = github_client.get_organization("acme").create_repo(name, auto_init=True)
    repo.create_file(PATH, "Add postmortem", DOC)
    session = requests.Session()
    session.hooks["response"].append(violations.hook_for("github"))
    writer = TicketKeyPullRequests(
        api=prism_stack.github.url,
        token=prism_stack.token,
        repo=f"acme/{name}",
        base="main",
        session=session,
    )

    opened = writer.propose(PATH, [FIRST])
    assert opened.outcome == "opened", opened
    branch = branch_for(PATH)
    current = repo.get_contents(PATH, ref=branch)
    assert not isinstance(current, list)
    assert b"| @priya | OPS-1 |" in current.decoded_content
    repo.update_file(
        PATH, "A person's edit", current.decoded_content + b"\nReviewed.\n", current.sha, branch
    )

    updated = writer.propose(PATH, [FIRST, SECOND])
    assert (updated.outcome, updated.pull) == ("updated", opened.pull), updated
    repo.get_pull(opened.pull or 0).merge()
    assert writer.propose(PATH, [FIRST, SECOND]).outcome == "unchanged"
    assert repo.get_pulls(state="all").totalCount == 1

    violations.assert_reviewed()
