"""Hostile or careless configuration: refused with file, line and reason, never a crash later."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from followthrough.config import ConfigError, Problem, load_config
from followthrough.config.overlap import shared_path
from followthrough.config.schema import schemas
from tests.config.conftest import GLOBAL, PAYMENTS, TOKENS, WEB, WriteTree


def _problems(path: Path, tmp_path: Path) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, env=TOKENS, base_dir=tmp_path)
    return list(caught.value.problems)


@pytest.mark.parametrize(
    ("text", "key", "line", "reason"),
    [
        ("soak_days: 3000000\n", "teams.payments.soak_days", 7, "must be at most 365"),
        (
            "due_defaults:\n  default_weeks: 1000000000\n",
            "teams.payments.due_defaults.default_weeks",
            8,
            "must be at most 520",
        ),
        (
            "due_defaults:\n  horizons: {long-term: 99999}\n",
            "teams.payments.due_defaults.horizons.long-term",
            8,
            "must be at most 520",
        ),
        (
            "reminders:\n  backoff_days: [7, 100000]\n",
            "teams.payments.reminders.backoff_days.1",
            8,
            "must be at most 365",
        ),
        (
            "reminders:\n  escalate_after_overdue_days: -1\n",
            "teams.payments.reminders.escalate_after_overdue_days",
            8,
            "must be at least 0",
        ),
    ],
)
def test_out_of_range_numbers_are_refused_with_file_line_and_reason(
    write_tree: WriteTree, tmp_path: Path, text: str, key: str, line: int, reason: str
) -> None:
    path = write_tree(teams={"payments": PAYMENTS + text, "web": WEB})
    (problem,) = _problems(path, tmp_path)
    assert (problem.key, problem.line, problem.message) == (key, line, reason)
    assert str(problem) == f"{path.parent / 'teams' / 'payments.yaml'}:{line}: {key}: {reason}"


def _numbers(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every integer or number in a JSON Schema, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            found.append((path, node))
        for key, child in node.items():
            found.extend(_numbers(child, f"{path}/{key}"))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.extend(_numbers(child, f"{path}/{index}"))
    return found


def test_every_number_in_the_schema_states_its_range() -> None:
    numbers = [item for schema in schemas().values() for item in _numbers(schema)]
    assert len(numbers) > 10
    unbounded = [
        path
        for path, node in numbers
        if not ({"minimum", "exclusiveMinimum"} & set(node) and "maximum" in node)
    ]
    assert unbounded == []


def test_config_check_refuses_out_of_range_numbers(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(teams={"payments": PAYMENTS + "soak_days: 3000000\n", "web": WEB})
    result = subprocess.run(
        [sys.executable, "-m", "followthrough", "config", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        env={"PATH": "", "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), **TOKENS},
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2  # a configuration error
    assert "payments.yaml:7: teams.payments.soak_days: must be at most 365" in result.stdout


def _bomb(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(30)
def test_a_yaml_alias_bomb_in_a_team_file_is_refused(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(teams={"payments": PAYMENTS + _bomb(9), "web": WEB})
    problems = _problems(path, tmp_path)
    assert [(Path(p.file).name, p.line) for p in problems] == [("payments.yaml", 12)]
    assert "aliases expand to more than" in problems[0].message


@pytest.mark.timeout(30)
def test_a_yaml_alias_bomb_in_the_global_file_is_refused(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    path = write_tree(GLOBAL + "x-bomb:\n" + _indent(_bomb(9)))
    problems = _problems(path, tmp_path)
    assert [(p.file, p.line) for p in problems] == [(str(path), 16)]
    assert "aliases expand to more than" in problems[0].message


def _indent(text: str) -> str:
    return "".join("  " + line + "\n" for line in text.splitlines())


def test_a_recursive_alias_is_refused(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(teams={"payments": PAYMENTS + "loop: &l [*l]\n", "web": WEB})
    (problem,) = _problems(path, tmp_path)
    assert problem.line == 7
    assert "aliases expand" in problem.message


def test_deeply_nested_yaml_is_refused(write_tree: WriteTree, tmp_path: Path) -> None:
    path = write_tree(teams={"payments": PAYMENTS + "deep: " + "[" * 5000 + "\n", "web": WEB})
    (problem,) = _problems(path, tmp_path)
    assert problem.file.endswith("payments.yaml")
    assert "not valid YAML" in problem.message


def test_a_few_aliases_are_still_fine(write_tree: WriteTree, tmp_path: Path) -> None:
    team = "tracker:\n  connection: jira\n  jira: {project: OPS, labels: &l [ops, followup], components: *l}\n"
    config = load_config(write_tree(teams={"payments": team}), env=TOKENS, base_dir=tmp_path)
    assert config.teams["payments"].tracker.jira is not None
    assert config.teams["payments"].tracker.jira.labels == ["ops", "followup"]


@pytest.mark.parametrize(
    ("first", "second", "example"),
    [
        ("payments/**", "web/**", None),
        ("payments/**", "*.md", "payments/.md"),
        ("payments/**", "pay*/2024/*", "payments/2024/"),
        ("a/[!x]*", "a/x*", None),
        ("a/[0-9]*", "a/[a-z]*", None),
        ("*/x.md", "y/*", "y/x.md"),
    ],
)
def test_shared_path_of_two_globs(first: str, second: str, example: str | None) -> None:
    assert shared_path(first, second) == example


def test_overlapping_team_paths_are_a_config_error(write_tree: WriteTree, tmp_path: Path) -> None:
    payments = PAYMENTS + "postmortems:\n  paths: ['payments/**']\n"
    web = WEB + "postmortems:\n  paths: ['web/**', 'pay*/2024/*']\n"
    path = write_tree(teams={"payments": payments, "web": web})
    (problem,) = _problems(path, tmp_path)
    assert problem.file == str(path.parent / "teams" / "web.yaml")
    assert (problem.key, problem.line) == ("teams.web.postmortems.paths", 7)
    assert "'pay*/2024/*' overlaps 'payments/**' of team 'payments'" in problem.message
    assert "'payments/2024/'" in problem.message


def test_a_team_name_claimed_by_two_teams_is_a_config_error(
    write_tree: WriteTree, tmp_path: Path
) -> None:
    web = WEB + "postmortems:\n  aliases: [Payments, frontend]\n"
    path = write_tree(teams={"payments": PAYMENTS, "web": web})
    (problem,) = _problems(path, tmp_path)
    assert (problem.key, problem.line) == ("teams.web.postmortems", 7)
    assert "team 'payments' also claims postmortems whose team is 'payments'" in problem.message


def test_disjoint_teams_load(write_tree: WriteTree, tmp_path: Path) -> None:
    payments = PAYMENTS + "postmortems:\n  paths: ['payments/**']\n"
    web = WEB + "postmortems:\n  paths: ['web/**']\n  aliases: [frontend]\n"
    config = load_config(write_tree(teams={"payments": payments, "web": web}), env=TOKENS)
    assert sorted(config.teams) == ["payments", "web"]
