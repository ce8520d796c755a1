"""The shipped example configuration and the embedded default load and fit the examples."""

from __future__ import annotations

from pathlib import Path

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.config import (
    GitHubTarget,
    JiraTarget,
    SandboxConnection,
    load_config,
)
from followthrough.domain.lint import LintPolicy
from followthrough.domain.model import ItemStatus
from followthrough.domain.values import owner_kind
from tests.config.conftest import EXAMPLE, REPO


def test_example_config_loads_both_teams() -> None:
    config = load_config(EXAMPLE, env={}, base_dir=REPO)

    assert set(config.teams) == {"payments", "web"}
    assert isinstance(config.connection("sandbox"), SandboxConnection)
    payments, web = config.teams["payments"], config.teams["web"]
    assert payments.tracker.jira == JiraTarget(
        project="OPS", issue_type="Task", labels=["postmortem"]
    )
    assert isinstance(web.tracker.github, GitHubTarget)
    assert web.tracker.project == "acme/ops"
    assert str(payments.tz) == "Europe/London"
    assert str(web.tz) == "America/New_York"
    assert payments.lead_id() == payments.tracker_id("priya")
    assert config.team_connection("web").kind == "sandbox"
    assert config.teams_dir == REPO / "config" / "teams"
    assert config.settings.store.sqlite_path == REPO / "state" / "followthrough.db"


def test_directory_lookup_ignores_case_and_at_sign() -> None:
    payments = load_config(EXAMPLE, env={}, base_dir=REPO).teams["payments"]

    assert payments.tracker_id("@Priya") == payments.tracker_id("priya")
    assert payments.tracker_id("tom  okafor") == payments.tracker_id("@tom")
    assert payments.tracker_id("nobody") is None


def test_every_named_owner_in_the_examples_resolves() -> None:
    config = load_config(EXAMPLE, env={}, base_dir=REPO)
    root = REPO / "examples"
    reader = DocumentReader(policy=LintPolicy(), cache_dir=None)
    checked = 0
    for postmortem in reader.read([str(root)]):
        relative = Path(postmortem.path).resolve().relative_to(root).as_posix()
        owners = [
            t
            for t in config.teams.values()
            if t.owns(team_field=postmortem.team, relative_path=relative)
        ]
        assert len(owners) == 1, postmortem.path
        for item in postmortem.action_items:
            if item.status is ItemStatus.OPEN and item.owner and owner_kind(item.owner) == "person":
                assert owners[0].tracker_id(item.owner) is not None, item.owner
                checked += 1
    assert checked >= 4


def test_embedded_default_matches_the_example_teams() -> None:
    embedded = load_config(None, env={}, base_dir=REPO)
    example = load_config(EXAMPLE, env={}, base_dir=REPO)

    assert {n: t.model_dump() for n, t in embedded.teams.items()} == {
        n: t.model_dump() for n, t in example.teams.items()
    }
    assert embedded.file is None
    assert list(embedded.settings.trackers) == ["sandbox"]
    assert embedded.settings.sources[0].path == REPO / "examples"  # type: ignore[union-attr]
    assert embedded.settings.store.sqlite_path.parent.is_dir()
    assert embedded.settings.store.sqlite_path.parent != REPO / "state"


def test_team_settings_feed_the_lint_policy() -> None:
    payments = load_config(EXAMPLE, env={}, base_dir=REPO).teams["payments"]

    policy = payments.lint.policy()

    assert isinstance(policy, LintPolicy)
    assert policy.severity("vague-outcome") == "warning"
