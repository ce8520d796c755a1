"""Issue events of the simulated GitHub: recorded on every issue change, served as GitHub does.

Whatever API changes an issue, `issue_events` compares the new version with the one before
and records, as the writer (``actor``), an event per assignee added or removed, per label added
or removed, and for closing or reopening. ``GET /repos/{o}/{r}/issues/events`` lists a
repository's events newest first, each with its issue; ``GET .../issues/{n}/events`` lists one
issue's, oldest first.
"""

from __future__ import annotations

from typing import Any

from followthrough.sandbox.github_render import Urls, _user, iso_required, issue
from followthrough.sandbox.github_state import GitHubState, Issue, IssueEvent, Repo, node_id


def issue_events(
    state: GitHubState, repo: Repo, old: Issue | None, new: Issue, *, actor: str, now: float
) -> list[IssueEvent]:
    """The events a change from ``old`` (None: the issue is new) to ``new`` makes."""
    before_assignees = old.assignees if old else ()
    before_labels = old.labels if old else ()
    names = {lb.id: lb.name for lb in repo.labels.values()}
    found: list[tuple[str, dict[str, Any]]] = []
    found += [("assigned", {"assignee": a}) for a in new.assignees if a not in before_assignees]
    found += [("unassigned", {"assignee": a}) for a in before_assignees if a not in new.assignees]
    found += [("labeled", {"label": names.get(i)}) for i in new.labels if i not in before_labels]
    found += [("unlabeled", {"label": names.get(i)}) for i in before_labels if i not in new.labels]
    was = old.state if old else "open"
    if was != new.state:
        event = "closed" if new.state == "closed" else "reopened"
        found.append((event, {"state_reason": new.state_reason}))
    return [
        IssueEvent(
            id=state.new_id(),
            issue_number=new.number,
            event=event,
            actor=actor,
            created_at=now,
            **extra,
        )
        for event, extra in found
    ]


def event_json(
    urls: Urls, state: GitHubState, repo: Repo, event: IssueEvent, *, with_issue: bool
) -> dict[str, Any]:
    """The ``issue-event`` schema (``with_issue``: the repository-wide listing's form)."""
    body: dict[str, Any] = {
        "id": event.id,
        "node_id": node_id("IssueEvent", event.id),
        "url": f"{urls.repo(repo)}/issues/events/{event.id}",
        "actor": _user(urls, state, event.actor),
        "event": event.event,
        "commit_id": None,
        "commit_url": None,
        "created_at": iso_required(event.created_at),
        "performed_via_github_app": None,
    }
    if event.assignee is not None:
        body["assignee"] = _user(urls, state, event.assignee)
        body["assigner"] = _user(urls, state, event.actor)
    if event.label is not None:
        color = next((lb.color for lb in repo.labels.values() if lb.name == event.label), "ededed")
        body["label"] = {"name": event.label, "color": color}
    if event.event in ("closed", "reopened"):
        body["state_reason"] = event.state_reason
    if with_issue:
        current = repo.issue(event.issue_number)
        if current is not None:
            body["issue"] = issue(urls, state, repo, current)
    return body
