"""Jira simulator state: issues with their version history, comments, properties, links.

Every change to an issue appends a snapshot, so the search index can be evaluated "as of"
an earlier moment (eventual consistency). Field validation for create/edit lives here too.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from followthrough.sandbox import jira_model as m
from followthrough.sandbox.core import HttpError

MAX_VERSIONS = 200
CHANGELOG_FIELDS = ("assignee", "duedate", "status", "resolution")
SUMMARY_LIMIT = 255
TEXT_LIMIT = 32_767  # Jira Cloud's limit for a text field (description, comment)
TEXT_TOO_LONG = "The entered text is too long. It exceeds the allowed limit of 32,767 characters."
NOT_SETTABLE = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."
ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."


def jira_error(status: int, *messages: str, errors: dict[str, str] | None = None) -> HttpError:
    """An HttpError with Jira's ``{"errorMessages": [...], "errors": {...}}`` body."""
    return HttpError(status, {"errorMessages": list(messages), "errors": dict(errors or {})})


class JiraStore:
    """All mutable Jira state, JSON-serialisable through ``dump``/``load``."""

    def __init__(self) -> None:
        self.issues: dict[str, dict[str, Any]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.links: dict[str, list[dict[str, Any]]] = {}
        # Jira's changelog per issue id: who changed which tracked field when, from what to what.
        self.changelog: dict[str, list[dict[str, Any]]] = {}
        self.counters: dict[str, int] = {
            "issue": 10000, "comment": 10000, "link": 10000, "change": 10000
        }  # fmt: skip
        # Who the changes are made by: the API user unless a scenario acts as a person.
        self.actor = m.BOT_ACCOUNT_ID

    # persistence ---------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """JSON-able copy of everything."""
        return copy.deepcopy(
            {
                "issues": self.issues,
                "history": self.history,
                "comments": self.comments,
                "links": self.links,
                "changelog": self.changelog,
                "counters": self.counters,
            }
        )

    def load(self, state: dict[str, Any]) -> None:
        """Replace everything with a ``dump``."""
        data = copy.deepcopy(state)
        self.issues = data.get("issues", {})
        self.history = data.get("history", {})
        self.comments = data.get("comments", {})
        self.links = data.get("links", {})
        self.changelog = data.get("changelog", {})
        self.counters = {**self.counters, **data.get("counters", {})}

    # identity ------------------------------------------------------------------------

    def next_id(self, counter: str) -> int:
        """Allocate the next id of a kind (issue, comment, link, or a project key)."""
        self.counters[counter] = self.counters.get(counter, 0) + 1
        return self.counters[counter]

    def get(self, ref: str) -> dict[str, Any]:
        """An issue by id or key (case-insensitive key); 404 in Jira's shape otherwise."""
        issue = self.issues.get(ref)
        if issue is None:
            upper = ref.upper()
            issue = next((i for i in self.issues.values() if i["key"] == upper), None)
        if issue is None:
            raise jira_error(404, ISSUE_NOT_FOUND)
        return issue

    # versions ------------------------------------------------------------------------

    def commit(self, issue: dict[str, Any], *, now: datetime, touch: bool = True) -> None:
        """Store the issue's new state and record a snapshot for the search index."""
        if touch:
            issue["updated"] = now.isoformat()
        versions = self.history.setdefault(issue["id"], [])
        if versions:
            self._log_changes(versions[-1]["issue"], issue, now=now)
        self.issues[issue["id"]] = issue
        versions.append({"at": now.isoformat(), "issue": copy.deepcopy(issue)})
        del versions[:-MAX_VERSIONS]

    def _log_changes(self, before: dict[str, Any], after: dict[str, Any], *, now: datetime) -> None:
        """A changelog entry for the tracked fields that differ (none when nothing did)."""
        items = [
            {"field": name, "fieldtype": "jira", "fieldId": name, "from": old, "to": new}
            for name in CHANGELOG_FIELDS
            if (old := before.get(name)) != (new := after.get(name))
        ]
        if items:
            entry = {
                "id": str(self.next_id("change")),
                "author": self.actor,
                "created": now.isoformat(),
                "items": items,
            }
            self.changelog.setdefault(after["id"], []).append(entry)

    def visible(self, issue_id: str, *, at: datetime) -> dict[str, Any] | None:
        """The issue as the search index saw it at ``at`` (None if not yet indexed)."""
        seen = None
        for version in self.history.get(issue_id, []):
            if datetime.fromisoformat(version["at"]) <= at:
                seen = version["issue"]
            else:
                break
        return seen


# field application ---------------------------------------------------------------------


def _user_ref(value: Any, field: str, errors: dict[str, str]) -> tuple[bool, str | None]:
    if value is None:
        return True, None
    if not isinstance(value, dict) or "accountId" not in value:
        errors[field] = f"Specify a valid accountId for {field}; user names are not supported."
        return False, None
    account = value["accountId"]
    if account in (None, "-1"):
        return True, None
    user = m.user_by_account(str(account))
    if user is None:
        errors[field] = f"Specify a valid value for {field}"
        return False, None
    if field == "assignee" and not user["active"]:
        errors[field] = f"User '{user['displayName']}' cannot be assigned issues."
        return False, None
    return True, str(account)


def _labels(value: Any, errors: dict[str, str]) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["labels"] = "Specify the labels as a list of strings."
        return None
    for label in value:
        if not label or any(ch.isspace() for ch in label):
            errors["labels"] = f"The label '{label}' contains spaces which is invalid."
            return None
        if len(label) > SUMMARY_LIMIT:
            errors["labels"] = f"The label '{label}' exceeds the maximum length of 255 characters."
            return None
    return list(dict.fromkeys(value))


def _components(value: Any, project: dict[str, Any], errors: dict[str, str]) -> list[str] | None:
    if not isinstance(value, list):
        errors["components"] = "Specify the components as a list."
        return None
    found: list[str] = []
    for ref in value:
        comp = m.find(tuple(project["components"]), ref, "name")
        if comp is None:
            name = ref.get("name", ref.get("id")) if isinstance(ref, dict) else ref
            errors["components"] = f"Component name '{name}' is not valid"
            return None
        found.append(comp["id"])
    return found


def _summary(value: Any, errors: dict[str, str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors["summary"] = "You must specify a summary of the issue."
        return None
    if "\n" in value or "\r" in value:
        errors["summary"] = "The summary is invalid because it contains newline characters."
        return None
    if len(value) > SUMMARY_LIMIT:
        errors["summary"] = "Summary must be less than 255 characters."
        return None
    return value


def _duedate(value: Any, errors: dict[str, str]) -> tuple[bool, str | None]:
    if value is None:
        return True, None
    try:
        return True, datetime.strptime(str(value), "%Y-%m-%d").date().isoformat()  # noqa: DTZ007
    except ValueError:
        errors["duedate"] = f"Error parsing date string: {value}"
        return False, None


def _simple_field(
    issue: dict[str, Any], name: str, value: Any, *, version: str, errors: dict[str, str]
) -> None:
    if name == "summary":
        summary = _summary(value, errors)
        if summary is not None:
            issue["summary"] = summary
    elif name == "description":
        try:
            stored = m.rich_text(value, version=version)
        except m.RichTextError as exc:
            errors["description"] = str(exc)
            return
        if stored is not None and len(stored["text"]) > TEXT_LIMIT:
            errors["description"] = TEXT_TOO_LONG
            return
        issue["description"] = stored
    elif name == "priority":
        priority = m.find(m.PRIORITIES, value, "name")
        if priority is None:
            errors["priority"] = "Specify a valid value for priority"
        else:
            issue["priority"] = priority["id"]
    elif name == "duedate":
        ok, due = _duedate(value, errors)
        if ok:
            issue["duedate"] = due
    else:
        _multi_field(issue, name, value, errors=errors)


def _multi_field(issue: dict[str, Any], name: str, value: Any, *, errors: dict[str, str]) -> None:
    if name in {"assignee", "reporter"}:
        ok, account = _user_ref(value, name, errors)
        if ok:
            issue[name] = account
    elif name == "labels":
        labels = _labels(value, errors)
        if labels is not None:
            issue["labels"] = labels
    elif name == "components":
        project = m.find(m.projects(), issue["project"])
        assert project is not None
        components = _components(value, project, errors)
        if components is not None:
            issue["components"] = components
    else:
        errors[name] = NOT_SETTABLE.format(name)


EDITABLE = frozenset(
    {
        "summary",
        "description",
        "priority",
        "duedate",
        "assignee",
        "reporter",
        "labels",
        "components",
    }
)


def apply_fields(
    issue: dict[str, Any], fields: dict[str, Any], *, version: str, errors: dict[str, str]
) -> None:
    """Set editable fields from a request's ``fields`` object, collecting errors."""
    for name, value in fields.items():
        if name in {"project", "issuetype"}:
            continue
        if name not in EDITABLE:
            errors[name] = NOT_SETTABLE.format(name)
            continue
        _simple_field(issue, name, value, version=version, errors=errors)


def _list_op(current: list[str], op: str, value: Any) -> list[str]:
    if op == "add":
        return [*current, value] if value not in current else current
    if op == "remove":
        return [item for item in current if item != value]
    raise ValueError(op)


def apply_update(
    issue: dict[str, Any], update: dict[str, Any], *, version: str, errors: dict[str, str]
) -> list[Any]:
    """Apply ``update`` operations; returns comment bodies to add (``comment: [{add}]``)."""
    comments: list[Any] = []
    for name, ops in update.items():
        if not isinstance(ops, list):
            errors[name] = f"Operations for '{name}' must be a list."
            continue
        for op in ops:
            _apply_op(issue, name, op, version=version, errors=errors, comments=comments)
    return comments


def _apply_op(
    issue: dict[str, Any],
    name: str,
    op: Any,
    *,
    version: str,
    errors: dict[str, str],
    comments: list[Any],
) -> None:
    if not isinstance(op, dict) or len(op) != 1:
        errors[name] = "Each operation must be an object with exactly one verb."
        return
    verb, value = next(iter(op.items()))
    if name == "comment" and verb == "add":
        comments.append(value.get("body") if isinstance(value, dict) else value)
    elif verb == "set":
        apply_fields(issue, {name: value}, version=version, errors=errors)
    elif verb in {"add", "remove"} and name in {"labels", "components"}:
        _apply_list_op(issue, name, verb, value, errors=errors)
    else:
        errors[name] = f"Field '{name}' does not support operation '{verb}'"


def _apply_list_op(
    issue: dict[str, Any], name: str, verb: str, value: Any, *, errors: dict[str, str]
) -> None:
    if name == "labels":
        checked = _labels([value], errors)
        if checked is not None:
            issue["labels"] = _list_op(issue["labels"], verb, checked[0])
        return
    project = m.find(m.projects(), issue["project"])
    assert project is not None
    found = _components([value], project, errors)
    if found is not None:
        issue["components"] = _list_op(issue["components"], verb, found[0])


def new_issue(
    store: JiraStore, fields: dict[str, Any], *, now: datetime, errors: dict[str, str]
) -> dict[str, Any] | None:
    """A fresh issue record from create fields (not yet stored); None on project/type errors."""
    project = m.find(m.projects(), fields.get("project"), "key")
    if project is None:
        errors["project"] = "Specify a valid project ID or key"
    issuetype = m.find(m.ISSUE_TYPES, fields.get("issuetype"), "name")
    if issuetype is None:
        errors["issuetype"] = "Specify a valid issue type"
    if "summary" not in fields:
        errors["summary"] = "You must specify a summary of the issue."
    if project is None or issuetype is None:
        return None
    stamp = now.isoformat()
    return {
        "id": "",
        "key": "",
        "project": project["id"],
        "issuetype": issuetype["id"],
        "summary": "",
        "description": None,
        "status": m.STATUSES[0]["id"],
        "resolution": None,
        "resolutiondate": None,
        "priority": m.DEFAULT_PRIORITY,
        "assignee": None,
        "reporter": m.BOT_ACCOUNT_ID,
        "creator": m.BOT_ACCOUNT_ID,
        "labels": [],
        "components": [],
        "duedate": None,
        "created": stamp,
        "updated": stamp,
        "statuscategorychangedate": stamp,
        "properties": {},
    }
