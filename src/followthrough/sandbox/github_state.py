"""State of the simulated GitHub in the sandbox: users, the repository, its issues and labels.

Plain dataclasses keyed for lookup, a seed matching the test organisation, and a JSON-able
dump/load. Issues are immutable versions, newest last, so the lagging search index can read
the version that was current a few seconds ago.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any

from followthrough.sandbox.github_repos import GitData, dump_git, load_git

BOT_LOGIN = "followthrough-bot"
SEED_OWNER = "acme"
SEED_REPO = "ops"
SEED_DESCRIPTION = "Operations runbooks and follow-up work"
SEED_PEOPLE = ("alice", "bob", "carol", "dave", "lena", "marco")


def node_id(kind: str, ident: int) -> str:
    """Legacy-style GraphQL node id, e.g. ``MDU6SXNzdWUx`` for ``05:Issue1``."""
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


@dataclass
class User:
    """A user or organisation account."""

    login: str
    id: int
    created_at: float
    type: str = "User"
    name: str | None = None


@dataclass
class Label:
    """A repository label."""

    id: int
    name: str
    color: str = "ededed"
    description: str | None = None
    default: bool = False


@dataclass
class Milestone:
    """A repository milestone."""

    id: int
    number: int
    title: str
    creator: str
    created_at: float
    updated_at: float
    state: str = "open"
    description: str | None = None
    due_on: str | None = None
    closed_at: float | None = None


@dataclass(frozen=True)
class Issue:
    """One version of an issue; every change appends a new version."""

    id: int
    number: int
    title: str
    body: str | None
    user: str
    created_at: float
    updated_at: float
    state: str = "open"
    state_reason: str | None = None
    labels: tuple[int, ...] = ()
    assignees: tuple[str, ...] = ()
    milestone: int | None = None
    locked: bool = False
    comments: int = 0
    closed_at: float | None = None
    closed_by: str | None = None


@dataclass(frozen=True)
class IssueEvent:
    """One issue event (assigned, unassigned, closed, reopened, labeled, unlabeled)."""

    id: int
    issue_number: int
    event: str
    actor: str
    created_at: float
    assignee: str | None = None
    label: str | None = None
    state_reason: str | None = None


@dataclass
class Comment:
    """An issue comment."""

    id: int
    issue_number: int
    body: str
    user: str
    created_at: float
    updated_at: float


@dataclass
class Pull:
    """A pull request; ``head_sha`` is frozen once it is merged or closed."""

    id: int
    number: int
    title: str
    body: str | None
    user: str
    head: str
    base: str
    created_at: float
    updated_at: float
    state: str = "open"
    head_sha: str | None = None
    closed_at: float | None = None
    merged_at: float | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    draft: bool = False


@dataclass
class Repo:
    """A repository: its issue tracker, git objects and refs, and pull requests.

    Issues and pull requests share ``next_number``, as on GitHub.
    """

    id: int
    owner: str
    name: str
    created_at: float
    collaborators: list[str] = field(default_factory=list)
    labels: dict[int, Label] = field(default_factory=dict)
    issues: dict[int, list[Issue]] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    milestones: dict[int, Milestone] = field(default_factory=dict)
    next_number: int = 1
    description: str | None = None
    private: bool = False
    default_branch: str = "main"
    pushed_at: float | None = None
    git: GitData = field(default_factory=GitData)
    pulls: dict[int, Pull] = field(default_factory=dict)
    events: list[IssueEvent] = field(default_factory=list)  # oldest first
    # What the API token may do here: "write", or "read" (every write is refused, as for a
    # token whose repository permissions are read-only).
    access: str = "write"

    @property
    def full_name(self) -> str:
        """``owner/name``."""
        return f"{self.owner}/{self.name}"

    def issue(self, number: int) -> Issue | None:
        """The current version of issue ``number``."""
        versions = self.issues.get(number)
        return versions[-1] if versions else None

    def current_issues(self) -> list[Issue]:
        """Current versions of all issues, by number."""
        return [versions[-1] for _, versions in sorted(self.issues.items())]

    def label_named(self, name: str) -> Label | None:
        """Case-insensitive label lookup."""
        wanted = name.casefold()
        return next((lb for lb in self.labels.values() if lb.name.casefold() == wanted), None)

    def is_assignable(self, login: str) -> bool:
        """Whether ``login`` may be assigned issues here."""
        return login.casefold() in {c.casefold() for c in self.collaborators}

    def canonical_login(self, login: str) -> str:
        """The stored spelling of a collaborator's login."""
        return next((c for c in self.collaborators if c.casefold() == login.casefold()), login)


