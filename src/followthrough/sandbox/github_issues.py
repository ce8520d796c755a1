"""Issue, label, comment and milestone writes of the simulated GitHub in the sandbox.

Validates request payloads the way GitHub does (422 ``Validation Failed`` with per-field
errors), auto-creates labels on first use, and records every issue change as a new version
with a bumped ``updated_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from followthrough.sandbox.core import HttpError
from followthrough.sandbox.github_events import issue_events
from followthrough.sandbox.github_render import DOCS
from followthrough.sandbox.github_state import (
    Comment,
    GitHubState,
    Issue,
    Label,
    Milestone,
    Repo,
    record_version,
)

STATES = frozenset({"open", "closed"})
STATE_REASONS = frozenset({"completed", "not_planned", "reopened", "duplicate"})
DEFAULT_COLOR = "ededed"
# GitHub's documented limits, in characters (code points).
TITLE_LIMIT = 256
BODY_LIMIT = 65_536
LABEL_NAME_LIMIT = 50
_HEX = frozenset("0123456789abcdefABCDEF")


def not_found(message: str = "Not Found") -> HttpError:
    """GitHub's 404 body."""
    return HttpError(404, {"message": message, "documentation_url": DOCS, "status": "404"})


def validation_failed(
    resource: str,
    field: str,
    *,
    code: str = "invalid",
    value: Any = None,
    message: str | None = None,
) -> HttpError:
    """GitHub's 422 ``Validation Failed`` body with one error entry."""
    error: dict[str, Any] = {"resource": resource, "code": code, "field": field}
    if value is not None:
        error["value"] = value
    if message is not None:
        error["message"] = message
    body = {
        "message": "Validation Failed",
        "errors": [error],
        "documentation_url": DOCS,
        "status": "422",
    }
    return HttpError(422, body)


def invalid_request(detail: str) -> HttpError:
    """GitHub's 422 for a payload of the wrong shape."""
    body = {"message": f"Invalid request.\n\n{detail}", "documentation_url": DOCS, "status": "422"}
    return HttpError(422, body)


def within_limit(resource: str, field: str, text: str | None, limit: int) -> None:
    """GitHub's 422 for a title, body or name longer than its documented limit."""
    if text is not None and len(text) > limit:
        message = f"{field} is too long (maximum is {limit} characters)"
        raise validation_failed(resource, field, code="custom", message=message)


def payload_object(payload: Any) -> dict[str, Any]:
    """The payload when it is a JSON object, else a 422."""
    if not isinstance(payload, dict):
        raise invalid_request("The request body must be a JSON object.")
    return payload


@dataclass(frozen=True)
class Writer:
    """Who writes, when, and how far back the search index may still look."""

    state: GitHubState
    repo: Repo
    actor: str
    now: float
    horizon: float

    def save(self, issue: Issue) -> Issue:
        """Record ``issue`` as the newest version, and the issue events the change makes."""
        before = self.repo.issue(issue.number)
        record_version(self.repo, issue, horizon=self.horizon)
        self.repo.events += issue_events(
            self.state, self.repo, before, issue, actor=self.actor, now=self.now
        )
        return issue

    def touch(self, old: Issue, new: Issue) -> Issue:
        """Save ``new`` with ``updated_at = now`` if anything changed; return the current one."""
        if _same(old, new):
            return old
        return self.save(replace(new, updated_at=self.now))


def _same(old: Issue, new: Issue) -> bool:
    names = [f.name for f in fields(Issue) if f.name != "updated_at"]
    return all(getattr(old, n) == getattr(new, n) for n in names)


# issues -------------------------------------------------------------------------------------


def create_issue(w: Writer, payload: dict[str, Any]) -> Issue:
    """``POST /repos/{o}/{r}/issues``."""
    title = payload.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        raise validation_failed("Issue", "title", code="missing_field")
    if not isinstance(title, str | int):
        raise invalid_request("For 'properties/title', the value is not a string or integer.")
    within_limit("Issue", "title", str(title), TITLE_LIMIT)
    body = _optional_text(payload, "body")
    within_limit("Issue", "body", body, BODY_LIMIT)
    draft = Issue(
        id=w.state.new_id(),
        number=w.repo.next_number,
        title=str(title),
        body=body,
        user=w.actor,
        created_at=w.now,
        updated_at=w.now,
    )
    draft = _apply_fields(w, draft, payload)
    draft = _apply_state(w, draft, payload)
    w.repo.next_number += 1
    return w.save(draft)


