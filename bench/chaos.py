"""Chaos run: the worker killed at random moments while the sandbox trackers misbehave.

Usage: python bench/chaos.py [--budget-seconds 120] [--items 36] [--seed 7] [--keep DIR]

The sandbox runs as its own process (``followthrough sandbox``) with its state in a file, so
it outlives every worker it serves. A temporary configuration points real ``jira`` and
``github`` connections at it: three teams (two sharing the Jira project OPS, one on the GitHub
repository acme/ops), no soak time, and reminders allowed at any hour of any day. Generated
postmortems give every team a mix of overdue, due-soon, later, done and dropped items.

Until the budget (for the whole run, the settling cycles included) is nearly spent the
script starts ``followthrough run --once`` (now and then the long-running worker instead,
whose first sync starts at once), injects a seeded random set of faults through the
sandbox's control API (429 with ``Retry-After`` 0-1 s, 500/502/503 bursts, connections
dropped before or after the request is handled, 0.05-0.5 s latency) and sends SIGKILL after
a random delay unless the process has finished by then. Afterwards the faults are cleared
and clean cycles run until one writes nothing and the journal holds no open intent. The
tracker state is then checked against ``followthrough extract``: exactly one ticket per item
carrying its marker, with the right assignee and due date, and at most one reminder comment
per ticket (the back-off is 7 days) with no reminder tag posted twice.

The last line is one JSON object; the exit status is 1 when a ticket is duplicated or
missing, a field is wrong, or a reminder was doubled.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from followthrough.domain.tickets import MARKER_LABEL, Marker
from followthrough.sandbox.jira_model import STATUSES

JIRA_ACCOUNTS = {
    "alice": "712020:a11ce000-0000-4000-8000-00000000a11c",
    "bob": "712020:b0b00000-0000-4000-8000-000000000b0b",
    "carol": "712020:ca201000-0000-4000-8000-0000000ca201",
    "dave": "712020:da7e0000-0000-4000-8000-000000000da7",
}
GITHUB_LOGINS = {name: name for name in JIRA_ACCOUNTS}
PEOPLE = tuple(JIRA_ACCOUNTS)
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
EXTRACT = (sys.executable, "-m", "followthrough", "extract", "--no-cache", "--format", "json")
SEARCH_LAG_SECONDS = 5.0  # the sandbox's default for both trackers


@dataclass(frozen=True, slots=True)
class TeamSpec:
    name: str
    kind: str  # "jira" or "github"
    lead: str


TEAMS = (
    TeamSpec("payments", "jira", "alice"),
    TeamSpec("platform", "jira", "bob"),
    TeamSpec("web", "github", "carol"),
)
VERBS = (
    "Alert on",
    "Add a runbook for",
    "Add a dashboard panel for",
    "Load-test",
    "Document the limits of",
    "Automate the failover of",
    "Rate-limit",
    "Add a canary check for",
)
THINGS = (
    "queue depth in billing-api",
    "connection pool usage in checkout",
    "disk pressure on the ledger hosts",
    "certificate expiry on the edge proxies",
    "replica lag in the orders database",
    "retry storms from the mobile client",
    "cache evictions in session-store",
    "DNS resolution failures in the mesh",
)
SEVERITIES = ("SEV-1", "SEV-2", "SEV-3")


# -- postmortems and configuration ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WrittenItem:
    """An action item as generated (what extraction must find)."""

    title: str
    owner: str
    due: dt.date
    status: str  # open, done, dropped


def item_plan(rng: random.Random, today: dt.date) -> tuple[dt.date, str]:
    """A due date and a status: overdue, long overdue, due soon, later, done or dropped."""
    roll = rng.random()
    if roll < 0.30:
        return today - dt.timedelta(days=rng.randint(1, 10)), "open"
    if roll < 0.40:
        return today - dt.timedelta(days=rng.randint(20, 30)), "open"
    if roll < 0.50:
        return today + dt.timedelta(days=rng.randint(1, 3)), "open"
    if roll < 0.85:
        return today + dt.timedelta(days=rng.randint(20, 90)), "open"
    if roll < 0.95:
        return today - dt.timedelta(days=rng.randint(1, 20)), "done"
    return today + dt.timedelta(days=rng.randint(10, 40)), "dropped"


def render_postmortem(
    *, pm_id: str, team: str, date: dt.date, items: Sequence[WrittenItem], table: bool
) -> str:
    title = f"Incident {pm_id}: degraded {team} requests"
    lines = [
        "---",
        f"title: {title}",
        f"date: {date.isoformat()}",
        f"team: {team}",
        f"severity: {SEVERITIES[len(pm_id) % len(SEVERITIES)]}",
        f"incident_id: {pm_id}",
        "---",
        "",
        f"# {title}",
        "",
        "## Summary",
        "",
        f"For 40 minutes part of the {team} traffic failed after a configuration change.",
        "",
        "## Action items",
        "",
    ]
    if table:
        lines += ["| Action item | Owner | Due date | Status |", "| --- | --- | --- | --- |"]
        status_text = {"open": "Open", "done": "Done", "dropped": "Won't do"}
        for item in items:
            lines.append(
                f"| {item.title} | @{item.owner} | {item.due.isoformat()} "
                f"| {status_text[item.status]} |"
            )
    else:
        for item in items:
            box = "[x]" if item.status == "done" else "[ ]"
            lines.append(f"- {box} {item.title}. Owner: @{item.owner}, due {item.due.isoformat()}")
    lines.append("")
    return "\n".join(lines)


@dataclass
class Document:
    pm_id: str
    team: TeamSpec
    date: dt.date
    items: list[WrittenItem]
    table: bool

    def path(self, root: Path) -> Path:
        return root / self.team.name / f"{self.date.isoformat()}-{self.pm_id.lower()}.md"


class Corpus:
    """The generated postmortems; written atomically, since a worker may be reading them."""

    def __init__(self, root: Path, *, rng: random.Random, today: dt.date) -> None:
        self.root = root
        self.rng = rng
        self.today = today
        self.docs: list[Document] = []
        self.edits = 0
        self.all_titles = [f"{verb} {thing}" for verb in VERBS for thing in THINGS]

    @property
    def items(self) -> int:
        return sum(len(doc.items) for doc in self.docs)

    def add(self, size: int) -> Document:
        """A new postmortem with ``size`` items, for the next team in turn."""
        number = len(self.docs)
        items = [
            WrittenItem(title, self.rng.choice(PEOPLE), *item_plan(self.rng, self.today))
            for title in self.rng.sample(self.all_titles, size)
        ]
        doc = Document(
            pm_id=f"INC-{4000 + number}",
            team=TEAMS[number % len(TEAMS)],
            date=self.today - dt.timedelta(days=self.rng.randint(25, 40)),
            items=items,
            # a task list has no "won't do": dropped items are written in tables only
            table=any(i.status == "dropped" for i in items) or self.rng.random() < 0.5,
        )
        self.docs.append(doc)
        self.write(doc)
        return doc

    def fill(self, items: int) -> None:
        while self.items < items:
            self.add(min(self.rng.randint(3, 6), items - self.items))

    def edit(self) -> str | None:
        """Move one open item's due date or hand it to someone else (its key stays)."""
        candidates = [
            (d, i) for d in self.docs for i, it in enumerate(d.items) if it.status == "open"
        ]
        if not candidates:
            return None
        doc, index = self.rng.choice(candidates)
        item = doc.items[index]
        if self.rng.random() < 0.5:
            due, _ = item_plan(self.rng, self.today)
            while due == item.due:
                due += dt.timedelta(days=1)
            doc.items[index] = WrittenItem(item.title, item.owner, due, item.status)
            change = f"due {item.due} -> {due}"
        else:
            owner = self.rng.choice([p for p in PEOPLE if p != item.owner])
            doc.items[index] = WrittenItem(item.title, owner, item.due, item.status)
            change = f"owner {item.owner} -> {owner}"
        self.write(doc)
        self.edits += 1
        return f"{doc.pm_id} {item.title!r}: {change}"

    def write(self, doc: Document) -> None:
        path = doc.path(self.root)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = render_postmortem(
            pm_id=doc.pm_id, team=doc.team.name, date=doc.date, items=doc.items, table=doc.table
        )
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def team_file(team: TeamSpec) -> dict[str, Any]:
    tracker: dict[str, Any] = {"connection": team.kind}
    if team.kind == "jira":
        tracker["jira"] = {"project": "OPS", "labels": ["postmortem", team.name]}
        directory = dict(JIRA_ACCOUNTS)
    else:
        tracker["github"] = {"repo": "acme/ops", "labels": ["postmortem"]}
        directory = dict(GITHUB_LOGINS)
    return {
        "name": team.name,
        "postmortems": {"match_team": True, "paths": [f"{team.name}/**"]},
        "tracker": tracker,
        "directory": directory,
        "lead": team.lead,
        "timezone": "UTC",
        "soak_days": 0,
        "done_items": "create_closed",
        "owner_policy": "needs_owner_label",
        "reminders": {
            "enabled": True,
            "stale_days": 14,
            "due_soon_days": 3,
            "backoff_days": [7, 14],
            "max_per_owner_per_week": 100,
            "business_days": WEEKDAYS,
            "business_hours": "00:00-23:59",
            "escalate_after_nudges": 3,
            "escalate_after_overdue_days": 14,
        },
    }


