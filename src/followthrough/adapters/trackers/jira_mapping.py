"""Jira adapter, pure half: JQL quoting, request payloads, and issue JSON to `Ticket`.

No I/O here; ``jira.py`` sends what these functions build and parses what comes back with
them. Payloads use REST v2 shapes (plain-text description and comment bodies), which both
Jira Cloud and Data Center accept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from followthrough.domain.ticket_history import Field, TicketChange
from followthrough.domain.tickets import (
    MARKER_LABEL,
    MARKER_VERSION,
    Comment,
    FieldChanges,
    Marker,
    Ticket,
    TicketFields,
    TicketSpec,
    TicketState,
    comment_tag,
    shortened,
    ticket_title,
    writable,
)

PROPERTY_KEY = MARKER_LABEL  # the issue property holding {"version": 1, "item": <key>}
TICKET_FIELDS = (
    "summary",
    "assignee",
    "duedate",
    "status",
    "resolution",
    "labels",
    "updated",
    "created",
    "resolutiondate",
    "description",
)
DROPPED_RESOLUTIONS = ("won't do", "won't fix", "declined", "duplicate", "cannot reproduce")
DONE_RESOLUTIONS = ("done", "fixed")
# Document priorities ("P1", "High") to the names of Jira's default priority scheme; a
# priority that is neither mapped nor a default name is left out rather than failing a create.
DEFAULT_PRIORITY_NAMES: Mapping[str, str] = {
    "P0": "Highest",
    "P1": "High",
    "P2": "Medium",
    "P3": "Low",
    "P4": "Lowest",
    **{name: name for name in ("Highest", "High", "Medium", "Low", "Lowest")},
}
DESCRIPTION_LIMIT = 30_000  # Jira refuses more than 32,767 characters
ISSUE_REF = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]*-\d+|\d+)$")
_COMMENT_TAG = re.compile(r"^\[followthrough:(?P<marker>[^\]\n]*)\]\s*$", re.M)
_JQL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def jql_string(value: str) -> str:
    """``value`` as one double-quoted JQL string literal (quotes, backslashes, breaks escaped)."""
    return '"' + "".join(_JQL_ESCAPES.get(char, char) for char in value) + '"'


def jql_minute(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A JQL absolute time (minute precision) in the searching user's time zone."""
    return moment.astimezone(zone).strftime("%Y/%m/%d %H:%M")


def marker_value(marker: Marker) -> dict[str, Any]:
    """The issue property value that identifies a ticket."""
    return {"version": marker.version, "item": marker.item_key}


def clean_summary(title: str) -> str:
    """A summary Jira accepts: one line, at most 255 characters (cut with a visible note)."""
    return ticket_title(title, "jira")


def clean_label(label: str) -> str:
    """A label Jira accepts (no whitespace, no control characters)."""
    return "-".join(writable(label).split())


def marker_labels(labels: Iterable[str], marker: Marker | None = None) -> list[str]:
    """Our marker label (and the item's search label) first, then the others, cleaned."""
    ours = [MARKER_LABEL] + ([marker.search_label()] if marker is not None else [])
    return list(dict.fromkeys([*ours, *(clean_label(x) for x in labels if x.strip())]))


def description(body: str) -> str:
    """The description: the body alone, cut to Jira's limit.

    The identity lives in the issue property and the item label. No marker line is written
    here: Jira shows an HTML comment as literal text, so it would be noise in every ticket
    (`issue_marker` still reads the line on tickets written before).
    """
    return shortened(writable(body), DESCRIPTION_LIMIT)


def user_ref(identity: str | None, *, cloud: bool) -> dict[str, str] | None:
    """How Jira names a user in a request: accountId on Cloud, user name on Data Center."""
    if identity is None:
        return None
    return {"accountId": identity} if cloud else {"name": identity}


def user_identity(user: Mapping[str, Any] | None, *, cloud: bool) -> str | None:
    """The identity `user_ref` takes back, read from a user object."""
    if not user:
        return None
    value = user.get("accountId") if cloud else (user.get("name") or user.get("key"))
    return str(value) if value else None


def priority_name(priority: str | None, names: Mapping[str, str]) -> str | None:
    """The Jira priority to send for a document priority, if any."""
    if not priority:
        return None
    return names.get(priority) or names.get(priority.upper()) or names.get(priority.title())


def create_payload(
    spec: TicketSpec,
    *,
    project: str,
    issue_type: str,
    components: Sequence[str],
    cloud: bool,
    priorities: Mapping[str, str],
) -> dict[str, Any]:
    """``POST /issue`` (and one ``issueUpdates`` entry of the bulk call), marker included.

    The identity property travels inside the create request, so a ticket never exists
    without it and a create costs one call.
    """
    fields: dict[str, Any] = {
        "project": {"key": project},
        "issuetype": {"name": spec.issue_type or issue_type},
        "summary": clean_summary(spec.fields.title),
        "description": description(spec.body),
        "labels": marker_labels(spec.fields.labels, spec.marker),
    }
    if spec.fields.due is not None:
        fields["duedate"] = spec.fields.due.isoformat()
    if spec.fields.assignee is not None:
        fields["assignee"] = user_ref(spec.fields.assignee, cloud=cloud)
    chosen = spec.components or tuple(components)
    if chosen:
        fields["components"] = [{"name": name} for name in chosen]
    priority = priority_name(spec.priority, priorities)
    if priority is not None:
        fields["priority"] = {"name": priority}
    properties = [{"key": PROPERTY_KEY, "value": marker_value(spec.marker)}]
    return {"fields": fields, "properties": properties}


