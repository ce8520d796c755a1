"""One team's trouble never stops another team: a tracker that says 401 or 404 to one team,
in the commands and in the worker's jobs, leaves every other team's run whole."""

from __future__ import annotations

import datetime as dt
import re
from typing import cast

from followthrough.adapters.stores import SqliteStore
from followthrough.app.daemon.cycle import JobBodies, Runtime
from followthrough.app.daemon.jobs import JobBook
from followthrough.app.daemon.metrics import RegistryMetrics
from followthrough.app.daemon.status import StorePing, readiness_checks
from followthrough.config import load_config
from followthrough.ports import Store
from tests.outcomes.conftest import Workspace

ALPHA = """\
name: alpha
postmortems: {paths: ["payments/**"]}
tracker: {connection: expired, jira: {project: OPS}}
directory: {priya: "712020:9e1a0000-0000-4000-8000-000000009e1a"}
"""

BETA = """\
name: beta
postmortems: {paths: ["nothing/**"]}
tracker: {connection: github, github: {repo: acme/no-such-repo}}
"""

ZULU = """\
name: zulu
postmortems: {paths: ["web/**"]}
tracker: {connection: github, github: {repo: acme/ops}}
directory: {lena: lena, marco: marco}
lead: lena
"""


def _three_teams(workspace: Workspace) -> None:
    workspace.configure(teams={"alpha": ALPHA, "beta": BETA, "zulu": ZULU}, refused_token=True)


def test_reminders_go_on_for_every_team_when_one_tracker_says_401_and_another_404(
    workspace: Workspace,
) -> None:
    _three_teams(workspace)
    synced = workspace.run("sync")
    assert synced.status == 1
    assert "zulu: 5 create; API calls: 1 read made, 5 writes planned" in synced.lines

    ran = workspace.run("remind")

    assert ran.status == 1, "\n".join(ran.lines)
    assert (
        "alpha: FAILED: tracker refused: Jira 401: Client must be authenticated to access this"
        " resource. (check the connection's token and user)"
    ) in ran.lines
    assert any(
        re.fullmatch(r"beta: FAILED: tracker refused: GitHub 404: .*\(check the project .*\)", line)
        for line in ran.lines
    ), "\n".join(ran.lines)
    assert any(re.fullmatch(r"zulu: posted \d+ reminders?; failed: 0", line) for line in ran.lines)
    assert sum("acme/ops#" in line for line in ran.lines) == 4  # zulu's open tickets, planned
    assert "remind: not all done: 2 teams failed (alpha, beta)" in ran.lines


def test_reports_are_written_for_every_team_and_the_failed_listings_named(
    workspace: Workspace,
) -> None:
    _three_teams(workspace)
    assert workspace.run("sync").status == 1
    ran = workspace.run("report", "--format", "json", "--week", "2026-W49")
    assert ran.status == 1, "\n".join(ran.lines)
    written = sorted(p.name for p in (workspace.root / "out").iterdir())
    assert written == [
        "all-teams-2026-W49.json", "alpha-2026-W49.json", "beta-2026-W49.json", "zulu-2026-W49.json",
    ]  # fmt: skip
    assert (
        "alpha: FAILED: tracker could not be listed, figures as last synced: Jira 401: Client"
        " must be authenticated to access this resource. (check the connection's token and user)"
    ) in ran.lines
    assert any(line.startswith("beta: FAILED: tracker could not be listed") for line in ran.lines)
    assert not any(line.startswith("zulu: FAILED") for line in ran.lines)


def test_the_workers_jobs_keep_other_teams_going_and_say_so(workspace: Workspace) -> None:
    _three_teams(workspace)
    config = load_config(workspace.root / "config" / "followthrough.yaml")
    store = SqliteStore(workspace.root / "state" / "followthrough.db")
    store.migrate()
    clock = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    metrics = RegistryMetrics()
    book = JobBook(clock=clock, log=lambda *_a, **_f: None, observe=metrics.job_finished)
    try:
        bodies = JobBodies(
            current=lambda: Runtime(config=config, store=cast(Store, store)),
            clock=clock,
            log=lambda *_args, **_fields: None,
            should_stop=lambda: False,
            report=None,
        )
        outcomes = {}
        for job in ("sync", "remind"):
            body = bodies(job)
            assert body is not None
            outcomes[job] = book.run(job, body)
        checks = readiness_checks(
            rejected=(),
            store=StorePing().check(cast(Store, store)),
            role="leader",
            sync=book.status()["sync"],
            now=clock(),
            unready_after=dt.timedelta(minutes=30),
            jobs=book.status(),
        )
    finally:
        store.close()
    for job, outcome in outcomes.items():
        by_team = {team.team: team for team in outcome.teams}
        assert list(by_team) == ["alpha", "beta", "zulu"], job
        assert not outcome.ok
        assert not by_team["alpha"].ok, job
        assert "401" in (by_team["alpha"].error or ""), job
        assert not by_team["beta"].ok, job
        assert "404" in (by_team["beta"].error or ""), job
        assert by_team["zulu"].ok, (job, by_team["zulu"])
    assert outcomes["sync"].teams[2].counts["create"] == 5

    text = metrics.render()
    assert 'followthrough_job_last_status{job="remind"} 1.0' in text
    assert 'followthrough_team_last_status{job="remind",team="alpha"} 1.0' in text
    assert 'followthrough_team_last_status{job="remind",team="beta"} 1.0' in text
    assert 'followthrough_team_last_status{job="remind",team="zulu"} 0.0' in text
    assert all(check["ok"] for check in checks.values())  # a team's trouble is named, not unready
    detail = checks["outcomes"]["jobs"]["remind"]
    assert detail["last_status"] == 1
    assert sorted(detail["failed_teams"]) == ["alpha", "beta"]
    assert "401" in detail["failed_teams"]["alpha"]
    assert checks["sync"]["last_status"] == 1
