"""Sandbox core: clock, accounting, fault plan, auth, control API, persistence, command."""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from followthrough.sandbox.command import add_parser, ports_for
from followthrough.sandbox.core import (
    SECONDARY_RATE_LIMIT_MESSAGE,
    Accounting,
    BadRequest,
    FaultPlan,
    FaultRule,
    HttpError,
    Sandbox,
    SandboxRequest,
    SandboxResponse,
    SimClock,
    credentials_ok,
)

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


class NotesApp:
    """A tiny real App: stores posted JSON notes; GET lists them."""

    def __init__(self, name: str = "notes") -> None:
        self.name = name
        self.notes: list[Any] = []

    def handle(self, req: SandboxRequest, *, public_base: str) -> SandboxResponse:
        if req.path == "/teapot":
            raise HttpError(418, {"message": "short and stout"})
        if req.method == "POST":
            self.notes.append(req.json())
            return SandboxResponse(201, {"self": f"{public_base}/notes/{len(self.notes)}"})
        return SandboxResponse(200, {"notes": self.notes, "q": req.arg("q"), "path": req.path})

    def route_of(self, req: SandboxRequest) -> str:
        return f"{req.method} /notes"

    def dump_state(self) -> dict[str, Any]:
        return {"notes": self.notes}

    def load_state(self, state: dict[str, Any]) -> None:
        self.notes = list(state["notes"])


def request(method: str = "GET", path: str = "/x", body: bytes = b"") -> SandboxRequest:
    return SandboxRequest(method, path, {"q": ["1", "2"]}, {}, body)


@pytest.fixture
def box() -> Any:
    clock = SimClock(T0)
    clock.freeze(T0)
    sandbox = Sandbox(apps=[NotesApp(), NotesApp("github")], clock=clock, seed=3)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def authed(box: Sandbox) -> requests.Session:
    session = requests.Session()
    session.auth = (box.user, box.token)
    return session


# --- units ----------------------------------------------------------------------------


def test_clock_follows_real_time_until_frozen() -> None:
    clock = SimClock(T0)
    first = clock.now()
    time.sleep(0.02)
    assert clock.now() > first
    assert first.tzinfo is not None
    clock.freeze(T0)
    clock.advance(90)
    assert clock.now() == T0 + timedelta(seconds=90)
    assert clock.frozen
    assert abs(SimClock().now() - datetime.now(UTC)) < timedelta(seconds=1)


def test_a_skewed_clock_is_the_same_clock_off_by_its_skew() -> None:
    clock = SimClock(T0)
    clock.freeze(T0)
    behind = clock.skewed(-600)
    assert behind.now() == T0 - timedelta(minutes=10)
    behind.advance(60)  # moves the clock it views
    assert clock.now() == T0 + timedelta(seconds=60)
    assert behind.now() == T0 - timedelta(minutes=9)
    behind.freeze(T0)
    assert (clock.now(), behind.now()) == (T0 + timedelta(minutes=10), T0)
    behind.set_skew(30)
    assert behind.now() == clock.now() + timedelta(seconds=30)
    assert behind.frozen


def test_every_answer_carries_the_sandbox_clock_as_its_date() -> None:
    clock = SimClock(T0)
    clock.freeze(T0)
    with Sandbox(apps=[NotesApp()], clock=clock.skewed(600)) as sandbox:
        ok = authed(sandbox).get(f"{sandbox.url('notes')}/x", timeout=5)
        refused = requests.get(f"{sandbox.url('notes')}/x", timeout=5)
    for answer in (ok, refused):
        assert answer.raw.headers.getlist("Date") == ["Wed, 01 May 2024 10:10:00 GMT"]


def test_request_helpers() -> None:
    assert request().arg("q") == "1"
    assert request().arg("missing", "d") == "d"
    assert request(body=b'{"a": 1}').json() == {"a": 1}
    assert request().json() is None
    with pytest.raises(BadRequest):
        request(body=b"{nope").json()


def test_accounting_totals() -> None:
    acc = Accounting()
    acc.record("jira", "GET /a")
    acc.record("jira", "GET /a")
    acc.record("jira", "POST /b")
    acc.record("github", "PATCH /c")
    assert acc.counts("jira") == {"GET /a": 2, "POST /b": 1}
    assert acc.counts()["github PATCH /c"] == 1
    assert acc.total() == 4
    assert acc.total("jira", writes_only=True) == 1
    assert acc.total(reads_only=True) == 2
    acc.reset()
    assert acc.total() == 0


