"""Fixtures for the preflight tests: a served sandbox with extra projects, and config writers."""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from followthrough.sandbox.catalogue import ProjectSeed, Seed, UserSeed, apply_seed
from followthrough.sandbox.core import Sandbox

# A project whose workflow has no done status: nothing there can ever be closed.
NO_DONE = ProjectSeed(key="FRZ", name="Frozen", statuses=["To Do", "In Progress"])
SAM = UserSeed(name="Sam Rivera")


@pytest.fixture
def served() -> Iterator[Sandbox]:
    """A standalone-style sandbox (Jira and GitHub) with FRZ, acme/sre and Sam added."""
    sandbox = Sandbox()
    sandbox.start()
    apply_seed(sandbox, Seed(projects=[NO_DONE], repos=["acme/sre"], users=[SAM]))
    yield sandbox
    sandbox.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def write_config(tmp_path: Path, served: Sandbox) -> Callable[..., Path]:
    """Write a global file pointing at ``served`` plus team files; returns the global file."""

    def write(
        teams: dict[str, str],
        *,
        sources: list[dict[str, Any]] | None = None,
        smtp: dict[str, Any] | None = None,
    ) -> Path:
        info = served.info()
        token = tmp_path / "token"
        token.write_text(info["token"])
        (tmp_path / "postmortems").mkdir(exist_ok=True)
        settings: dict[str, Any] = {
            "sources": [{"path": str(tmp_path / "postmortems")}, *(sources or [])],
            "trackers": {
                "jira": {
                    "kind": "jira",
                    "url": info["jira"],
                    "user": info["user"],
                    "token_file": str(token),
                },
                "github": {
                    "kind": "github",
                    "url": info["github"] + "/api/v3",
                    "token_file": str(token),
                },
            },
            "store": {"sqlite_path": str(tmp_path / "state" / "ft.db")},
        }
        if smtp is not None:
            settings["smtp"] = smtp
        config = tmp_path / "followthrough.yaml"
        config.write_text(yaml.safe_dump(settings, sort_keys=False))
        (tmp_path / "teams").mkdir(exist_ok=True)
        for name, text in teams.items():
            (tmp_path / "teams" / f"{name}.yaml").write_text(textwrap.dedent(text))
        return config

    return write
