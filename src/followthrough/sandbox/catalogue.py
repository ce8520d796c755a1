"""What the sandbox contains, and how a user adds to it: Jira projects, GitHub repos, people.

Additions come from ``followthrough sandbox`` flags (``--jira-project KEY``,
``--github-repo owner/name``, ``--user "Name[:accountId]"``) or a seed file (YAML)::

    jira:
      projects:
        - SRE
        - {key: DATA, name: Data platform, statuses: [To Do, In Progress]}
    github:
      repos: [acme/sre]
    users:
      - Sam Rivera
      - {name: Lena Park, account_id: "712020:…", login: lena}

A person becomes a Jira user (assignable in every project) and a GitHub collaborator of every
repository; the GitHub login defaults to the first name in lower case. A project's
``statuses`` limits its workflow (leave out Done to try a project where nothing can close).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from followthrough.sandbox import jira_model as m
from followthrough.sandbox.core import Sandbox

T = TypeVar("T")
_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{1,9}$")
_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$")


class SeedError(ValueError):
    """A seed flag or file that cannot be applied; the message names where."""


@dataclass(frozen=True)
class ProjectSeed:
    """A Jira project to add."""

    key: str
    name: str | None = None
    statuses: list[str] | None = None


@dataclass(frozen=True)
class UserSeed:
    """A person to add to both trackers."""

    name: str
    account_id: str | None = None
    login: str | None = None

    @property
    def github_login(self) -> str:
        """The login given, else the first name in lower case."""
        return self.login or self.name.split()[0].casefold()


@dataclass
class Seed:
    """Everything to add to a fresh (or loaded) sandbox."""

    projects: list[ProjectSeed] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)
    users: list[UserSeed] = field(default_factory=list)

    def extend(self, other: Seed) -> None:
        """Add another seed's entries after this one's."""
        self.projects += other.projects
        self.repos += other.repos
        self.users += other.users


def project_flag(text: str) -> ProjectSeed:
    """``--jira-project KEY``."""
    key = text.strip()
    if not _PROJECT_KEY.match(key):
        raise SeedError(
            f"--jira-project: {text!r} is not a project key (2-10 capitals and digits, e.g. SRE)"
        )
    return ProjectSeed(key=key)


def repo_flag(text: str) -> str:
    """``--github-repo owner/name``."""
    if not _REPO.match(text.strip()):
        raise SeedError(f"--github-repo: {text!r} is not owner/name (e.g. acme/sre)")
    return text.strip()


def user_flag(text: str) -> UserSeed:
    """``--user "Name[:accountId]"`` (an accountId may itself hold a colon)."""
    name, _, account = text.partition(":")
    if not name.strip():
        raise SeedError(f"--user: {text!r} has no name (e.g. --user 'Sam Rivera')")
    return UserSeed(name=name.strip(), account_id=account.strip() or None)


def apply_seed(sandbox: Sandbox, seed: Seed) -> None:
    """Add the seed's projects, repositories and people to the sandbox's apps."""
    jira, github = _jira(sandbox), sandbox.apps.get("github")
    for project in seed.projects:
        if jira is not None:
            try:
                jira.catalogue.add_project(
                    project.key, name=project.name, statuses=project.statuses
                )
            except ValueError as error:
                raise SeedError(f"project {project.key}: {error}") from error
    for repo in seed.repos:
        if github is not None:
            github.add_repo(repo)  # type: ignore[attr-defined]
    for user in seed.users:
        if jira is not None:
            jira.catalogue.add_user(user.name, account_id=user.account_id)
        if github is not None:
            github.add_user(user.github_login)  # type: ignore[attr-defined]


def _jira(sandbox: Sandbox) -> Any:
    app = sandbox.apps.get("jira")
    return app if app is not None and hasattr(app, "catalogue") else None


def describe(sandbox: Sandbox) -> dict[str, Any]:
    """Projects (with workflow), repositories and people, as JSON-able data."""
    described: dict[str, Any] = {}
    jira = _jira(sandbox)
    if jira is not None:
        catalogue: m.Catalogue = jira.catalogue
        described["jira"] = {
            "projects": [_project_view(p) for p in catalogue.projects],
            "users": [
                {"name": u["displayName"], "accountId": u["accountId"], "active": u["active"]}
                for u in catalogue.users
            ],
        }
    github = sandbox.apps.get("github")
    state = getattr(github, "state", None)
    if state is not None:
        described["github"] = {
            "repos": [
                {"repo": r.full_name, "assignable": list(r.collaborators)}
                for r in state.repos.values()
            ]
        }
    return described


def _project_view(project: dict[str, Any]) -> dict[str, Any]:
    statuses = [s["name"] for s in m.workflow_statuses(project)]
    return {"key": project["key"], "name": project["name"], "statuses": statuses}


def describe_text(described: dict[str, Any]) -> str:
    """The catalogue as a few readable lines."""
    lines = []
    jira = described.get("jira")
    if jira:
        lines.append("jira projects:")
        lines += [
            f"  {p['key']:<6} {p['name']} (statuses: {', '.join(p['statuses'])})"
            for p in jira["projects"]
        ]
        lines.append("jira users (assignable when active):")
        lines += [
            f"  {u['name']:<18} {u['accountId']}{'' if u['active'] else '  (inactive)'}"
            for u in jira["users"]
        ]
    github = described.get("github")
    if github:
        lines.append("github repositories (assignable logins):")
        lines += [f"  {r['repo']:<14} {', '.join(r['assignable'])}" for r in github["repos"]]
    return "\n".join(lines)


# the seed file ---------------------------------------------------------------------------


def load_seed_file(path: Path) -> Seed:
    """Read a YAML seed file; `SeedError` names the file and line of what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SeedError(f"{path}: cannot read the seed file: {error.strerror}") from error
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise SeedError(f"{path}{line}: not YAML: {getattr(error, 'problem', error)}") from error
    if root is None:
        return Seed()
    reader = _Reader(path)
    top = reader.mapping(root, "the seed file", {"jira", "github", "users"})
    seed = Seed()
    if "jira" in top:
        jira = reader.mapping(top["jira"], "jira", {"projects"})
        seed.projects = [reader.project(n) for n in reader.sequence(jira.get("projects"))]
    if "github" in top:
        github = reader.mapping(top["github"], "github", {"repos"})
        seed.repos = [reader.repo(n) for n in reader.sequence(github.get("repos"))]
    seed.users = [reader.user(n) for n in reader.sequence(top.get("users"))]
    return seed


