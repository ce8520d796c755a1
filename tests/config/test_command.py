"""``followthrough config check|schema`` through the handlers ``add_parser`` registers."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from followthrough.config import command
from followthrough.config.schema import schemas
from tests.config.conftest import EXAMPLE, GLOBAL, PAYMENTS, TOKENS, WEB, WriteTree


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="followthrough")
    command.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    result = args.func(args)
    assert isinstance(result, int)
    return result


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No FOLLOWTHROUGH_ variables from the outside, and the temporary folder as working dir."""
    for name in [n for n in os.environ if n.startswith("FOLLOWTHROUGH_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_check_prints_a_summary_with_secrets_as_set_or_unset(
    write_tree: WriteTree, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in TOKENS.items():
        clean_env.setenv(name, value)
    path = write_tree()

    assert _run("config", "check", "--config", str(path)) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"configuration OK: {path}\n")
    assert "jira cloud https://acme.atlassian.net, user bot@acme.example, token set" in out
    assert "github https://api.github.com, token set" in out
    assert "store: sqlite state/followthrough.db (dsn unset)" in out
    assert "payments: jira OPS via jira, Europe/London" in out
    assert "web: github acme/ops via github" in out
    assert "secret-value" not in out


def test_check_lists_problems_and_fails(
    write_tree: WriteTree, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = GLOBAL.replace(
        "user: bot@acme.example", "user: bot@acme.example\n    token: t0p-s3cret"
    )
    path = write_tree(
        secret + "lgo: {}\n", {"payments": PAYMENTS.replace("OPS", "ops"), "web": WEB}
    )
    clean_env.setenv("FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN", "gh")

    assert _run("config", "check", "--config", str(path)) == 2

    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert f"{path}:8: trackers.jira.token: secrets may not be written" in lines[0]
    assert f"{path}:11: lgo: unknown key (did you mean 'log'?)" in lines
    team_file = path.parent / "teams" / "payments.yaml"
    assert any(
        line.startswith(f"{team_file}:3: teams.payments.tracker.jira.project: ") for line in lines
    )
    assert "t0p-s3cret" not in captured.out + captured.err
    assert captured.err.strip() == "3 problems in the configuration"


def test_check_without_a_file_uses_the_embedded_default(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("config", "check") == 0

    out = capsys.readouterr().out
    assert out.startswith("configuration OK: <embedded default>")
    assert "sandbox: sandbox (embedded simulator)" in out
    assert "teams (2):" in out


def test_schema_describes_both_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("config", "schema") == 0

    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"global", "team"}
    for schema in document.values():
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
    assert document["global"]["required"] == ["sources"]
    assert document["team"]["required"] == ["tracker"]  # name defaults to the file name
    jira = document["global"]["$defs"]["JiraConnection"]["properties"]
    assert "token" not in jira
    assert "token_file" in jira
    assert "dsn" not in document["global"]["$defs"]["StoreSettings"]["properties"]
    for ref in _refs(document):
        name = ref.removeprefix("#/$defs/")
        assert any(name in s.get("$defs", {}) for s in document.values()), ref


def test_schema_written_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "team.schema.json"

    assert _run("config", "schema", "--part", "team", "--out", str(out)) == 0

    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema["title"] == "followthrough team configuration"
    assert "directory" in schema["properties"]


def test_schema_is_valid_and_accepts_the_example_files() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    documents = schemas()
    for schema in documents.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    jsonschema.validate(example, documents["global"])
    for team_file in sorted((EXAMPLE.parent / "teams").glob("*.yaml")):
        team = json.loads(
            json.dumps(yaml.safe_load(team_file.read_text(encoding="utf-8")), default=str)
        )
        jsonschema.validate(team, documents["team"])


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []
