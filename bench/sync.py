"""Sync benchmark on the sandbox trackers: first sync, a quiet cycle and a 1% change cycle.

Usage: python bench/sync.py [--items 10000] [--teams 20] [--store sqlite|postgres]

Postmortems are generated in memory (extraction has its own benchmark), split over teams
that share the sandbox's Jira project OPS and GitHub repository acme/ops (half each). API
calls are counted by the sandbox itself. Cycles are 10 simulated minutes apart. The cycle right
after the first sync re-reads the tickets that sync wrote (their `updated` falls inside the
listing's safety margin); the quiet cycle is the steady state after it. The last line is one
JSON object with the figures; ``change_calls_per_item`` is what the 1% change cycle cost per
changed item beyond the listing reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from followthrough.adapters.stores import open_store
from followthrough.adapters.trackers.github import GitHubTracker
from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.domain.keys import item_key
from followthrough.domain.model import ActionItem, Postmortem
from followthrough.domain.policy import TeamPolicy
from followthrough.engine.sync import SyncEngine
from followthrough.ports import Tracker
from followthrough.retry import RetryPolicy
from followthrough.sandbox.core import Sandbox, SimClock

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
JIRA_PEOPLE = {
    "alice": "712020:a11ce000-0000-4000-8000-00000000a11c",
    "bob": "712020:b0b00000-0000-4000-8000-000000000b0b",
    "carol": "712020:ca201000-0000-4000-8000-0000000ca201",
}
GITHUB_PEOPLE = {"alice": "alice", "bob": "bob", "carol": "carol"}
# Jira's search, GitHub's issue list (the listing itself, not a single issue's read)
LISTING_ROUTE_ENDINGS = ("POST /rest/api/{v}/search/jql", "GET /repos/{owner}/{repo}/issues")
VERBS = (
    "Alert on",
    "Add a runbook for",
    "Validate",
    "Rate-limit",
    "Load-test",
    "Document",
    "Automate",
)
THINGS = (
    "queue depth",
    "pool usage",
    "disk pressure",
    "certificate expiry",
    "failover",
    "backfills",
)


def teams(count: int) -> list[TeamPolicy]:
    out = []
    for index in range(count):
        jira = index % 2 == 0
        out.append(
            TeamPolicy(
                name=f"team-{index:02d}",
                tracker_kind="jira" if jira else "github",
                project="OPS" if jira else "acme/ops",
                directory=JIRA_PEOPLE if jira else GITHUB_PEOPLE,
                soak_days=0,
                labels=(f"team-{index:02d}",),
            )
        )
    return out


def postmortems(
    team: TeamPolicy, *, docs: int, per_doc: int, rng: random.Random
) -> list[Postmortem]:
    out = []
    for number in range(docs):
        pm_id = f"{team.name}-pm-{number:04d}"
        items = []
        for position in range(per_doc):
            title = f"{rng.choice(VERBS)} {rng.choice(THINGS)} ({pm_id} #{position})"
            due = START.date() + dt.timedelta(days=rng.randint(7, 90))
            owner = rng.choice(("alice", "bob", "carol"))
            items.append(
                ActionItem(
                    key=item_key(pm_id, title),
                    title=title,
                    line=10 + position,
                    owner=owner,
                    due=due,
                )
            )
        out.append(
            Postmortem(
                id=pm_id,
                path=f"{team.name}/{pm_id}.md",
                title=f"Incident {pm_id}",
                team=team.name,
                date=START.date() - dt.timedelta(days=5),
                action_items=tuple(items),
            )
        )
    return out


def trackers(sandbox: Sandbox, clock: SimClock) -> dict[str, Tracker]:
    info = sandbox.info()
    jira = JiraTracker(
        url=info["jira"],
        user=info["user"],
        token=info["token"],
        project="OPS",
        search_lag=dt.timedelta(seconds=5),
        clock=clock.now,
    )
    github = GitHubTracker(
        token=info["token"],
        repo="acme/ops",
        base_url=info["github"],
        min_write_interval=0.0,
        clock=clock.now,
    )
    return {"jira": jira, "github": github}


def cycle(
    engine: SyncEngine,
    plan: list[tuple[TeamPolicy, list[Postmortem]]],
    by_kind: dict[str, Tracker],
    sandbox: Sandbox,
) -> dict[str, Any]:
    sandbox.accounting.reset()
    engine.new_cycle()
    started = time.perf_counter()
    failed = 0
    for team, docs in plan:
        result = engine.sync_team(team, by_kind[team.tracker_kind], docs)
        failed += len(result.failed) + (1 if result.error else 0)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "reads": sandbox.accounting.total(reads_only=True),
        "listing_reads": listing_calls(sandbox),
        "writes": sandbox.accounting.total(writes_only=True),
        "calls": sandbox.accounting.total(),
        "failed": failed,
    }


def listing_calls(sandbox: Sandbox) -> int:
    """Calls that list a project's tickets (Jira's search, GitHub's issue list), and /myself."""
    counts = sandbox.accounting.counts()
    return sum(
        n
        for route, n in counts.items()
        if route.endswith(LISTING_ROUTE_ENDINGS) or route.endswith("/myself")
    )


def change_one_percent(
    plan: list[tuple[TeamPolicy, list[Postmortem]]], rng: random.Random
) -> tuple[list[tuple[TeamPolicy, list[Postmortem]]], int]:
    all_items = [(t, d, i) for t, docs in plan for d in docs for i in d.action_items]
    chosen = {id(item) for _, _, item in rng.sample(all_items, max(1, len(all_items) // 100))}
    changed = []
    for team, docs in plan:
        new_docs = []
        for pm in docs:
            items = tuple(
                replace(i, due=i.due + dt.timedelta(days=7)) if id(i) in chosen and i.due else i
                for i in pm.action_items
            )
            new_docs.append(replace(pm, action_items=items))
        changed.append((team, new_docs))
    return changed, len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--per-doc", type=int, default=5)
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    clock = SimClock(START)
    clock.freeze(START)
    docs_per_team = max(1, args.items // args.per_doc // args.teams)
    plan = [
        (team, postmortems(team, docs=docs_per_team, per_doc=args.per_doc, rng=rng))
        for team in teams(args.teams)
    ]
    items = sum(len(pm.action_items) for _, docs in plan for pm in docs)
    with tempfile.TemporaryDirectory() as tmp, Sandbox(clock=clock) as sandbox:
        store = open_store(
            dsn=args.dsn if args.store == "postgres" else None, sqlite_path=Path(tmp) / "journal.db"
        )
        store.migrate()
        engine = SyncEngine(store=store, clock=clock.now, retry=RetryPolicy.no_wait())
        by_kind = trackers(sandbox, clock)
        for tracker in by_kind.values():
            tracker.ping()  # the daemon checks its trackers once at start-up
        first = cycle(engine, plan, by_kind, sandbox)
        print(f"first sync: {items} items, {first}")
        clock.advance(600)  # the next cycle, 10 minutes later
        settle = cycle(engine, plan, by_kind, sandbox)
        print(f"settling cycle (re-reads the first sync's own writes once): {settle}")
        clock.advance(600)
        quiet = cycle(engine, plan, by_kind, sandbox)
        print(f"quiet cycle: {quiet}")
        clock.advance(600)
        changed_plan, changed = change_one_percent(plan, rng)
        change = cycle(engine, changed_plan, by_kind, sandbox)
        print(f"1% change cycle ({changed} items changed): {change}")
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    print(
        json.dumps(
            {
                "items": items,
                "projects": len({(t.tracker_kind, t.project) for t, _ in plan}),
                "first_sync_calls": first["calls"],
                "settle_cycle_reads": settle["reads"],
                "quiet_cycle_reads": quiet["reads"],
                "quiet_cycle_writes": quiet["writes"],
                "quiet_cycle_seconds": quiet["seconds"],
                "change_cycle_calls": change["calls"],
                "change_cycle_listing_reads": change["listing_reads"],
                "changed_items": changed,
                # what each changed item cost beyond listing the projects (the target is ≤ 1.1)
                "change_calls_per_item": round(
                    (change["calls"] - change["listing_reads"]) / max(changed, 1), 3
                ),
                "peak_rss_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
