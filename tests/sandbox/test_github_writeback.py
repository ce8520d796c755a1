"""Write-back pull requests on the simulated GitHub: one per document, kept, never forced or merged."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from github.Repository import Repository

from followthrough.adapters.sources.github_writeback import (
    TicketKeyPullRequests,
    branch_for,
)
from followthrough.domain.annotate import TicketNote
from followthrough.sandbox.core import FaultRule, Sandbox, SimClock
from followthrough.sandbox.github import GitHubApp
from tests.github_client import github_client

PATH = "payments/2026-10-14-card-auth.md"
DOC = (
    "# Card auth timeouts\n\n## Action items\n\n"
    "- Alert on pool usage over 80% (owner: @priya)\n"
    "- Validate pool sizes in the config pipeline (owner: @tom)\n"
    "- Publish a status-page template (owner: @sara)\n"
)
FIRST = TicketNote(5, "Alert on pool usage over 80%", "OPS-1")
SECOND = TicketNote(6, "Validate pool sizes in the config pipeline", "OPS-2")
THIRD = TicketNote(7, "Publish a status-page template", "OPS-3")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    clock = SimClock(datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    clock.freeze()
    with Sandbox(apps=[GitHubApp(clock)], clock=clock) as running:
        yield running


@pytest.fixture
def repo(sandbox: Sandbox) -> Repository:
    gh = github_client(sandbox.public_base("github"), sandbox.token)
    created = gh.get_organization("acme").create_repo("postmortems", auto_init=True)
    created.create_file(PATH, "add the postmortem", DOC)
    return created


@pytest.fixture
def writer(sandbox: Sandbox, repo: Repository) -> TicketKeyPullRequests:
    return TicketKeyPullRequests(
        api=sandbox.public_base("github"), token=sandbox.token, repo=repo.full_name, base="main"
    )


def _text(repo: Repository, ref: str) -> str:
    content = repo.get_contents(PATH, ref=ref)
    assert not isinstance(content, list)
    return base64.b64decode(content.content).decode()


def test_one_pull_request_per_document_with_the_keys_in_the_document_style(
    repo: Repository, writer: TicketKeyPullRequests
) -> None:
    opened = writer.propose(PATH, [FIRST, SECOND])
    assert (opened.outcome, opened.written) == ("opened", (FIRST, SECOND)), opened
    (pull,) = repo.get_pulls(state="all")
    assert (pull.number, pull.head.ref, pull.base.ref) == (opened.pull, branch_for(PATH), "main")
    proposed = _text(repo, branch_for(PATH))
    assert "- Alert on pool usage over 80% (owner: @priya) (OPS-1)\n" in proposed
    assert "- Validate pool sizes in the config pipeline (owner: @tom) (OPS-2)\n" in proposed
    assert _text(repo, "main") == DOC  # nothing lands on the base branch by itself

    again = writer.propose(PATH, [FIRST, SECOND])
    assert again.outcome == "unchanged"
    assert again.pull == opened.pull
    assert repo.get_pulls(state="all").totalCount == 1


def test_later_keys_update_the_same_pull_request_on_top_of_a_persons_commit(
    repo: Repository, writer: TicketKeyPullRequests
) -> None:
    opened = writer.propose(PATH, [FIRST])
    branch = branch_for(PATH)
    current = repo.get_contents(PATH, ref=branch)
    assert not isinstance(current, list)
    edited = _text(repo, branch).replace("# Card auth timeouts", "# Card authorisation timeouts")
    person = repo.update_file(PATH, "a person's fix", edited, sha=current.sha, branch=branch)

    updated = writer.propose(PATH, [FIRST, SECOND])
    assert (updated.outcome, updated.pull) == ("updated", opened.pull)
    assert updated.written == (SECOND,)
    text = _text(repo, branch)
    assert text.startswith("# Card authorisation timeouts\n")  # the person's commit is kept
    assert "(OPS-1)" in text
    assert "(OPS-2)" in text
    head = repo.get_branch(branch).commit
    assert [parent.sha for parent in head.parents] == [person["commit"].sha]  # no force-push
    assert repo.get_pulls(state="all").totalCount == 1
    assert not repo.get_pull(opened.pull or 0).merged  # never merged by us


def test_after_the_merge_the_keys_are_read_and_no_second_pull_request_opens(
    repo: Repository, writer: TicketKeyPullRequests
) -> None:
    opened = writer.propose(PATH, [FIRST, SECOND])
    repo.get_pull(opened.pull or 0).merge(commit_message="ticket keys")
    assert "(OPS-1)" in _text(repo, "main")

    quiet = writer.propose(PATH, [FIRST, SECOND])
    assert quiet.outcome == "unchanged"
    assert repo.get_pulls(state="all").totalCount == 1

    later = writer.propose(PATH, [FIRST, SECOND, THIRD])
    assert later.outcome == "opened"
    assert later.written == (THIRD,)
    assert repo.get_pulls(state="all").totalCount == 2
    assert "(OPS-3)" in _text(repo, branch_for(PATH))


def test_a_pull_request_closed_without_merging_is_respected(
    repo: Repository, writer: TicketKeyPullRequests
) -> None:
    opened = writer.propose(PATH, [FIRST])
    repo.get_pull(opened.pull or 0).edit(state="closed")

    declined = writer.propose(PATH, [FIRST, SECOND])
    assert declined.outcome == "declined"
    assert f"delete the branch {branch_for(PATH)}" in declined.detail
    assert repo.get_pulls(state="all").totalCount == 1


@pytest.mark.parametrize("route", ["/contents/", "/pulls"])
def test_a_lost_answer_is_completed_by_the_next_proposal_never_doubled(
    sandbox: Sandbox, repo: Repository, writer: TicketKeyPullRequests, route: str
) -> None:
    sandbox.faults.add(
        FaultRule(
            kind="drop",
            app="github",
            count=1,
            method="PUT" if route == "/contents/" else "POST",
            route_prefix=f"/repos/acme/postmortems{route}",
            params={"when": "after", "drop": 0.0},
        )
    )
    lost = writer.propose(PATH, [FIRST])
    assert lost.outcome == "failed", lost
    assert "no answer" in lost.detail

    done = writer.propose(PATH, [FIRST])
    # The lost commit is found on the branch; a lost pull request is found open.
    assert done.outcome == ("opened" if route == "/contents/" else "unchanged"), done
    (pull,) = repo.get_pulls(state="all")
    assert done.pull == pull.number
    text = _text(repo, branch_for(PATH))
    assert text.count("OPS-1") == 1
    commits = repo.compare("main", branch_for(PATH)).ahead_by
    assert commits == 1


def test_a_refused_token_is_a_named_failure(sandbox: Sandbox, repo: Repository) -> None:
    writer = TicketKeyPullRequests(
        api=sandbox.public_base("github"), token="wrong", repo=repo.full_name, base="main"
    )
    failed = writer.propose(PATH, [FIRST])
    assert failed.outcome == "failed"
    assert "401" in failed.detail
    assert repo.get_pulls(state="all").totalCount == 0


@pytest.mark.parametrize(
    ("path", "branch"),
    [
        ("payments/pm.md", "followthrough/ticket-keys/payments/pm.md"),
        ("a b/..c/x.lock", "followthrough/ticket-keys/a-b/c/x-"),
        ("x" * 300 + ".md", "followthrough/ticket-keys/" + "x" * 150 + "-"),
    ],
)
def test_branch_names_are_valid_refs(path: str, branch: str) -> None:
    assert branch_for(path).startswith(branch)
    assert len(branch_for(path)) <= 200
    assert ".." not in branch_for(path)
    assert not branch_for(path).endswith((".lock", "/", "."))
