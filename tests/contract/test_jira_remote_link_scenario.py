"""A created Jira issue's remote link to its postmortem, through the Prism validating proxy."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.domain.tickets import Marker, TicketFields, TicketSpec

from .conftest import PrismStack, ViolationRecorder

pytestmark = pytest.mark.contract
URL = "https://github.com/acme/postmortems/blob/main/payments/2026-10-14-card-auth.md"


def test_jira_remote_link_follows_the_description(
    prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    tracker = JiraTracker(
        url=prism_stack.jira.url,
        user=prism_stack.user,
        token=prism_stack.token,
        project="OPS",
        timeout=30.0,
    )
    session = tracker._http._session
    session.hooks["response"].append(violations.hook_for("jira"))
    spec = TicketSpec(
        marker=Marker(item_key=f"pm-{uuid.uuid4().hex[:8]}#1"),
        fields=TicketFields(title="Alert on pool saturation"),
        body="Action item from a postmortem.",
        postmortem_url=URL,
    )
    made = tracker.create(spec)
    again = tracker.create(dataclasses.replace(spec, fields=TicketFields(title="Second")))
    for ref in (made.ref, again.ref):
        links = session.get(f"{prism_stack.jira.url}/rest/api/2/issue/{ref}/remotelink").json()
        assert [link["object"]["url"] for link in links] == [URL]
    violations.assert_reviewed()
