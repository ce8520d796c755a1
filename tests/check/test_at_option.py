"""``--at TIME``: sync --dry-run, remind --dry-run and report reason as if it were that moment."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from followthrough.adapters.stores import open_store
from followthrough.app.clock_option import CLOCK_ENV, starting_at, worker_clock
from followthrough.cli import main
from followthrough.config import load_config
from followthrough.sandbox.core import Sandbox

ALICE = "712020:a11ce000-0000-4000-8000-00000000a11c"


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def monday_a_week_ahead() -> dt.datetime:
    """The first Monday at least seven days from today, 09:00 UTC."""
    day = today() + dt.timedelta(days=7)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)


def write_project(root: Path, *, postmortem_date: dt.date, due: dt.date, soak_days: int) -> Path:
    """A global file on the embedded sandbox, one Jira team and one postmortem."""
    (root / "postmortems").mkdir(exist_ok=True)
    (root / "postmortems" / "queue.md").write_text(
        textwrap.dedent(f"""\
            ---
            title: Queue backlog
            date: {postmortem_date}
            team: ops
            ---

            # Queue backlog

            ## Action items

            - Alert when the queue backlog passes 10 minutes. Owner: @alice, due {due}
            """)
    )
    settings = {
        "sources": [{"path": str(root / "postmortems")}],
        "trackers": {"sandbox": {"kind": "sandbox"}},
        "store": {"sqlite_path": str(root / "state" / "ft.db")},
        "cache_dir": str(root / "cache"),
    }
    config = root / "followthrough.yaml"
    config.write_text(yaml.safe_dump(settings))
    (root / "teams").mkdir()
    team = {
        "tracker": {"connection": "sandbox", "jira": {"project": "OPS"}},
        "directory": {"alice": ALICE},
        "soak_days": soak_days,
        "timezone": "UTC",
        "reminders": {"due_soon_days": 3, "stale_days": 30},
    }
    (root / "teams" / "ops.yaml").write_text(yaml.safe_dump(team))
    return config


def nudged(out: str) -> list[list[str]]:
    """Rows of the reminder table whose action is a nudge: [ticket, owner, action, reason, next]."""
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in out.splitlines()]
    return [row for row in rows if len(row) == 5 and row[2] == "nudge"]


def test_remind_dry_run_at_next_monday_shows_who_would_be_nudged(
    tmp_path: Path,
    write_config: Callable[..., Path],
    served: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    monday = monday_a_week_ahead()
    due = monday.date() + dt.timedelta(days=2)  # due soon on that Monday, not today
    write_project(tmp_path, postmortem_date=today() - dt.timedelta(days=30), due=due, soak_days=0)
    team = (tmp_path / "teams" / "ops.yaml").read_text()
    config = write_config({"ops": team.replace("connection: sandbox", "connection: jira")})
    assert main(["sync", "--config", str(config)]) == 0
    served.clock.advance(60)  # past the search index's lag: a full listing sees the ticket
    capsys.readouterr()

    assert main(["remind", "--config", str(config), "--dry-run"]) == 0
    assert nudged(capsys.readouterr().out) == []

    at = monday.isoformat()
    assert main(["remind", "--config", str(config), "--dry-run", "--at", at]) == 0
    out = capsys.readouterr().out
    [row] = nudged(out)
    assert row[:3] == ["OPS-1", "alice", "nudge"]  # reminder tables name people, not account ids
    assert "due in 2 days" in row[3]
    assert "ops: would post 1 reminder;" in out


def test_sync_dry_run_at_a_later_moment_sees_the_soak_time_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_project(
        tmp_path, postmortem_date=today(), due=today() + dt.timedelta(days=40), soak_days=2
    )
    assert main(["sync", "--config", str(config), "--dry-run", "--format", "json"]) == 0
    now_kinds = [op["kind"] for op in _operations(capsys.readouterr().out)]
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    assert (
        main(["sync", "--config", str(config), "--dry-run", "--format", "json", "--at", later]) == 0
    )
    later_kinds = [op["kind"] for op in _operations(capsys.readouterr().out)]
    assert now_kinds == ["wait"]
    assert later_kinds == ["create"]


def _operations(out: str) -> list[dict[str, str]]:
    import json  # noqa: PLC0415

    [team] = json.loads(out)["teams"]
    return list(team["operations"])


def test_report_at_a_moment_reports_that_moments_last_complete_week(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_project(
        tmp_path, postmortem_date=today(), due=today() + dt.timedelta(days=40), soak_days=2
    )
    out = tmp_path / "reports"
    code = main(
        [
            "report",
            "--config",
            str(config),
            "--format",
            "json",
            "--out",
            str(out),
            "--at",
            "2026-03-10T12:00:00+00:00",
        ]
    )
    assert code == 0
    assert (out / "ops-2026-W10.json").exists()
    store = open_store(dsn=None, sqlite_path=tmp_path / "state" / "ft.db")
    try:
        assert store.snapshots("ops") == []  # a preview leaves the trend alone
    finally:
        store.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sync"], "sync: --at only previews: add --dry-run"),
        (["remind"], "remind: --at only previews: add --dry-run"),
        (["report", "--send"], "report: --at cannot be combined with --send"),
    ],
)
def test_at_is_refused_on_real_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    config = write_project(tmp_path, postmortem_date=today(), due=today(), soak_days=0)
    code = main([*argv, "--config", str(config), "--at", "2026-12-07T09:00:00+01:00"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == message + (
        " (a real write happens now)"
        if argv[0] != "report"
        else " (a report mailed now describes now)"
    )
    assert not (tmp_path / "state").exists()  # refused before anything was opened


def test_at_needs_a_time_zone(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["remind", "--dry-run", "--at", "2026-12-07T09:00"])
    assert exited.value.code == 2
    assert "has no time zone" in capsys.readouterr().err


def test_the_clock_starts_at_the_moment_and_runs_on() -> None:
    ticks = iter([100.0, 100.0, 160.0])
    clock = starting_at(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC), monotonic=lambda: next(ticks))
    assert clock() == dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
    assert clock() == dt.datetime(2026, 12, 7, 9, 1, tzinfo=dt.UTC)


def test_worker_clock_only_with_the_sandbox(tmp_path: Path) -> None:
    config = write_project(tmp_path, postmortem_date=today(), due=today(), soak_days=0)
    sandboxed = load_config(config, env={})
    clock = worker_clock(
        sandboxed, default=lambda: dt.datetime.now(dt.UTC), environ={CLOCK_ENV: "2026-12-07T09:00Z"}
    )
    assert clock().date() == dt.date(2026, 12, 7)
    with pytest.raises(ValueError, match="has no time zone"):
        worker_clock(sandboxed, default=clock, environ={CLOCK_ENV: "2026-12-07T09:00"})
    (tmp_path / "token").write_text("t")
    real = tmp_path / "real.yaml"
    settings = yaml.safe_load(config.read_text())
    settings["trackers"] = {
        "jira": {
            "kind": "jira",
            "url": "https://acme.atlassian.net",
            "user": "u",
            "token_file": str(tmp_path / "token"),
        }
    }
    real.write_text(yaml.safe_dump(settings))
    (tmp_path / "teams" / "ops.yaml").write_text(
        yaml.safe_dump({"tracker": {"jira": {"project": "OPS"}}})
    )
    with pytest.raises(ValueError, match="only for the sandbox; unset it"):
        worker_clock(
            load_config(real, env={}), default=clock, environ={CLOCK_ENV: "2026-12-07T09:00Z"}
        )


def test_run_once_refuses_the_clock_variable_with_a_real_tracker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_project(tmp_path, postmortem_date=today(), due=today(), soak_days=0)
    monkeypatch.setenv(CLOCK_ENV, "yesterday")
    assert main(["run", "--once", "--config", str(config)]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .startswith(f"{CLOCK_ENV}: 'yesterday' is not an ISO 8601 time")
    )
