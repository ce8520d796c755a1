"""Jira simulator data: seed catalogue (projects, users, workflow), rich text and timestamps.

Pure data and conversions; the HTTP side is in ``jira.py`` and rendering in ``jira_render.py``.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

BOT_ACCOUNT_ID = "712020:f0110000-7400-4b07-9000-000000000001"

USERS: tuple[dict[str, Any], ...] = (
    {
        "accountId": BOT_ACCOUNT_ID,
        "displayName": "followthrough-bot",
        "emailAddress": "followthrough-bot@example.com",
        "active": True,
        "accountType": "app",
    },
    {
        "accountId": "712020:a11ce000-0000-4000-8000-00000000a11c",
        "displayName": "Alice Nguyen",
        "emailAddress": "alice@example.com",
        "active": True,
        "accountType": "atlassian",
    },
    {
        "accountId": "712020:b0b00000-0000-4000-8000-000000000b0b",
        "displayName": "Bob Martin",
        "emailAddress": "bob@example.com",
        "active": True,
        "accountType": "atlassian",
    },
    {
        "accountId": "712020:ca201000-0000-4000-8000-0000000ca201",
        "displayName": "Carol Diaz",
        "emailAddress": "carol@example.com",
        "active": True,
        "accountType": "atlassian",
    },
    {
        "accountId": "712020:da7e0000-0000-4000-8000-000000000da7",
        "displayName": "Dave Okafor",
        "emailAddress": "dave@example.com",
        "active": True,
        "accountType": "atlassian",
    },
    {
        "accountId": "712020:9e1a0000-0000-4000-8000-000000009e1a",
        "displayName": "Priya Nair",
        "emailAddress": "priya@example.com",
        "active": True,
        "accountType": "atlassian",
    },
    {
        "accountId": "712020:70300000-0000-4000-8000-000000007030",
        "displayName": "Tom Okafor",
        "emailAddress": "tom@example.com",
        "active": True,
        "accountType": "atlassian",
    },
    {
        "accountId": "712020:5a4a0000-0000-4000-8000-000000005a4a",
        "displayName": "Sara Lind",
        "emailAddress": "sara@example.com",
        "active": True,
        "accountType": "atlassian",
    },
    {
        "accountId": "712020:e7170000-0000-4000-8000-000000000e71",
        "displayName": "Erin Former",
        "emailAddress": "erin@example.com",
        "active": False,
        "accountType": "atlassian",
    },
)

ISSUE_TYPES: tuple[dict[str, Any], ...] = (
    {"id": "10001", "name": "Task", "description": "A small, distinct piece of work."},
    {"id": "10004", "name": "Bug", "description": "A problem or error."},
)

STATUS_CATEGORIES: dict[str, dict[str, Any]] = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {
        "id": 4,
        "key": "indeterminate",
        "colorName": "yellow",
        "name": "In Progress",
    },
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}

STATUSES: tuple[dict[str, str], ...] = (
    {"id": "10000", "name": "To Do", "category": "new"},
    {"id": "10001", "name": "In Progress", "category": "indeterminate"},
    {"id": "10002", "name": "Done", "category": "done"},
)

TRANSITIONS: tuple[dict[str, str], ...] = (
    {"id": "11", "name": "To Do", "to": "10000"},
    {"id": "21", "name": "In Progress", "to": "10001"},
    {"id": "31", "name": "Done", "to": "10002"},
)

RESOLUTIONS: tuple[dict[str, str], ...] = (
    {"id": "10000", "name": "Done", "description": "Work has been completed on this issue."},
    {"id": "10001", "name": "Won't Do", "description": "This issue won't be actioned."},
)

PRIORITIES: tuple[dict[str, str], ...] = (
    {"id": "1", "name": "Highest"},
    {"id": "2", "name": "High"},
    {"id": "3", "name": "Medium"},
    {"id": "4", "name": "Low"},
    {"id": "5", "name": "Lowest"},
)
DEFAULT_PRIORITY = "3"

PROJECTS: tuple[dict[str, Any], ...] = (
    {
        "id": "10000",
        "key": "OPS",
        "name": "Operations",
        "lead": BOT_ACCOUNT_ID,
        "components": [
            {"id": "10100", "name": "api"},
            {"id": "10101", "name": "web"},
            {"id": "10102", "name": "infra"},
        ],
    },
    {
        "id": "10001",
        "key": "PLAT",
        "name": "Platform",
        "lead": BOT_ACCOUNT_ID,
        "components": [{"id": "10200", "name": "database"}],
    },
)


PERMISSIONS = (
    "BROWSE_PROJECTS",
    "CREATE_ISSUES",
    "EDIT_ISSUES",
    "ADD_COMMENTS",
    "TRANSITION_ISSUES",
    "ASSIGN_ISSUES",
    "RESOLVE_ISSUES",
)


def account_id_for(name: str) -> str:
    """A stable, Cloud-shaped accountId for a user added by name."""
    digest = hashlib.sha256(name.strip().casefold().encode()).hexdigest()
    return f"712020:{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


@dataclass
class Catalogue:
    """The site's users and projects: the seed plus what ``followthrough sandbox`` was told to add.

    Each `JiraApp` owns one; request handling makes it current (see `using`), so the lookups
    below (`users`, `projects`, `user_by_account`) see that app's additions and no other's.
    """

    users: list[dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(list(USERS)))
    projects: list[dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(list(PROJECTS)))

    def add_user(
        self, name: str, *, account_id: str | None = None, active: bool = True
    ) -> dict[str, Any]:
        """Add a person (idempotent by accountId); the e-mail is made from the first name."""
        account = account_id or account_id_for(name)
        existing = next((u for u in self.users if u["accountId"] == account), None)
        if existing is not None:
            return existing
        email = (
            f"{name.split(maxsplit=1)[0].casefold()}@example.com"
            if name.split()
            else "user@example.com"
        )
        user = {
            "accountId": account,
            "displayName": name.strip(),
            "emailAddress": email,
            "active": active,
            "accountType": "atlassian",
        }
        self.users.append(user)
        return user

    def add_project(
        self,
        key: str,
        *,
        name: str | None = None,
        statuses: list[str] | None = None,
        denied: list[str] | None = None,
    ) -> dict[str, Any]:
        """Add a project (idempotent by key); ``statuses`` limits its workflow by status name."""
        existing = find(tuple(self.projects), key, "key")
        if existing is not None:
            return existing
        ident = str(max(int(p["id"]) for p in self.projects) + 1)
        project: dict[str, Any] = {
            "id": ident,
            "key": key.upper(),
            "name": name or key.upper(),
            "lead": BOT_ACCOUNT_ID,
            "components": [],
        }
        if statuses is not None:
            project["statuses"] = [_status_named(status)["id"] for status in statuses]
        if denied:
            project["denied"] = [permission.upper() for permission in denied]
        self.projects.append(project)
        return project

    def dump(self) -> dict[str, Any]:
        """JSON-able copy."""
        return copy.deepcopy({"users": self.users, "projects": self.projects})

    def load(self, state: dict[str, Any]) -> None:
        """Replace with a ``dump`` (missing parts keep their seed)."""
        data = copy.deepcopy(state)
        self.users = data.get("users", self.users)
        self.projects = data.get("projects", self.projects)


def _status_named(name: str) -> dict[str, str]:
    status = find(STATUSES, name, "name")
    if status is None:
        known = ", ".join(s["name"] for s in STATUSES)
        raise ValueError(f"unknown status {name!r} (known: {known})")
    return status


_CURRENT: ContextVar[Catalogue | None] = ContextVar("jira_catalogue", default=None)


@contextmanager
def using(catalogue: Catalogue) -> Iterator[None]:
    """Make ``catalogue`` the one `users` and `projects` read while a request is handled."""
    token = _CURRENT.set(catalogue)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def users() -> tuple[dict[str, Any], ...]:
    """Users of the current catalogue (the seed outside request handling)."""
    current = _CURRENT.get()
    return USERS if current is None else tuple(current.users)


def projects() -> tuple[dict[str, Any], ...]:
    """Projects of the current catalogue (the seed outside request handling)."""
    current = _CURRENT.get()
    return PROJECTS if current is None else tuple(current.projects)


def workflow_statuses(project: dict[str, Any]) -> list[dict[str, str]]:
    """The statuses a project's workflow holds (all of them unless the project limits it)."""
    allowed = project.get("statuses")
    return [s for s in STATUSES if allowed is None or s["id"] in allowed]