def created_ticket(
    spec: TicketSpec, payload: Mapping[str, Any], created: Mapping[str, Any], *, base: str
) -> Ticket:
    """The ticket a create made, from what was sent (saves reading it back)."""
    fields = payload["fields"]
    key = str(created["key"])
    return Ticket(
        ref=key,
        url=f"{base}/browse/{key}",
        fields=TicketFields(
            title=fields["summary"],
            assignee=spec.fields.assignee,
            due=spec.fields.due,
            state=TicketState.OPEN,
            labels=tuple(fields["labels"]),
        ),
        marker=spec.marker,
        body=fields["description"],
        tracker_id=str(created.get("id") or "") or None,
    )


def edit_payload(changes: FieldChanges, *, cloud: bool) -> dict[str, Any]:
    """``PUT /issue/{key}`` body for the set fields; labels as add/remove operations."""
    fields: dict[str, Any] = {}
    if changes.title is not None:
        fields["summary"] = clean_summary(changes.title)
    if changes.due is not None:
        fields["duedate"] = changes.due.isoformat()
    if changes.assignee is not None:
        fields["assignee"] = user_ref(changes.assignee, cloud=cloud)
    elif changes.clear_assignee:
        fields["assignee"] = None
    if changes.body is not None:
        fields["description"] = description(changes.body)
    ops = [{"add": clean_label(x)} for x in changes.add_labels]
    ops += [{"remove": clean_label(x)} for x in changes.remove_labels]
    body: dict[str, Any] = {}
    if fields:
        body["fields"] = fields
    if ops:
        body["update"] = {"labels": ops}
    return body


def _name(value: Any) -> str:
    return str(value.get("name") or "") if isinstance(value, Mapping) else ""


def ticket_state(fields: Mapping[str, Any]) -> TicketState:
    """Done-category statuses are DONE, or DROPPED with a won't-do style resolution."""
    status = fields.get("status") or {}
    category = (status.get("statusCategory") or {}).get("key")
    if category != "done":
        return TicketState.OPEN
    resolution = _name(fields.get("resolution")).lower().replace("’", "'")
    return TicketState.DROPPED if resolution in DROPPED_RESOLUTIONS else TicketState.DONE


def parse_time(text: str | None) -> dt.datetime | None:
    """Jira's ``2024-05-01T10:00:00.000+0000`` as an aware datetime."""
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def issue_marker(raw: Mapping[str, Any], body: str) -> Marker | None:
    """The identity property, or the description's marker line when the property is missing."""
    value = (raw.get("properties") or {}).get(PROPERTY_KEY)
    if isinstance(value, Mapping) and isinstance(value.get("item"), str) and value["item"]:
        version = value.get("version")
        return Marker(
            item_key=value["item"], version=version if isinstance(version, int) else MARKER_VERSION
        )
    return Marker.from_body(body)


def issue_ticket(raw: Mapping[str, Any], *, base: str, cloud: bool) -> Ticket:
    """A `Ticket` from an issue as ``GET /issue`` or a search returns it (REST v2)."""
    fields = raw.get("fields") or {}
    key = str(raw["key"])
    body = fields.get("description")
    body = body if isinstance(body, str) else ""
    due = fields.get("duedate")
    return Ticket(
        ref=key,
        url=f"{base}/browse/{key}",
        fields=TicketFields(
            title=str(fields.get("summary") or ""),
            assignee=user_identity(fields.get("assignee"), cloud=cloud),
            due=dt.date.fromisoformat(due) if due else None,
            state=ticket_state(fields),
            labels=tuple(fields.get("labels") or ()),
        ),
        marker=issue_marker(raw, body),
        updated=parse_time(fields.get("updated")),
        body=body,
        tracker_id=str(raw.get("id") or "") or None,
        created=parse_time(fields.get("created")),
        closed=parse_time(fields.get("resolutiondate")),
    )


