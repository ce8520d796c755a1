"""Canaries: prove that Prism really validates, in mock mode and in proxy mode.

If a derivation step regresses (for example the typeless ``nullable`` fix), ajv silently stops
validating issue bodies and every other contract test would pass vacuously. These fail instead.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from .conftest import PrismStack

pytestmark = pytest.mark.contract

TIMEOUT = 30


def _violations(response: requests.Response) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(response.headers.get("sl-violations", "[]"))
    return entries


def test_mock_rejects_an_issue_without_title(prism_stack: PrismStack) -> None:
    url = f"{prism_stack.github_mock.url}/repos/octocat/hello-world/issues"
    rejected = requests.post(url, json={"body": "no title"}, timeout=TIMEOUT)
    assert rejected.status_code == 422
    assert any(
        v.get("code") == "required" and "'title'" in str(v.get("message"))
        for v in _violations(rejected)
    )
    accepted = requests.post(url, json={"title": "has a title"}, timeout=TIMEOUT)
    assert accepted.status_code == 201
    assert _violations(accepted) == []


def test_mock_serves_hoisted_examples_that_pass_validation(prism_stack: PrismStack) -> None:
    url = f"{prism_stack.github_mock.url}/repos/octocat/hello-world/issues/1"
    response = requests.get(url, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json()["number"] == 1347  # the hoisted example, not {"value": ...}


def test_proxy_reports_a_request_violation(prism_stack: PrismStack) -> None:
    repo = "acme/ops"  # seeded by the sandbox
    response = requests.post(
        f"{prism_stack.github.url}/repos/{repo}/issues",
        json={"body": "no title"},
        headers={"Authorization": f"token {prism_stack.token}"},
        timeout=TIMEOUT,
    )
    found = _violations(response)
    assert any(
        v.get("location") == ["request", "body"] and "'title'" in str(v.get("message"))
        for v in found
    ), found
    assert "Violation: request.body" in prism_stack.github.log_text()


def test_jira_proxy_reports_a_query_violation(prism_stack: PrismStack) -> None:
    response = requests.get(
        f"{prism_stack.jira.url}/rest/api/3/search/jql",
        params={"jql": "order by key", "maxResults": "many"},
        auth=(prism_stack.user, prism_stack.token),
        timeout=TIMEOUT,
    )
    found = _violations(response)
    assert any(v.get("location", [None])[:2] == ["request", "query"] for v in found), found
