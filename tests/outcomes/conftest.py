"""Fixtures for exit statuses and summaries: a workspace whose teams use a standalone sandbox.

The sandbox runs in this process, as a real Jira and GitHub would run elsewhere: the
configuration names it by URL, with the credentials in the environment, so a test can
break a connection (a wrong token, a missing project, a closed port) the way a user does.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from followthrough.cli import main
from followthrough.sandbox.core import Sandbox

REPO = Path(__file__).resolve().parents[2]

PAYMENTS = """\
name: payments
postmortems:
  paths: ["payments/**"]
tracker:
  connection: jira
  jira: {{project: {project}, labels: [postmortem]}}
directory:
  priya: "712020:9e1a0000-0000-4000-8000-000000009e1a"
  tom: "{tom}"
  sara: "712020:5a4a0000-0000-4000-8000-000000005a4a"
lead: {lead}
timezone: Europe/London
"""

WEB = """\
name: web
postmortems:
  paths: ["web/**"]
tracker:
  connection: {connection}
  github: {{repo: acme/ops, labels: [postmortem]}}
directory:
  lena: lena
  marco: {marco}
lead: lena
timezone: America/New_York
"""

TOM = "712020:70300000-0000-4000-8000-000000007030"


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Ran:
    """One command's exit status and its output, as lines (stdout and stderr kept apart)."""

    status: int
    out: list[str]
    err: list[str]

    @property
    def lines(self) -> list[str]:
        return self.out + self.err


@dataclass
class Workspace:
    """A folder with postmortems and a configuration whose trackers live in ``sandbox``."""

    root: Path
    sandbox: Sandbox
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def configure(
        self,
        *,
        sources: str = "  - path: postmortems/\n",
        jira_url: str | None = None,
        jira_token: str | None = None,
        payments: Mapping[str, str] | None = None,
        web: Mapping[str, str] | None = None,
        teams: Mapping[str, str] | None = None,
        refused_token: bool = False,
    ) -> Path:
        """Write the global file and the team files; returns the global file."""
        info = self.sandbox.info()
        config = self.root / "config"
        shutil.rmtree(config, ignore_errors=True)
        (config / "teams").mkdir(parents=True)
        (config / "followthrough.yaml").write_text(
            "sources:\n"
            + sources
            + "trackers:\n"
            + f"  jira: {{kind: jira, url: '{jira_url or info['jira']}', user: '{info['user']}',"
            + " search_lag_seconds: 0}\n"
            + f"  github: {{kind: github, url: '{info['github']}/api/v3'}}\n"
            + (
                f"  expired: {{kind: jira, url: '{info['jira']}', user: '{info['user']}'}}\n"
                if refused_token
                else ""
            )
            + "store: {sqlite_path: state/followthrough.db}\n"
            + "log: {level: error}\n",
            encoding="utf-8",
        )
        chosen = teams or {
            "payments": PAYMENTS.format(
                **({"project": "OPS", "tom": TOM, "lead": "priya"} | dict(payments or {}))
            ),
            "web": WEB.format(**({"connection": "github", "marco": "marco"} | dict(web or {}))),
        }
        for name, text in chosen.items():
            (config / "teams" / f"{name}.yaml").write_text(text, encoding="utf-8")
        self.monkeypatch.setenv("FOLLOWTHROUGH_TRACKERS__JIRA__TOKEN", jira_token or info["token"])
        self.monkeypatch.setenv("FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN", info["token"])
        if refused_token:
            self.monkeypatch.setenv("FOLLOWTHROUGH_TRACKERS__EXPIRED__TOKEN", "expired-token")
        else:
            self.monkeypatch.delenv("FOLLOWTHROUGH_TRACKERS__EXPIRED__TOKEN", raising=False)
        return config / "followthrough.yaml"

    def run(self, *argv: str) -> Ran:
        """``followthrough ARGV`` in this workspace, through the real entry point."""
        self.capsys.readouterr()
        try:
            status = main(list(argv))
        except SystemExit as exit_:  # argparse's own usage errors
            status = int(exit_.code or 0)
        captured = self.capsys.readouterr()
        return Ran(status, captured.out.splitlines(), captured.err.splitlines())


@pytest.fixture
def workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Workspace]:
    """A workspace with the example postmortems and a fresh standalone sandbox."""
    shutil.copytree(REPO / "examples", tmp_path / "postmortems")
    for name in list(os.environ):
        if name.startswith("FOLLOWTHROUGH_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    box = Sandbox(seed=3)
    box.start()
    try:
        space = Workspace(root=tmp_path, sandbox=box, monkeypatch=monkeypatch, capsys=capsys)
        space.configure()
        yield space
    finally:
        box.stop()


Prepare = Callable[[Workspace], None]