def write_config(work: Path, sandbox: dict[str, str], *, http_port: int) -> Path:
    """The global file and one file per team (JSON, which YAML reads as it is)."""
    folder = work / "config"
    (folder / "teams").mkdir(parents=True, exist_ok=True)
    settings = {
        "sources": [{"path": str(work / "postmortems")}],
        "trackers": {
            "jira": {
                "kind": "jira",
                "url": sandbox["jira"],
                "deployment": "cloud",
                "user": sandbox["user"],
                "search_lag_seconds": SEARCH_LAG_SECONDS + 1,
            },
            "github": {"kind": "github", "url": sandbox["github"] + "/api/v3"},
        },
        "store": {"sqlite_path": str(work / "state" / "journal.db")},
        "schedule": {"sync_every_minutes": 1},
        "cache_dir": str(work / "cache"),
        "http": {"port": http_port},
        "log": {"format": "json", "level": "info"},
    }
    path = folder / "followthrough.yaml"
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    for team in TEAMS:
        text = json.dumps(team_file(team), indent=2) + "\n"
        (folder / "teams" / f"{team.name}.yaml").write_text(text, encoding="utf-8")
    return path


def child_env(token: str) -> dict[str, str]:
    """The environment without any FOLLOWTHROUGH_ override, plus the two tokens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env["FOLLOWTHROUGH_TRACKERS__JIRA__TOKEN"] = token
    env["FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN"] = token
    env["PYTHONUNBUFFERED"] = "1"
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- the sandbox process and its control API -----------------------------------------------


class SandboxProcess:
    """``followthrough sandbox`` in its own process, state in a file."""

    def __init__(self, work: Path, *, seed: int) -> None:
        self.log = (work / "logs" / "sandbox.log").open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "followthrough",
                "sandbox",
                "--port",
                "0",
                "--state",
                str(work / "sandbox-state.json"),
                "--seed",
                str(seed),
            ],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            cwd=work,
            env=child_env(""),
        )
        self.info = self._read_info(timeout=30.0)

    def _read_info(self, *, timeout: float) -> dict[str, str]:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.stop()
            raise RuntimeError("the sandbox did not print its address (see logs/sandbox.log)")
        info: dict[str, str] = json.loads(line)
        return info

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """A control API call (any app's port reaches the shared faults and accounting)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.info['jira']}/_sandbox/{path}", data=data, method=method
        )
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()


def random_faults(rng: random.Random) -> list[dict[str, Any]]:
    """A seeded set of fault rules for one worker run (sometimes none at all)."""
    if rng.random() < 0.15:
        return []
    rules = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(("rate_limit", "server_error", "drop", "drop", "latency"))
        params: dict[str, Any]
        if kind == "rate_limit":
            params = {"retry_after": rng.choice((0, 1))}
        elif kind == "server_error":
            params = {"status": rng.choice((500, 502, 503)), "burst": rng.randint(1, 4)}
        elif kind == "drop":
            params = {
                "when": rng.choice(("after", "before")),
                "fraction": round(rng.uniform(0.0, 0.9), 2),
            }
        else:
            params = {"seconds": round(rng.uniform(0.05, 0.5), 3)}
        rule: dict[str, Any] = {
            "kind": kind,
            "app": rng.choice(("jira", "github")),
            "probability": round(rng.uniform(0.1, 0.5), 3),
            "params": params,
        }
        method = rng.choice((None, None, "POST", "POST", "PUT", "PATCH", "GET"))
        if method is not None:
            rule["method"] = method
        rules.append(rule)
    return rules


# -- worker runs ------------------------------------------------------------------------------


@dataclass
class Tally:
    runs: int = 0
    kills: int = 0
    finished: Counter[int] = field(default_factory=Counter)
    daemon_runs: int = 0
    crashes: list[str] = field(default_factory=list)
    cycle_seconds: list[float] = field(default_factory=list)  # full run --once cycles
    guess_seconds: float = 8.0  # a clean cycle's length before one was seen

    def settle_reserve(self) -> float:
        """Time to keep for the clean cycles at the end: three cycles as long as the slowest
        complete one seen so far (or the guess, before any completed)."""
        return 3 * max(self.cycle_seconds, default=self.guess_seconds)