def test_fault_plan_count_filters_and_log() -> None:
    plan = FaultPlan(seed=1)
    plan.add(FaultRule(kind="not_found", app="jira", count=2, method="POST", route_prefix="/p"))
    assert plan.decide("jira", request("GET", "/p")) is None
    assert plan.decide("github", request("POST", "/p")) is None
    assert plan.decide("jira", request("POST", "/other")) is None
    kinds = [plan.decide("jira", request("POST", "/p/1")) for _ in range(3)]
    assert [k.kind if k else None for k in kinds] == ["not_found", "not_found", None]
    assert plan.counts() == {"not_found": 2}
    assert plan.rules() == []


def test_fault_plan_probability_is_seeded() -> None:
    def pattern(seed: int) -> list[bool]:
        plan = FaultPlan(seed=seed)
        plan.add(FaultRule(kind="server_error", app="jira", probability=0.5))
        return [plan.decide("jira", request()) is not None for _ in range(40)]

    assert pattern(5) == pattern(5)
    assert pattern(5) != pattern(6)
    assert 5 < sum(pattern(5)) < 35


def test_fault_plan_route_template_prefix() -> None:
    plan = FaultPlan()
    plan.add(FaultRule(kind="latency", app="jira", route_prefix="/rest/api/{v}/issue"))
    hit = plan.decide(
        "jira", request("GET", "/rest/api/3/issue/1"), route="GET /rest/api/{v}/issue/{key}"
    )
    assert hit is not None
    assert plan.decide("jira", request("GET", "/x"), route="GET /rest/api/{v}/myself") is None


def test_credentials() -> None:
    basic = base64.b64encode(b"me@x:tok").decode()
    assert credentials_ok({"authorization": f"Basic {basic}"}, user="me@x", token="tok")
    assert not credentials_ok({"authorization": f"Basic {basic}"}, user="other", token="tok")
    assert credentials_ok({"authorization": "Bearer tok"}, user="me@x", token="tok")
    assert credentials_ok({"authorization": "token tok"}, user="me@x", token="tok")
    assert not credentials_ok({"authorization": "Basic !!"}, user="me@x", token="tok")
    assert not credentials_ok({}, user="me@x", token="tok")


def test_unknown_fault_kind_is_rejected() -> None:
    with pytest.raises(HttpError):
        FaultRule.from_json({"kind": "meteor"}, default_app="jira")


# --- served ---------------------------------------------------------------------------


def test_serving_auth_and_app_errors(box: Sandbox) -> None:
    base = box.url("notes")
    assert requests.get(f"{base}/notes", timeout=5).status_code == 401
    session = authed(box)
    created = session.post(f"{base}/notes", json={"n": 1}, timeout=5)
    assert created.status_code == 201
    assert created.json()["self"] == f"{base}/notes/1"
    listed = session.get(f"{base}/notes?q=hi", timeout=5).json()
    assert listed == {"notes": [{"n": 1}], "q": "hi", "path": "/notes"}
    assert session.get(f"{base}/teapot", timeout=5).status_code == 418
    github_401 = requests.get(f"{box.url('github')}/x", timeout=5).json()
    assert github_401["message"] == "Bad credentials"


def test_public_base_override(box: Sandbox) -> None:
    box.set_public_base("notes", "http://127.0.0.1:4010/")
    assert box.info()["notes"] == "http://127.0.0.1:4010"
    created = authed(box).post(f"{box.url('notes')}/notes", json={}, timeout=5)
    assert created.json()["self"] == "http://127.0.0.1:4010/notes/1"


def test_control_api(box: Sandbox) -> None:
    base = f"{box.url('notes')}/_sandbox"
    authed(box).get(f"{box.url('notes')}/notes", timeout=5)
    accounting = requests.get(f"{base}/accounting", timeout=5).json()
    assert accounting["apps"]["notes"] == {"GET /notes": 1}
    assert requests.post(f"{base}/accounting/reset", timeout=5).status_code == 204
    assert box.accounting.total() == 0
    moved = requests.post(f"{base}/clock/advance", json={"seconds": 60}, timeout=5).json()
    assert moved["now"] == (T0 + timedelta(minutes=1)).isoformat()
    assert requests.get(f"{base}/clock", timeout=5).json()["frozen"] is True
    rule = {"kind": "unauthorized", "count": 1}
    assert requests.post(f"{base}/faults", json=rule, timeout=5).status_code == 201
    assert authed(box).get(f"{box.url('notes')}/notes", timeout=5).status_code == 401
    log = requests.get(f"{base}/faults/log", timeout=5).json()
    assert log["counts"] == {"unauthorized": 1}
    assert log["entries"][0]["app"] == "notes"
    requests.post(f"{base}/faults", json={"kind": "not_found"}, timeout=5)
    assert requests.delete(f"{base}/faults", timeout=5).status_code == 204
    assert authed(box).get(f"{box.url('notes')}/notes", timeout=5).status_code == 200
    assert requests.post(f"{base}/faults", json={"kind": "x"}, timeout=5).status_code == 400
    assert requests.post(f"{base}/config", json={}, timeout=5).status_code == 404
    assert box.accounting.total() == 2