@dataclass(frozen=True)
class _Reader:
    """Turns YAML nodes into seed entries, with ``file:line`` in every error."""

    path: Path

    def fail(self, node: yaml.Node, message: str) -> SeedError:
        return SeedError(f"{self.path}:{node.start_mark.line + 1}: {message}")

    def mapping(self, node: yaml.Node, what: str, keys: set[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        found: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.value not in keys:
                known = ", ".join(sorted(keys))
                raise self.fail(key, f"unknown key '{key.value}' in {what} (known: {known})")
            found[str(key.value)] = value
        return found

    def sequence(self, node: yaml.Node | None) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "expected a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"{what} must be a text")
        return str(node.value).strip()

    def project(self, node: yaml.Node) -> ProjectSeed:
        if isinstance(node, yaml.ScalarNode):
            return self._checked(node, lambda: project_flag(self.scalar(node, "a project key")))
        fields = self.mapping(node, "a project", {"key", "name", "statuses"})
        if "key" not in fields:
            raise self.fail(node, "a project needs a key")
        key = self._checked(fields["key"], lambda: project_flag(self.scalar(fields["key"], "key")))
        statuses = None
        if "statuses" in fields:
            statuses = [self.scalar(n, "a status") for n in self.sequence(fields["statuses"])]
            for status_node, status in zip(
                self.sequence(fields["statuses"]), statuses, strict=True
            ):
                if m.find(m.STATUSES, status, "name") is None:
                    known = ", ".join(s["name"] for s in m.STATUSES)
                    raise self.fail(status_node, f"unknown status '{status}' (known: {known})")
        name = self.scalar(fields["name"], "name") if "name" in fields else None
        return ProjectSeed(key=key.key, name=name, statuses=statuses)

    def repo(self, node: yaml.Node) -> str:
        return self._checked(node, lambda: repo_flag(self.scalar(node, "a repository")))

    def user(self, node: yaml.Node) -> UserSeed:
        if isinstance(node, yaml.ScalarNode):
            return UserSeed(name=self.scalar(node, "a user"))
        fields = self.mapping(node, "a user", {"name", "account_id", "login"})
        if "name" not in fields:
            raise self.fail(node, "a user needs a name")
        values = {key: self.scalar(value, key) for key, value in fields.items()}
        return UserSeed(
            name=values["name"], account_id=values.get("account_id"), login=values.get("login")
        )

    def _checked(self, node: yaml.Node, parse: Callable[[], T]) -> T:
        try:
            return parse()
        except SeedError as error:
            raise self.fail(node, str(error).split(": ", 1)[-1]) from error