def worker_command(config: Path, *, once: bool) -> list[str]:
    command = [sys.executable, "-m", "followthrough", "run", "--config", str(config)]
    command += ["--port", str(free_port()), "--host", "127.0.0.1"]
    return [*command, "--once"] if once else command


def start_worker(
    config: Path, work: Path, env: dict[str, str], *, once: bool, log: Path
) -> tuple[subprocess.Popen[bytes], TextIO]:
    out = log.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        worker_command(config, once=once),
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=work,
        env=env,
        start_new_session=True,
    )
    return proc, out


def crashed(log: Path) -> str | None:
    """The last line of an unhandled exception in a worker's output, if any."""
    text = log.read_text(encoding="utf-8", errors="replace")
    if "Traceback (most recent call last)" not in text:
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "Traceback"


def chaos_phase(
    sandbox: SandboxProcess,
    config: Path,
    work: Path,
    env: dict[str, str],
    *,
    rng: random.Random,
    end: float,
    kill_delay: tuple[float, float],
    daemon_share: float,
    corpus: Corpus,
    max_items: int,
    events: list[dict[str, Any]],
) -> Tally:
    tally = Tally(guess_seconds=min(8.0, (end - time.monotonic()) / 6))
    while tally.runs == 0 or time.monotonic() + tally.settle_reserve() < end:
        deadline = end - tally.settle_reserve()
        tally.runs += 1
        changes = []
        if corpus.items < max_items and rng.random() < 0.35:
            doc = corpus.add(min(rng.randint(2, 4), max_items - corpus.items))
            changes.append(f"added {doc.pm_id} ({doc.team.name}, {len(doc.items)} items)")
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            changes.append(f"edited {corpus.edit()}")
        rules = random_faults(rng)
        sandbox.control("DELETE", "faults")
        for rule in rules:
            sandbox.control("POST", "faults", rule)
        once = rng.random() >= daemon_share
        tally.daemon_runs += 0 if once else 1
        delay = rng.uniform(*kill_delay)
        log = work / "logs" / f"run-{tally.runs:04d}.log"
        started = time.monotonic()
        proc, out = start_worker(config, work, env, once=once, log=log)
        wait = max(0.0, min(delay, deadline - started))
        try:
            code: int | None = proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            if proc.poll() is None:  # the chosen moment, or an interruption of this script
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
            out.close()
        if code is None:
            tally.kills += 1
        else:
            tally.finished[code] += 1
            if once:
                tally.cycle_seconds.append(time.monotonic() - started)
        problem = crashed(log)
        if problem is not None:
            tally.crashes.append(f"{log.name}: {problem}")
        events.append(
            {
                "run": tally.runs,
                "mode": "once" if once else "daemon",
                "changes": changes,
                "faults": rules,
                "killed_after": None if code is not None else round(time.monotonic() - started, 3),
                "exit": code,
            }
        )
        if code == 2:
            raise RuntimeError(f"the worker rejected its configuration (see {log})")
    sandbox.control("DELETE", "faults")
    return tally


