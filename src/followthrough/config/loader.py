"""Loading the configuration: the global file, every team file, and the environment on top.

Sits at the top of the config package, called once by the CLI (or the daemon) and passed
down. Problems are collected across all files before anything is refused, so one run of
``config check`` shows everything; one team file can also be loaded alone, so a daemon can
refuse a broken new file and keep the team's previous settings.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from followthrough.config.defaults import embedded_global, embedded_teams
from followthrough.config.env import deep_merge, env_values, leaf_paths
from followthrough.config.overlap import overlap_problems
from followthrough.config.problems import (
    EMBEDDED,
    ENVIRONMENT,
    ConfigError,
    Problem,
    env_name,
    suggestion,
)
from followthrough.config.settings import (
    GitHubConnection,
    GitHubSource,
    GlobalSettings,
    JiraConnection,
    SandboxConnection,
)
from followthrough.config.team import TeamSettings
from followthrough.config.validation import (
    Origin,
    read_secret_files,
    secrets_in_file,
    validation_problems,
)
from followthrough.config.yamlfile import YamlFile, read_yaml

Connection = JiraConnection | GitHubConnection | SandboxConnection
TEAM_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration: global settings and every team's settings, by team name."""

    settings: GlobalSettings
    teams: Mapping[str, TeamSettings] = field(default_factory=dict)
    file: Path | None = None
    teams_dir: Path | None = None

    def connection(self, name: str) -> Connection:
        """A tracker connection by name (``KeyError`` when there is none)."""
        return self.settings.trackers[name]

    def team_connection(self, team: str) -> Connection:
        """The tracker connection a team's tickets go through."""
        connection = self.teams[team].tracker.connection
        assert connection is not None  # the loader always fills it in
        return self.settings.trackers[connection]


@dataclass(frozen=True, slots=True)
class _Env:
    values: dict[str, Any]
    teams: dict[str, Any]
    problems: list[Problem]


def _read_env(env: Mapping[str, str] | None) -> _Env:
    values, problems = env_values(os.environ if env is None else env)
    teams = values.pop("teams", None) or {}
    return _Env(values=values, teams=dict(teams), problems=problems)


def load_config(
    path: Path | None, *, env: Mapping[str, str] | None = None, base_dir: Path | None = None
) -> Config:
    """Read the global file at ``path`` (``None``: the embedded default), its teams, and ``env``.

    ``env`` defaults to the process environment. Relative paths in the files are taken from
    ``base_dir`` (default: the working directory); the teams folder defaults to ``teams``
    beside the global file. Raises `ConfigError` listing every problem in every file.
    """
    base = base_dir if base_dir is not None else Path.cwd()
    environment = _read_env(env)
    problems = list(environment.problems)
    global_file = _global_file(path)
    settings: GlobalSettings | None = None
    if isinstance(global_file, YamlFile):
        settings, found = _global_settings(global_file, environment.values, base=base)
        problems.extend(found)
    else:  # team files are still checked, without the cross-checks that need the global file
        problems.extend(global_file)
        global_file = YamlFile(label=str(path), data={})
    teams_dir = _teams_dir(path, settings, global_file, base=base)
    files = _embedded_team_files() if path is None else _team_files(teams_dir, problems)
    teams = _load_teams(files, settings=settings, env=environment, base=base, problems=problems)
    if problems or settings is None:
        raise ConfigError(_first_per_key(problems))
    return Config(settings=settings, teams=teams, file=path, teams_dir=teams_dir)


def _global_file(path: Path | None) -> YamlFile | list[Problem]:
    if path is None:
        # A fresh folder: the embedded sandbox starts empty, and so must the journal.
        state_dir = Path(tempfile.mkdtemp(prefix="followthrough-"))
        return YamlFile(label=EMBEDDED, data=embedded_global(state_dir))
    return read_yaml(path)


def _first_per_key(problems: list[Problem]) -> list[Problem]:
    # A refused secret also leaves its connection without one; saying so twice is noise.
    seen: set[tuple[str, str]] = set()
    kept = []
    for problem in problems:
        if not problem.key or (problem.file, problem.key) not in seen:
            kept.append(problem)
        seen.add((problem.file, problem.key))
    return kept


