"""Environment overrides (nested with ``__``) and secrets: only from the environment or files."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthrough.config import ConfigError, JiraConnection, load_config
from tests.config.conftest import GLOBAL, TOKENS, WriteTree


def test_nested_variables_override_the_files(write_tree: WriteTree, tmp_path: Path) -> None:
    env = {
        **TOKENS,
        "FOLLOWTHROUGH_SCHEDULE__SYNC_EVERY_MINUTES": "3",
        "FOLLOWTHROUGH_LOG__FORMAT": "json",
        "FOLLOWTHROUGH_TRACKERS__JIRA__SEARCH_LAG_SECONDS": "5",
        "FOLLOWTHROUGH_TEAMS__PAYMENTS__REMINDERS__STALE_DAYS": "7",
        "FOLLOWTHROUGH_TEAMS__WEB__LINT__SEVERITIES": '{"vague-outcome": "off"}',
        "FOLLOWTHROUGH_RECORD_JIRA_URL": "belongs to another tool",
    }

    config = load_config(write_tree(), env=env, base_dir=tmp_path)

    assert config.settings.schedule.sync_every_minutes == 3
    assert config.settings.log.format == "json"
    jira = config.connection("jira")
    assert isinstance(jira, JiraConnection)
    assert jira.search_lag_seconds == 5
    assert jira.url == "https://acme.atlassian.net"  # the file's other values stay
    assert config.teams["payments"].reminders.stale_days == 7
    assert config.teams["web"].lint.policy().severity("vague-outcome") is None


def test_store_dsn_from_the_environment(write_tree: WriteTree, tmp_path: Path) -> None:
    env = {**TOKENS, "FOLLOWTHROUGH_STORE__DSN": "postgresql://ft@db/followthrough"}

    store = load_config(write_tree(), env=env, base_dir=tmp_path).settings.store

    assert store.dsn is not None
    assert store.dsn.get_secret_value() == "postgresql://ft@db/followthrough"


def test_a_bad_variable_is_blamed_on_the_variable(write_tree: WriteTree, tmp_path: Path) -> None:
    env = {**TOKENS, "FOLLOWTHROUGH_HTTP__PORT": "eighty", "FOLLOWTHROUGH_STOR__DSN": "x"}

    with pytest.raises(ConfigError) as caught:
        load_config(write_tree(), env=env, base_dir=tmp_path)

    by_key = {p.key: p for p in caught.value.problems}
    assert by_key["http.port"].file == "<environment>"
    assert "FOLLOWTHROUGH_HTTP__PORT" in by_key["http.port"].message
    assert "did you mean 'store'" in by_key["FOLLOWTHROUGH_STOR__DSN"].message


def test_an_override_for_a_team_without_a_file(write_tree: WriteTree, tmp_path: Path) -> None:
    env = {**TOKENS, "FOLLOWTHROUGH_TEAMS__PAYMENT__SOAK_DAYS": "1"}

    with pytest.raises(ConfigError) as caught:
        load_config(write_tree(), env=env, base_dir=tmp_path)

    [problem] = caught.value.problems
    assert problem.key == "FOLLOWTHROUGH_TEAMS__PAYMENT__SOAK_DAYS"
    assert "did you mean 'payments'" in problem.message


def test_secrets_from_files_relative_to_the_base(write_tree: WriteTree, tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "jira").write_text("jira-from-file\n", encoding="utf-8")
    (tmp_path / "secrets" / "dsn").write_text("postgresql://ft@db/x", encoding="utf-8")
    text = GLOBAL.replace(
        "user: bot@acme.example", "user: bot@acme.example\n    token_file: secrets/jira"
    )
    text += "store:\n  dsn_file: secrets/dsn\n"
    env = {"FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN": "gh"}

    config = load_config(write_tree(text), env=env, base_dir=tmp_path)

    jira = config.connection("jira")
    assert isinstance(jira, JiraConnection)
    assert jira.token is not None
    assert jira.token.get_secret_value() == "jira-from-file"
    assert jira.token_file == tmp_path / "secrets" / "jira"
    assert config.settings.store.dsn is not None


def test_a_variable_wins_over_a_secret_file(write_tree: WriteTree, tmp_path: Path) -> None:
    text = GLOBAL.replace(
        "user: bot@acme.example", "user: bot@acme.example\n    token_file: /nonexistent/token"
    )

    jira = load_config(write_tree(text), env=TOKENS, base_dir=tmp_path).connection("jira")

    assert isinstance(jira, JiraConnection)
    assert jira.token is not None
    assert jira.token.get_secret_value() == "jira-secret-value"


def test_an_unreadable_secret_file_is_a_problem_at_its_line(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    text = GLOBAL.replace(
        "user: bot@acme.example", "user: bot@acme.example\n    token_file: missing/token"
    )
    env = {"FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN": "gh"}

    with pytest.raises(ConfigError) as caught:
        load_config(write_tree(text), env=env, base_dir=tmp_path)

    [problem] = caught.value.problems
    assert (problem.key, problem.line) == ("trackers.jira.token_file", 8)
    assert "cannot read the secret file" in problem.message


def test_secrets_written_in_yaml_are_refused(write_tree: WriteTree, tmp_path: Path) -> None:
    text = GLOBAL.replace(
        "user: bot@acme.example", "user: bot@acme.example\n    token: hunter2-in-yaml"
    )
    text += "store:\n  dsn: postgresql://u:pw-in-yaml@db/x\n"

    with pytest.raises(ConfigError) as caught:
        load_config(write_tree(text), env=TOKENS, base_dir=tmp_path)

    problems = {p.key: p for p in caught.value.problems}
    assert set(problems) == {"trackers.jira.token", "store.dsn"}
    assert problems["trackers.jira.token"].line == 8
    assert "may not be written in configuration files" in problems["store.dsn"].message
    assert "FOLLOWTHROUGH_STORE__DSN" in problems["store.dsn"].message
    assert "in-yaml" not in str(caught.value)


def test_a_missing_token_names_the_variable(write_tree: WriteTree, tmp_path: Path) -> None:
    env = {"FOLLOWTHROUGH_TRACKERS__GITHUB__TOKEN": "gh"}

    with pytest.raises(ConfigError) as caught:
        load_config(write_tree(), env=env, base_dir=tmp_path)

    [problem] = caught.value.problems
    assert problem.key == "trackers.jira.token"
    assert "FOLLOWTHROUGH_TRACKERS__JIRA__TOKEN" in problem.message


def test_secrets_never_show_in_repr_or_str(write_tree: WriteTree, tmp_path: Path) -> None:
    env = {**TOKENS, "FOLLOWTHROUGH_STORE__DSN": "postgresql://ft:dsn-secret-value@db/x"}

    config = load_config(write_tree(), env=env, base_dir=tmp_path)

    for text in (repr(config), str(config), repr(config.settings), str(config.settings)):
        assert "secret-value" not in text
    assert "**********" in repr(config.connection("jira"))