# -- settling ----------------------------------------------------------------------------------


def journal_open(db: Path) -> tuple[int, int]:
    """Open sync intents and open reminder intents in the journal."""
    if not db.exists():
        return 0, 0
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        intents = conn.execute("SELECT count(*) FROM intents WHERE finished IS NULL").fetchone()
        nudges = conn.execute("SELECT count(*) FROM nudges WHERE state = 'intent'").fetchone()
    return int(intents[0]), int(nudges[0])


def settle(
    sandbox: SandboxProcess,
    config: Path,
    work: Path,
    env: dict[str, str],
    *,
    max_cycles: int,
) -> list[dict[str, Any]]:
    """Clean ``run --once`` cycles until one writes nothing and no intent is left open."""
    cycles: list[dict[str, Any]] = []
    db = work / "state" / "journal.db"
    for number in range(1, max_cycles + 1):
        sandbox.control("POST", "accounting/reset")
        log = work / "logs" / f"clean-{number}.log"
        started = time.monotonic()
        proc, out = start_worker(config, work, env, once=True, log=log)
        try:
            code = proc.wait(timeout=600)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
            out.close()
        writes = int(sandbox.control("GET", "accounting")["writes"])
        open_intents, open_nudges = journal_open(db)
        cycle = {
            "cycle": number,
            "exit": code,
            "seconds": round(time.monotonic() - started, 2),
            "writes": writes,
            "open_intents": open_intents,
            "open_nudges": open_nudges,
        }
        cycles.append(cycle)
        print(
            f"clean cycle {number}: exit {code}, {writes} writes, "
            f"{open_intents} open intents, {open_nudges} open reminders, {cycle['seconds']} s"
        )
        if writes == 0 and open_intents == 0 and open_nudges == 0 and code == 0:
            break
        if open_intents:
            time.sleep(SEARCH_LAG_SECONDS + 1)  # unconfirmed writes wait for the search index
    return cycles


# -- verification ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expected:
    key: str
    path: str
    team: TeamSpec
    title: str
    owner: str | None
    due: str | None
    status: str


@dataclass(frozen=True, slots=True)
class Found:
    ref: str
    kind: str
    item: str
    assignee: str | None
    due: str | None
    closed: bool
    reminder_tags: tuple[str, ...]


def expected_items(work: Path, env: dict[str, str]) -> list[Expected]:
    """Every item ``followthrough extract`` finds, with the team that owns its postmortem."""
    root = work / "postmortems"
    done = subprocess.run(
        [*EXTRACT, str(root)],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        check=True,
    )
    teams = {team.name: team for team in TEAMS}
    out = []
    for pm in json.loads(done.stdout)["postmortems"]:
        team = teams[Path(pm["path"]).resolve().relative_to(root.resolve()).parts[0]]
        for item in pm["action_items"]:
            out.append(
                Expected(
                    key=item["key"],
                    path=str(Path(pm["path"]).resolve()),
                    team=team,
                    title=item["title"],
                    owner=item["owner"],
                    due=item["due"],
                    status=item["status"],
                )
            )
    return out


_JIRA_TAG = re.compile(r"^\[followthrough:(nudge:\d+)\]\s*$", re.M)
_GITHUB_TAG = re.compile(r"^<!-- followthrough:comment (nudge:\d+) -->$", re.M)
_MARKER_LINE = re.compile(r'^<!-- followthrough:v1 item="(?P<key>[^"\n]+)" -->$', re.M)
_GITHUB_DUE = re.compile(r"<!-- followthrough:begin -->\n(?:.*\n)*?\*\*Due:\*\* (?P<due>\S+)", re.M)


def body_text(value: Any) -> str:
    """Plain text of a stored Jira body (the sandbox keeps ``{"adf": …, "text": …}``)."""
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return str(value or "")