def test_control_api_sets_the_skew_of_a_skewed_clock(box: Sandbox) -> None:
    refused = requests.post(f"{box.url('notes')}/_sandbox/clock/skew", json={"seconds": 5})
    assert refused.status_code == 409  # this box runs on the product's own clock
    clock = SimClock(T0)
    clock.freeze(T0)
    with Sandbox(apps=[NotesApp()], clock=clock.skewed(0)) as skewed:
        base = f"{skewed.url('notes')}/_sandbox"
        moved = requests.post(f"{base}/clock/skew", json={"seconds": -90}, timeout=5).json()
        assert moved["now"] == (T0 - timedelta(seconds=90)).isoformat()
        answer = authed(skewed).get(f"{skewed.url('notes')}/x", timeout=5)
        assert answer.headers["Date"] == "Wed, 01 May 2024 09:58:30 GMT"
    assert clock.now() == T0


def test_github_secondary_rate_limit_shape(box: Sandbox) -> None:
    box.add_fault(
        "rate_limit", "github", count=1, params={"variant": "secondary", "retry_after": 60}
    )
    box.add_fault("rate_limit", "github", count=1)
    session = authed(box)
    secondary = session.get(f"{box.url('github')}/x", timeout=5)
    assert secondary.status_code == 403
    assert secondary.headers["retry-after"] == "60"
    assert secondary.json()["message"] == SECONDARY_RATE_LIMIT_MESSAGE
    primary = session.get(f"{box.url('github')}/x", timeout=5)
    assert primary.status_code == 429
    assert primary.headers["x-ratelimit-remaining"] == "0"


def test_drop_before_handling_loses_the_write(box: Sandbox) -> None:
    box.add_fault("drop", "notes", count=1, params={"when": "before"})
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        authed(box).post(f"{box.url('notes')}/notes", json={"lost": True}, timeout=5)
    assert authed(box).get(f"{box.url('notes')}/notes", timeout=5).json()["notes"] == []


def test_state_file_round_trip(tmp_path: Path) -> None:
    state = tmp_path / "nested" / "state.json"
    clock = SimClock(T0)
    clock.freeze(T0)
    with Sandbox(apps=[NotesApp()], clock=clock, state_file=state) as first:
        authed(first).post(f"{first.url('notes')}/notes", json={"kept": 1}, timeout=5)
        assert json.loads(state.read_text())["apps"]["notes"]["notes"] == [{"kept": 1}]
        clock.advance(3600)
    assert [p.name for p in state.parent.iterdir()] == ["state.json"]
    later = SimClock(T0)
    second = Sandbox(apps=[NotesApp()], clock=later, state_file=state)
    second.load()
    assert second.apps["notes"].dump_state() == {"notes": [{"kept": 1}]}
    assert later.now() >= T0 + timedelta(hours=1)


# --- command ----------------------------------------------------------------------------


def test_ports_for() -> None:
    assert ports_for(0) == {}
    assert ports_for(4010) == {"jira": 4010, "github": 4011}


def test_parser_rejects_nothing_but_records_options() -> None:
    parser = argparse.ArgumentParser(prog="followthrough")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sandbox", "--port", "0", "--seed", "4"])
    assert args.seed == 4
    assert args.host == "127.0.0.1"
    assert args.clock_skew == 0.0
    assert parser.parse_args(["sandbox", "--clock-skew", "-600"]).clock_skew == -600.0
    assert args.func(parser.parse_args(["sandbox", "--host", "0.0.0.0"])) == 2


RUNNER = """
import argparse, sys
from followthrough.sandbox.command import add_parser
parser = argparse.ArgumentParser()
add_parser(parser.add_subparsers(dest="command"))
args = parser.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""


def test_command_serves_until_sigterm_and_saves(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "sandbox", "--state", str(state), "--seed", "9"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert set(info) >= {"jira", "user", "token"}
        me = requests.get(
            f"{info['jira']}/rest/api/3/myself", auth=(info["user"], info["token"]), timeout=5
        )
        assert me.json()["displayName"] == "followthrough-bot"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "jira" in json.loads(state.read_text())["apps"]
