"""Preflight: read-only questions to trackers, sources and SMTP, each answered with a fix.

Used by ``followthrough check`` (every check) and by ``sync --dry-run`` (are the owners it
plans to assign assignable?). Nothing here writes: the trackers are asked with GETs only
(`JiraProbe`, `GitHubProbe`), the embedded sandbox is started from its state without saving
it, and SMTP is greeted and logged in to but sent nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from followthrough.adapters.mail import MailError, MailLoginRefusedError
from followthrough.adapters.trackers.github_probe import GitHubProbe
from followthrough.adapters.trackers.jira_probe import JiraProbe
from followthrough.config import (
    Config,
    FolderSource,
    GitHubConnection,
    GitHubSource,
    JiraConnection,
    TeamSettings,
)
from followthrough.engine.sync import SyncResult
from followthrough.ports import TrackerError
from followthrough.sandbox.core import Sandbox

Status = Literal["ok", "fail", "warn", "skip"]
Probe = JiraProbe | GitHubProbe
DROPPED_RESOLUTIONS = ("won't do", "won't fix", "declined", "not planned")
JIRA_LABEL_LIMIT, GITHUB_LABEL_LIMIT = 255, 50


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of the check table: what was asked, the answer, and what to do about it."""

    scope: str
    check: str
    status: Status
    detail: str
    fix: str = ""


def ok(scope: str, check: str, detail: str) -> CheckResult:
    return CheckResult(scope, check, "ok", detail)