def jira_tickets(state: dict[str, Any], keys: Sequence[str]) -> list[Found]:
    """Every issue carrying any of our marks, from the sandbox's stored state.

    A ticket counts as an item's when it holds the ``followthrough`` property, else the
    hidden marker line in its description, else the item's ``ft-…`` search label, so a
    ticket whose property write was lost is still seen (and counted as a duplicate).
    """
    done_statuses = {s["id"] for s in STATUSES if s["category"] == "done"}
    by_label = {Marker(item_key=key).search_label(): key for key in keys}
    store = state["apps"]["jira"]["store"]
    found = []
    for issue_id, issue in store["issues"].items():
        prop = (issue.get("properties") or {}).get(MARKER_LABEL)
        line = _MARKER_LINE.search(body_text(issue.get("description")))
        labelled = [by_label[label] for label in issue.get("labels") or [] if label in by_label]
        if isinstance(prop, dict) and "item" in prop:
            item = str(prop["item"])
        elif line is not None:
            item = line.group("key")
        elif labelled:
            item = labelled[0]
        else:
            continue
        comments = store["comments"].get(issue_id, [])
        tags = tuple(t for c in comments for t in _JIRA_TAG.findall(body_text(c.get("body"))))
        found.append(
            Found(
                ref=str(issue["key"]),
                kind="jira",
                item=item,
                assignee=issue.get("assignee"),
                due=issue.get("duedate"),
                closed=issue.get("status") in done_statuses,
                reminder_tags=tags,
            )
        )
    return found


def github_tickets(state: dict[str, Any]) -> list[Found]:
    repo = next(r for r in state["apps"]["github"]["repos"] if r["name"] == "ops")
    comments: dict[int, list[str]] = {}
    for comment in repo["comments"]:
        comments.setdefault(int(comment["issue_number"]), []).append(str(comment["body"]))
    found = []
    for versions in repo["issues"]:
        issue = versions[-1]
        body = str(issue.get("body") or "").replace("\r\n", "\n")
        marker = _MARKER_LINE.search(body)
        if marker is None:
            continue
        due = _GITHUB_DUE.search(body)
        tags = tuple(
            t for text in comments.get(int(issue["number"]), []) for t in _GITHUB_TAG.findall(text)
        )
        assignees = list(issue.get("assignees") or [])
        found.append(
            Found(
                ref=f"acme/ops#{issue['number']}",
                kind="github",
                item=marker.group("key"),
                assignee=assignees[0] if assignees else None,
                due=due.group("due") if due else None,
                closed=issue.get("state") == "closed",
                reminder_tags=tags,
            )
        )
    return found


@dataclass
class Verdict:
    items: int = 0
    tickets: int = 0
    duplicates: int = 0
    missing: int = 0
    mismatched: int = 0
    nudges: int = 0
    doubled_nudges: int = 0
    problems: list[str] = field(default_factory=list)


