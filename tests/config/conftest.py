"""Fixtures for configuration tests: a configuration tree written into a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config" / "followthrough.yaml"

GLOBAL = """\
sources:
  - path: postmortems/
trackers:
  jira:
    kind: jira
    url: https://acme.atlassian.net
    user: bot@acme.example
  github:
    kind: github
"""

PAYMENTS = """\
tracker:
  connection: jira
  jira: {project: OPS}
directory:
  priya: "712020:aa"
timezone: Europe/London
"""

WEB = """\
tracker:
  connection: github
  github: {repo: acme/ops}
directory:
  lena: lena
"""

TOKENS = {
    "FOLLOWTHROUGH_TRACKERS__JIRA__TOKEN": "jira-secret-value",
    "FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN": "github-secret-value",
}

WriteTree = Callable[..., Path]


@pytest.fixture
def write_tree(tmp_path: Path) -> WriteTree:
    """Write a global file and team files; returns the global file's path."""

    def write(global_text: str = GLOBAL, teams: Mapping[str, str] | None = None) -> Path:
        config = tmp_path / "config"
        (config / "teams").mkdir(parents=True, exist_ok=True)
        path = config / "followthrough.yaml"
        path.write_text(global_text, encoding="utf-8")
        for name, text in (
            teams if teams is not None else {"payments": PAYMENTS, "web": WEB}
        ).items():
            (config / "teams" / f"{name}.yaml").write_text(text, encoding="utf-8")
        return path

    return write