@dataclass(frozen=True)
class FieldDef:
    """One entry of ``GET /field``."""

    id: str
    name: str
    schema: dict[str, Any]
    clause_names: tuple[str, ...]
    navigable: bool = True
    orderable: bool = True


FIELDS: tuple[FieldDef, ...] = (
    FieldDef("summary", "Summary", {"type": "string", "system": "summary"}, ("summary",)),
    FieldDef(
        "description",
        "Description",
        {"type": "string", "system": "description"},
        ("description",),
    ),
    FieldDef(
        "issuetype",
        "Issue Type",
        {"type": "issuetype", "system": "issuetype"},
        ("issuetype", "type"),
    ),
    FieldDef("project", "Project", {"type": "project", "system": "project"}, ("project",)),
    FieldDef("status", "Status", {"type": "status", "system": "status"}, ("status",), True, False),
    FieldDef(
        "statusCategory",
        "Status Category",
        {"type": "statusCategory", "system": "statusCategory"},
        ("statusCategory",),
        True,
        False,
    ),
    FieldDef(
        "resolution",
        "Resolution",
        {"type": "resolution", "system": "resolution"},
        ("resolution",),
    ),
    FieldDef(
        "resolutiondate",
        "Resolved",
        {"type": "datetime", "system": "resolutiondate"},
        ("resolutiondate", "resolved"),
        True,
        False,
    ),
    FieldDef("priority", "Priority", {"type": "priority", "system": "priority"}, ("priority",)),
    FieldDef("assignee", "Assignee", {"type": "user", "system": "assignee"}, ("assignee",)),
    FieldDef("reporter", "Reporter", {"type": "user", "system": "reporter"}, ("reporter",)),
    FieldDef(
        "creator", "Creator", {"type": "user", "system": "creator"}, ("creator",), True, False
    ),
    FieldDef(
        "labels",
        "Labels",
        {"type": "array", "items": "string", "system": "labels"},
        ("labels",),
    ),
    FieldDef(
        "components",
        "Components",
        {"type": "array", "items": "component", "system": "components"},
        ("component",),
    ),
    FieldDef("duedate", "Due date", {"type": "date", "system": "duedate"}, ("due", "duedate")),
    FieldDef(
        "created",
        "Created",
        {"type": "datetime", "system": "created"},
        ("created", "createdDate"),
        True,
        False,
    ),
    FieldDef(
        "updated",
        "Updated",
        {"type": "datetime", "system": "updated"},
        ("updated", "updatedDate"),
        True,
        False,
    ),
    FieldDef(
        "statuscategorychangedate",
        "Status Category Changed",
        {"type": "datetime", "system": "statuscategorychangedate"},
        ("statusCategoryChangedDate",),
        True,
        False,
    ),
    FieldDef(
        "comment",
        "Comment",
        {"type": "comments-page", "system": "comment"},
        ("comment",),
        False,
        True,
    ),
)
FIELD_IDS = tuple(f.id for f in FIELDS)
NAVIGABLE_FIELD_IDS = tuple(f.id for f in FIELDS if f.navigable)


