"""The Jira Cloud simulator, driven through the real ``jira`` client (v2 and v3)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from jira import JIRA, JIRAError

from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.jira import JiraApp
from followthrough.sandbox.jira_model import USERS

ALICE = USERS[1]["accountId"]
BOB = USERS[2]["accountId"]
ERIN = next(u["accountId"] for u in USERS if u["displayName"] == "Erin Former")


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def new_issue(client: JIRA, summary: str = "Rotate the TLS certificates", **fields: Any) -> Any:
    return client.create_issue(
        fields={
            "project": {"key": "OPS"},
            "issuetype": {"name": "Task"},
            "summary": summary,
            **fields,
        }
    )


def api(sandbox: Sandbox, version: str = "3") -> str:
    return f"{sandbox.url('jira')}/rest/api/{version}"


def session(client: JIRA) -> requests.Session:
    return client._session


def settle(clock: SimClock) -> None:
    """Let the search index catch up (default lag is 5 s)."""
    clock.advance(6)


# --- metadata -------------------------------------------------------------------------


def test_client_sees_a_cloud_site(jira3: JIRA, sandbox: Sandbox) -> None:
    assert jira3._is_cloud
    info = jira3.server_info()
    assert info["deploymentType"] == "Cloud"
    assert info["baseUrl"] == sandbox.info()["jira"]
    assert jira3.myself()["displayName"] == "followthrough-bot"
    project = jira3.project("OPS")
    assert project.id == "10000"
    assert {t.name for t in project.issueTypes} == {"Task", "Bug"}
    field_ids = {f["id"] for f in jira3.fields()}
    assert {"duedate", "labels", "components", "priority", "assignee", "resolution"} <= field_ids


def test_user_search_and_assignable_users(jira3: JIRA) -> None:
    assert [u.displayName for u in jira3.search_users(query="car")] == ["Carol Diaz"]
    assignable = jira3.search_assignable_users_for_issues(query="example", project="OPS")
    names = {u.displayName for u in assignable}
    assert "Alice Nguyen" in names
    assert "Erin Former" not in names


# --- create / read / edit ---------------------------------------------------------------


@pytest.mark.parametrize("version", ["2", "3"])
def test_create_and_read_issue(make_jira: Callable[[str], JIRA], version: str) -> None:
    client = make_jira(version)
    description = "Certs expire soon." if version == "2" else adf("Certs expire soon.")
    issue = new_issue(client, description=description, labels=["postmortem"], duedate="2024-06-01")
    assert issue.key == "OPS-1"
    assert issue.id == "10001"
    assert issue.fields.status.name == "To Do"
    assert issue.fields.status.statusCategory.key == "new"
    assert issue.fields.labels == ["postmortem"]
    assert issue.fields.duedate == "2024-06-01"
    assert issue.fields.priority.name == "Medium"
    assert issue.fields.created == "2024-05-01T10:00:00.000+0000"
    assert issue.fields.resolution is None
    raw_description = issue.raw["fields"]["description"]
    assert raw_description == description
    assert issue.self.endswith(f"/rest/api/{version}/issue/10001")


def test_get_issue_field_selection_and_names(jira2: JIRA) -> None:
    new_issue(jira2)
    issue = jira2.issue("OPS-1", fields="summary,labels", expand="names")
    assert set(issue.raw["fields"]) == {"summary", "labels"}
    assert issue.raw["names"]["summary"] == "Summary"
    with pytest.raises(JIRAError) as err:
        jira2.issue("OPS-99")
    assert err.value.status_code == 404
    assert "Issue does not exist" in err.value.text


def test_create_validation_errors(jira2: JIRA, jira3: JIRA) -> None:
    with pytest.raises(JIRAError) as err:
        new_issue(jira2, summary="")
    assert err.value.status_code == 400
    assert err.value.response.json()["errors"] == {
        "summary": "You must specify a summary of the issue."
    }
    with pytest.raises(JIRAError) as err:
        new_issue(jira2, labels=["two words"])
    assert "contains spaces" in err.value.response.json()["errors"]["labels"]
    with pytest.raises(JIRAError) as err:
        new_issue(jira3, description="plain text on v3")
    assert "Atlassian Document" in err.value.response.json()["errors"]["description"]
    with pytest.raises(JIRAError) as err:
        new_issue(jira2, assignee={"accountId": ERIN})
    assert "cannot be assigned" in err.value.response.json()["errors"]["assignee"]


def test_text_field_limits_are_enforced(jira2: JIRA) -> None:
    with pytest.raises(JIRAError) as summary:
        new_issue(jira2, summary="s" * 256)
    assert summary.value.response.json()["errors"] == {
        "summary": "Summary must be less than 255 characters."
    }
    with pytest.raises(JIRAError) as description:
        new_issue(jira2, description="d" * 32_768)
    assert description.value.status_code == 400
    assert description.value.response.json()["errors"] == {
        "description": "The entered text is too long. It exceeds the allowed limit of 32,767 characters."
    }
    issue = new_issue(jira2, summary="s" * 255, description="d" * 32_767)
    with pytest.raises(JIRAError) as edited:
        issue.update(fields={"description": "d" * 32_768})
    assert "too long" in edited.value.response.json()["errors"]["description"]


def test_bulk_create_reports_per_item_errors(jira2: JIRA) -> None:
    good = {"project": {"key": "OPS"}, "issuetype": {"name": "Bug"}, "summary": "ok"}
    bad = {"project": {"key": "NOPE"}, "issuetype": {"name": "Bug"}, "summary": "bad"}
    results = jira2.create_issues([good, bad, good])
    assert [r["status"] for r in results] == ["Success", "Error", "Success"]
    assert results[1]["error"] == {"project": "Specify a valid project ID or key"}
    assert [r["issue"].key for r in results if r["issue"]] == ["OPS-1", "OPS-2"]


def test_edit_fields_and_label_operations(jira2: JIRA, clock: SimClock) -> None:
    issue = new_issue(jira2, labels=["a", "b"])
    clock.advance(60)
    issue.update(
        fields={
            "summary": "Renamed",
            "duedate": "2024-07-01",
            "priority": {"name": "High"},
            "components": [{"name": "api"}],
        }
    )
    issue.update(update={"labels": [{"add": "c"}, {"remove": "a"}]})
    issue.add_field_value("labels", "d")
    fresh = jira2.issue(issue.key)
    assert fresh.fields.summary == "Renamed"
    assert fresh.fields.duedate == "2024-07-01"
    assert fresh.fields.priority.name == "High"
    assert [c.name for c in fresh.fields.components] == ["api"]
    assert fresh.fields.labels == ["b", "c", "d"]
    assert fresh.fields.updated == "2024-05-01T10:01:00.000+0000"
    with pytest.raises(JIRAError) as err:
        issue.update(fields={"resolution": {"name": "Done"}})
    assert "cannot be set" in err.value.response.json()["errors"]["resolution"]


def test_assignee_endpoint_and_field(jira2: JIRA) -> None:
    issue = new_issue(jira2)
    assert jira2.assign_issue(issue.key, "alice@example.com")
    assert jira2.issue(issue.key).fields.assignee.accountId == ALICE
    issue.update(fields={"assignee": {"accountId": BOB}})
    assert jira2.issue(issue.key).fields.assignee.displayName == "Bob Martin"
    jira2.assign_issue(issue.key, None)
    assert jira2.issue(issue.key).fields.assignee is None


# --- comments ---------------------------------------------------------------------------


def test_comments_v2_plain_and_v3_adf(jira2: JIRA, jira3: JIRA, clock: SimClock) -> None:
    issue = new_issue(jira2)
    clock.advance(30)
    plain = jira2.add_comment(issue.key, "First line\nsecond line")
    assert plain.body == "First line\nsecond line"
    rich = jira3.add_comment(issue.key, adf("From v3"))
    assert rich.raw["body"] == adf("From v3")
    assert [c.body for c in jira2.comments(issue.key)] == ["First line\nsecond line", "From v3"]
    as_adf = jira3.comment(issue.key, plain.id).raw["body"]
    assert as_adf["type"] == "doc"
    assert as_adf["content"][0]["content"][1] == {"type": "hardBreak"}
    assert jira2.issue(issue.key).fields.updated == "2024-05-01T10:00:30.000+0000"


def test_comment_in_the_wrong_form_is_rejected(jira2: JIRA, jira3: JIRA) -> None:
    issue = new_issue(jira2)
    with pytest.raises(JIRAError) as err:
        jira3.add_comment(issue.key, "plain text on v3")
    body = err.value.response.json()
    assert err.value.status_code == 400
    assert set(body) == {"errorMessages", "errors"}
    assert "comment" in body["errors"]
    with pytest.raises(JIRAError) as err:
        jira2.add_comment(issue.key, adf("adf on v2"))  # type: ignore[arg-type]
    assert err.value.status_code == 400


def test_comment_pagination(jira2: JIRA) -> None:
    issue = new_issue(jira2)
    for n in range(5):
        jira2.add_comment(issue.key, f"note {n}")
    page = jira2._get_json(f"issue/{issue.key}/comment", params={"startAt": 2, "maxResults": 2})
    assert page["total"] == 5
    assert [c["body"] for c in page["comments"]] == ["note 2", "note 3"]


# --- transitions and properties ----------------------------------------------------------


def test_transitions_to_done_and_wont_do(jira2: JIRA, clock: SimClock) -> None:
    first, second = new_issue(jira2), new_issue(jira2, summary="Other")
    names = {t["name"]: t["id"] for t in jira2.transitions(first.key)}
    assert names == {"In Progress": "21", "Done": "31"}
    clock.advance(120)
    jira2.transition_issue(first.key, "31")
    jira2.transition_issue(second.key, "Done", fields={"resolution": {"name": "Won't Do"}})
    done, wont = jira2.issue(first.key), jira2.issue(second.key)
    assert done.fields.status.statusCategory.key == "done"
    assert done.fields.resolution.name == "Done"
    assert done.fields.resolutiondate == "2024-05-01T10:02:00.000+0000"
    assert wont.fields.resolution.name == "Won't Do"
    jira2.transition_issue(first.key, "11")
    reopened = jira2.issue(first.key)
    assert reopened.fields.resolution is None
    assert reopened.fields.resolutiondate is None
    with pytest.raises(JIRAError) as err:
        jira2.transition_issue(first.key, "11")
    assert err.value.status_code == 400


def test_transition_with_string_id_via_session(jira3: JIRA, sandbox: Sandbox) -> None:
    issue = new_issue(jira3)
    url = f"{api(sandbox)}/issue/{issue.key}/transitions"
    response = session(jira3).post(url, json={"transition": {"id": "21"}})
    assert response.status_code == 204
    assert jira3.issue(issue.key).fields.status.name == "In Progress"


def test_issue_properties(jira2: JIRA, sandbox: Sandbox) -> None:
    issue = new_issue(jira2)
    jira2.add_issue_property(issue.key, "followthrough", {"source": {"id": "pm-1"}})
    assert jira2.issue_property(issue.key, "followthrough").value.source.id == "pm-1"
    assert [p.key for p in jira2.issue_properties(issue.key)] == ["followthrough"]
    url = f"{api(sandbox, '2')}/issue/{issue.key}/properties/followthrough"
    assert session(jira2).put(url, json={"v": 2}).status_code == 200
    assert session(jira2).delete(url).status_code == 204
    with pytest.raises(JIRAError) as err:
        jira2.issue_property(issue.key, "followthrough")
    assert err.value.status_code == 404


def test_remote_links(jira2: JIRA) -> None:
    issue = new_issue(jira2)
    link = {"url": "https://status.example.com/pm/1", "title": "Postmortem 1"}
    jira2.add_remote_link(issue.key, link, globalId="pm-1")
    jira2.add_remote_link(issue.key, {**link, "title": "Postmortem one"}, globalId="pm-1")
    links = jira2.remote_links(issue.key)
    assert len(links) == 1
    assert links[0].object.title == "Postmortem one"


# --- search -----------------------------------------------------------------------------


def bulk(client: JIRA, count: int, **fields: Any) -> None:
    base = {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, **fields}
    for start in range(0, count, 50):
        items = [{**base, "summary": f"item {n}"} for n in range(start, min(start + 50, count))]
        assert all(r["status"] == "Success" for r in client.create_issues(items, prefetch=False))


def test_search_paginates_with_next_page_token(jira3: JIRA, clock: SimClock) -> None:
    bulk(jira3, 130)
    settle(clock)
    everything = jira3.enhanced_search_issues("project = OPS ORDER BY key ASC", maxResults=0)
    assert len(everything) == 130
    assert [i.key for i in everything[:2]] == ["OPS-1", "OPS-2"]
    page = jira3.enhanced_search_issues(
        "project = OPS", maxResults=50, fields="id", json_result=True
    )
    assert len(page["issues"]) == 50
    assert page["isLast"] is False
    assert page["issues"][0] == {
        "expand": page["issues"][0]["expand"],
        "id": "10130",
        "self": page["issues"][0]["self"],
        "key": "OPS-130",
    }
    keys: list[str] = []
    token = None
    while True:
        chunk = jira3.enhanced_search_issues(
            "project = OPS", maxResults=60, nextPageToken=token, fields="summary", json_result=True
        )
        keys += [i["key"] for i in chunk["issues"]]
        token = chunk.get("nextPageToken")
        if not token:
            break
    assert len(keys) == len(set(keys)) == 130


def test_search_caps_page_size_and_rejects_bad_tokens(jira3: JIRA, clock: SimClock) -> None:
    bulk(jira3, 120)
    settle(clock)
    wide = jira3.enhanced_search_issues(
        "project = OPS", maxResults=500, fields="*all", json_result=True
    )
    assert len(wide["issues"]) == 100
    ids = jira3.enhanced_search_issues(
        "project = OPS", maxResults=500, fields="id", json_result=True
    )
    assert len(ids["issues"]) == 120
    with pytest.raises(JIRAError) as err:
        jira3.enhanced_search_issues("project = OPS", nextPageToken="garbage", json_result=True)
    assert err.value.status_code == 400


@pytest.fixture
def corpus(jira2: JIRA, clock: SimClock) -> JIRA:
    """Five issues with varied fields, indexed."""
    new_issue(
        jira2, "Add alerting", labels=["postmortem", "alerting"], assignee={"accountId": ALICE}
    )
    new_issue(jira2, "Fix runbook", labels=["postmortem"], duedate="2024-05-10")
    new_issue(jira2, "Unlabelled chore")
    clock.advance(3600)
    new_issue(jira2, "Later work", labels=["infra"], priority={"name": "Highest"})
    bug = jira2.create_issue(project="PLAT", summary="DB failover", issuetype={"name": "Bug"})
    jira2.transition_issue("OPS-2", "31")
    jira2.add_issue_property("OPS-1", "followthrough", {"source": {"id": "pm-7"}})
    jira2.add_comment(bug.key, "kernel panic seen")
    settle(clock)
    return jira2


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ("project = OPS ORDER BY key ASC", ["OPS-1", "OPS-2", "OPS-3", "OPS-4"]),
        ("project in (OPS, PLAT) ORDER BY key ASC", ["OPS-1", "OPS-2", "OPS-3", "OPS-4", "PLAT-1"]),
        ("labels = postmortem ORDER BY key", ["OPS-1", "OPS-2"]),
        ("labels in (alerting, infra) ORDER BY key", ["OPS-1", "OPS-4"]),
        ("labels not in (postmortem) ORDER BY key", ["OPS-4"]),
        ("project = OPS AND labels is EMPTY", ["OPS-3"]),
        (
            "project = OPS AND (labels not in (postmortem) OR labels is EMPTY) ORDER BY key",
            ["OPS-3", "OPS-4"],
        ),
        ('status = "Done"', ["OPS-2"]),
        ("project = OPS AND status != Done ORDER BY key", ["OPS-1", "OPS-3", "OPS-4"]),
        ("statusCategory = Done", ["OPS-2"]),
        (
            "project = OPS AND statusCategory in (new, indeterminate) AND NOT labels = infra "
            "ORDER BY key",
            ["OPS-1", "OPS-3"],
        ),
        ('created >= "2024-05-01 10:30" ORDER BY key', ["OPS-4", "PLAT-1"]),
        ('created < "2024-05-01 10:30" ORDER BY key DESC', ["OPS-3", "OPS-2", "OPS-1"]),
        ("updated >= -2m ORDER BY key", ["OPS-2", "OPS-4", "PLAT-1"]),
        ('updated > "2024-05-02"', []),
        ("key in (OPS-1, PLAT-1) ORDER BY key", ["OPS-1", "PLAT-1"]),
        ("key = OPS-3", ["OPS-3"]),
        ('issue.property[followthrough].source.id = "pm-7"', ["OPS-1"]),
        ("assignee = '712020:a11ce000-0000-4000-8000-00000000a11c'", ["OPS-1"]),
        ("project = OPS AND assignee is EMPTY ORDER BY key", ["OPS-2", "OPS-3", "OPS-4"]),
        ("project = OPS AND assignee != currentUser() ORDER BY key", ["OPS-1"]),
        ("duedate <= 2024-05-31", ["OPS-2"]),
        (
            "resolution = Unresolved AND project = OPS ORDER BY priority DESC, key ASC",
            ["OPS-4", "OPS-1", "OPS-3"],
        ),
        ('summary ~ "runbook"', ["OPS-2"]),
        ('comment ~ "panic"', ["PLAT-1"]),
        ('summary ~ "\\"quoted\\" word" OR key = OPS-4', ["OPS-4"]),
    ],
)
def test_jql_features(corpus: JIRA, jql: str, expected: list[str]) -> None:
    found = corpus.enhanced_search_issues(jql, maxResults=50)
    assert [i.key for i in found] == expected


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("project = ", "Expecting either a value, list or function"),
        ("project OPS", "Expecting operator but got 'OPS'"),
        ("project = OPS AND (labels = x", "Expecting ')'"),
        ('summary ~ "unterminated', "has not been completed"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("nosuchfield = 1", "Field 'nosuchfield' does not exist"),
        ("key = OPS-999", "An issue with key 'OPS-999' does not exist for field 'key'."),
        ("order by key desc", "Unbounded JQL queries are not allowed here."),
        ("labels > x", "The operator '>' is not supported"),
    ],
)
def test_jql_errors_are_jira_shaped(corpus: JIRA, jql: str, message: str) -> None:
    with pytest.raises(JIRAError) as err:
        corpus.enhanced_search_issues(jql)
    body = err.value.response.json()
    assert err.value.status_code == 400
    assert message in body["errorMessages"][0]
    assert body["errors"] == {}


def test_search_sees_changes_only_after_the_lag(jira3: JIRA, clock: SimClock) -> None:
    issue = new_issue(jira3)
    assert jira3.enhanced_search_issues("project = OPS") == []
    assert jira3.approximate_issue_count("project = OPS") == 0
    fresh = jira3.enhanced_search_issues("project = OPS", reconcileIssues=[int(issue.id)])
    assert [i.key for i in fresh] == ["OPS-1"]
    clock.advance(4.9)
    assert jira3.enhanced_search_issues("project = OPS") == []
    clock.advance(0.2)
    assert [i.key for i in jira3.enhanced_search_issues("project = OPS")] == ["OPS-1"]
    jira3.transition_issue(issue.key, "31")
    stale = jira3.enhanced_search_issues("project = OPS", fields="status")
    assert stale[0].fields.status.name == "To Do"
    assert jira3.enhanced_search_issues("status = Done") == []
    settle(clock)
    assert [i.key for i in jira3.enhanced_search_issues("status = Done")] == ["OPS-1"]


def test_search_post_with_reconcile_via_session(jira3: JIRA, sandbox: Sandbox) -> None:
    issue = new_issue(jira3)
    body = {"jql": "project = OPS", "fields": ["summary"], "reconcileIssues": [int(issue.id)]}
    response = session(jira3).post(f"{api(sandbox)}/search/jql", json=body)
    assert response.status_code == 200
    assert response.json()["issues"][0]["fields"] == {"summary": issue.fields.summary}
    assert response.json()["isLast"] is True


def test_search_lag_is_configurable(jira3: JIRA, sandbox: Sandbox) -> None:
    url = f"{sandbox.info()['jira']}/_sandbox/config"
    assert requests.post(url, json={"search_lag_seconds": 0}, timeout=5).json() == {
        "search_lag_seconds": 0.0,
        "time_zone": "Etc/UTC",
    }
    new_issue(jira3)
    assert len(jira3.enhanced_search_issues("project = OPS")) == 1


@pytest.mark.parametrize("version", ["2", "3"])
def test_old_search_endpoint_is_gone(jira2: JIRA, sandbox: Sandbox, version: str) -> None:
    response = requests.get(
        f"{api(sandbox, version)}/search",
        params={"jql": "project=OPS"},
        auth=(sandbox.user, sandbox.token),
        timeout=5,
    )
    assert response.status_code == 410
    assert "search/jql" in response.json()["errorMessages"][0]


# --- faults, auth, accounting, persistence -------------------------------------------------


def test_rate_limit_fault(jira3: JIRA, sandbox: Sandbox) -> None:
    sandbox.add_fault("rate_limit", "jira", count=1, params={"retry_after": 7})
    with pytest.raises(JIRAError) as err:
        jira3.myself()
    assert err.value.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response.headers["RateLimit-Reason"] == "jira-burst-based"
    assert jira3.myself()["displayName"] == "followthrough-bot"
    assert sandbox.faults.counts() == {"rate_limit": 1}


def test_server_error_burst(jira3: JIRA, sandbox: Sandbox) -> None:
    sandbox.add_fault(
        "server_error",
        "jira",
        count=1,
        params={"status": 502, "burst": 3},
        route_prefix="/rest/api/{v}/myself",
    )
    statuses = []
    for _ in range(4):
        try:
            jira3.myself()
            statuses.append(200)
        except JIRAError as exc:
            statuses.append(exc.status_code)
    assert statuses == [502, 502, 502, 200]


def test_latency_fault(jira3: JIRA, sandbox: Sandbox) -> None:
    sandbox.add_fault("latency", "jira", count=1, params={"seconds": 0.3})
    started = time.monotonic()
    jira3.myself()
    assert time.monotonic() - started >= 0.3


def test_dropped_connection_after_a_create(jira3: JIRA, sandbox: Sandbox, clock: SimClock) -> None:
    sandbox.add_fault("drop", "jira", count=1, method="POST", route_prefix="/rest/api/3/issue")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        new_issue(jira3)
    settle(clock)
    assert [i.key for i in jira3.enhanced_search_issues("project = OPS")] == ["OPS-1"]


@pytest.mark.parametrize(("kind", "status"), [("unauthorized", 401), ("not_found", 404)])
def test_status_faults(jira3: JIRA, sandbox: Sandbox, kind: str, status: int) -> None:
    sandbox.add_fault(kind, "jira", count=1)
    with pytest.raises(JIRAError) as err:
        jira3.myself()
    assert err.value.status_code == status
    assert "errorMessages" in err.value.response.json()


def test_bad_credentials_get_401(sandbox: Sandbox) -> None:
    url = f"{api(sandbox)}/myself"
    assert requests.get(url, timeout=5).status_code == 401
    wrong = requests.get(url, auth=(sandbox.user, "nope"), timeout=5)
    assert wrong.status_code == 401
    assert wrong.json()["errorMessages"]
    bearer = requests.get(url, headers={"Authorization": f"Bearer {sandbox.token}"}, timeout=5)
    assert bearer.status_code == 200


def test_accounting_counts_per_endpoint(jira2: JIRA, sandbox: Sandbox) -> None:
    sandbox.accounting.reset()
    issue = new_issue(jira2)
    jira2.add_comment(issue.key, "hi")
    jira2.issue(issue.key)
    counts = sandbox.accounting.counts("jira")
    assert counts["POST /rest/api/{v}/issue"] == 1
    assert counts["GET /rest/api/{v}/issue/{key}"] == 2
    assert counts["POST /rest/api/{v}/issue/{key}/comment"] == 1
    assert sandbox.accounting.total("jira", writes_only=True) == 2
    over_http = requests.get(f"{sandbox.info()['jira']}/_sandbox/accounting", timeout=5).json()
    assert over_http["apps"]["jira"] == counts
    assert sandbox.accounting.counts("jira") == counts


def test_public_base_is_used_in_bodies(jira3: JIRA, sandbox: Sandbox) -> None:
    sandbox.set_public_base("jira", "http://127.0.0.1:9/proxy")
    response = session(jira3).get(f"{api(sandbox)}/myself")
    assert response.json()["self"].startswith("http://127.0.0.1:9/proxy/rest/api/3/user")


def test_state_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "jira.json"
    clock = SimClock()
    clock.freeze()
    with Sandbox(apps=[JiraApp(clock=clock)], clock=clock, state_file=state) as box:
        info = box.info()
        client = JIRA(server=info["jira"], basic_auth=(info["user"], info["token"]), max_retries=0)
        issue = new_issue(client, labels=["keep"])
        client.add_comment(issue.key, "persisted")
        client.add_issue_property(issue.key, "p", {"x": 1})
    assert state.exists()
    later = SimClock()
    with Sandbox(apps=[JiraApp(clock=later)], clock=later, state_file=state) as box:
        info = box.info()
        client = JIRA(server=info["jira"], basic_auth=(info["user"], info["token"]), max_retries=0)
        again = client.issue("OPS-1")
        assert again.fields.labels == ["keep"]
        assert [c.body for c in client.comments("OPS-1")] == ["persisted"]
        assert client.issue_property("OPS-1", "p").value.x == 1
        assert new_issue(client).key == "OPS-2"
        later.advance(10)
        assert len(client.enhanced_search_issues("project = OPS")) == 2


def test_search_returns_requested_properties(jira2: JIRA, clock: SimClock) -> None:
    issue = new_issue(jira2)
    jira2.add_issue_property(issue.key, "followthrough", {"source": "pm-1"})
    jira2.add_issue_property(issue.key, "other", 1)
    settle(clock)
    found = jira2.enhanced_search_issues(
        "project = OPS", fields="-description", properties="followthrough", json_result=True
    )
    hit = found["issues"][0]
    assert hit["properties"] == {"followthrough": {"source": "pm-1"}}
    assert "description" not in hit["fields"]
    assert "summary" in hit["fields"]
    assert "comment" not in hit["fields"]


# --- edits that answer with the issue, and the user's time zone ----------------------


def test_an_edit_sets_properties_and_can_answer_with_the_issue(
    jira2: JIRA, sandbox: Sandbox
) -> None:
    key = new_issue(jira2).key
    answer = session(jira2).put(
        f"{api(sandbox, '2')}/issue/{key}",
        params={"returnIssue": "true", "properties": "ours"},
        json={
            "fields": {"summary": "Edited"},
            "properties": [{"key": "ours", "value": {"item": "pm/1"}}],
        },
    )
    assert answer.status_code == 200
    issue = answer.json()
    assert issue["key"] == key
    assert issue["fields"]["summary"] == "Edited"
    assert "properties" not in issue  # like GET /issue without ?properties=
    assert jira2.issue_property(key, "ours").value.item == "pm/1"
    plain = session(jira2).put(f"{api(sandbox, '2')}/issue/{key}", json={"fields": {}})
    assert (plain.status_code, plain.content) == (204, b"")


def test_jql_dates_are_read_in_the_users_time_zone(
    jira2: JIRA, sandbox: Sandbox, clock: SimClock
) -> None:
    sandbox.app("jira").configure({"time_zone": "Asia/Kolkata"})  # type: ignore[attr-defined]
    assert jira2.myself()["timeZone"] == "Asia/Kolkata"
    new_issue(jira2)  # updated 2024-05-01 10:00 UTC, 15:30 in Kolkata
    settle(clock)
    for moment, found in (("2024/05/01 15:30", 1), ("2024/05/01 15:31", 0)):
        issues = jira2.enhanced_search_issues(f'project = OPS AND updated >= "{moment}"')
        assert len(issues) == found, moment
