"""Preflight of one team's tracker target: login, project, rights, workflow, owners, labels.

Each step asks the tracker one or a few read-only questions through a probe and gives rows
of `CheckResult`; a step that cannot be asked (the tracker is down, the project is missing)
ends the team's checks with that row, since every later answer would be the same failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from followthrough.adapters.trackers.github_probe import GitHubProbe
from followthrough.adapters.trackers.jira_probe import JiraProbe
from followthrough.app.preflight import (
    DROPPED_RESOLUTIONS,
    CheckResult,
    Probe,
    fail,
    label_problems,
    ok,
    owner_fix,
    owners_of,
    tracker_error_fix,
)
from followthrough.config import Config, TeamSettings
from followthrough.ports import TrackerError


class _Stop(Exception):  # noqa: N818 - control flow inside this module, never raised out
    """A step found a failure that makes the later steps meaningless."""


@dataclass(frozen=True)
class TeamCheck:
    """The checks of one team against its probe; ``where`` is the team file, for fixes."""

    config: Config
    team: TeamSettings
    probe: Probe
    where: str

    @property
    def scope(self) -> str:
        return f"team {self.team.name}"

    def rows(self) -> list[CheckResult]:
        found: list[CheckResult] = []
        steps: list[Callable[[], Iterator[CheckResult]]] = [self._login, self._target]
        steps += [self._workflow, self._owners, self._labels]
        for step in steps:
            try:
                found.extend(step())
            except _Stop as stop:
                found.append(stop.args[0])
                break
            except TrackerError as error:
                fix = tracker_error_fix(self.team, self.config, error)
                found.append(fail(self.scope, "tracker answers", str(error), fix))
                break
        return found

    def _login(self) -> Iterator[CheckResult]:
        try:
            who = self.probe.whoami()
        except TrackerError as error:
            fix = tracker_error_fix(self.team, self.config, error)
            raise _Stop(fail(self.scope, "tracker login", str(error), fix)) from error
        yield ok(self.scope, "tracker login", f"logged in as {who}")

    def _target(self) -> Iterator[CheckResult]:
        if isinstance(self.probe, JiraProbe):
            yield from self._jira_project(self.probe)
        else:
            yield from self._github_repo(self.probe)

    def _jira_project(self, probe: JiraProbe) -> Iterator[CheckResult]:
        key = probe.project
        if not probe.project_exists():
            detail = f"no Jira project {key} (or the API user cannot browse it)"
            fix = f"create project {key} (sandbox: --jira-project {key}), or correct tracker.jira.project in {self.where}"
            raise _Stop(fail(self.scope, "project exists", detail, fix))
        yield ok(self.scope, "project exists", f"Jira project {key}")
        missing = probe.missing_permissions()
        if missing:
            fix = f"grant the API user {', '.join(missing)} in {key}'s permission scheme"
            yield fail(self.scope, "write permissions", f"missing: {', '.join(missing)}", fix)
        else:
            yield ok(self.scope, "write permissions", "create, edit, comment, transition, assign")

    def _github_repo(self, probe: GitHubProbe) -> Iterator[CheckResult]:
        repo = probe.project
        access = probe.access()
        if access is None:
            detail = f"no repository {repo} (or the token cannot see it)"
            fix = f"create {repo} (sandbox: --github-repo {repo}), or correct tracker.github.repo in {self.where}"
            raise _Stop(fail(self.scope, "repository exists", detail, fix))
        yield ok(self.scope, "repository exists", repo)
        if not access.can_write:
            fix = f"give the token's user write (push) access to {repo}"
            yield fail(self.scope, "write permissions", "the token may only read", fix)
        else:
            yield ok(self.scope, "write permissions", "create, edit, comment, close, assign")
        if not access.has_issues:
            fix = "turn Issues on in the repository's settings"
            yield fail(self.scope, "issues and closing", "issues are disabled", fix)
        else:
            yield ok(self.scope, "issues and closing", "close as completed or not planned")

    def _workflow(self) -> Iterator[CheckResult]:
        if isinstance(self.probe, JiraProbe):
            yield from self._jira_workflow(self.probe)

    def _jira_workflow(self, probe: JiraProbe) -> Iterator[CheckResult]:
        wanted = (self.team.tracker.jira.issue_type if self.team.tracker.jira else "") or "Task"
        workflows = {name.casefold(): (name, s) for name, s in probe.workflows().items()}
        if wanted.casefold() not in workflows:
            known = ", ".join(name for name, _ in workflows.values()) or "none"
            fix = f"set tracker.jira.issue_type in {self.where} to one of: {known}"
            raise _Stop(fail(self.scope, "issue type", f"no issue type {wanted}", fix))
        name, statuses = workflows[wanted.casefold()]
        yield ok(self.scope, "issue type", name)
        done = [s.name for s in statuses if s.category == "done"]
        if not done:
            shown = ", ".join(s.name for s in statuses)
            detail = f"the {name} workflow has no done status ({shown}): items cannot be closed"
            fix = f"add a Done-category status and a transition to it to the {name} workflow of {probe.project}"
            yield fail(self.scope, "done transition", detail, fix)
        else:
            yield ok(self.scope, "done transition", f"to {', '.join(done)}")
        yield self._wont_do(probe, has_done=bool(done))

    def _wont_do(self, probe: JiraProbe, *, has_done: bool) -> CheckResult:
        names = [
            r for r in probe.resolutions() if r.casefold().replace("’", "'") in DROPPED_RESOLUTIONS
        ]
        if names and has_done:
            return ok(self.scope, "won't-do transition", f"done with resolution {names[0]}")
        detail = "no won't-do resolution: dropped items will be closed as plain Done"
        fix = "add a resolution named Won't Do (Jira settings → Issues → Resolutions)"
        return CheckResult(self.scope, "won't-do transition", "warn", detail, fix)

    def _owners(self) -> Iterator[CheckResult]:
        owners = owners_of(self.team)
        if not owners:
            yield CheckResult(self.scope, "owners assignable", "skip", "no directory and no lead")
        for ident, names in owners.items():
            detail = f"{', '.join(names)} → {ident}"
            if self.probe.assignable(ident):
                yield ok(self.scope, "owner assignable", detail)
            else:
                fix = owner_fix(self.team, ident, names, where=self.where)
                yield fail(self.scope, "owner assignable", f"{detail}: not assignable", fix)

    def _labels(self) -> Iterator[CheckResult]:
        problems = label_problems(self.team)
        if problems:
            fix = f"correct tracker.{self.team.tracker.kind}.labels in {self.where}"
            yield fail(self.scope, "labels valid", "; ".join(problems), fix)
        else:
            target = self.team.tracker.jira or self.team.tracker.github
            shown = ", ".join(target.labels) if target and target.labels else "none besides ours"
            yield ok(self.scope, "labels valid", shown)
