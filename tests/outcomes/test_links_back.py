"""Tickets link back to the document they come from when the folder source says where it is read."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

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
