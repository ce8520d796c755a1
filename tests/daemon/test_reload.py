"""Configuration reloads: a good change takes effect, a broken one is refused and the old kept."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from followthrough.app.daemon.config import ConfigWatcher
from followthrough.app.daemon.core import Daemon, DaemonOptions, Parts
from followthrough.app.daemon.leader import SingleReplica
from followthrough.app.daemon.metrics import RegistryMetrics
from followthrough.app.wiring import open_configured_store
from followthrough.config import Config, load_config
from tests.daemon.conftest import GLOBAL_YAML, FakeClock, RecordingLog

START = dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)


def rewrite(path: Path, text: str) -> None:
    """Write ``text`` and move the mtime on, so the change is seen on any file system."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def watcher(workspace: Path, log: RecordingLog, changes: list[Config]) -> ConfigWatcher:
    config = load_config(workspace / "config" / "followthrough.yaml")
    return ConfigWatcher(config, load=load_config, log=log, on_change=changes.append)


def test_a_good_change_is_taken(workspace: Path, log: RecordingLog) -> None:
    changes: list[Config] = []
    watch = watcher(workspace, log, changes)
    assert not watch.poll()
    rewrite(workspace / "config" / "followthrough.yaml", GLOBAL_YAML.format(every=3))
    assert watch.poll()
    assert watch.config.settings.schedule.sync_every_minutes == 3
    assert len(changes) == 1
    assert log.named("config_reloaded")[0]["teams"] == ["payments", "web"]


def test_a_broken_change_is_refused_once_and_the_old_kept(
    workspace: Path, log: RecordingLog
) -> None:
    changes: list[Config] = []
    watch = watcher(workspace, log, changes)
    team = workspace / "config" / "teams" / "web.yaml"
    good = team.read_text()
    rewrite(team, good.replace("America/New_York", "America/Nowhere"))
    assert not watch.poll()
    assert not watch.poll()  # the same broken version is not reported again
    refused = log.named("config_rejected")
    assert len(refused) == 1
    assert any("America/Nowhere" in problem for problem in refused[0]["problems"])
    assert watch.config.teams["web"].timezone == "America/New_York"
    assert watch.rejected
    rewrite(team, good.replace("America/New_York", "America/Chicago"))
    assert watch.poll()
    assert watch.config.teams["web"].timezone == "America/Chicago"
    assert not watch.rejected
    assert changes == [watch.config]


def test_a_new_team_file_reschedules_the_daemon(workspace: Path, log: RecordingLog) -> None:
    config = load_config(workspace / "config" / "followthrough.yaml")
    clock = FakeClock(START)
    parts = Parts(
        store=open_configured_store(config),
        leadership=SingleReplica(),
        metrics=RegistryMetrics(),
        load=load_config,
    )
    daemon = Daemon(config, parts=parts, clock=clock, log=log, options=DaemonOptions())
    try:
        web = workspace / "config" / "teams" / "web.yaml"
        # A new team claims its own folder: two teams may not claim the same postmortems.
        text = web.read_text().replace("name: web", "name: mobile").replace("web/**", "mobile/**")
        (workspace / "config" / "teams" / "mobile.yaml").write_text(text)
        daemon.tick()
        assert "remind:mobile" in daemon.scheduler.next_runs()
        assert daemon.status()["teams"] == ["mobile", "payments", "web"]
    finally:
        parts.store.close()