def find(items: tuple[dict[str, Any], ...], ref: Any, *keys: str) -> dict[str, Any] | None:
    """The item whose id (or one of ``keys``, case-insensitively) equals ``ref``."""
    if isinstance(ref, dict):
        for key in ("id", *keys):
            if ref.get(key) is not None:
                return find(items, ref[key], *keys)
        return None
    text = str(ref).strip().lower()
    for item in items:
        if str(item["id"]).lower() == text:
            return item
        if any(str(item.get(key, "")).lower() == text for key in keys):
            return item
    return None


def user_by_account(account_id: str | None) -> dict[str, Any] | None:
    """A user of the current catalogue by accountId."""
    return next((u for u in users() if u["accountId"] == account_id), None)


def status_by_id(status_id: str) -> dict[str, str]:
    """A seeded status; ids come from the workflow so they always exist."""
    return next(s for s in STATUSES if s["id"] == status_id)


def format_ts(moment: datetime) -> str:
    """Jira's timestamp form, e.g. ``2024-05-01T10:00:00.000+0000``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def parse_ts(text: str) -> datetime:
    """Inverse of ``format_ts`` (also accepts ISO 8601)."""
    return datetime.fromisoformat(text.replace("+0000", "+00:00"))


class RichTextError(ValueError):
    """A rich-text value in the wrong form for the API version."""


def text_to_adf(text: str) -> dict[str, Any]:
    """Plain text to an ADF document: blank-line paragraphs, hard breaks for newlines."""
    content: list[dict[str, Any]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block:
            continue
        nodes: list[dict[str, Any]] = []
        for index, line in enumerate(block.split("\n")):
            if index:
                nodes.append({"type": "hardBreak"})
            if line:
                nodes.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": nodes})
    return {"type": "doc", "version": 1, "content": content}


def _node_text(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind in {"mention", "emoji", "status", "date", "inlineCard"}:
        attrs = node.get("attrs") or {}
        return str(attrs.get("text") or attrs.get("shortName") or attrs.get("url") or "")
    children = [_node_text(child) for child in node.get("content") or []]
    if kind in {"doc", "bulletList", "orderedList", "blockquote", "panel", "table"}:
        return (
            "\n\n".join(child for child in children if child)
            if kind == "doc"
            else ("\n".join(children))
        )
    if kind == "listItem":
        return "- " + "".join(children).strip()
    return "".join(children)


def adf_to_text(doc: dict[str, Any]) -> str:
    """Best-effort plain text of an ADF document."""
    return _node_text(doc)


def check_adf(value: Any) -> dict[str, Any]:
    """The value if it is an ADF document, else RichTextError."""
    if (
        not isinstance(value, dict)
        or value.get("type") != "doc"
        or value.get("version") != 1
        or not isinstance(value.get("content"), list)
    ):
        raise RichTextError(
            "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
        )
    for node in value["content"]:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise RichTextError("Invalid ADF: every content node needs a 'type'.")
    return value


def rich_text(value: Any, *, version: str) -> dict[str, Any] | None:
    """Canonical ``{"text", "adf"}`` from a request value in the version's form."""
    if value is None:
        return None
    if version == "3":
        adf = check_adf(value)
        return {"text": adf_to_text(adf), "adf": adf}
    if not isinstance(value, str):
        raise RichTextError("The value must be a string in REST API version 2.")
    return {"text": value, "adf": text_to_adf(value)}


def render_rich(stored: dict[str, Any] | None, *, version: str) -> Any:
    """The stored rich text in the version's form (ADF for v3, plain text otherwise)."""
    if stored is None:
        return None
    return stored["adf"] if version == "3" else stored["text"]