def verify(expected: Sequence[Expected], tickets: Sequence[Found]) -> Verdict:
    verdict = Verdict(items=len(expected), tickets=len(tickets))
    by_item: dict[tuple[str, str], list[Found]] = {}
    for ticket in tickets:
        by_item.setdefault((ticket.kind, ticket.item), []).append(ticket)
    for item in expected:
        mine = by_item.get((item.team.kind, item.key), [])
        if not mine:
            verdict.missing += 1
            verdict.problems.append(f"missing: {item.team.name} {item.key} {item.title!r}")
            continue
        if len(mine) > 1:
            verdict.duplicates += len(mine) - 1
            refs = ", ".join(t.ref for t in mine)
            verdict.problems.append(f"duplicate: {item.key} has {len(mine)} tickets: {refs}")
        directory = JIRA_ACCOUNTS if item.team.kind == "jira" else GITHUB_LOGINS
        want = directory.get((item.owner or "").lstrip("@").casefold())
        for ticket in mine:
            wrong = []
            if ticket.assignee != want:
                wrong.append(f"assignee {ticket.assignee} (want {want})")
            if ticket.due != item.due:
                wrong.append(f"due {ticket.due} (want {item.due})")
            if ticket.closed != (item.status != "open"):
                wrong.append(f"closed={ticket.closed} for a {item.status} item")
            if wrong:
                verdict.mismatched += 1
                verdict.problems.append(
                    f"wrong fields on {ticket.ref} ({item.key}): {'; '.join(wrong)}"
                )
    known = {(item.team.kind, item.key) for item in expected}
    for (kind, key), mine in by_item.items():
        if (kind, key) not in known:
            verdict.problems.append(f"ticket for an unknown item {key}: {mine[0].ref}")
    tags: Counter[tuple[str, str]] = Counter()
    for ticket in tickets:
        verdict.nudges += len(ticket.reminder_tags)
        for tag in ticket.reminder_tags:
            tags[(ticket.kind, tag)] += 1
        if len(ticket.reminder_tags) > 1:
            verdict.doubled_nudges += len(ticket.reminder_tags) - 1
            verdict.problems.append(
                f"doubled reminder on {ticket.ref}: {', '.join(ticket.reminder_tags)}"
            )
    for (kind, tag), count in tags.items():
        if count > 1:
            verdict.problems.append(f"{kind} reminder tag {tag} posted {count} times")
    return verdict


def extraction_differences(expected: Sequence[Expected], corpus: Corpus) -> list[str]:
    """Generated items that extraction read differently (the check trusts extraction)."""
    found = {(e.path, e.title.rstrip(".")): e for e in expected}
    differences = []
    for doc in corpus.docs:
        for item in doc.items:
            got = found.get((str(doc.path(corpus.root).resolve()), item.title))
            want = (item.owner, item.due.isoformat(), item.status)
            seen = (
                got.owner.lstrip("@") if got and got.owner else None,
                got and got.due,
                got and got.status,
            )
            if got is None or seen != want:
                differences.append(f"{doc.pm_id} {item.title!r}: wrote {want}, extracted {seen}")
    if len(expected) != corpus.items:
        differences.append(f"{corpus.items} items written, {len(expected)} extracted")
    return differences


def reminders_expected(expected: Sequence[Expected], today: dt.date) -> int:
    """Open items overdue or due within three days: each should have had one reminder."""
    soon = today + dt.timedelta(days=3)
    return sum(
        1 for e in expected if e.status == "open" and e.due and dt.date.fromisoformat(e.due) <= soon
    )


