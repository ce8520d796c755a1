"""The GitHub repository source against the sandbox's GitHub: first read, conditional head
check, incremental reads by blob SHA, and the tarball fallback for a truncated tree."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from github.Repository import Repository

from followthrough.adapters.sources.github_repo import (
    GitHubRepoSource,
    RepoLocation,
    RepoSourceError,
)
from followthrough.adapters.sources.reader import DocumentReader
from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.github import GitHubApp
from tests.github_client import github_client

START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def postmortem(title: str, owner: str) -> str:
    return (
        f"# {title}\n\n**Date:** 2024-04-20\n\n## Action items\n\n"
        f"- [ ] Alert on pool saturation (owner: {owner}, due 2024-06-01)\n"
    )


@pytest.fixture
def app() -> GitHubApp:
    clock = SimClock(START)
    clock.freeze()
    return GitHubApp(clock)


@pytest.fixture
def sandbox(app: GitHubApp) -> Iterator[Sandbox]:
    with Sandbox(apps=[app], clock=app.clock) as running:
        yield running


@pytest.fixture
def repo(sandbox: Sandbox) -> Repository:
    gh = github_client(sandbox.public_base("github"), sandbox.token)
    created = gh.get_organization("acme").create_repo("postmortems", auto_init=True)
    created.create_file("postmortems/payments/checkout.md", "add", postmortem("Checkout", "alice"))
    created.create_file("postmortems/search/index.md", "add", postmortem("Index lag", "bob"))
    created.create_file("postmortems/search/notes.txt", "add", "not a document\n")
    created.create_file("postmortems/.drafts/wip.md", "add", postmortem("WIP", "carol"))
    created.create_file("docs/runbook.md", "add", postmortem("Runbook", "dave"))
    return created


def source(sandbox: Sandbox, **options: object) -> GitHubRepoSource:
    session = requests.Session()
    session.headers["Authorization"] = f"token {sandbox.token}"
    location = RepoLocation(
        api=sandbox.public_base("github"), repo="acme/postmortems", path="postmortems"
    )
    return GitHubRepoSource(location, session=session, reader=DocumentReader(), **options)  # type: ignore[arg-type]


def core_used(app: GitHubApp) -> int:
    return app.state.rate["core"].used


def test_first_read_from_the_tarball(sandbox: Sandbox, repo: Repository) -> None:
    read = source(sandbox).read()
    assert [pm.path for pm in read.postmortems] == [
        "acme/postmortems/postmortems/payments/checkout.md",
        "acme/postmortems/postmortems/search/index.md",
    ]
    assert [pm.team for pm in read.postmortems] == ["payments", "search"]
    assert all(pm.action_items for pm in read.postmortems)
    assert (read.api_calls, read.downloads) == (2, 1)
    assert read.head == repo.get_branch("main").commit.sha


def test_first_read_from_tree_and_blobs(sandbox: Sandbox, repo: Repository) -> None:
    read = source(sandbox, first_read="tree").read()
    assert len(read.postmortems) == 2
    assert (read.api_calls, read.downloads) == (2 + 2, 0)  # head, tree, one blob per document


def test_unchanged_head_is_a_304_that_costs_no_rate_limit(
    sandbox: Sandbox, app: GitHubApp, repo: Repository
) -> None:
    reading = source(sandbox)
    first = reading.read()
    used = core_used(app)
    again = reading.read()
    assert again.unchanged is True
    assert again.api_calls == 1
    assert core_used(app) == used
    assert again.postmortems == first.postmortems


def test_later_reads_fetch_only_changed_blobs(
    sandbox: Sandbox, app: GitHubApp, repo: Repository
) -> None:
    reading = source(sandbox)
    reading.read()
    current = repo.get_contents("postmortems/payments/checkout.md")
    assert not isinstance(current, list)
    repo.update_file(current.path, "edit", postmortem("Checkout outage", "alice"), sha=current.sha)
    repo.create_file("postmortems/payments/refunds.md", "add", postmortem("Refunds", "bob"))
    repo.create_file("docs/other.md", "add", "outside the source folder\n")
    _delete(sandbox, repo, "postmortems/search/index.md")
    read = reading.read()
    assert read.unchanged is False
    assert read.fetched == (
        "postmortems/payments/checkout.md",
        "postmortems/payments/refunds.md",
    )
    assert read.removed == ("postmortems/search/index.md",)
    assert read.api_calls == 1 + 1 + 2  # head, tree, two blobs
    assert [pm.title for pm in read.postmortems] == ["Checkout outage", "Refunds"]


def test_truncated_tree_is_read_from_the_tarball(
    sandbox: Sandbox, app: GitHubApp, repo: Repository
) -> None:
    app.configure({"tree_entry_limit": 3})
    read = source(sandbox, first_read="tree").read()
    assert read.downloads == 1
    assert len(read.postmortems) == 2


def test_missing_branch_is_an_error_naming_the_repository(
    sandbox: Sandbox, repo: Repository
) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"token {sandbox.token}"
    location = RepoLocation(api=sandbox.public_base("github"), repo="acme/postmortems", ref="x")
    with pytest.raises(RepoSourceError, match=r"acme/postmortems@x: GET .* answered 422"):
        GitHubRepoSource(location, session=session, reader=DocumentReader()).read()


def _delete(sandbox: Sandbox, repo: Repository, path: str) -> None:
    """Remove ``path`` on main through the git data API (a tree entry with a null sha)."""
    head = repo.get_branch("main").commit
    api = f"{sandbox.public_base('github')}/repos/acme/postmortems"
    auth = {"Authorization": f"token {sandbox.token}"}
    body = {
        "base_tree": head.commit.tree.sha,
        "tree": [{"path": path, "mode": "100644", "type": "blob", "sha": None}],
    }
    tree = requests.post(f"{api}/git/trees", json=body, headers=auth, timeout=10).json()
    commit = requests.post(
        f"{api}/git/commits",
        json={"message": f"remove {path}", "tree": tree["sha"], "parents": [head.sha]},
        headers=auth,
        timeout=10,
    ).json()
    moved = requests.patch(
        f"{api}/git/refs/heads/main", json={"sha": commit["sha"]}, headers=auth, timeout=10
    )
    assert moved.ok
