"""Ordinary mistakes, one table: each gives one clear line and the exit status it means.

0: everything asked was done. 1: it ran, but something named failed (a team, a write, a
source, a document). 2: a usage or configuration mistake; nothing was done. Every row runs
the real command line (``followthrough.cli.main``) in a workspace whose trackers are a
standalone sandbox reached by URL, the way a real Jira or GitHub is.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.outcomes.conftest import REPO, Workspace, closed_port

GHOST = "712020:00000000-0000-4000-8000-000000000bad"


@dataclass(frozen=True)
class Mistake:
    """A mistake: how to make it, the command, its exit status and the lines it must print."""

    name: str
    argv: tuple[str, ...]
    status: int
    lines: tuple[str, ...] = ()  # exact lines, ``{root}``/``{port}`` filled in
    patterns: tuple[str, ...] = ()  # whole-line regexes, for a vendor's own words
    make: Callable[[Workspace], dict[str, str]] = field(default=lambda ws: {})


def _configure(**options: object) -> Callable[[Workspace], dict[str, str]]:
    def make(ws: Workspace) -> dict[str, str]:
        ws.configure(**options)  # type: ignore[arg-type]
        return {}

    return make


def _unreachable_jira(ws: Workspace) -> dict[str, str]:
    port = closed_port()
    ws.configure(jira_url=f"http://127.0.0.1:{port}")
    return {"port": str(port)}


def _env(name: str, value: str) -> Callable[[Workspace], dict[str, str]]:
    def make(ws: Workspace) -> dict[str, str]:
        ws.monkeypatch.setenv(name, value)
        return {}

    return make


def _binary_document(ws: Workspace) -> dict[str, str]:
    (ws.root / "postmortems" / "web" / "export.md").write_bytes(b"\x00\x01\x02 binary")
    return {}


def _dangling_document(ws: Workspace) -> dict[str, str]:
    # Listed by the walk, gone when read: what a file deleted mid-scan looks like.
    web = ws.root / "postmortems" / "web"
    (web / "gone.md").symlink_to(web / "deleted.md")
    return {}


MISTAKES = (
    Mistake(
        "unknown team in sync",
        ("sync", "--team", "paymnets"),
        2,
        ("followthrough sync: unknown team paymnets (--team); known: payments, web",),
    ),
    Mistake(
        "unknown team in remind",
        ("remind", "--team", "nope", "--dry-run"),
        2,
        ("followthrough remind: unknown team nope (--team); known: payments, web",),
    ),
    Mistake(
        "unknown teams in report",
        ("report", "--team", "a", "--team", "b"),
        2,
        ("followthrough report: unknown teams a, b (--team); known: payments, web",),
    ),
    Mistake(
        "a port number out of range",
        ("run", "--port", "99999"),
        2,
        patterns=(r".*argument --port: '99999' is not a port number \(0 to 65535\)",),
    ),
    Mistake(
        "a DSN that is not PostgreSQL",
        ("sync",),
        2,
        (
            "<environment>: store.dsn: must be a PostgreSQL URL (postgresql://user@host/db)"
            " (from FOLLOWTHROUGH_STORE__DSN)",
        ),
        make=_env("FOLLOWTHROUGH_STORE__DSN", "mysql://db.example/followthrough"),
    ),
    Mistake(
        "PostgreSQL not answering",
        ("remind",),
        2,
        patterns=(
            r"followthrough remind: the journal cannot be used: PostgreSQL journal .*port=1:"
            r" .*Connection refused.* \(check store\.dsn \(FOLLOWTHROUGH_STORE__DSN\)\)",
        ),
        make=_env("FOLLOWTHROUGH_STORE__DSN", "postgresql://postgres@127.0.0.1:1/test"),
    ),
    Mistake(
        "a journal in a folder that cannot be written",
        ("sync", "--dry-run"),
        2,
        (
            "followthrough sync: the journal cannot be used: cannot create"
            " /proc/followthrough: No such file or directory (check store.sqlite_path)",
        ),
        make=_env("FOLLOWTHROUGH_STORE__SQLITE_PATH", "/proc/followthrough/journal.db"),
    ),
    Mistake(
        "a journal path that is a folder",
        ("remind", "--dry-run"),
        2,
        (
            "followthrough remind: the journal cannot be used: cannot open the SQLite journal"
            " {root}/postmortems: unable to open database file (check store.sqlite_path)",
        ),
        make=_env("FOLLOWTHROUGH_STORE__SQLITE_PATH", "postmortems"),
    ),
    Mistake(
        "a lead who is not in the directory",
        ("config", "check"),
        2,
        (
            "config/teams/payments.yaml:11: teams.payments.lead: 'pryia' is not in the"
            " directory (did you mean 'priya'?): add it under directory (name: tracker id)"
            " so reminders can mention the lead",
            "1 problem in the configuration",
        ),
        make=_configure(payments={"lead": "pryia"}),
    ),
    Mistake(
        "a Jira project that does not exist",
        ("sync",),
        1,
        (
            "payments: FAILED: tracker refused: Jira 400: The value 'NOPE' does not exist for"
            " the field 'project'.",
            "sync: not all done: 1 team failed (payments)",
        ),
        make=_configure(payments={"project": "NOPE"}),
    ),
    Mistake(
        "a token the tracker refuses",
        ("remind",),
        1,
        (
            "payments: FAILED: tracker refused: Jira 401: Client must be authenticated to"
            " access this resource. (check the connection's token and user)",
            "remind: not all done: 1 team failed (payments)",
        ),
        make=_configure(jira_token="expired-token"),
    ),
    Mistake(
        "a tracker that does not answer",
        ("sync",),
        1,
        (
            "payments: FAILED: tracker not answering: Jira at http://127.0.0.1:{port}"
            " unreachable: connection refused",
            "sync: not all done: 1 team failed (payments)",
        ),
        make=_unreachable_jira,
    ),
    Mistake(
        "a source folder that does not exist",
        ("sync", "--dry-run"),
        1,
        (
            "source postmortms: skipped, no such folder (check sources in the config)",
            "sync: not all done: 1 source or document skipped",
        ),
        make=_configure(sources="  - path: postmortems/\n  - path: postmortms/\n"),
    ),
    Mistake(
        "a GitHub repository source that does not exist",
        ("report", "--format", "json"),
        1,
        (
            "source github acme/postmortems:docs: skipped, GET"
            " /api/v3/repos/acme/postmortems/commits/main answered 404 Not Found (check the"
            " source's repo and ref, and the token of trackers.github)",
        ),
        make=_configure(
            sources="  - path: postmortems/\n  - github: {repo: acme/postmortems, path: docs}\n"
        ),
    ),
    Mistake(
        "an unreadable postmortem",
        ("sync",),
        1,
        (
            "postmortems/web/export.md:1: unreadable-document: postmortems/web/export.md:"
            " file is binary, not text",
            "sync: not all done: 1 source or document skipped",
        ),
        make=_binary_document,
    ),
    Mistake(
        "a postmortem deleted while the folder is read",
        ("run", "--once"),
        1,
        (
            "postmortems/web/gone.md:1: unreadable-document: postmortems/web/gone.md:"
            " broken symbolic link: its target does not exist",
            "run --once: not all done: sync: 1 source or document skipped",
        ),
        make=_dangling_document,
    ),
    Mistake(
        "an owner the directory does not know (named, not a failure)",
        ("sync", "--dry-run"),
        0,
        (
            "  postmortems/web/2026-11-02-cdn-certificate-expiry.md:23: owner-unresolved:"
            " owner “@lena and @marco” is not in the web directory: the ticket is unassigned"
            " and labelled needs-owner",
            "sync: 2 teams planned",
        ),
    ),
    Mistake(
        "a GitHub owner who cannot be assigned",
        ("sync", "--team", "web"),
        1,
        (
            "  failed: create “Add a synthetic check that fails 21 days before any certificate"
            " expires” (owner marco → ghost-user): tracker refused: GitHub 422: Validation"
            ' Failed [{"resource": "Issue", "code": "invalid", "field": "assignees",'
            ' "value": "ghost-user"}]',
            # a refusal of one item's write is that item's failure: the team goes on
            "  failed: create “Upload the renewed certificate” (owner marco → ghost-user):"
            ' tracker refused: GitHub 422: Validation Failed [{"resource": "Issue", "code":'
            ' "invalid", "field": "assignees", "value": "ghost-user"}]',
            "sync: not all done: 2 writes failed",
        ),
        make=_configure(web={"marco": "ghost-user"}),
    ),
    Mistake(
        "a Jira owner the project does not accept",
        ("sync", "--team", "payments"),
        1,
        (
            "  failed: create “Roll back the pool-size change” (owner tom → " + GHOST + "):"
            " tracker refused: 2026-10-14-card-auth-timeouts:824f2b6c50: Specify a valid value"
            " for assignee",
            "sync: not all done: 1 write failed",
        ),
        make=_configure(payments={"tom": GHOST}),
    ),
)


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_each_mistake_is_one_clear_line_and_its_exit_status(
    workspace: Workspace, mistake: Mistake
) -> None:
    values = {"root": str(workspace.root), **mistake.make(workspace)}
    started = time.monotonic()
    ran = workspace.run(*mistake.argv)
    took = time.monotonic() - started
    for line in mistake.lines:
        assert _filled(line, values) in ran.lines, "\n".join(ran.lines)
    for pattern in mistake.patterns:
        assert any(re.fullmatch(pattern, line) for line in ran.lines), "\n".join(ran.lines)
    assert not any("Traceback" in line for line in ran.lines)
    assert ran.status == mistake.status, "\n".join(ran.lines)
    assert took < 30  # the bound the README states for a tracker that does not answer


def _filled(line: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        line = line.replace("{" + name + "}", value)
    return line


def test_a_busy_port_is_one_line_and_exit_status_2(workspace: Workspace) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "followthrough",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            check=False,
            cwd=workspace.root,
            env=_child_env(workspace),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2, done.stderr
    assert (
        f"followthrough run: cannot listen on 127.0.0.1:{port}: Address already in use"
        " (choose another --port or http.port)"
    ) in done.stderr.splitlines()
    assert "Traceback" not in done.stderr


def _child_env(workspace: Workspace) -> dict[str, str]:
    env = dict(os.environ)  # the workspace's tracker tokens included
    env["PYTHONPATH"] = str(REPO / "src")
    env["FOLLOWTHROUGH_LOG__LEVEL"] = "error"
    return env