@dataclass
class RateWindow:
    """Usage of one rate-limit resource in its current window."""

    limit: int
    window_seconds: int
    used: int = 0
    reset: int = 0


@dataclass
class GitHubState:
    """Everything the simulator knows; ``dump``/``load`` round-trip through JSON types."""

    users: dict[str, User] = field(default_factory=dict)
    repos: dict[str, Repo] = field(default_factory=dict)
    rate: dict[str, RateWindow] = field(default_factory=dict)
    next_id: int = 1000

    def new_id(self) -> int:
        """A fresh id, unique across object kinds."""
        self.next_id += 1
        return self.next_id

    def user(self, login: str) -> User | None:
        """Case-insensitive user lookup."""
        return self.users.get(login.casefold())

    def repo(self, owner: str, name: str) -> Repo | None:
        """Case-insensitive repository lookup."""
        return self.repos.get(f"{owner}/{name}".casefold())

    def add_user(self, login: str, *, now: float, kind: str = "User") -> User:
        """Create an account (idempotent)."""
        existing = self.user(login)
        if existing is not None:
            return existing
        user = User(login=login, id=self.new_id(), created_at=now, type=kind, name=login.title())
        self.users[login.casefold()] = user
        return user

    def add_repo(
        self,
        owner: str,
        name: str,
        *,
        now: float,
        collaborators: list[str],
        description: str | None = None,
        private: bool = False,
    ) -> Repo:
        """Create a repository owned by an existing account."""
        repo = Repo(id=self.new_id(), owner=owner, name=name, created_at=now)
        repo.collaborators = list(collaborators)
        repo.description = description
        repo.private = private
        self.repos[repo.full_name.casefold()] = repo
        return repo


def seeded_state(*, now: float, core_limit: int, search_limit: int) -> GitHubState:
    """The org ``acme``, repo ``acme/ops`` and its collaborators, with no labels or issues."""
    state = GitHubState()
    state.add_user(SEED_OWNER, now=now, kind="Organization")
    people = [*SEED_PEOPLE, BOT_LOGIN]
    for login in people:
        state.add_user(login, now=now)
    state.add_repo(
        SEED_OWNER, SEED_REPO, now=now, collaborators=people, description=SEED_DESCRIPTION
    )
    state.rate = {
        "core": RateWindow(limit=core_limit, window_seconds=3600),
        "search": RateWindow(limit=search_limit, window_seconds=60),
        "graphql": RateWindow(limit=core_limit, window_seconds=3600),
    }
    return state


def dump_state(state: GitHubState) -> dict[str, Any]:
    """A JSON-able copy of ``state`` (integer keys become lists)."""
    return {
        "next_id": state.next_id,
        "users": [asdict(u) for u in state.users.values()],
        "repos": [_dump_repo(r) for r in state.repos.values()],
        "rate": {name: asdict(w) for name, w in state.rate.items()},
    }


