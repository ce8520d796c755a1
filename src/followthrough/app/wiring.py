"""From configuration to working parts: team policies, trackers, the store, the postmortems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.app.outcome import UsageError, one_line
from followthrough.config import (
    Config,
    FolderSource,
    GitHubConnection,
    GitHubSource,
    JiraConnection,
    SandboxConnection,
    TeamSettings,
)
from followthrough.domain.model import Finding, Postmortem
from followthrough.domain.policy import DoneItems, DueDefaults, OwnerPolicy, TeamPolicy
from followthrough.ports import NoTrackerCalls, Store, Tracker, TrackerCalls
from followthrough.retry import RetryPolicy
from followthrough.sandbox.core import Sandbox

if TYPE_CHECKING:
    from followthrough.adapters.stores.pg_session import PgTimeouts

# Jira Cloud's burst limit for writes: about ten a second per user keeps well under it.
JIRA_WRITE_INTERVAL = 0.1


# A command someone waits for gives up on a tracker sooner than the worker, which tries again
# next cycle anyway: four attempts within 30 s (an unreachable host costs at most the 5 s
# connect timeout per attempt, plus about 4 s of back-off).
COMMAND_RETRY = RetryPolicy(attempts=4, max_seconds=30.0)


def utc_now() -> dt.datetime:
    """The real clock, for the CLI and the daemon (everything below takes a clock)."""
    return dt.datetime.now(dt.UTC)


def team_policy(team: TeamSettings) -> TeamPolicy:
    """The domain's view of a team's settings."""
    target = team.tracker.jira or team.tracker.github
    assert target is not None  # the config validator requires exactly one
    return TeamPolicy(
        name=team.name,
        tracker_kind=team.tracker.kind,
        project=team.tracker.project,
        directory=dict(team.directory),
        lead=team.lead_id(),
        soak_days=team.soak_days,
        done_items=DoneItems(team.done_items),
        owner_policy=OwnerPolicy(team.owner_policy),
        due_defaults=DueDefaults(
            priority_weeks=team.due_defaults.priority_weeks,
            default_weeks=team.due_defaults.default_weeks,
            horizons=dict(team.due_defaults.horizons),
        ),
        labels=tuple(target.labels),
        components=tuple(team.tracker.jira.components) if team.tracker.jira else (),
        issue_type=team.tracker.jira.issue_type if team.tracker.jira else None,
    )


@dataclass
class Trackers:
    """Builds one tracker adapter per team, starting the embedded sandbox when asked for;
    ``listener`` hears of every HTTP call and error of the adapters built."""

    config: Config
    clock: Callable[[], dt.datetime]
    sandbox_state: Path | None = None
    listener: TrackerCalls = field(default_factory=NoTrackerCalls)
    _sandbox: Sandbox | None = field(default=None, init=False)

    def for_team(self, team: TeamSettings) -> Tracker:
        connection = self.config.team_connection(team.name)
        if isinstance(connection, SandboxConnection):
            return self._sandboxed(team, connection)
        if isinstance(connection, JiraConnection):
            return _jira(
                team,
                url=connection.url,
                user=connection.user or "",
                token=_secret(connection.token),
                deployment=connection.deployment,
                lag=connection.search_lag_seconds,
                clock=self.clock,
                listener=self.listener,
            )
        assert isinstance(connection, GitHubConnection)
        return _github(
            team,
            base_url=connection.url,
            token=_secret(connection.token),
            clock=self.clock,
            listener=self.listener,
        )

    def _sandboxed(self, team: TeamSettings, connection: SandboxConnection) -> Tracker:
        if self._sandbox is None:
            state = connection.state_file or self.sandbox_state
            self._sandbox = Sandbox(state_file=state)
            self._sandbox.start()
        info = self._sandbox.info()
        if team.tracker.kind == "jira":
            return _jira(
                team,
                url=info["jira"],
                user=info["user"],
                token=info["token"],
                deployment="cloud",
                lag=5.0,
                clock=self.clock,
                pace=0.0,
                listener=self.listener,
            )
        return _github(
            team,
            base_url=info["github"],
            token=info["token"],
            clock=self.clock,
            pace=0.0,
            listener=self.listener,
        )

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None


def _secret(value: Any) -> str:
    return str(value.get_secret_value()) if value is not None else ""


def _jira(
    team: TeamSettings,
    *,
    url: str,
    user: str,
    token: str,
    deployment: str,
    lag: float,
    clock: Callable[[], dt.datetime],
    pace: float = JIRA_WRITE_INTERVAL,
    listener: TrackerCalls,
) -> Tracker:
    from followthrough.adapters.trackers.jira import JiraTracker  # noqa: PLC0415 - vendor client loads on use

    jira = team.tracker.jira
    assert jira is not None
    return JiraTracker(
        url=url,
        user=user,
        token=token,
        project=jira.project,
        issue_type=jira.issue_type,
        deployment="datacenter" if deployment == "datacenter" else "cloud",
        components=jira.components,
        search_lag=dt.timedelta(seconds=lag),
        clock=clock,
        min_write_interval=pace,
        listener=listener,
    )


def _github(
    team: TeamSettings,
    *,
    base_url: str,
    token: str,
    clock: Callable[[], dt.datetime],
    pace: float = 1.0,
    listener: TrackerCalls,
) -> Tracker:
    from followthrough.adapters.trackers.github import GitHubTracker  # noqa: PLC0415 - vendor client loads on use

    github = team.tracker.github
    assert github is not None
    return GitHubTracker(
        token=token,
        repo=github.repo,
        base_url=base_url,
        labels=github.labels,
        clock=clock,
        min_write_interval=pace,
        listener=listener,
    )


def open_configured_store(config: Config) -> Store:
    """PostgreSQL when a DSN is configured, else SQLite at the configured path; migrated.

    A journal that cannot be opened or written is a `UsageError` naming it and the setting
    to change: nothing can be done safely without it.
    """
    from followthrough.adapters.stores import StoreError, open_store  # noqa: PLC0415

    store_settings = config.settings.store
    dsn = _secret(store_settings.dsn) or None
    path = Path(store_settings.sqlite_path)
    setting = "store.dsn (FOLLOWTHROUGH_STORE__DSN)" if dsn else "store.sqlite_path"
    try:
        if dsn is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        store = open_store(dsn=dsn, sqlite_path=path, timeouts=pg_timeouts(config))
        store.migrate()
    except OSError as error:
        reason = f"cannot create {path.parent}: {error.strerror or error}"
        raise UsageError(f"the journal cannot be used: {reason} (check {setting})") from error
    except StoreError as error:
        reason = one_line(str(error))
        raise UsageError(f"the journal cannot be used: {reason} (check {setting})") from error
    return store


def pg_timeouts(config: Config) -> PgTimeouts:
    """The PostgreSQL session limits the configuration sets."""
    from followthrough.adapters.stores.pg_session import PgTimeouts  # noqa: PLC0415

    store = config.settings.store
    return PgTimeouts(
        connect=dt.timedelta(seconds=store.connect_timeout_seconds),
        statement=dt.timedelta(seconds=store.statement_timeout_seconds),
        lock=dt.timedelta(seconds=store.lock_timeout_seconds),
        lease=dt.timedelta(seconds=store.leader_lease_seconds),
    )


@dataclass(frozen=True, slots=True)
class Documents:
    """Every postmortem read this cycle, with where each came from, and the sources skipped."""

    postmortems: tuple[Postmortem, ...]
    roots: dict[str, Path]  # postmortem path → source root (for team path globs)
    skipped_sources: tuple[str, ...] = ()  # one line each: which source, and why
    # Postmortem path → the GitHub repository source it was read from, and the commit.
    repo_sources: dict[str, GitHubSource] = field(default_factory=dict)
    commits: dict[str, str] = field(default_factory=dict)
    # The folders (and repository folders) read in full: a linked document that was under
    # one and is gone was renamed or deleted.
    read_roots: tuple[str, ...] = ()

    def unreadable(self) -> set[str]:
        return {pm.id for pm in self.postmortems if not pm.readable}

    def unreadable_findings(self) -> list[Finding]:
        """Each unreadable document's finding (file and line), once per file."""
        seen: dict[tuple[str, str], Finding] = {}
        for pm in self.postmortems:
            if not pm.readable:
                for finding in pm.findings:
                    seen.setdefault((finding.path or pm.path, finding.message), finding)
        return list(seen.values())

    def problems(self) -> list[str]:
        """Every source skipped and document unread, one line each (``path:line: …``)."""
        lines = list(self.skipped_sources)
        lines.extend(
            f"{f.path}:{f.line}: {f.code}: {f.message}" for f in self.unreadable_findings()
        )
        return lines

    def for_team(self, team: TeamSettings) -> list[Postmortem]:
        selected = []
        for pm in self.postmortems:
            root = self.roots.get(pm.path)
            relative = (
                str(Path(pm.path).relative_to(root))
                if root and Path(pm.path).is_relative_to(root)
                else pm.path
            )
            if team.owns(team_field=pm.team, relative_path=relative):
                selected.append(pm)
        return selected


