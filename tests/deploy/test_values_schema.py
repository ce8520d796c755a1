"""The chart's plain files: YAML that parses, and values that match values.schema.json.

These checks need no helm: jsonschema validates the values files the way helm does before it
renders anything, and the negative cases pin down what the schema must refuse.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from followthrough.config.fields import NAME_PATTERN
from tests.deploy.conftest import CHART, EXAMPLE, ROOT, SCHEMA, VALUES

# Every non-template YAML file this deployment ships (templates are Go templates, not YAML).
PLAIN_YAML = sorted(
    path
    for path in [*CHART.rglob("*.yaml"), *CHART.rglob("*.yml"), ROOT / ".hadolint.yaml"]
    if "templates" not in path.relative_to(ROOT).parts
)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a mapping"
    return data


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(validator: jsonschema.Draft7Validator, values: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(values)
    ]


def _merged(overrides: dict[str, Any]) -> dict[str, Any]:
    """values.yaml with overrides merged in the way helm merges -f files (maps deep, rest replaced)."""

    def merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(base)
        for key, value in top.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out

    return merge(_load(VALUES), overrides)


def test_the_plain_files_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in PLAIN_YAML}
    assert {
        "helm/followthrough/Chart.yaml",
        "helm/followthrough/values.yaml",
        "helm/followthrough/values.example.yaml",
        ".hadolint.yaml",
    } <= names


@pytest.mark.parametrize("path", PLAIN_YAML, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_plain_yaml_is_well_formed(path: Path) -> None:
    documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert len(documents) == 1
    assert isinstance(documents[0], dict)


def test_chart_metadata() -> None:
    chart = _load(CHART / "Chart.yaml")
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "followthrough"
    assert chart["type"] == "application"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{chart["appVersion"]}"' in pyproject, "appVersion follows the package"


@pytest.mark.parametrize("path", [VALUES, EXAMPLE], ids=lambda p: p.name)
def test_values_files_match_the_schema(validator: jsonschema.Draft7Validator, path: Path) -> None:
    values = _merged(_load(path)) if path == EXAMPLE else _load(path)
    assert _errors(validator, values) == []


def test_the_example_alone_is_also_valid(validator: jsonschema.Draft7Validator) -> None:
    # The example is applied on top of values.yaml; on its own it must not break the schema's
    # types either (only `required` keys may be missing).
    errors = [e for e in validator.iter_errors(_load(EXAMPLE)) if e.validator != "required"]
    assert errors == []


def test_team_names_follow_the_application(validator: jsonschema.Draft7Validator) -> None:
    schema = validator.schema
    teams = schema["properties"]["config"]["properties"]["teams"]
    assert teams["propertyNames"]["pattern"] == NAME_PATTERN


REFUSED: dict[str, dict[str, Any]] = {
    "two replicas on SQLite": {"replicaCount": 2},
    "a token in the ConfigMap": {
        "config": {"global": {"trackers": {"jira": {"kind": "jira", "token": "x"}}}}
    },
    "a DSN in the ConfigMap": {"config": {"global": {"store": {"dsn": "postgresql://u@h/db"}}}},
    "an SMTP password in the ConfigMap": {
        "config": {"global": {"smtp": {"host": "h", "sender": "a@b.c", "password": "x"}}}
    },
    "teams_dir (the chart owns the layout)": {"config": {"global": {"teams_dir": "/x"}}},
    "no sources": {"config": {"global": {"sources": []}}},
    "an unknown global key": {"config": {"global": {"sorces": []}}},
    "a team name the application refuses": {
        "config": {"teams": {"Payments Team": {"tracker": {}}}}
    },
    "a team without tracker": {"config": {"teams": {"payments": {"lead": "priya"}}}},
    "an unknown top-level key": {"replicas": 1},
    "root": {"podSecurityContext": {"runAsUser": 0}},
    "a privileged port": {"port": 80},
    "a secret env var outside the prefix": {
        "secrets": {"existingSecret": "s", "env": [{"name": "JIRA_TOKEN", "key": "k"}]}
    },
    "the DSN through secrets.env": {
        "secrets": {
            "existingSecret": "s",
            "env": [{"name": "FOLLOWTHROUGH_STORE__DSN", "key": "k"}],
        }
    },
    "a token in extraEnv": {
        "extraEnv": [{"name": "FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN", "value": "ghp_x"}]
    },
    "a bad image digest": {"image": {"digest": "sha256:nothex"}},
    "ReadWriteMany for SQLite": {
        "store": {"sqlite": {"persistence": {"accessMode": "ReadWriteMany"}}}
    },
    "secrets mounted over the config": {"secrets": {"mountPath": "/etc/followthrough"}},
}


@pytest.mark.parametrize("overrides", REFUSED.values(), ids=list(REFUSED))
def test_the_schema_refuses(
    validator: jsonschema.Draft7Validator, overrides: dict[str, Any]
) -> None:
    assert _errors(validator, _merged(overrides)), "the schema accepted it"


ACCEPTED: dict[str, dict[str, Any]] = {
    "two replicas on PostgreSQL": {
        "replicaCount": 2,
        "store": {"postgresql": {"existingSecret": "followthrough-postgresql"}},
    },
    "a token file path": {
        "config": {
            "global": {
                "trackers": {
                    "github": {"kind": "github", "token_file": "/var/run/secrets/x/github-token"}
                }
            }
        }
    },
    "a team": {"config": {"teams": {"payments": {"tracker": {"connection": "sandbox"}}}}},
    "a PDB by percentage": {"podDisruptionBudget": {"enabled": True, "minAvailable": "50%"}},
}


@pytest.mark.parametrize("overrides", ACCEPTED.values(), ids=list(ACCEPTED))
def test_the_schema_accepts(
    validator: jsonschema.Draft7Validator, overrides: dict[str, Any]
) -> None:
    assert _errors(validator, _merged(overrides)) == []