def load_team(
    path: Path,
    *,
    settings: GlobalSettings,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> TeamSettings:
    """Read one team file against already-loaded global settings; `ConfigError` when broken."""
    base = base_dir if base_dir is not None else Path.cwd()
    environment = _read_env(env)
    parsed = read_yaml(path)
    if not isinstance(parsed, YamlFile):
        raise ConfigError(parsed)
    stem = path.stem.casefold()
    team, problems = _team_settings(
        parsed, stem=stem, settings=settings, overrides=environment.teams.get(stem, {}), base=base
    )
    if team is None or problems:
        raise ConfigError(_first_per_key(problems))
    return team


def _global_settings(
    file: YamlFile, env_data: dict[str, Any], *, base: Path
) -> tuple[GlobalSettings | None, list[Problem]]:
    origin = Origin(file=file, from_env=leaf_paths(env_data))
    problems = secrets_in_file(GlobalSettings, origin)
    data = deep_merge(file.data, env_data)
    problems.extend(read_secret_files(GlobalSettings, data, origin, base_dir=base))
    try:
        settings = GlobalSettings.model_validate(data, context={"base_dir": base})
    except ValidationError as exc:
        return None, [*problems, *validation_problems(exc, GlobalSettings, data, origin)]
    problems.extend(_source_connections(settings, origin))
    return settings, problems


def _source_connections(settings: GlobalSettings, origin: Origin) -> list[Problem]:
    problems = []
    for index, source in enumerate(settings.sources):
        if not isinstance(source, GitHubSource):
            continue
        name = source.github.connection
        connection = settings.trackers.get(name)
        if connection is None or connection.kind == "jira":
            usable = [n for n, c in settings.trackers.items() if c.kind != "jira"]
            message = f"'{name}' is not a github or sandbox tracker connection (have: {', '.join(usable) or 'none'})"
            problems.append(
                origin.problem(("sources", str(index), "github", "connection"), message)
            )
    return problems


def _teams_dir(
    path: Path | None, settings: GlobalSettings | None, file: YamlFile, *, base: Path
) -> Path | None:
    if path is None:
        return None
    if settings is not None and settings.teams_dir is not None:
        return settings.teams_dir
    written = file.data.get("teams_dir")
    if isinstance(written, str):
        return base / Path(written).expanduser()
    return path.parent / "teams"


def _team_files(
    teams_dir: Path | None, problems: list[Problem]
) -> list[tuple[str, YamlFile | list[Problem]]]:
    if teams_dir is None:
        return []
    if not teams_dir.is_dir():
        problems.append(Problem(str(teams_dir), "teams_dir", None, "no such folder"))
        return []
    found = sorted(
        p
        for p in teams_dir.iterdir()
        if p.suffix in TEAM_SUFFIXES and p.is_file() and not p.name.startswith((".", "_"))
    )
    seen: dict[str, Path] = {}
    files: list[tuple[str, YamlFile | list[Problem]]] = []
    for file_path in found:
        stem = file_path.stem.casefold()
        if stem in seen:
            message = f"team '{stem}' is also defined in {seen[stem]}"
            problems.append(Problem(str(file_path), "", None, message))
            continue
        seen[stem] = file_path
        files.append((stem, read_yaml(file_path)))
    return files


def _embedded_team_files() -> list[tuple[str, YamlFile | list[Problem]]]:
    return [
        (name, YamlFile(label=f"{EMBEDDED} (team {name})", data=data))
        for name, data in embedded_teams().items()
    ]


def _load_teams(
    files: list[tuple[str, YamlFile | list[Problem]]],
    *,
    settings: GlobalSettings | None,
    env: _Env,
    base: Path,
    problems: list[Problem],
) -> dict[str, TeamSettings]:
    teams: dict[str, TeamSettings] = {}
    parsed_files: dict[str, YamlFile] = {}
    for stem, parsed in files:
        if not isinstance(parsed, YamlFile):
            problems.extend(parsed)
            continue
        overrides = env.teams.get(stem, {})
        team, found = _team_settings(
            parsed, stem=stem, settings=settings, overrides=overrides, base=base
        )
        problems.extend(found)
        if team is not None and not found:
            teams[team.name] = team
            parsed_files[team.name] = parsed
    problems.extend(overlap_problems(teams, parsed_files))
    for name in sorted(set(env.teams) - {stem for stem, _ in files}):
        for path in leaf_paths(env.teams[name], ("teams", name)):
            message = f"no team file for '{name}'" + suggestion(name, [s for s, _ in files])
            problems.append(Problem(ENVIRONMENT, env_name(path), None, message))
    return teams


def _team_settings(
    file: YamlFile,
    *,
    stem: str,
    settings: GlobalSettings | None,
    overrides: Mapping[str, Any],
    base: Path,
) -> tuple[TeamSettings | None, list[Problem]]:
    prefix = ("teams", stem)
    origin = Origin(file=file, prefix=prefix, from_env=leaf_paths(overrides, prefix))
    problems = secrets_in_file(TeamSettings, origin)
    written = file.data.get("name")
    if written is not None and str(written).strip().casefold() != stem:
        message = f"'{written}' must equal the file name '{stem}' (or leave name out)"
        problems.append(origin.problem(("name",), message))
    data = deep_merge({**file.data, "name": stem}, overrides)
    try:
        team = TeamSettings.model_validate(data, context={"base_dir": base})
    except ValidationError as exc:
        return None, [*problems, *validation_problems(exc, TeamSettings, data, origin)]
    if settings is None:
        return team, problems
    team, found = _resolve_tracker(team, settings, origin)
    return team, [*problems, *found, *_write_back(team, settings, origin)]


def _write_back(team: TeamSettings, settings: GlobalSettings, origin: Origin) -> list[Problem]:
    """Write-back pull requests need a repository to open them in: refused, not ignored."""
    if team.write_back == "off" or any(isinstance(s, GitHubSource) for s in settings.sources):
        return []
    message = (
        "pull_request needs a `github:` source to open pull requests in; for documents in a"
        " folder run `followthrough annotate PATH --write`"
    )
    return [origin.problem(("write_back",), message)]


def _resolve_tracker(
    team: TeamSettings, settings: GlobalSettings, origin: Origin
) -> tuple[TeamSettings, list[Problem]]:
    names = list(settings.trackers)
    wanted = team.tracker.connection
    if wanted is None and len(names) == 1:
        wanted = names[0]
    if wanted is None:
        message = f"required when there are several tracker connections ({', '.join(names)})"
        return team, [origin.problem(("tracker", "connection"), message)]
    connection = settings.trackers.get(wanted)
    if connection is None:
        message = f"no tracker connection '{wanted}' in the global file" + suggestion(wanted, names)
        return team, [origin.problem(("tracker", "connection"), message)]
    if connection.kind not in ("sandbox", team.tracker.kind):
        message = (
            f"connection '{wanted}' is a {connection.kind} tracker, so give "
            f"tracker.{connection.kind} instead of tracker.{team.tracker.kind}"
        )
        return team, [origin.problem(("tracker", team.tracker.kind), message)]
    tracker = team.tracker.model_copy(update={"connection": wanted})
    return team.model_copy(update={"tracker": tracker}), []