def fail(scope: str, check: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(scope, check, "fail", detail, fix)


def team_file(config: Config, team: TeamSettings) -> str:
    """The team's file as a person finds it (for fixes)."""
    folder = config.teams_dir or Path("config/teams")
    for suffix in (".yaml", ".yml"):
        if (folder / f"{team.name}{suffix}").exists():
            return str(folder / f"{team.name}{suffix}")
    return f"the team file of {team.name}"


# probes ------------------------------------------------------------------------------------


@dataclass
class Probes:
    """Builds one read-only probe per team; starts the embedded sandbox from its saved state."""

    config: Config
    sandbox_state: Path | None = None
    _sandbox: Sandbox | None = field(default=None, init=False)

    def for_team(self, team: TeamSettings) -> Probe:
        connection = self.config.team_connection(team.name)
        url, user, token, cloud = self._endpoint(team, connection)
        if team.tracker.jira is not None:
            return JiraProbe(
                url=url, user=user, token=token, project=team.tracker.jira.project, cloud=cloud
            )
        return GitHubProbe(token=token, base_url=url, repo=team.tracker.project)

    def _endpoint(self, team: TeamSettings, connection: object) -> tuple[str, str, str, bool]:
        if isinstance(connection, JiraConnection):
            token = _secret(connection.token)
            return connection.url, connection.user or "", token, connection.deployment == "cloud"
        if isinstance(connection, GitHubConnection):
            return connection.url, "", _secret(connection.token), True
        info = self._embedded().info()
        return info[team.tracker.kind], info["user"], info["token"], True

    def _embedded(self) -> Sandbox:
        if self._sandbox is None:
            self._sandbox = Sandbox()  # no state file: a check never saves the sandbox
            if self.sandbox_state is not None and self.sandbox_state.exists():
                self._sandbox.load_state(json.loads(self.sandbox_state.read_text("utf-8")))
            self._sandbox.start()
        return self._sandbox

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None


@contextmanager
def probes_for(config: Config, *, sandbox_state: Path | None) -> Iterator[Probes]:
    probes = Probes(config=config, sandbox_state=sandbox_state)
    try:
        yield probes
    finally:
        probes.close()


def _secret(value: object) -> str:
    reveal = getattr(value, "get_secret_value", None)
    return str(reveal()) if callable(reveal) else ""


# sources and SMTP ----------------------------------------------------------------------------


def check_sources(config: Config) -> list[CheckResult]:
    """Each configured source exists and can be listed."""
    where = str(config.file) if config.file else "the global configuration"
    rows = []
    for index, source in enumerate(config.settings.sources):
        if not isinstance(source, FolderSource):
            rows.append(_repo_row(config, source, index=index, where=where))
            if rows[-1].status == "ok":
                rows.extend(_write_back_rows(config, source))
            continue
        rows.append(_folder_row(Path(source.path), index=index, where=where))
    return rows


def _repo_row(config: Config, source: GitHubSource, *, index: int, where: str) -> CheckResult:
    from followthrough.app.repo_sources import describe, probe_repo_source  # noqa: PLC0415

    readable, detail = probe_repo_source(config, source)
    scope = describe(source).removeprefix("source ")
    if readable:
        return ok(f"source {scope}", "source readable", detail)
    name = source.github.connection
    fix = (
        f"correct sources[{index}].github (repo, ref, connection) in {where}, or the token"
        f" of trackers.{name} (it needs read access to the repository contents)"
    )
    return fail(f"source {scope}", "source readable", detail, fix)


def _write_back_rows(config: Config, source: GitHubSource) -> list[CheckResult]:
    """Teams with ``write_back: pull_request`` push a branch to the source's repository and
    open a pull request there: the token must be allowed to write, not only to read."""
    from followthrough.app.repo_sources import describe  # noqa: PLC0415

    writers = [team for team in config.teams.values() if team.write_back == "pull_request"]
    connection = config.settings.trackers.get(source.github.connection)
    if not writers or not isinstance(connection, GitHubConnection):
        return []
    repo = source.github.repo
    scope = f"source {describe(source).removeprefix('source ')}"
    names = ", ".join(team.name for team in writers)
    probe = GitHubProbe(token=_secret(connection.token), base_url=connection.url, repo=repo)
    try:
        access = probe.access()
    except TrackerError as error:
        fix = f"check the token of trackers.{source.github.connection}"
        return [fail(scope, "write-back permissions", str(error), fix)]
    if access is not None and access.can_write:
        return [ok(scope, "write-back permissions", f"{names} may open pull requests in {repo}")]
    files = " and ".join(team_file(config, team) for team in writers)
    fix = (
        f"give the token of trackers.{source.github.connection} write access to {repo}'s "
        f"contents and pull requests, or set write_back: off in {files}"
    )
    detail = f"the token may only read {repo}; {names} write back to its documents"
    return [fail(scope, "write-back permissions", detail, fix)]


def _folder_row(path: Path, *, index: int, where: str) -> CheckResult:
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    scope = f"source {shown}"
    fix = f"create the folder, or correct sources[{index}].path in {where}"
    if not path.exists():
        return fail(scope, "source readable", "the folder does not exist", fix)
    if not path.is_dir():
        return fail(scope, "source readable", "not a folder", fix)
    if not os.access(path, os.R_OK | os.X_OK):
        detail = "the folder cannot be listed (permission denied)"
        return fail(scope, "source readable", detail, f"let this user read {path} (chmod/chown)")
    return ok(scope, "source readable", "the folder can be listed")


def check_smtp(config: Config, *, mailer: Callable[[Config], object | None]) -> CheckResult:
    """SMTP answers EHLO (and STARTTLS) and accepts the login; nothing is sent."""
    smtp = config.settings.smtp
    relay = mailer(config)
    if smtp is None or relay is None:
        return CheckResult("smtp", "smtp login", "skip", "no smtp section: reports are not mailed")
    scope = f"smtp {smtp.host}:{smtp.port}"
    try:
        relay.probe()  # type: ignore[attr-defined]
    except MailLoginRefusedError as error:
        fix = "check smtp.username and the password (FOLLOWTHROUGH_SMTP__PASSWORD or smtp.password_file)"
        return fail(scope, "smtp login", str(error), fix)
    except MailError as error:
        fix = "check smtp.host, smtp.port and smtp.security, and that the relay is up"
        return fail(scope, "smtp login", str(error), fix)
    detail = f"EHLO answered{', login accepted' if smtp.username else ''}"
    return ok(scope, "smtp login", detail)


# owners --------------------------------------------------------------------------------------


def owners_of(team: TeamSettings) -> dict[str, list[str]]:
    """Tracker id → the directory names (and ``lead``) that point at it."""
    owners: dict[str, list[str]] = {}
    for name, ident in team.directory.items():
        owners.setdefault(ident, []).append(name)
    lead = team.lead_id()
    if lead:
        owners.setdefault(lead, []).append("lead")
    return owners


def unassignable(probe: Probe, idents: Sequence[str]) -> list[str]:
    """Those of ``idents`` the project or repository does not accept as assignee."""
    return [ident for ident in idents if not probe.assignable(ident)]


def owner_fix(team: TeamSettings, ident: str, names: Sequence[str], *, where: str) -> str:
    """What to do about an owner the tracker will not accept."""
    shown = ", ".join(f"'{n}'" for n in names)
    if team.tracker.kind == "jira":
        return (
            f"give {ident} the Assignable User permission in {team.tracker.project}, "
            f"or correct {shown} in {where} (followthrough sandbox --user adds one to the sandbox)"
        )
    return f"add {ident} as a collaborator of {team.tracker.project}, or correct {shown} in {where}"


def label_problems(team: TeamSettings) -> list[str]:
    """Labels the tracker would refuse (spaces in Jira, over-long names)."""
    target = team.tracker.jira or team.tracker.github
    assert target is not None
    limit = JIRA_LABEL_LIMIT if team.tracker.kind == "jira" else GITHUB_LABEL_LIMIT
    problems = []
    for label in target.labels:
        if not label.strip():
            problems.append("an empty label")
        elif team.tracker.kind == "jira" and any(ch.isspace() for ch in label):
            problems.append(f"'{label}' has a space (Jira labels cannot)")
        elif len(label) > limit:
            problems.append(f"'{label}' is longer than {limit} characters")
    return problems


def tracker_error_fix(team: TeamSettings, config: Config, error: TrackerError) -> str:
    """What to do when a tracker cannot be asked at all."""
    name = team.tracker.connection or ""
    status = getattr(error, "status", None)
    if status in (401, 403):
        return (
            f"check the user and token of trackers.{name} "
            f"(FOLLOWTHROUGH_TRACKERS__{name.upper()}__TOKEN or token_file)"
        )
    where = str(config.file) if config.file else "the global configuration"
    return f"check trackers.{name}.url in {where} and that the tracker is reachable"


# owners a sync plans to assign ------------------------------------------------------------


def planned_assignees(result: SyncResult) -> dict[str, list[str]]:
    """Tracker id → titles of the items a plan would assign to it."""
    planned: dict[str, list[str]] = {}
    for op in result.plan.operations:
        ident = (op.spec.fields.assignee if op.spec else None) or (
            op.changes.assignee if op.changes else None
        )
        if ident and op.writes:
            planned.setdefault(ident, []).append(op.title or op.item_key)
    return planned


def planned_owner_problems(
    config: Config, results: Sequence[SyncResult], *, sandbox_state: Path | None
) -> list[str]:
    """One line per owner a dry-run plan would assign but the tracker would refuse."""
    lines: list[str] = []
    with probes_for(config, sandbox_state=sandbox_state) as probes:
        for result in results:
            team = config.teams[result.team]
            planned = planned_assignees(result)
            if not planned:
                continue
            try:
                refused = unassignable(probes.for_team(team), sorted(planned))
            except TrackerError as error:
                lines.append(f"{team.name}: could not check the owners: {error}")
                continue
            lines += [_refused_line(config, team, ident, planned[ident]) for ident in refused]
    return lines


def _refused_line(config: Config, team: TeamSettings, ident: str, titles: list[str]) -> str:
    names = owners_of(team).get(ident) or [ident]
    shown = ", ".join(titles[:3]) + (f" and {len(titles) - 3} more" if len(titles) > 3 else "")
    fix = owner_fix(team, ident, names, where=team_file(config, team))
    return (
        f"{team.name}: would fail: owner {', '.join(names)} → {ident} is not assignable in "
        f"{team.tracker.project} ({len(titles)} item{'s' if len(titles) != 1 else ''}: {shown}); "
        f"fix: {fix}"
    )
