"""``followthrough check`` against a served sandbox: each failure kind is found and given a fix."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from followthrough.cli import main
from followthrough.sandbox.core import Sandbox
from followthrough.sandbox.github import GitHubApp

from .conftest import free_port

ALICE = "712020:a11ce000-0000-4000-8000-00000000a11c"
ERIN_INACTIVE = "712020:e7170000-0000-4000-8000-000000000e71"
GOOD = """
    tracker: {connection: jira, jira: {project: OPS, labels: [postmortem]}}
    directory: {alice: "712020:a11ce000-0000-4000-8000-00000000a11c"}
    lead: alice
"""


class Refusing:
    """An SMTP handler that never gets to see a message: the login is refused first."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "554 not expected"


@pytest.fixture
def refusing_smtp() -> Iterator[Controller]:
    """A real SMTP server on loopback that answers EHLO and refuses every login."""

    def refuse(*_args: Any) -> AuthResult:
        return AuthResult(success=False, handled=False)

    controller = Controller(
        Refusing(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=refuse,
        auth_require_tls=False,
    )
    controller.start()
    yield controller
    controller.stop()


def run_check(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    code = main(["check", "--config", str(config), "--format", "json", *extra])
    captured = capsys.readouterr()
    assert captured.out, captured.err
    return code, json.loads(captured.out)


def failures(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(row["scope"], row["check"]): row for row in rows if row["status"] == "fail"}


def test_all_good_exits_zero(write_config: Callable[..., Path], capsys) -> None:
    config = write_config({"payments": GOOD})
    code, rows = run_check(config, capsys)
    assert code == 0, rows
    checks = {row["check"] for row in rows if row["status"] == "ok"}
    assert checks >= {
        "source readable",
        "tracker login",
        "project exists",
        "write permissions",
        "issue type",
        "done transition",
        "won't-do transition",
        "owner assignable",
        "labels valid",
    }


def test_each_failure_kind_is_reported_with_its_fix(
    write_config: Callable[..., Path], refusing_smtp: Controller, tmp_path: Path, capsys
) -> None:
    teams = {
        "payments": GOOD,
        "sre": "tracker: {connection: jira, jira: {project: SRE}}\n",
        "frozen": "tracker: {connection: jira, jira: {project: FRZ}}\n",
        "ghosts": f"""
            tracker: {{connection: jira, jira: {{project: OPS, labels: ["post mortem"]}}}}
            directory: {{erin: "{ERIN_INACTIVE}", alice: "{ALICE}"}}
        """,
        "web": "tracker: {connection: github, github: {repo: acme/sre}}\ndirectory: {zed: zed}\n",
    }
    smtp = {
        "host": "127.0.0.1",
        "port": refusing_smtp.port,
        "security": "plain",
        "allow_plain_auth": True,  # a loopback test relay without TLS
        "username": "followthrough",
        "password_file": str(tmp_path / "token"),
        "sender": "followthrough@acme.example",
        "timeout_seconds": 5,
    }
    missing = tmp_path / "no-such-folder"
    config = write_config(teams, sources=[{"path": str(missing)}], smtp=smtp)

    code, rows = run_check(config, capsys)

    assert code == 1
    failed = failures(rows)
    project = failed[("team sre", "project exists")]
    assert "no Jira project SRE" in project["detail"]
    assert "--jira-project SRE" in project["fix"]
    assert "tracker.jira.project" in project["fix"]
    assert str(tmp_path / "teams" / "sre.yaml") in project["fix"]
    transition = failed[("team frozen", "done transition")]
    assert "no done status (To Do, In Progress)" in transition["detail"]
    assert "add a Done-category status" in transition["fix"]
    owner = failed[("team ghosts", "owner assignable")]
    assert owner["detail"] == f"erin → {ERIN_INACTIVE}: not assignable"
    assert "Assignable User permission in OPS" in owner["fix"]
    assert "'erin'" in owner["fix"]
    labels = failed[("team ghosts", "labels valid")]
    assert "'post mortem' has a space" in labels["detail"]
    github_owner = failed[("team web", "owner assignable")]
    assert "add zed as a collaborator of acme/sre" in github_owner["fix"]
    source = failed[(f"source {missing}", "source readable")]
    assert source["detail"] == "the folder does not exist"
    assert "sources[1].path" in source["fix"]
    login = failed[(f"smtp 127.0.0.1:{refusing_smtp.port}", "smtp login")]
    assert "refused the login" in login["detail"]
    assert "smtp.username and the password" in login["fix"]
    # Nothing else failed: the good team and the assignable owners pass.
    assert set(failed) == {
        ("team sre", "project exists"),
        ("team frozen", "done transition"),
        ("team ghosts", "owner assignable"),
        ("team ghosts", "labels valid"),
        ("team web", "owner assignable"),
        (f"source {missing}", "source readable"),
        (f"smtp 127.0.0.1:{refusing_smtp.port}", "smtp login"),
    }
    assert all(row["fix"] for row in rows if row["status"] == "fail")


def test_a_github_repository_the_token_may_only_read_fails_the_write_check(
    write_config: Callable[..., Path], served: Sandbox, capsys
) -> None:
    teams = {"web": "tracker: {connection: github, github: {repo: acme/sre}}\n"}
    config = write_config(teams)
    code, rows = run_check(config, capsys)
    assert code == 0, rows
    github = served.app("github")
    assert isinstance(github, GitHubApp)
    github.set_token_access("acme/sre", "read")
    code, rows = run_check(config, capsys)
    assert code == 1
    (row,) = failures(rows).values()
    assert (row["scope"], row["check"], row["detail"]) == (
        "team web",
        "write permissions",
        "the token may only read",
    )
    assert "write (push) access to acme/sre" in row["fix"]


def test_check_writes_nothing_to_the_tracker(
    write_config: Callable[..., Path], served, capsys
) -> None:
    config = write_config({"payments": GOOD})
    served.accounting.reset()
    run_check(config, capsys)
    assert served.accounting.total(writes_only=True) == 0
    assert served.accounting.total(reads_only=True) > 0


def test_unreachable_tracker_is_one_row_with_a_fix(
    write_config: Callable[..., Path], tmp_path: Path, capsys
) -> None:
    config = write_config({"payments": GOOD})
    text = config.read_text()
    jira_url = text.split("url: ", 1)[1].split("\n", 1)[0]
    config.write_text(text.replace(jira_url, f"http://127.0.0.1:{free_port()}"))
    code, rows = run_check(config, capsys)
    assert code == 1
    [row] = [r for r in rows if r["scope"] == "team payments"]
    assert row["check"] == "tracker login"
    assert "unreachable: connection refused" in row["detail"]
    assert "check trackers.jira.url" in row["fix"]


def test_wrong_token_names_the_variable(write_config: Callable[..., Path], tmp_path, capsys):
    config = write_config({"payments": GOOD})
    (tmp_path / "token").write_text("sbx_wrong")
    code, rows = run_check(config, capsys)
    assert code == 1
    [row] = [r for r in rows if r["scope"] == "team payments"]
    assert "FOLLOWTHROUGH_TRACKERS__JIRA__TOKEN" in row["fix"]


def test_unknown_team_and_bad_config_exit_two(
    write_config: Callable[..., Path], tmp_path: Path, capsys
) -> None:
    config = write_config({"payments": GOOD})
    assert main(["check", "--config", str(config), "--team", "nope"]) == 2
    assert "unknown team nope (--team); known: payments" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("sources: []\n")
    assert main(["check", "--config", str(broken)]) == 2


def test_table_output_names_each_failure(
    write_config: Callable[..., Path], capsys, monkeypatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    config = write_config({"sre": "tracker: {connection: jira, jira: {project: SRE}}\n"})
    assert main(["check", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "fail" in out
    assert "no Jira project SRE" in out
    assert "1 failed" in out