def _dump_repo(repo: Repo) -> dict[str, Any]:
    return {
        "id": repo.id,
        "owner": repo.owner,
        "name": repo.name,
        "created_at": repo.created_at,
        "collaborators": list(repo.collaborators),
        "next_number": repo.next_number,
        "labels": [asdict(lb) for lb in repo.labels.values()],
        "issues": [[_dump_issue(v) for v in versions] for versions in repo.issues.values()],
        "comments": [asdict(c) for c in repo.comments.values()],
        "milestones": [asdict(m) for m in repo.milestones.values()],
        "description": repo.description,
        "private": repo.private,
        "default_branch": repo.default_branch,
        "pushed_at": repo.pushed_at,
        "git": dump_git(repo.git),
        "pulls": [asdict(p) for p in repo.pulls.values()],
        "events": [asdict(e) for e in repo.events],
        "access": repo.access,
    }


def _dump_issue(issue: Issue) -> dict[str, Any]:
    data = asdict(issue)
    data["labels"] = list(issue.labels)
    data["assignees"] = list(issue.assignees)
    return data


def load_state(data: dict[str, Any]) -> GitHubState:
    """Rebuild a state from :func:`dump_state` output."""
    state = GitHubState(next_id=int(data["next_id"]))
    for raw in data["users"]:
        user = User(**raw)
        state.users[user.login.casefold()] = user
    for raw in data["repos"]:
        repo = _load_repo(raw)
        state.repos[repo.full_name.casefold()] = repo
    state.rate = {name: RateWindow(**w) for name, w in data["rate"].items()}
    return state


def _load_repo(raw: dict[str, Any]) -> Repo:
    repo = Repo(
        id=raw["id"],
        owner=raw["owner"],
        name=raw["name"],
        created_at=raw["created_at"],
        collaborators=list(raw["collaborators"]),
        next_number=raw["next_number"],
        description=raw.get("description", SEED_DESCRIPTION),
        private=bool(raw.get("private", False)),
        default_branch=raw.get("default_branch", "main"),
        pushed_at=raw.get("pushed_at"),
        access=raw.get("access", "write"),
        git=load_git(raw.get("git")),
    )
    repo.pulls = {p["number"]: Pull(**p) for p in raw.get("pulls", [])}
    repo.events = [IssueEvent(**e) for e in raw.get("events", [])]
    repo.labels = {lb["id"]: Label(**lb) for lb in raw["labels"]}
    for versions in raw["issues"]:
        loaded = [_load_issue(v) for v in versions]
        repo.issues[loaded[-1].number] = loaded
    repo.comments = {c["id"]: Comment(**c) for c in raw["comments"]}
    repo.milestones = {m["number"]: Milestone(**m) for m in raw["milestones"]}
    return repo


def _load_issue(raw: dict[str, Any]) -> Issue:
    fields = dict(raw)
    fields["labels"] = tuple(raw["labels"])
    fields["assignees"] = tuple(raw["assignees"])
    return Issue(**fields)


def record_version(repo: Repo, issue: Issue, *, horizon: float) -> None:
    """Append ``issue`` as the newest version, dropping versions no reader can still see.

    ``horizon`` is the oldest instant the search index may still ask about (now minus lag).
    """
    versions = repo.issues.setdefault(issue.number, [])
    versions.append(issue)
    keep_from = 0
    for index, version in enumerate(versions):
        if version.updated_at <= horizon:
            keep_from = index
    del versions[:keep_from]


def roll_window(window: RateWindow, now: float) -> RateWindow:
    """Start a fresh window once the current one has reset; returns ``window``."""
    if now >= window.reset:
        window.used = 0
        window.reset = int(now) + window.window_seconds
    return window


def version_at(versions: list[Issue], instant: float) -> Issue | None:
    """The version that was current at ``instant``, or None if the issue did not exist yet."""
    seen: Issue | None = None
    for version in versions:
        if version.updated_at > instant:
            break
        seen = version
    return seen


__all__ = [
    "BOT_LOGIN",
    "Comment",
    "GitHubState",
    "Issue",
    "IssueEvent",
    "Label",
    "Milestone",
    "Pull",
    "RateWindow",
    "Repo",
    "User",
    "dump_state",
    "load_state",
    "node_id",
    "record_version",
    "roll_window",
    "seeded_state",
    "version_at",
]
