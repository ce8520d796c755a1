"""The simulated world: one sandbox (Jira + GitHub), a SimClock, a journal, a loopback SMTP relay.

A world is built once per test and reset between schedules from a snapshot (sandbox state,
clock, journal file, inbox), so a schedule costs its own runs only. Tracker adapters and stores
are the real ones; `World.tracker` and `World.store` wrap them in `PortProxy` for a timeline.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests
from aiosmtpd.controller import Controller

from followthrough.adapters.mail import SmtpMailer
from followthrough.adapters.stores import PostgresStore, SqliteStore
from followthrough.adapters.trackers.github import GitHubTracker
from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.domain.tickets import FieldChanges
from followthrough.ports import Tracker
from followthrough.retry import RetryPolicy
from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.github import GitHubApp
from followthrough.sandbox.jira import JiraApp
from tests.sim.boundaries import FaultKind, PortProxy, Timeline

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # a Tuesday, inside business hours
SEARCH_LAG = 5.0
PG_DSN = os.environ.get("FOLLOWTHROUGH_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
ACCOUNTS = {
    "alice": "712020:a11ce000-0000-4000-8000-00000000a11c",
    "bob": "712020:b0b00000-0000-4000-8000-000000000b0b",
    "carol": "712020:ca201000-0000-4000-8000-0000000ca201",
}
_TLS = ssl.create_default_context()  # plain SMTP never uses it; building one per send is slow
# Sandbox faults that make the next request of an app fail (403 has none: raised at the port).
_SANDBOX_REFUSALS: dict[FaultKind, tuple[str, dict[str, Any]]] = {
    FaultKind.REFUSE_429: ("rate_limit", {"retry_after": 1}),
    FaultKind.REFUSE_429_LONG: ("rate_limit", {"retry_after": 3600}),
    FaultKind.REFUSE_503: ("server_error", {"status": 503}),
    FaultKind.REFUSE_500: ("server_error", {"status": 500}),
    FaultKind.REFUSE_401: ("unauthorized", {}),
    FaultKind.REFUSE_404: ("not_found", {}),
}


@dataclass(frozen=True, slots=True)
class TeamSpec:
    """A team as the simulator runs it: its tracker project and its owner directory."""

    name: str
    kind: str  # "jira" or "github"
    project: str  # "OPS" or "acme/ops"

    def directory(self) -> dict[str, str]:
        if self.kind == "jira":
            return dict(ACCOUNTS)
        return {name: name for name in ACCOUNTS}

    def account(self, person: str) -> str:
        return self.directory()[person]


class Inbox:
    """An aiosmtpd handler that keeps every message and can refuse the next recipient."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.refusal: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refusal is not None:
            refusal, self.refusal = self.refusal, None
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(bytes(envelope.original_content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Snapshot:
    sandbox: dict[str, Any]
    now: dt.datetime
    journal: dict[str, bytes]  # the database file and its WAL, by name
    messages: list[bytes]


@dataclass
class World:
    """Everything a schedule runs against, and how to put it back."""

    kind: str
    store_kind: str
    workdir: Path
    clock: SimClock = field(default_factory=lambda: SimClock(START))
    sandbox: Sandbox = field(init=False)
    inbox: Inbox = field(default_factory=Inbox)
    _smtp: Controller | None = field(default=None, init=False)
    _pg_schema: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.clock.freeze(START)
        self.sandbox = Sandbox(clock=self.clock)
        self.sandbox.start()
        github = self.sandbox.app("github")
        assert isinstance(github, GitHubApp)
        people = ["alice", "bob", "carol", "followthrough-bot"]
        github.state.add_repo("acme", "web", now=START.timestamp(), collaborators=people)
        self._smtp = Controller(self.inbox, hostname="127.0.0.1", port=_free_port())
        self._smtp.start()
        if self.store_kind == "postgres":
            self._pg_schema = f"sim_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{self._pg_schema}"')

    def close(self) -> None:
        self.sandbox.stop()
        if self._smtp is not None:
            self._smtp.stop()
        if self._pg_schema is not None:
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{self._pg_schema}" CASCADE')

    # -- the parts a run uses ---------------------------------------------------------------

    @property
    def journal_path(self) -> Path:
        return self.workdir / "journal.db"

    def open_store(self) -> Any:
        """The journal as a restarted process opens it (same database, new connection)."""
        if self._pg_schema is not None:
            store: Any = PostgresStore(f"{PG_DSN}?options=-csearch_path%3D{self._pg_schema}")
        else:
            store = SqliteStore(self.journal_path)
        store.migrate()
        return store

    @contextmanager
    def store(self, timeline: Timeline) -> Iterator[Any]:
        raw = self.open_store()
        try:
            yield PortProxy(raw, port="store", timeline=timeline)
        finally:
            raw.close()

    def adapter(self, team: TeamSpec) -> Tracker:
        """A fresh tracker adapter, as a restarted process builds it."""
        info = self.sandbox.info()
        if team.kind == "jira":
            return JiraTracker(
                url=info["jira"],
                user=info["user"],
                token=info["token"],
                project=team.project,
                search_lag=dt.timedelta(seconds=SEARCH_LAG),
                timeout=5.0,
                clock=self.clock.now,
            )
        return GitHubTracker(
            token=info["token"],
            repo=team.project,
            base_url=info["github"],
            min_write_interval=0.0,
            clock=self.clock.now,
            sleep=lambda _seconds: None,
        )

    def tracker(self, team: TeamSpec, timeline: Timeline) -> Tracker:
        proxy: Any = PortProxy(self.adapter(team), port="tracker", timeline=timeline)
        return proxy  # type: ignore[no-any-return]

    def mailer(self, timeline: Timeline) -> Any:
        assert self._smtp is not None
        smtp = SmtpMailer(
            host="127.0.0.1",
            port=self._smtp.port,
            security="plain",
            timeout=5,
            retry=RetryPolicy.no_wait(4),  # the mail relay's 4xx are retried at once here
            tls_context=_TLS,
        )
        return PortProxy(smtp, port="mail", timeline=timeline)

    # -- Surroundings (what faults act on) --------------------------------------------------

    def arm_refusal(self, port: str, kind: FaultKind) -> bool:
        if port == "mail":
            temporary = kind != FaultKind.REFUSE_403
            self.inbox.refusal = "451 4.3.0 try later" if temporary else "554 5.7.1 refused"
            return True
        chosen = _SANDBOX_REFUSALS.get(kind)
        if chosen is None:
            return False
        fault, params = chosen
        self.sandbox.add_fault(fault, self.kind, count=1, params=params)
        return True

    def disarm(self) -> None:
        self.sandbox.faults.clear()
        self.inbox.refusal = None

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def search_lag(self) -> float:
        return SEARCH_LAG

    # -- what people do in the tracker --------------------------------------------------------

    def human_edit(self, team: TeamSpec, ref: str, changes: FieldChanges) -> None:
        """A person edits a ticket in the tracker (not through our ports)."""
        self.adapter(team).update(ref, changes)

    def human_create(self, team: TeamSpec, title: str) -> None:
        """A person opens a ticket by hand (no marker, no labels of ours)."""
        info = self.sandbox.info()
        if team.kind == "jira":
            body = {"fields": {"project": {"key": team.project}, "summary": title}}
            body["fields"]["issuetype"] = {"name": "Task"}
            response = requests.post(
                f"{info['jira']}/rest/api/2/issue",
                json=body,
                auth=(info["user"], info["token"]),
                timeout=5,
            )
        else:
            response = requests.post(
                f"{info['github']}/repos/{team.project}/issues",
                json={"title": title},
                headers={"Authorization": f"token {info['token']}"},
                timeout=5,
            )
        response.raise_for_status()

    def delete_ticket(self, team: TeamSpec, ref: str) -> None:
        """A person deletes a ticket (GitHub has no REST delete: removed from its state)."""
        if team.kind == "jira":
            info = self.sandbox.info()
            response = requests.delete(
                f"{info['jira']}/rest/api/2/issue/{ref}",
                auth=(info["user"], info["token"]),
                timeout=5,
            )
            response.raise_for_status()
            return
        github = self.sandbox.app("github")
        assert isinstance(github, GitHubApp)
        owner, name = team.project.split("/")
        repo = github.state.repo(owner, name)
        assert repo is not None
        repo.issues.pop(int(ref.rpartition("#")[2]))

    # -- snapshots ----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot | None:
        """The world as it is now; ``None`` when the journal cannot be copied (PostgreSQL)."""
        if self._pg_schema is not None:
            return None
        journal = {path.name: path.read_bytes() for path in self.workdir.glob("journal.db*")}
        return Snapshot(
            self.sandbox.dump_state(), self.clock.now(), journal, list(self.inbox.messages)
        )

    def restore(self, snapshot: Snapshot) -> None:
        self.disarm()
        self._load_sandbox(snapshot.sandbox)
        self.clock.freeze(snapshot.now)
        for leftover in self.workdir.glob("journal.db*"):
            leftover.unlink()
        for name, data in snapshot.journal.items():
            (self.workdir / name).write_bytes(data)
        self.inbox.messages = list(snapshot.messages)

    def _load_sandbox(self, state: dict[str, Any]) -> None:
        self.sandbox.load_state(state)
        # Loading keeps per-project key counters the state lacks: set them exactly, so a
        # replayed schedule gets the same ticket keys as the first time.
        jira = self.sandbox.app("jira")
        assert isinstance(jira, JiraApp)
        jira.store.counters = dict(state["apps"]["jira"]["store"]["counters"])

    def reset(self) -> None:
        """An empty world at the start time (no tickets, no journal, no mail)."""
        self.disarm()
        empty = Sandbox(clock=SimClock(START))
        github = empty.app("github")
        assert isinstance(github, GitHubApp)
        people = ["alice", "bob", "carol", "followthrough-bot"]
        github.state.add_repo("acme", "web", now=START.timestamp(), collaborators=people)
        self._load_sandbox(empty.dump_state())
        self.clock.freeze(START)
        self.inbox.messages.clear()
        if self._pg_schema is not None:
            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{self._pg_schema}" CASCADE')
                conn.execute(f'CREATE SCHEMA "{self._pg_schema}"')
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir.mkdir(parents=True)