def issue_changes(
    raw: Mapping[str, Any], *, cloud: bool, me: str | None, since: dt.datetime | None = None
) -> list[TicketChange]:
    """The changes of our fields in an issue's ``changelog`` expansion (made at or after
    ``since`` when given): assignee and due date with the values before and after, and state
    — a resolution set (done, or dropped when it is a won't-do style one) or cleared (open),
    or a workflow move that leaves the resolution alone (value None). Made by a person unless
    the API user (``me``) made it."""
    key = str(raw.get("key") or "")
    histories = (raw.get("changelog") or {}).get("histories") or []
    found: list[TicketChange] = []
    for entry in histories:
        at = parse_time(entry.get("created")) if isinstance(entry, Mapping) else None
        if at is None or (since is not None and at < since):
            continue
        author = user_identity(entry.get("author"), cloud=cloud)
        human = me is None or author != me
        items = {str(i.get("fieldId") or i.get("field")): i for i in entry.get("items") or []}
        pairs: tuple[tuple[str, Field], ...] = (("assignee", "assignee"), ("duedate", "due"))
        for name, field in pairs:
            if name in items:
                old, new = items[name].get("from"), items[name].get("to")
                if field == "due":
                    old, new = _changed_date(old), _changed_date(new)
                found.append(
                    TicketChange(
                        key,
                        field,
                        new,
                        at,
                        human=human,
                        before=old,
                        before_known=True,
                    )
                )
        if "resolution" in items:
            old = _resolved_state(items["resolution"], "from")
            new = _resolved_state(items["resolution"], "to")
            found.append(
                TicketChange(key, "state", new, at, human=human, before=old, before_known=True)
            )
        elif "status" in items:
            found.append(TicketChange(key, "state", None, at, human=human))
    return found


def has_history(raw: Mapping[str, Any]) -> bool:
    """Whether a listed issue carries changelog entries or comments."""
    fields = raw.get("fields") or {}
    comments = (
        (fields.get("comment") or {}).get("comments") if isinstance(fields, Mapping) else None
    )
    return bool((raw.get("changelog") or {}).get("histories") or comments)


def comment_changes(
    raw: Mapping[str, Any], *, cloud: bool, me: str | None, since: dt.datetime | None = None
) -> list[TicketChange]:
    """The comments of a listed issue (its ``comment`` field) made at or after ``since``:
    a person's, unless tagged as ours or written by the API user (``me``)."""
    key = str(raw.get("key") or "")
    page = (raw.get("fields") or {}).get("comment") or {}
    found = []
    for item in page.get("comments") or []:
        if not isinstance(item, Mapping) or parse_time(item.get("created")) is None:
            continue
        said = comment_from(item, cloud=cloud, me=me)
        if since is None or said.created >= since:
            found.append(TicketChange(key, "comment", said.id, said.created, human=not said.ours))
    return found


def _changed_date(value: Any) -> str | None:
    """A changelog due date (``2024-05-01`` or ``2024-05-01 00:00:00.0``) as ISO text."""
    text = str(value or "")[:10]
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _resolved_state(item: Mapping[str, Any], side: str) -> str:
    if item.get(side) is None:
        return TicketState.OPEN.value
    name = str(item.get(f"{side}String") or "").lower().replace("’", "'")
    dropped = name in DROPPED_RESOLUTIONS
    return (TicketState.DROPPED if dropped else TicketState.DONE).value


def comment_body(text: str, marker: str) -> str:
    """The comment text with a small trailing tag line that marks it as ours."""
    return f"{shortened(writable(text).rstrip(), DESCRIPTION_LIMIT)}\n\n[followthrough:{comment_tag(marker)}]"


def comment_from(raw: Mapping[str, Any], *, cloud: bool, me: str | None) -> Comment:
    """A `Comment`; ours when it carries our tag line or was written by the API user."""
    body = raw.get("body")
    text = body if isinstance(body, str) else ""
    author = user_identity(raw.get("author"), cloud=cloud) or ""
    created = parse_time(raw.get("created")) or dt.datetime.min.replace(tzinfo=dt.UTC)
    tags = _COMMENT_TAG.findall(text)
    tag = str(tags[-1]) if tags else None
    ours = tag is not None or (me is not None and author == me)
    return Comment(
        id=str(raw.get("id")), author=author, body=text, created=created, ours=ours, tag=tag
    )


def pick_transition(
    transitions: Sequence[Mapping[str, Any]], state: TicketState
) -> tuple[str, dict[str, Any]] | None:
    """The transition reaching ``state``'s status category, with the resolution to send."""
    categories = ("done",) if state != TicketState.OPEN else ("new", "indeterminate")
    for category in categories:
        for transition in transitions:
            target = transition.get("to") or {}
            if (target.get("statusCategory") or {}).get("key") == category:
                return str(transition["id"]), _resolution_fields(transition, state)
    return None


def _resolution_fields(transition: Mapping[str, Any], state: TicketState) -> dict[str, Any]:
    """``{"resolution": {"name": …}}`` when the transition screen offers a fitting value."""
    field = (transition.get("fields") or {}).get("resolution") or {}
    allowed = [_name(value) for value in field.get("allowedValues") or ()]
    wanted = DROPPED_RESOLUTIONS if state == TicketState.DROPPED else DONE_RESOLUTIONS
    if state == TicketState.OPEN:
        return {}
    for name in wanted:
        for value in allowed:
            if value.lower().replace("’", "'") == name:
                return {"resolution": {"name": value}}
    return {}
