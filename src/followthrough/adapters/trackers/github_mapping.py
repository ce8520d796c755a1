"""GitHub adapter, mapping half: issue and comment JSON to tickets, and tickets to payloads.

Pure functions. A ticket's reference is ``owner/repo#N``; its due date comes from the
managed block of the body only (see ``github_body``); closed issues are DONE unless GitHub
records them as not planned (or duplicates), which are DROPPED.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from followthrough.adapters.trackers.github_body import (
    comment_tag_of,
    due_from_block,
    managed_block,
    normalize_newlines,
)
from followthrough.domain.ticket_history import TicketChange
from followthrough.domain.tickets import (
    MARKER_LABEL,
    Comment,
    Marker,
    Ticket,
    TicketFields,
    TicketState,
)
from followthrough.ports import TicketNotFoundError

_REF = re.compile(r"^(?:(?P<repo>[^\s/#]+/[^\s/#]+))?#(?P<number>[1-9]\d{0,9})$")
_DROPPED_REASONS = frozenset({"not_planned", "duplicate"})
STATE_PAYLOADS: dict[TicketState, dict[str, str]] = {
    TicketState.DONE: {"state": "closed", "state_reason": "completed"},
    TicketState.DROPPED: {"state": "closed", "state_reason": "not_planned"},
    TicketState.OPEN: {"state": "open", "state_reason": "reopened"},
}


def issue_number(ref: str, repo: str) -> int:
    """The issue number of ``owner/repo#N`` (or ``#N``) in this repository."""
    found = _REF.match(ref.strip())
    if found is None:
        raise TicketNotFoundError(f"not a GitHub issue reference: {ref!r}")
    named = found.group("repo")
    if named is not None and named.casefold() != repo.casefold():
        raise TicketNotFoundError(f"{ref}: not in the repository {repo}")
    return int(found.group("number"))


def ticket_ref(repo: str, number: int) -> str:
    """``owner/repo#N``."""
    return f"{repo}#{number}"


def parse_time(value: Any) -> dt.datetime | None:
    """GitHub's ``2024-05-01T10:00:00Z``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def event_changes(
    raws: Iterable[Mapping[str, Any]],
    *,
    repo: str,
    me: str | None,
    since: dt.datetime,
    refs: Collection[str],
) -> list[TicketChange]:
    """The changes in repository issue events (``issue-event``, each with its issue) of the
    issues ``refs``, made at or after ``since``: assigned and unassigned (the assignee, or
    None), closed (done, or dropped when not planned or a duplicate) and reopened (open).
    GitHub does not say the value before. Made by a person unless the API user (``me``)."""
    found: list[TicketChange] = []
    for raw in raws:
        at = parse_time(raw.get("created_at"))
        number = (raw.get("issue") or {}).get("number")
        if at is None or at < since or not isinstance(number, int):
            continue
        ref = ticket_ref(repo, number)
        if ref not in refs:
            continue
        human = me is None or _login(raw.get("actor")) != me
        event = raw.get("event")
        if event in ("assigned", "unassigned"):
            value = _login(raw.get("assignee")) if event == "assigned" else None
            found.append(TicketChange(ref, "assignee", value, at, human=human))
        elif event in ("closed", "reopened"):
            closed = {"state": "closed", "state_reason": raw.get("state_reason")}
            value = (ticket_state(closed) if event == "closed" else TicketState.OPEN).value
            found.append(TicketChange(ref, "state", value, at, human=human))
    return found


def comment_changes(
    raws: Iterable[Mapping[str, Any]], *, repo: str, me: str | None, refs: Collection[str]
) -> list[TicketChange]:
    """The comments (``issue-comment``) on the issues ``refs``: a person's unless ours."""
    found: list[TicketChange] = []
    for raw in raws:
        number = str(raw.get("issue_url") or "").rpartition("/")[2]
        ref = ticket_ref(repo, int(number)) if number.isdigit() else None
        if ref is None or ref not in refs or parse_time(raw.get("created_at")) is None:
            continue
        said = comment_from(raw, me=me)
        found.append(TicketChange(ref, "comment", said.id, said.created, human=not said.ours))
    return found


def since_param(moment: dt.datetime) -> str:
    """``since`` for the issue list: whole seconds, rounded down so nothing is skipped."""
    utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def ticket_state(raw: Mapping[str, Any]) -> TicketState:
    """open → OPEN; closed as not planned or duplicate → DROPPED; otherwise closed → DONE."""
    if raw.get("state") != "closed":
        return TicketState.OPEN
    return TicketState.DROPPED if raw.get("state_reason") in _DROPPED_REASONS else TicketState.DONE


def _login(user: Any) -> str | None:
    if isinstance(user, Mapping) and isinstance(user.get("login"), str):
        return str(user["login"])
    return None


def _labels(raw: Mapping[str, Any]) -> tuple[str, ...]:
    names = [
        item.get("name") if isinstance(item, Mapping) else item for item in raw.get("labels") or ()
    ]
    return tuple(str(name) for name in names if isinstance(name, str))


def is_pull_request(raw: Mapping[str, Any]) -> bool:
    """The issues API lists pull requests too; they carry a ``pull_request`` key."""
    return "pull_request" in raw


def issue_ticket(raw: Mapping[str, Any], *, repo: str) -> Ticket:
    """A `Ticket` from an issue as the REST API returns it."""
    body = normalize_newlines(raw.get("body") if isinstance(raw.get("body"), str) else "")
    assignees = [login for login in map(_login, raw.get("assignees") or ()) if login]
    assignee = assignees[0] if assignees else _login(raw.get("assignee"))
    block = managed_block(body)
    return Ticket(
        ref=ticket_ref(repo, int(raw["number"])),
        url=str(raw.get("html_url") or ""),
        fields=TicketFields(
            title=str(raw.get("title") or ""),
            assignee=assignee,
            due=due_from_block(block) if block is not None else None,
            state=ticket_state(raw),
            labels=_labels(raw),
        ),
        marker=Marker.from_body(body),
        updated=parse_time(raw.get("updated_at")),
        body=body,
        tracker_id=str(raw.get("node_id") or "") or None,
        created=parse_time(raw.get("created_at")),
        closed=parse_time(raw.get("closed_at")),
    )


def is_ours(raw: Mapping[str, Any]) -> bool:
    """Whether an issue carries our label (the marker line alone is not enough)."""
    return MARKER_LABEL.casefold() in {name.casefold() for name in _labels(raw)}


def comment_from(raw: Mapping[str, Any], *, me: str | None) -> Comment:
    """A `Comment`; ours when it carries our hidden tag line or the API user wrote it."""
    body = normalize_newlines(raw.get("body") if isinstance(raw.get("body"), str) else "")
    author = _login(raw.get("user")) or ""
    created = parse_time(raw.get("created_at")) or dt.datetime.min.replace(tzinfo=dt.UTC)
    tag = comment_tag_of(body)
    ours = tag is not None or (me is not None and author.casefold() == me.casefold())
    return Comment(
        id=str(raw.get("id")), author=author, body=body, created=created, ours=ours, tag=tag
    )


def label_list(*groups: Iterable[str]) -> list[str]:
    """Label names in order, stripped, without blanks or case-insensitive repeats."""
    seen: dict[str, str] = {}
    for group in groups:
        for name in group:
            clean = name.strip()
            if clean and clean.casefold() not in seen:
                seen[clean.casefold()] = clean
    return list(seen.values())