def journal_rows(db: Path, key: str) -> list[tuple[Any, ...]]:
    """The journal's intents and reminders about one item (for a problem report)."""
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        intents = conn.execute(
            "SELECT 'intent', id, team, operation, created, finished, ok, ticket_ref, error "
            "FROM intents WHERE item_key = ? ORDER BY id",
            (key,),
        ).fetchall()
        nudges = conn.execute(
            "SELECT 'nudge', id, team, kind, posted_at, state, comment_id, ticket_ref, error "
            "FROM nudges WHERE item_key = ? ORDER BY id",
            (key,),
        ).fetchall()
    return [*intents, *nudges]


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--budget-seconds", type=float, default=120.0)
    parser.add_argument("--items", type=int, default=36, help="action items in all (a few dozen)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--kill-delay",
        type=float,
        nargs=2,
        default=(0.2, 5.0),
        metavar=("MIN", "MAX"),
        help="SIGKILL a worker this many seconds after its start (uniform)",
    )
    parser.add_argument(
        "--daemon-share",
        type=float,
        default=0.2,
        help="share of runs that start the long-running worker instead of run --once",
    )
    parser.add_argument(
        "--grow",
        type=int,
        default=24,
        help="items added in new postmortems while the workers run (edits happen too)",
    )
    parser.add_argument("--max-clean-cycles", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, work: Path) -> tuple[dict[str, Any], bool]:
    """The whole run in ``work``; the summary and whether it found a problem."""
    rng = random.Random(args.seed)
    today = dt.datetime.now(dt.UTC).date()
    began = time.monotonic()
    (work / "logs").mkdir(parents=True, exist_ok=True)
    corpus = Corpus(work / "postmortems", rng=rng, today=today)
    corpus.fill(args.items)
    sandbox = SandboxProcess(work, seed=args.seed)
    try:
        config = write_config(work, sandbox.info, http_port=free_port())
        env = child_env(sandbox.info["token"])
        print(
            f"{len(corpus.docs)} postmortems with {corpus.items} items for {len(TEAMS)} teams "
            f"({', '.join(f'{t.name}: {t.kind}' for t in TEAMS)}); work folder {work}"
        )
        events: list[dict[str, Any]] = []
        try:
            tally = chaos_phase(
                sandbox,
                config,
                work,
                env,
                rng=rng,
                end=began + args.budget_seconds,
                kill_delay=(args.kill_delay[0], args.kill_delay[1]),
                daemon_share=args.daemon_share,
                corpus=corpus,
                max_items=args.items + args.grow,
                events=events,
            )
        finally:
            (work / "logs" / "events.json").write_text(json.dumps(events, indent=1) + "\n")
        fault_log = sandbox.control("GET", "faults/log")
        (work / "logs" / "faults.json").write_text(json.dumps(fault_log, indent=1) + "\n")
        faults = fault_log["counts"]
        calls = sandbox.control("GET", "accounting")
        print(
            f"chaos: {tally.runs} worker runs ({tally.daemon_runs} long-running), "
            f"{tally.kills} killed, finished with exit codes {dict(tally.finished)}; "
            f"{calls['total']} tracker calls ({calls['writes']} writes), "
            f"faults injected {faults}; postmortems now {len(corpus.docs)} with "
            f"{corpus.items} items ({corpus.edits} items edited)"
        )
        for crash in tally.crashes:
            print(f"unhandled exception: {crash}")
        cycles = settle(sandbox, config, work, env, max_cycles=args.max_clean_cycles)
        expected = expected_items(work, env)
        state = sandbox.control("GET", "state")
    finally:
        sandbox.stop()
    for difference in extraction_differences(expected, corpus):
        print(f"note: extraction differs from the generated text: {difference}")
    keys = [e.key for e in expected]
    tickets = [*jira_tickets(state, keys), *github_tickets(state)]
    verdict = verify(expected, tickets)
    wanted = reminders_expected(expected, today)
    reminded = sum(1 for t in tickets if t.reminder_tags)
    print(
        f"{verdict.items} items, {verdict.tickets} tickets, {verdict.duplicates} duplicates, "
        f"{verdict.missing} missing, {verdict.mismatched} with wrong fields"
    )
    print(
        f"{verdict.nudges} reminders on {reminded} tickets ({wanted} items due for one), "
        f"{verdict.doubled_nudges} doubled"
    )
    db = work / "state" / "journal.db"
    for problem in verdict.problems:
        print(f"PROBLEM {problem}")
        key = next((k for k in keys if k in problem), None)
        if key is not None and db.exists():
            for row in journal_rows(db, key):
                print(f"  journal {key}: {row}")
    settled = bool(cycles) and cycles[-1]["writes"] == 0 and cycles[-1]["exit"] == 0
    if not settled:
        print(f"PROBLEM the clean cycles did not settle: {cycles}")
    summary = {
        "kills": tally.kills,
        "faults": sum(int(n) for n in faults.values()),
        "items": verdict.items,
        "tickets": verdict.tickets,
        "duplicates": verdict.duplicates,
        "missing": verdict.missing,
        "doubled_nudges": verdict.doubled_nudges,
        "mismatched": verdict.mismatched,
        "nudges": verdict.nudges,
        "runs": tally.runs,
        "clean_cycles": len(cycles),
        "budget_seconds": args.budget_seconds,
        "seconds": round(time.monotonic() - began, 1),
    }
    failed = bool(verdict.duplicates or verdict.missing or verdict.doubled_nudges)
    return summary, failed or bool(verdict.mismatched)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="followthrough-chaos-"))
    work.mkdir(parents=True, exist_ok=True)
    keep = True
    try:
        summary, failed = run(args, work)
        keep = failed or args.keep is not None
    finally:
        if keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
