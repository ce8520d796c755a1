"""The derived descriptions carry every fix from CONTRACT-TESTING.md §4."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import DerivedSpecs, derive

pytestmark = pytest.mark.contract


def _typeless_nullable(node: Any) -> int:
    if isinstance(node, list):
        return sum(_typeless_nullable(item) for item in node)
    if not isinstance(node, dict):
        return 0
    here = node.get("nullable") is True and "type" not in node and "$ref" not in node
    return int(here) + sum(_typeless_nullable(value) for value in node.values())


def _ref_valued_examples(spec: dict[str, Any]) -> int:
    """Examples whose ``value`` is a ``$ref`` (Prism would serve the wrapper as the body)."""
    responses = list(spec["components"]["responses"].values())
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict):
                responses.extend(op.get("responses", {}).values())
    return sum(
        1
        for response in responses
        for media in response.get("content", {}).values()
        for example in media.get("examples", {}).values()
        if isinstance(example.get("value"), dict) and "$ref" in example["value"]
    )


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_vendored_files_are_untouched(derived_specs: DerivedSpecs) -> None:
    assert derived_specs.github.parent != derive.SPECS_DIR
    assert "nullable" in derive.GITHUB_SPEC.read_text(encoding="utf-8")[:5_000_000]


def test_github_copy(derived_specs: DerivedSpecs) -> None:
    text = derived_specs.github.read_text(encoding="utf-8")
    spec = json.loads(text)
    assert "https://api.github.com" not in text
    assert f"http://127.0.0.1:{derived_specs.github_port}/repos/" in text
    assert _typeless_nullable(spec) == 0
    list_issues = spec["paths"]["/repos/{owner}/{repo}/issues"]["get"]["responses"]["200"]
    assert "Link" not in list_issues.get("headers", {})
    assert _ref_valued_examples(spec) == 0
    deepest = "/repos/{owner}/{repo}/contents/{path}/{path_2}/{path_3}/{path_4}/{path_5}/{path_6}"
    put = spec["paths"][deepest]["put"]
    assert (
        put["requestBody"]
        == spec["paths"]["/repos/{owner}/{repo}/contents/{path}"]["put"]["requestBody"]
    )
    assert [p["name"] for p in put["parameters"] if "name" in p][-5:] == [
        f"path_{n}" for n in range(2, 7)
    ]
    assert "/repos/{owner}/{repo}/git/ref/{ref}/{ref_2}" in spec["paths"]
    assert _ref_valued_examples(json.loads(derive.GITHUB_SPEC.read_text(encoding="utf-8"))) > 0


def test_github_nullable_rewrite_keeps_null_and_the_alternatives() -> None:
    schema = {"nullable": True, "description": "d", "oneOf": [{"type": "string"}]}
    assert derive.fix_typeless_nullable(schema) == {
        "description": "d",
        "anyOf": [{"oneOf": [{"type": "string"}]}, {"enum": [None]}],
    }
    typed = {"nullable": True, "type": "string"}
    assert derive.fix_typeless_nullable(typed) == typed


def test_jira_copy(derived_specs: DerivedSpecs) -> None:
    spec = _load(derived_specs.jira)
    paths = spec["paths"]
    info = paths["/rest/api/2/serverInfo"]["get"]["responses"]["200"]["content"]
    example = info["application/json"]["example"]
    assert example["deploymentType"] == "Cloud"
    assert "defaultLocale" not in example
    for prefix, suffix in (("/rest/api/2", "V2"), ("/rest/api/latest", "Latest")):
        op = paths[f"{prefix}/issue/{{issueIdOrKey}}/assignee"]["put"]
        assert op["operationId"] == f"assignIssue{suffix}"
    assert paths["/rest/api/3/issue/{issueIdOrKey}/assignee"]["put"]["operationId"] == "assignIssue"
    ids = [
        op["operationId"]
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    ]
    assert len(ids) == len(set(ids))
    search = paths["/rest/api/3/search/jql"]["get"]["responses"]["200"]["content"]
    assert isinstance(search["application/json"]["example"], dict)
