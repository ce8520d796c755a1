"""The read-only preflight probes through the Prism validating proxies in front of the sandbox.

``followthrough check`` asks Jira for the project, ``/mypermissions``, the project's workflow
statuses, the resolutions and assignable users, and GitHub for the repository (its
``permissions``) and the assignees check; each answer must match the vendors' descriptions.
"""

from __future__ import annotations

import pytest
from github import Github, GithubException

from followthrough.adapters.trackers.github_probe import GitHubProbe
from followthrough.adapters.trackers.jira_probe import JiraProbe
from followthrough.sandbox.github import GitHubApp

from .conftest import PrismStack, ViolationRecorder

pytestmark = pytest.mark.contract

ALICE = "712020:a11ce000-0000-4000-8000-00000000a11c"
ERIN_INACTIVE = "712020:e7170000-0000-4000-8000-000000000e71"


def jira_probe(stack: PrismStack, violations: ViolationRecorder, project: str) -> JiraProbe:
    probe = JiraProbe(url=stack.jira.url, user=stack.user, token=stack.token, project=project)
    # The probe's requests go through the jira client's session: record what Prism says.
    probe._http._session.hooks["response"].append(violations.hook_for("jira"))
    return probe


def test_jira_probe_questions_match_the_description(
    prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    probe = jira_probe(prism_stack, violations, "OPS")
    assert probe.whoami() == "followthrough-bot"
    assert probe.project_exists()
    assert probe.missing_permissions() == []
    workflows = probe.workflows()
    assert {s.category for s in workflows["Task"]} == {"new", "indeterminate", "done"}
    assert "Won't Do" in probe.resolutions()
    assert probe.assignable(ALICE)
    assert not probe.assignable(ERIN_INACTIVE)
    assert not jira_probe(prism_stack, violations, "NOPE").project_exists()
    violations.assert_reviewed()


def test_github_probe_questions_match_the_description(
    github_client: Github, prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    probe = GitHubProbe(token=prism_stack.token, base_url=prism_stack.github.url, repo="acme/ops")
    assert probe.whoami() == "followthrough-bot"
    access = probe.access()
    assert access is not None
    assert access.can_write
    assert access.has_issues
    assert probe.assignable("alice")
    assert not probe.assignable("zed")
    missing = GitHubProbe(
        token=prism_stack.token, base_url=prism_stack.github.url, repo="acme/nope"
    )
    assert missing.access() is None
    assert github_client.get_repo("acme/ops").full_name == "acme/ops"
    violations.assert_reviewed()


def test_a_repository_the_token_may_only_read_matches_the_description(
    github_client: Github, prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    """Its ``permissions`` say so, and a write there is GitHub's 403, as described."""
    github = prism_stack.sandbox.app("github")
    assert isinstance(github, GitHubApp)
    github.add_repo("acme/read-only-handbook")
    github.set_token_access("acme/read-only-handbook", "read")
    probe = GitHubProbe(
        token=prism_stack.token, base_url=prism_stack.github.url, repo="acme/read-only-handbook"
    )
    access = probe.access()
    assert access is not None
    assert not access.can_write
    with pytest.raises(GithubException) as refused:
        github_client.get_repo("acme/read-only-handbook").create_issue(title="Rotate the keys")
    assert refused.value.status == 403
    violations.assert_reviewed()