def read_documents(config: Config, *, reader: DocumentReader | None = None) -> Documents:
    """Read every folder and GitHub repository source; a missing folder or a repository that
    cannot be read is skipped and named, never silently."""
    reader = reader or DocumentReader(cache_dir=Path(config.settings.cache_dir))
    found: list[Postmortem] = []
    roots: dict[str, Path] = {}
    skipped: list[str] = []
    repo_sources: dict[str, GitHubSource] = {}
    commits: dict[str, str] = {}
    read_roots: list[str] = []
    for source in config.settings.sources:
        if not isinstance(source, FolderSource):
            from followthrough.app.repo_sources import read_repo_source  # noqa: PLC0415

            documents = read_repo_source(config, source)
            if documents.skipped is not None:
                skipped.append(documents.skipped)
            else:
                read_roots.append(documents.root.as_posix())
            for pm in documents.postmortems:
                found.append(pm)
                roots[pm.path] = documents.root
                repo_sources[pm.path] = source
                commits[pm.path] = documents.commit
            continue
        root = Path(source.path)
        if root.is_absolute() and root.is_relative_to(Path.cwd()):
            root = root.relative_to(Path.cwd())  # paths in findings as people type them
        if not root.exists():
            skipped.append(f"source {root}: skipped, no such folder (check sources in the config)")
            continue
        read_roots.append(root.as_posix())
        for pm in reader.read([str(root)]):
            found.append(_linked(pm, root, source.base_url))
            roots[pm.path] = root
    return Documents(
        postmortems=tuple(found),
        roots=roots,
        skipped_sources=tuple(skipped),
        repo_sources=repo_sources,
        commits=commits,
        read_roots=tuple(read_roots),
    )


def _linked(pm: Postmortem, root: Path, base_url: str | None) -> Postmortem:
    """The postmortem with its web address: the source's base URL and its path inside."""
    if base_url is None or not Path(pm.path).is_relative_to(root):
        return pm
    inside = Path(pm.path).relative_to(root).as_posix()
    return replace(pm, url=f"{base_url}/{quote(inside)}")


@contextmanager
def trackers_for(
    config: Config,
    *,
    clock: Callable[[], dt.datetime],
    sandbox_state: Path | None,
    listener: TrackerCalls | None = None,
) -> Iterator[Trackers]:
    trackers = Trackers(
        config=config,
        clock=clock,
        sandbox_state=sandbox_state,
        listener=listener or NoTrackerCalls(),
    )
    try:
        yield trackers
    finally:
        trackers.close()


def teams_selected(config: Config, names: Sequence[str] | None) -> list[TeamSettings]:
    if not names:
        return list(config.teams.values())
    unknown = [n for n in names if n not in config.teams]
    if unknown:
        raise UsageError(
            f"unknown team{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
            f" (--team); known: {', '.join(sorted(config.teams))}"
        )
    return [config.teams[n] for n in names]
