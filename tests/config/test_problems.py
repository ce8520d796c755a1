"""Problems are collected across all files, with key paths, lines and suggestions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from followthrough.config import ConfigError, Problem, load_config, load_team
from tests.config.conftest import GLOBAL, PAYMENTS, TOKENS, WEB, WriteTree


def _problems(path: Path, tmp_path: Path) -> dict[str, Problem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TOKENS, base_dir=tmp_path)
    return {p.key: p for p in caught.value.problems}


def test_unknown_key_with_suggestion_and_line(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(GLOBAL + "schedual:\n  sync_every_minutes: 5\n")

    problem = _problems(path, tmp_path)["schedual"]

    assert problem.line == 10
    assert problem.message == "unknown key (did you mean 'schedule'?)"
    assert str(problem) == f"{path}:10: schedual: unknown key (did you mean 'schedule'?)"


def test_unknown_nested_team_key(write_tree: WriteTree, tmp_path: Path) -> None:
    team = PAYMENTS + "reminders:\n  stale_dyas: 3\n"
    path = write_tree(teams={"payments": team, "web": WEB})

    problem = _problems(path, tmp_path)["teams.payments.reminders.stale_dyas"]

    assert problem.file.endswith("payments.yaml")
    assert problem.line == 8
    assert "did you mean 'stale_days'" in problem.message


def test_wrong_tracker_kind_for_a_team(write_tree: WriteTree, tmp_path: Path) -> None:
    web = WEB.replace("connection: github", "connection: jira")
    path = write_tree(teams={"payments": PAYMENTS, "web": web})

    problem = _problems(path, tmp_path)["teams.web.tracker.github"]

    assert problem.line == 3
    assert "'jira' is a jira tracker" in problem.message


def test_a_sandbox_connection_takes_either_kind(write_tree: WriteTree, tmp_path: Path) -> None:
    text = "sources: [postmortems/]\ntrackers:\n  sandbox: {kind: sandbox}\n"
    payments = PAYMENTS.replace("connection: jira\n", "")
    web = WEB.replace("connection: github", "connection: sandbox")

    config = load_config(write_tree(text, {"payments": payments, "web": web}), env={})

    assert config.teams["payments"].tracker.connection == "sandbox"  # the only connection
    assert config.teams["web"].tracker.kind == "github"


def test_unknown_connection_and_missing_choice(write_tree: WriteTree, tmp_path: Path) -> None:
    payments = PAYMENTS.replace("connection: jira", "connection: jria")
    web = WEB.replace("  connection: github\n", "")
    path = write_tree(teams={"payments": payments, "web": web})

    problems = _problems(path, tmp_path)

    assert "did you mean 'jira'" in problems["teams.payments.tracker.connection"].message
    assert "several tracker connections" in problems["teams.web.tracker.connection"].message


def test_both_or_neither_tracker_target(write_tree: WriteTree, tmp_path: Path) -> None:
    web = WEB + "  jira: {project: WEB}\n"
    web = web.replace("directory:\n  lena: lena\n", "") + ""
    path = write_tree(teams={"payments": PAYMENTS, "web": web})

    problem = _problems(path, tmp_path)["teams.web.tracker"]

    assert "exactly one of jira" in problem.message


def test_invalid_timezone_with_suggestion(write_tree: WriteTree, tmp_path: Path) -> None:
    payments = PAYMENTS.replace("Europe/London", "Europe/Londn")
    path = write_tree(teams={"payments": payments, "web": WEB})

    problem = _problems(path, tmp_path)["teams.payments.timezone"]

    assert problem.line == 6
    assert "did you mean 'Europe/London'" in problem.message


def test_lint_codes_are_validated(write_tree: WriteTree, tmp_path: Path) -> None:
    payments = PAYMENTS + "lint:\n  severities:\n    vague-outcom: off\n"
    path = write_tree(teams={"payments": payments, "web": WEB})

    problem = _problems(path, tmp_path)["teams.payments.lint.severities"]

    assert problem.line == 8
    assert "did you mean 'vague-outcome'" in problem.message


def test_lint_overrides_reach_the_policy(write_tree: WriteTree, tmp_path: Path) -> None:
    web = WEB + "lint:\n  severities:\n    missing-due: off\n    team-owner: Error\n"
    path = write_tree(teams={"payments": PAYMENTS, "web": web})

    policy = load_config(path, env=TOKENS, base_dir=tmp_path).teams["web"].lint.policy()

    assert policy.severity("missing-due") is None  # an unquoted YAML off stays the word off
    assert policy.severity("team-owner") == "error"
    assert policy.severity("missing-owner") == "error"


def test_name_must_match_the_file(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(teams={"payments": "name: billing\n" + PAYMENTS, "web": WEB})

    problem = _problems(path, tmp_path)["teams.payments.name"]

    assert (problem.line, problem.message) == (
        1,
        "'billing' must equal the file name 'payments' (or leave name out)",
    )


def test_problems_from_every_file_are_reported_together(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    broken = "tracker:\n  connection: jira\n  jira: {project: ops}\nsoak_days: -1\n"
    path = write_tree(GLOBAL + "log: {level: loud}\n", {"payments": broken, "web": "tracker: [\n"})

    problems = _problems(path, tmp_path)

    assert {"log.level", "teams.payments.tracker.jira.project", "teams.payments.soak_days"} <= set(
        problems
    )
    assert problems["teams.payments.tracker.jira.project"].line == 3
    [syntax] = [p for p in problems.values() if p.file.endswith("web.yaml")]
    assert syntax.line == 2
    assert "not valid YAML" in syntax.message


def test_a_broken_team_file_does_not_stop_the_others(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree()
    config = load_config(path, env=TOKENS, base_dir=tmp_path)
    teams_dir = path.parent / "teams"
    (teams_dir / "payments.yaml").write_text(PAYMENTS.replace("OPS", "ops"), encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TOKENS, base_dir=tmp_path)
    [problem] = caught.value.problems
    assert problem.file == str(teams_dir / "payments.yaml")
    assert (problem.key, problem.line) == ("teams.payments.tracker.jira.project", 3)
    assert problem.message.startswith("must be a Jira project key")

    web = load_team(teams_dir / "web.yaml", settings=config.settings, env=TOKENS)
    assert web.tracker.connection == "github"
    with pytest.raises(ConfigError) as again:
        load_team(teams_dir / "payments.yaml", settings=config.settings, env=TOKENS)
    assert [(p.key, p.line) for p in again.value.problems] == [
        ("teams.payments.tracker.jira.project", 3)
    ]


def test_the_one_team_loader_checks_the_connection(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree()
    config = load_config(path, env=TOKENS, base_dir=tmp_path)
    new_team = path.parent / "teams" / "search.yaml"
    new_team.write_text(
        "tracker:\n  connection: github\n  jira: {project: SRCH}\n", encoding="utf-8"
    )

    with pytest.raises(ConfigError) as caught:
        load_team(new_team, settings=config.settings, env={})

    [problem] = caught.value.problems
    assert (problem.key, problem.line) == ("teams.search.tracker.jira", 3)


def test_yaml_quirks_are_off(write_tree: WriteTree, tmp_path: Path) -> None:
    text = GLOBAL + "schedule:\n  remind_at: 10:30\n  report_at: 9:05\n  report_weekday: Fri\n"

    schedule = load_config(write_tree(text), env=TOKENS, base_dir=tmp_path).settings.schedule

    assert schedule.remind_at == dt.time(10, 30)
    assert schedule.report_at == dt.time(9, 5)
    assert schedule.report_weekday.number == 4


def test_a_key_given_twice(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(GLOBAL + "log: {level: info}\nlog: {level: debug}\n")

    problem = _problems(path, tmp_path)["log"]

    assert (problem.line, problem.message) == (11, "key given twice")


def test_a_github_source_needs_a_github_connection(write_tree: WriteTree, tmp_path: Path) -> None:
    text = GLOBAL.replace(
        "  - path: postmortems/\n",
        "  - path: postmortems/\n  - github: {repo: acme/pm, connection: jira}\n",
    )

    problem = _problems(write_tree(text), tmp_path)["sources.1.github.connection"]

    assert problem.line == 3
    assert problem.message == "'jira' is not a github or sandbox tracker connection (have: github)"


def test_reminder_and_report_settings(write_tree: WriteTree, tmp_path: Path) -> None:
    web = WEB + (
        "reminders:\n  business_hours: 17:00-09:00\n  business_days: [mon, someday]\n"
        "reports:\n  recipients: [not-an-address]\n"
    )
    path = write_tree(teams={"payments": PAYMENTS, "web": web})

    problems = _problems(path, tmp_path)

    assert "start before an end" in problems["teams.web.reminders.business_hours"].message
    assert problems["teams.web.reminders.business_days.1"].line == 8
    assert problems["teams.web.reports.recipients.0"].message == "must be an e-mail address"


def test_assign_lead_needs_a_lead(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(teams={"payments": PAYMENTS, "web": WEB + "owner_policy: assign_lead\n"})

    problem = _problems(path, tmp_path)["teams.web"]

    assert problem.message == "owner_policy assign_lead needs lead"


def test_reminder_helpers(write_tree: WriteTree, tmp_path: Path) -> None:
    web = WEB + "reminders:\n  business_days: [Mon, wednesday]\n  business_hours: 8:30-24:00\n"
    path = write_tree(teams={"payments": PAYMENTS, "web": web})

    reminders = load_config(path, env=TOKENS, base_dir=tmp_path).teams["web"].reminders

    assert reminders.weekdays == frozenset({0, 2})
    assert reminders.hours == (dt.time(8, 30), dt.time(23, 59, 59))


def test_a_missing_teams_folder(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(GLOBAL + "teams_dir: elsewhere/teams\n")

    [problem] = _problems(path, tmp_path).values()

    assert (problem.file, problem.message) == (
        str(tmp_path / "elsewhere" / "teams"),
        "no such folder",
    )
