"""PyGithub through the Prism validating proxy in front of the sandbox's GitHub.

One scenario walks the calls followthrough makes on GitHub, then checks that every
``sl-violations`` entry Prism reported is on the reviewed allow-list.
"""

from __future__ import annotations

import uuid

import pytest
from github import Auth, Github

from .conftest import PrismStack, ViolationRecorder

pytestmark = pytest.mark.contract

REPO = "acme/ops"
PAGE = 2


def test_pygithub_issue_lifecycle(
    github_client: Github, prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    tag = f"ft-{uuid.uuid4().hex[:8]}"
    repo = github_client.get_repo(REPO)
    assert repo.full_name == REPO
    repo.create_label(name=tag, color="0e8a16", description="contract scenario")

    issue = repo.create_issue(
        title=f"Alert on pool saturation ({tag})",
        body="Owner: alice\nDue: 2026-12-01",
        labels=[tag],
        assignees=["alice"],
    )
    assert issue.number > 0
    assert [label.name for label in issue.labels] == [tag]
    assert [user.login for user in issue.assignees] == ["alice"]
    assert issue.url.startswith(prism_stack.github.url)

    issue.edit(title=f"Alert when pool usage > 80% for 2 min ({tag})", assignees=["bob"])
    assert issue.title.startswith("Alert when pool usage")
    issue.add_to_labels("postmortem")  # PyGithub posts a bare array here (see allowlist.py)
    assert {label.name for label in repo.get_issue(issue.number).labels} == {tag, "postmortem"}

    comment = issue.create_comment("Friendly nudge: this item is due in three days.")
    assert comment.body.startswith("Friendly nudge")
    assert [c.id for c in issue.get_comments()] == [comment.id]

    for n in range(PAGE * 2):
        repo.create_issue(title=f"Follow-up {n} ({tag})", labels=[tag])
    listed = list(repo.get_issues(state="open", labels=[repo.get_label(tag)]))
    assert len(listed) == PAGE * 2 + 1
    assert len({i.number for i in listed}) == len(listed)

    issue.edit(state="closed", state_reason="not_planned")
    assert issue.state == "closed"
    assert issue.state_reason == "not_planned"

    prism_stack.sandbox.clock.advance(30)  # the search index trails writes by a few seconds
    found = github_client.search_issues(f"repo:{REPO} label:{tag} is:closed")
    assert found.totalCount == 1
    assert next(iter(found)).number == issue.number

    limits = github_client.get_rate_limit()
    assert limits.resources.core.limit > 0

    violations.assert_reviewed()


def test_pygithub_pages_through_link_headers(
    github_client: Github, prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    tag = f"page-{uuid.uuid4().hex[:8]}"
    app = prism_stack.sandbox.app("github")
    for n in range(5):
        app.seed_issue(title=f"Seeded {n} ({tag})", labels=(tag,))  # type: ignore[attr-defined]
    paged = Github(
        base_url=prism_stack.github.url,
        auth=Auth.Token(prism_stack.token),
        per_page=PAGE,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )
    repo = paged.get_repo(REPO)
    issues = repo.get_issues(state="all", labels=[tag], sort="created", direction="asc")
    titles = [i.title for i in issues]
    assert titles == [f"Seeded {n} ({tag})" for n in range(5)]
    assert all(url.startswith(prism_stack.github.url) for url in [repo.url, repo.issues_url])
    violations.assert_reviewed()
