"""Fixtures for the worker's tests: a fake clock, a recording log, workspaces, PostgreSQL.

PostgreSQL comes from ``FOLLOWTHROUGH_TEST_PG_DSN`` (default: the local ``test`` database);
its tests skip when it is unreachable, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

REPO = Path(__file__).resolve().parents[2]
PG_DSN = os.environ.get("FOLLOWTHROUGH_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


class FakeClock:
    """A settable clock (aware UTC)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class RecordingLog:
    """The ``log(event, **fields)`` callable, remembering every event."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, event: str, **fields: Any) -> None:
        self.events.append((event, fields))

    def named(self, event: str) -> list[dict[str, Any]]:
        return [fields for name, fields in self.events if name == event]


@pytest.fixture
def log() -> RecordingLog:
    return RecordingLog()


GLOBAL_YAML = """\
sources:
  - path: examples/
store:
  sqlite_path: state/followthrough.db
schedule:
  sync_every_minutes: {every}
log:
  format: json
  level: info
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a copy of ``examples/`` and a config with the example teams."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    (tmp_path / "config" / "teams").mkdir(parents=True)
    for team in (REPO / "config" / "teams").glob("*.yaml"):
        shutil.copy(team, tmp_path / "config" / "teams" / team.name)
    (tmp_path / "config" / "followthrough.yaml").write_text(GLOBAL_YAML.format(every=10))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def require_postgres() -> None:
    """Skip when PostgreSQL is unreachable, or fail when ``CI`` says it must be there."""
    try:
        with psycopg.connect(PG_DSN, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        reason = f"PostgreSQL is unreachable at {PG_DSN}: {type(error).__name__}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI must run the leader-election tests", pytrace=False)
        pytest.skip(f"{reason} (set CI to make this a failure)")


@pytest.fixture
def pg_schema_dsn() -> Iterator[str]:
    """A URL DSN whose ``search_path`` is a new, empty schema, dropped afterwards."""
    require_postgres()
    schema = f"d_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_DSN, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_DSN else "?"
    try:
        yield f"{PG_DSN}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


class Worker:
    """A ``followthrough run`` subprocess whose output is read on background threads."""

    def __init__(self, args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "followthrough", "run", *args],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: queue.Queue[str] = queue.Queue()
        self.events: list[dict[str, Any]] = []
        self._new_event = threading.Condition()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.stdout.put(line)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            try:
                event = json.loads(line)
            except ValueError:
                event = {"event": "text", "line": line}
            with self._new_event:
                self.events.append(event)
                self._new_event.notify_all()

    def base_url(self, timeout: float = 20) -> str:
        line = self.stdout.get(timeout=timeout)
        return str(json.loads(line)["http"])

    def wait_event(self, name: str, timeout: float = 20, **fields: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._new_event:
            while True:
                for event in self.events:
                    if event.get("event") == name and all(
                        event.get(k) == v for k, v in fields.items()
                    ):
                        return event
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(f"no {name} event; saw {self.events[-10:]}")
                self._new_event.wait(min(left, 0.2))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


def get(url: str) -> tuple[int, str]:
    """Status and body of a GET (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get_json(url: str) -> Any:
    return json.loads(get(url)[1])
