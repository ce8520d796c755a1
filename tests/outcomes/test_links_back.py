"""Tickets link back to the document they come from when the folder source says where it is read."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

from followthrough.sandbox.core import FaultRule
from tests.outcomes.conftest import Workspace

BASE = "https://github.com/acme/postmortems/blob/main"


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _github_bodies(workspace: Workspace) -> list[str]:
    info = workspace.sandbox.info()
    issues = _get(f"{info['github']}/api/v3/repos/acme/ops/issues?state=all", info["token"])
    return [issue["body"] for issue in issues]


def test_a_folder_source_with_a_base_url_links_every_ticket_to_its_document(
    workspace: Workspace,
) -> None:
    workspace.configure(sources=f"  - {{path: postmortems/, base_url: '{BASE}/'}}\n")

    checked = workspace.run("config", "check")
    assert checked.status == 0, checked.lines
    assert any(f"(folder, linked as {BASE}/…)" in line for line in checked.lines)
    synced = workspace.run("sync", "--team", "web")
    assert synced.status == 0, synced.lines

    bodies = _github_bodies(workspace)
    assert bodies
    for body in bodies:
        links = [line for line in body.splitlines() if line.startswith("Postmortem: ")]
        assert len(links) == 1, body
        assert links[0].startswith("Postmortem: [postmortems/web/"), links[0]
        assert f"]({BASE}/web/" in links[0]  # the path inside the folder, after the base


def test_without_a_base_url_a_ticket_names_the_path_and_links_nowhere(
    workspace: Workspace,
) -> None:
    checked = workspace.run("config", "check")
    assert any("(folder, no links back)" in line for line in checked.lines), checked.lines
    assert workspace.run("sync", "--team", "web").status == 0

    for body in _github_bodies(workspace):
        (line,) = [line for line in body.splitlines() if line.startswith("Postmortem: ")]
        assert line.startswith("Postmortem: postmortems/web/"), line
        assert "http" not in line


def test_a_base_url_that_is_not_a_web_address_is_refused_with_its_line(
    workspace: Workspace,
) -> None:
    workspace.configure(sources="  - {path: postmortems/, base_url: 'wiki/pm'}\n")
    checked = workspace.run("config", "check")
    assert checked.status == 2
    assert any(
        "followthrough.yaml:2: sources.0.base_url: must be an http(s) URL" in line
        for line in checked.lines
    ), checked.lines


def _jira(workspace: Workspace, path: str) -> Any:
    info = workspace.sandbox.info()
    auth = base64.b64encode(f"{info['user']}:{info['token']}".encode()).decode()
    request = urllib.request.Request(
        f"{info['jira']}/rest/api/2/{path}", headers={"Authorization": f"Basic {auth}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _jira_issues(workspace: Workspace) -> list[str]:
    """The keys of project OPS, read one by one (the search is eventually consistent)."""
    keys = []
    for number in range(1, 100):
        try:
            keys.append(_jira(workspace, f"issue/OPS-{number}?fields=summary")["key"])
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return keys
            raise
    return keys


def test_jira_tickets_also_carry_a_remote_link_to_the_document(workspace: Workspace) -> None:
    workspace.configure(sources=f"  - {{path: postmortems/, base_url: '{BASE}'}}\n")
    assert workspace.run("sync", "--team", "payments").status == 0
    keys = _jira_issues(workspace)
    assert keys
    for key in keys:
        (link,) = _jira(workspace, f"issue/{key}/remotelink")
        assert link["object"]["url"].startswith(f"{BASE}/payments/"), link
        assert link["globalId"].startswith("followthrough:")
    assert workspace.run("sync", "--team", "payments").status == 0
    assert all(len(_jira(workspace, f"issue/{key}/remotelink")) == 1 for key in keys)


def test_a_refused_remote_link_leaves_the_ticket_created(workspace: Workspace) -> None:
    workspace.configure(sources=f"  - {{path: postmortems/, base_url: '{BASE}'}}\n")
    workspace.sandbox.faults.add(
        FaultRule(kind="not_found", app="jira", route_prefix="/rest/api/{v}/issue/{key}/remotelink")
    )
    synced = workspace.run("sync", "--team", "payments")
    assert synced.status == 0, synced.lines
    workspace.sandbox.faults.clear()
    keys = _jira_issues(workspace)
    assert keys
    assert all(_jira(workspace, f"issue/{key}/remotelink") == [] for key in keys)
