"""The trackers' change history through the Prism validating proxies in front of the sandbox.

A person moves a due date, takes a ticket and closes and reopens it; the adapters read that
back with their listings (Jira's search expanding the changelog; GitHub's repository issue
events), and the history endpoints a client may also use (``GET /issue/{key}/changelog``,
``GET .../issues/{n}/events``) answer as the descriptions say.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from github import Github

from followthrough.adapters.trackers.github import GitHubTracker
from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.adapters.trackers.memory import ProjectMemory
from followthrough.domain.tickets import (
    FieldChanges,
    Marker,
    TicketFields,
    TicketSpec,
    TicketState,
)

from .conftest import PrismStack, ViolationRecorder

pytestmark = pytest.mark.contract

ALICE = "712020:a11ce000-0000-4000-8000-00000000a11c"


def spec(title: str) -> TicketSpec:
    return TicketSpec(
        marker=Marker(item_key=f"pm-{uuid.uuid4().hex[:8]}#1"),
        fields=TicketFields(title=title, due=dt.date(2026, 12, 4)),
        body="Action item from a postmortem.",
    )


def test_jira_changelog_follows_the_description(
    prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    sandbox = prism_stack.sandbox
    tracker = JiraTracker(
        url=prism_stack.jira.url,
        user=prism_stack.user,
        token=prism_stack.token,
        project="OPS",
        timeout=30.0,
    )
    tracker._http._session.hooks["response"].append(violations.hook_for("jira"))
    made = tracker.create(spec("Alert on pool saturation"))
    app: Any = sandbox.app("jira")
    with app.acting_as(ALICE):
        tracker.update(made.ref, FieldChanges(due=dt.date(2026, 12, 18), assignee=ALICE))
        tracker.update(made.ref, FieldChanges(state=TicketState.DONE))
        tracker.update(made.ref, FieldChanges(state=TicketState.OPEN))
        said = tracker._http._session.post(
            f"{prism_stack.jira.url}/rest/api/2/issue/{made.ref}/comment", json={"body": "On it"}
        ).json()
    sandbox.clock.advance(30)  # the search index trails writes by a few seconds

    batch = tracker.list_tickets(updated_since=None)
    mine = [c for c in batch.history if c.ref == made.ref]
    expected = {("due", "2026-12-18"), ("assignee", ALICE), ("state", "done"), ("state", "open")}
    expected.add(("comment", str(said["id"])))
    assert {(c.field, c.value) for c in mine} >= expected
    assert all(c.human for c in mine)
    due = next(c for c in mine if c.field == "due")
    assert (due.before, due.before_known) == ("2026-12-04", True)

    session = tracker._http._session
    page = session.get(
        f"{prism_stack.jira.url}/rest/api/3/issue/{made.ref}/changelog",
        params={"startAt": 0, "maxResults": 2},
    ).json()
    assert page["total"] >= 3
    assert len(page["values"]) == 2
    assert page["isLast"] is False
    expanded = session.get(
        f"{prism_stack.jira.url}/rest/api/3/issue/{made.ref}", params={"expand": "changelog"}
    ).json()
    assert expanded["changelog"]["total"] == page["total"]
    violations.assert_reviewed()


def test_github_issue_events_follow_the_description(
    github_client: Github, prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    sandbox = prism_stack.sandbox
    tracker = GitHubTracker(
        token=prism_stack.token,
        repo="acme/ops",
        base_url=prism_stack.github.url,
        min_write_interval=0.0,
        timeout=30,
    )
    made = tracker.create(spec("Alert on pool saturation"))
    tracker.list_tickets(updated_since=None)
    since = sandbox.clock.now()
    sandbox.clock.advance(5)
    app: Any = sandbox.app("github")
    with app.acting_as("carol"):
        person = GitHubTracker(
            token=prism_stack.token,
            repo="acme/ops",
            base_url=prism_stack.github.url,
            min_write_interval=0.0,
            timeout=30,
            memory=ProjectMemory(),  # a person's tool, not this process
        )
        person.update(made.ref, FieldChanges(assignee="alice"))
        person.update(made.ref, FieldChanges(state=TicketState.DONE))
        person.update(made.ref, FieldChanges(state=TicketState.OPEN))
        issue = github_client.get_repo("acme/ops").get_issue(int(made.ref.rpartition("#")[2]))
        said = issue.create_comment("On it")

    batch = tracker.list_tickets(updated_since=since)
    mine = [(c.field, c.value) for c in batch.history if c.ref == made.ref]
    # The repository's comments, then its events newest first, as GitHub lists them.
    expected = [("comment", str(said.id)), ("state", "open"), ("state", "done")]
    assert mine == [*expected, ("assignee", "alice")]
    assert all(c.human for c in batch.history if c.ref == made.ref)

    events = [e.event for e in issue.get_events()]
    assert events[-3:] == ["assigned", "closed", "reopened"]
    assert "labeled" in events
    violations.assert_reviewed()
