"""The jira client (REST v2 and v3) through the Prism validating proxy in front of the sandbox.

One scenario per API version walks the calls followthrough makes on Jira Cloud, then checks
that every ``sl-violations`` entry Prism reported is on the reviewed allow-list. v3 takes rich
text as ADF; where jira only sends strings (``add_comment``), the ADF body goes through the
client's own session so it still passes the recording hook.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from jira import JIRA

from .conftest import JiraFactory, PrismStack, ViolationRecorder

pytestmark = pytest.mark.contract

PROJECT = "OPS"
PAGE = 2
ALICE = "712020:a11ce000-0000-4000-8000-00000000a11c"


def _adf(text: str) -> dict[str, Any]:
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": "doc", "version": 1, "content": [paragraph]}


def _rich(text: str, version: str) -> Any:
    return _adf(text) if version == "3" else text


def _fields(summary: str, label: str, version: str) -> dict[str, Any]:
    return {
        "project": {"key": PROJECT},
        "issuetype": {"name": "Task"},
        "summary": summary,
        "description": _rich(f"Action item: {summary}", version),
        "labels": [label],
        "duedate": "2026-12-01",
    }


def _add_comment(jira: JIRA, key: str, text: str, version: str) -> str:
    if version == "2":
        return str(jira.add_comment(key, text).id)
    url = jira._get_url(f"issue/{key}/comment")
    response = jira._session.post(url, data=json.dumps({"body": _adf(text)}))
    return str(response.json()["id"])


def _search_all(jira: JIRA, jql: str) -> list[str]:
    """Follow ``nextPageToken`` with a small page, as the tracker adapter does."""
    keys: list[str] = []
    token: str | None = None
    for _ in range(20):
        page = jira.enhanced_search_issues(
            jql, nextPageToken=token, maxResults=PAGE, fields=["summary", "status"]
        )
        keys.extend(issue.key for issue in page)
        token = page.nextPageToken
        if not token:
            return keys
    raise AssertionError("search/jql pagination did not end")


def _transition_id(jira: JIRA, key: str, name: str) -> str:
    return next(str(t["id"]) for t in jira.transitions(key) if t["name"] == name)


@pytest.mark.parametrize("version", ["2", "3"])
def test_jira_issue_lifecycle(
    make_jira: JiraFactory,
    prism_stack: PrismStack,
    violations: ViolationRecorder,
    version: str,
) -> None:
    jira = make_jira(version)
    label = f"ft-v{version}-{uuid.uuid4().hex[:8]}"
    assert jira.myself()["accountId"]

    issue = jira.create_issue(fields=_fields("Alert on pool saturation", label, version))
    bulk = jira.create_issues([_fields(f"Follow-up {n}", label, version) for n in range(PAGE + 1)])
    assert [item["status"] for item in bulk] == ["Success"] * (PAGE + 1)

    issue.update(fields={"summary": "Alert when pool usage > 80% for 2 min"})
    issue.update(update={"labels": [{"add": "postmortem"}]})
    jira.assign_issue(issue.key, "alice@example.com")
    issue = jira.issue(issue.key)
    assert issue.fields.summary == "Alert when pool usage > 80% for 2 min"
    assert set(issue.fields.labels) == {label, "postmortem"}
    assert issue.fields.assignee is not None
    assert issue.fields.assignee.accountId == ALICE

    comment_id = _add_comment(jira, issue.key, "Friendly nudge: due in three days.", version)
    assert [str(c.id) for c in jira.comments(issue.key)] == [comment_id]

    jira.add_issue_property(issue.key, "followthrough", {"item": "pm-42#3", "rev": 1})
    assert jira.issue_property(issue.key, "followthrough").value.item == "pm-42#3"
    # One edit that also sets the property and answers with the issue, as the adapter's do.
    edited = jira._session.put(
        jira._get_url(f"issue/{issue.key}"),
        params={"returnIssue": "true"},
        data=json.dumps(
            {
                "fields": {"duedate": "2026-12-08"},
                "properties": [{"key": "followthrough", "value": {"item": "pm-42#4", "rev": 2}}],
            }
        ),
    )
    assert edited.json()["fields"]["duedate"] == "2026-12-08"
    assert jira.issue_property(issue.key, "followthrough").value.item == "pm-42#4"

    done = _transition_id(jira, issue.key, "Done")
    jira.transition_issue(issue.key, done, fields={"resolution": {"name": "Done"}})
    dropped = bulk[0]["issue"].key
    jira.transition_issue(dropped, done, fields={"resolution": {"name": "Won't Do"}})
    resolution = jira.issue(dropped).fields.resolution
    assert resolution is not None
    assert resolution.name == "Won't Do"
    assert jira.issue(issue.key).fields.status.name == "Done"

    prism_stack.sandbox.clock.advance(30)  # the search index trails writes by a few seconds
    jql = f'project = {PROJECT} AND labels = "{label}" ORDER BY key ASC'
    keys = _search_all(jira, jql)
    assert len(keys) == PAGE + 2
    assert keys[0] == issue.key
    assert jira.approximate_issue_count(jql) == PAGE + 2
    done_jql = f'labels = "{label}" AND statusCategory = Done'
    assert jira.approximate_issue_count(done_jql) == 2

    users = jira.search_users(query="alice")
    assert [u.accountId for u in users] == [ALICE]

    violations.assert_reviewed()