def edit_issue(w: Writer, current: Issue, payload: dict[str, Any]) -> Issue:
    """``PATCH /repos/{o}/{r}/issues/{n}``."""
    changed = current
    if "title" in payload:
        title = payload["title"]
        if not isinstance(title, str | int) or not str(title).strip():
            raise validation_failed("Issue", "title", code="missing_field")
        within_limit("Issue", "title", str(title), TITLE_LIMIT)
        changed = replace(changed, title=str(title))
    if "body" in payload:
        body = _optional_text(payload, "body")
        within_limit("Issue", "body", body, BODY_LIMIT)
        changed = replace(changed, body=body)
    changed = _apply_fields(w, changed, payload)
    changed = _apply_state(w, changed, payload)
    return w.touch(current, changed)


def _optional_text(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid_request(f"For 'properties/{key}', {value!r} is not a string or null.")
    return value


def _apply_fields(w: Writer, issue: Issue, payload: dict[str, Any]) -> Issue:
    if "labels" in payload:
        issue = replace(issue, labels=resolve_labels(w, payload["labels"]))
    assignees = _assignees(w.repo, payload)
    if assignees is not None:
        issue = replace(issue, assignees=assignees)
    if "milestone" in payload:
        issue = replace(issue, milestone=_milestone(w.repo, payload["milestone"]))
    return issue


def _assignees(repo: Repo, payload: dict[str, Any]) -> tuple[str, ...] | None:
    """Logins from ``assignees`` and the older ``assignee``; None when neither was sent."""
    if "assignees" not in payload and "assignee" not in payload:
        return None
    logins: list[str] = []
    raw = payload.get("assignees")
    if raw is not None and not isinstance(raw, list):
        raise invalid_request("For 'properties/assignees', the value is not an array.")
    for login in raw or []:
        logins.append(assignable(repo, login, field="assignees"))
    single = payload.get("assignee")
    if single is not None:
        logins.insert(0, assignable(repo, single, field="assignee"))
    return tuple(dict.fromkeys(logins))


def assignable(repo: Repo, login: Any, *, field: str) -> str:
    """The canonical login, or a 422 ``invalid`` when it cannot be assigned here."""
    if not isinstance(login, str) or not repo.is_assignable(login):
        raise validation_failed("Issue", field, value=login)
    return repo.canonical_login(login)


def _milestone(repo: Repo, raw: Any) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        number = int(raw)
    except (TypeError, ValueError) as exc:
        raise validation_failed("Issue", "milestone", value=raw) from exc
    if number not in repo.milestones:
        raise validation_failed("Issue", "milestone", value=raw)
    return number


def _apply_state(w: Writer, issue: Issue, payload: dict[str, Any]) -> Issue:
    state = payload.get("state", issue.state)
    if state not in STATES:
        raise validation_failed("Issue", "state", value=state)
    reason = payload.get("state_reason")
    if reason is not None and reason not in STATE_REASONS:
        raise validation_failed("Issue", "state_reason", value=reason)
    if state == "closed" and issue.state == "open":
        return replace(
            issue,
            state="closed",
            state_reason=reason or "completed",
            closed_at=w.now,
            closed_by=w.actor,
        )
    if state == "closed":
        return replace(issue, state_reason=reason or issue.state_reason)
    if issue.state == "closed":
        return replace(issue, state="open", state_reason="reopened", closed_at=None)
    return issue


# labels -------------------------------------------------------------------------------------


def label_names(raw: Any) -> list[str]:
    """Label names from ``["a", {"name": "b"}]`` or ``{"labels": [...]}``."""
    if isinstance(raw, dict) and "labels" in raw:
        raw = raw["labels"]
    if not isinstance(raw, list):
        raise invalid_request("For 'properties/labels', the value is not an array.")
    names: list[str] = []
    for item in raw:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip():
            raise validation_failed("Label", "name", value=name)
        within_limit("Label", "name", name.strip(), LABEL_NAME_LIMIT)
        names.append(name.strip())
    return names


def resolve_labels(w: Writer, raw: Any) -> tuple[int, ...]:
    """Label ids for names, creating unknown labels with the default colour."""
    ids = [ensure_label(w.state, w.repo, name).id for name in label_names(raw)]
    return tuple(dict.fromkeys(ids))


def ensure_label(state: GitHubState, repo: Repo, name: str) -> Label:
    """The label called ``name`` (any case), created if missing."""
    found = repo.label_named(name)
    if found is not None:
        return found
    created = Label(id=state.new_id(), name=name, color=DEFAULT_COLOR)
    repo.labels[created.id] = created
    return created


def create_label(state: GitHubState, repo: Repo, payload: dict[str, Any]) -> Label:
    """``POST /repos/{o}/{r}/labels``."""
    name = payload.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validation_failed("Label", "name", code="missing_field")
    within_limit("Label", "name", name.strip(), LABEL_NAME_LIMIT)
    if repo.label_named(name) is not None:
        raise validation_failed("Label", "name", code="already_exists", value=name)
    created = Label(
        id=state.new_id(),
        name=name.strip(),
        color=_color(payload.get("color", DEFAULT_COLOR)),
        description=_optional_text(payload, "description"),
    )
    repo.labels[created.id] = created
    return created


def edit_label(repo: Repo, current: Label, payload: dict[str, Any]) -> Label:
    """``PATCH /repos/{o}/{r}/labels/{name}`` (``new_name`` renames)."""
    new_name = payload.get("new_name", payload.get("name"))
    if new_name is not None:
        clash = repo.label_named(str(new_name))
        if clash is not None and clash.id != current.id:
            raise validation_failed("Label", "name", code="already_exists", value=new_name)
        current.name = str(new_name)
    if "color" in payload:
        current.color = _color(payload["color"])
    if "description" in payload:
        current.description = _optional_text(payload, "description")
    return current


def _color(raw: Any) -> str:
    color = str(raw or DEFAULT_COLOR).lstrip("#")
    if len(color) != 6 or not set(color) <= _HEX:
        raise validation_failed("Label", "color", value=raw)
    return color.lower()


def set_issue_labels(w: Writer, current: Issue, ids: tuple[int, ...]) -> Issue:
    """Replace an issue's labels (a change bumps ``updated_at``)."""
    return w.touch(current, replace(current, labels=tuple(dict.fromkeys(ids))))


# comments -----------------------------------------------------------------------------------


def add_comment(w: Writer, issue: Issue, payload: dict[str, Any]) -> Comment:
    """``POST /repos/{o}/{r}/issues/{n}/comments``; bumps the issue's count and ``updated_at``."""
    body = payload.get("body")
    if not isinstance(body, str) or not body.strip():
        raise validation_failed("IssueComment", "body", code="missing_field")
    _comment_within_limit(body)
    created = Comment(
        id=w.state.new_id(),
        issue_number=issue.number,
        body=body,
        user=w.actor,
        created_at=w.now,
        updated_at=w.now,
    )
    w.repo.comments[created.id] = created
    w.touch(issue, replace(issue, comments=issue.comments + 1))
    return created


def edit_comment(w: Writer, current: Comment, payload: dict[str, Any]) -> Comment:
    """``PATCH /repos/{o}/{r}/issues/comments/{id}``."""
    body = payload.get("body")
    if not isinstance(body, str) or not body.strip():
        raise validation_failed("IssueComment", "body", code="missing_field")
    _comment_within_limit(body)
    if body != current.body:
        current.body = body
        current.updated_at = w.now
    return current


def _comment_within_limit(body: str) -> None:
    # Comments answer in a shape of their own (field "data", capital "Body").
    if len(body) > BODY_LIMIT:
        message = f"Body is too long (maximum is {BODY_LIMIT} characters)"
        raise validation_failed("IssueComment", "data", code="unprocessable", message=message)


def delete_comment(w: Writer, current: Comment) -> None:
    """``DELETE /repos/{o}/{r}/issues/comments/{id}``."""
    del w.repo.comments[current.id]
    issue = w.repo.issue(current.issue_number)
    if issue is not None:
        w.touch(issue, replace(issue, comments=max(issue.comments - 1, 0)))


# milestones ---------------------------------------------------------------------------------


def create_milestone(w: Writer, payload: dict[str, Any]) -> Milestone:
    """``POST /repos/{o}/{r}/milestones``."""
    title = payload.get("title")
    if not isinstance(title, str) or not title.strip():
        raise validation_failed("Milestone", "title", code="missing_field")
    if any(m.title.casefold() == title.casefold() for m in w.repo.milestones.values()):
        raise validation_failed("Milestone", "title", code="already_exists", value=title)
    state = payload.get("state", "open")
    if state not in STATES:
        raise validation_failed("Milestone", "state", value=state)
    number = max(w.repo.milestones, default=0) + 1
    created = Milestone(
        id=w.state.new_id(),
        number=number,
        title=title,
        creator=w.actor,
        created_at=w.now,
        updated_at=w.now,
        state=state,
        description=_optional_text(payload, "description"),
        due_on=_optional_text(payload, "due_on"),
        closed_at=w.now if state == "closed" else None,
    )
    w.repo.milestones[number] = created
    return created
