"""Jira simulator rendering: turns stored records into Jira Cloud response bodies.

Rich text is rendered per API version (plain text for v2/latest, ADF for v3) and every
``self`` URL is built from the public base the client sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthrough.sandbox import jira_model as m

# The changelog an issue read expands to (100 most recent), and a search (40 most recent, no
# paging: the rest only from GET /issue/{key}/changelog).
ISSUE_CHANGELOG_LIMIT = 100
SEARCH_CHANGELOG_LIMIT = 40
ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"


@dataclass(frozen=True)
class Ctx:
    """Per-request rendering context."""

    base: str
    version: str
    now: datetime

    @property
    def api(self) -> str:
        """Versioned REST root, e.g. ``http://127.0.0.1:4010/rest/api/3``."""
        return f"{self.base}/rest/api/{self.version}"

    @property
    def rich(self) -> str:
        """``"3"`` when rich text is ADF, else ``"2"``."""
        return "3" if self.version == "3" else "2"


def avatars(ctx: Ctx, kind: str, ident: str) -> dict[str, str]:
    """Avatar URL set on the simulator's own host."""
    return {
        f"{size}x{size}": f"{ctx.base}/secure/{kind}avatar?size={size}&avatarId={ident}"
        for size in (48, 24, 16, 32)
    }


def user(ctx: Ctx, account_id: str | None) -> dict[str, Any] | None:
    """A user object as embedded in issues and comments."""
    record = m.user_by_account(account_id)
    if record is None:
        return None
    return {
        "self": f"{ctx.api}/user?accountId={record['accountId']}",
        "accountId": record["accountId"],
        "emailAddress": record["emailAddress"],
        "avatarUrls": avatars(ctx, "user", "10122"),
        "displayName": record["displayName"],
        "active": record["active"],
        "timeZone": "Etc/UTC",
        "accountType": record["accountType"],
    }


def status(ctx: Ctx, status_id: str) -> dict[str, Any]:
    """A status with its category."""
    record = m.status_by_id(status_id)
    category = m.STATUS_CATEGORIES[record["category"]]
    return {
        "self": f"{ctx.api}/status/{record['id']}",
        "description": "",
        "iconUrl": f"{ctx.base}/images/icons/statuses/generic.png",
        "name": record["name"],
        "id": record["id"],
        "statusCategory": {"self": f"{ctx.api}/statuscategory/{category['id']}", **category},
    }


def issuetype(ctx: Ctx, type_id: str) -> dict[str, Any]:
    """An issue type."""
    record = m.find(m.ISSUE_TYPES, type_id)
    assert record is not None
    return {
        "self": f"{ctx.api}/issuetype/{record['id']}",
        "id": record["id"],
        "description": record["description"],
        "iconUrl": f"{ctx.base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/10318",
        "name": record["name"],
        "subtask": False,
        "avatarId": 10318,
        "hierarchyLevel": 0,
    }


def priority(ctx: Ctx, priority_id: str) -> dict[str, Any]:
    """A priority."""
    record = m.find(m.PRIORITIES, priority_id)
    assert record is not None
    icon = record["name"].lower()
    return {
        "self": f"{ctx.api}/priority/{record['id']}",
        "iconUrl": f"{ctx.base}/images/icons/priorities/{icon}.svg",
        "name": record["name"],
        "id": record["id"],
    }


def resolution(ctx: Ctx, resolution_id: str | None) -> dict[str, Any] | None:
    """A resolution, or None for unresolved."""
    record = m.find(m.RESOLUTIONS, resolution_id) if resolution_id else None
    if record is None:
        return None
    return {"self": f"{ctx.api}/resolution/{record['id']}", **record}


def component(ctx: Ctx, comp: dict[str, Any]) -> dict[str, Any]:
    """A project component."""
    return {"self": f"{ctx.api}/component/{comp['id']}", "id": comp["id"], "name": comp["name"]}


def project(ctx: Ctx, record: dict[str, Any], *, full: bool = False) -> dict[str, Any]:
    """A project; ``full`` adds issue types, components and lead."""
    body: dict[str, Any] = {
        "self": f"{ctx.api}/project/{record['id']}",
        "id": record["id"],
        "key": record["key"],
        "name": record["name"],
        "projectTypeKey": "software",
        "simplified": False,
        "avatarUrls": avatars(ctx, "project", "10400"),
    }
    if full:
        body.update(
            {
                "description": "",
                "lead": user(ctx, record["lead"]),
                "components": [component(ctx, c) for c in record["components"]],
                "issueTypes": [issuetype(ctx, t["id"]) for t in m.ISSUE_TYPES],
                "assigneeType": "UNASSIGNED",
                "versions": [],
                "roles": {},
                "style": "classic",
                "isPrivate": False,
                "properties": {},
            }
        )
    return body


def ts(value: str | None) -> str | None:
    """Stored ISO timestamp to Jira's form."""
    return m.format_ts(datetime.fromisoformat(value)) if value else None


def comment(ctx: Ctx, record: dict[str, Any]) -> dict[str, Any]:
    """A comment in the version's body form."""
    return {
        "self": f"{ctx.api}/issue/{record['issue']}/comment/{record['id']}",
        "id": record["id"],
        "author": user(ctx, record["author"]),
        "body": m.render_rich(record["body"], version=ctx.rich),
        "updateAuthor": user(ctx, record["update_author"]),
        "created": ts(record["created"]),
        "updated": ts(record["updated"]),
        "jsdPublic": True,
    }


def comments_page(
    ctx: Ctx, issue_id: str, records: list[dict[str, Any]], *, start: int, limit: int
) -> dict[str, Any]:
    """A page of comments."""
    page = records[start : start + limit]
    return {
        "self": f"{ctx.api}/issue/{issue_id}/comment",
        "startAt": start,
        "maxResults": limit,
        "total": len(records),
        "comments": [comment(ctx, c) for c in page],
    }


def field_value(ctx: Ctx, issue: dict[str, Any], name: str, comments: list[dict[str, Any]]) -> Any:
    """One field of an issue as Jira renders it."""
    renderers: dict[str, Any] = {
        "summary": lambda: issue["summary"],
        "description": lambda: m.render_rich(issue["description"], version=ctx.rich),
        "issuetype": lambda: issuetype(ctx, issue["issuetype"]),
        "project": lambda: project(ctx, _project(issue)),
        "status": lambda: status(ctx, issue["status"]),
        "statusCategory": lambda: status(ctx, issue["status"])["statusCategory"],
        "resolution": lambda: resolution(ctx, issue["resolution"]),
        "priority": lambda: priority(ctx, issue["priority"]),
        "labels": lambda: list(issue["labels"]),
        "components": lambda: [
            component(ctx, c)
            for c in _project(issue)["components"]
            if c["id"] in issue["components"]
        ],
        "duedate": lambda: issue["duedate"],
        "comment": lambda: comments_page(ctx, issue["id"], comments, start=0, limit=5000),
    }
    if name in {"assignee", "reporter", "creator"}:
        return user(ctx, issue[name])
    if name in {"created", "updated", "resolutiondate", "statuscategorychangedate"}:
        return ts(issue[name])
    return renderers[name]()


def _project(issue: dict[str, Any]) -> dict[str, Any]:
    record = m.find(m.projects(), issue["project"])
    assert record is not None
    return record


def select_fields(spec: list[str] | None, *, default: tuple[str, ...]) -> list[str]:
    """Resolve a ``fields`` selection (``*all``, ``*navigable``, names, ``-name``)."""
    if not spec:
        return list(default)
    chosen: list[str] = []
    excluded: set[str] = set()
    for item in spec:
        name = item.strip()
        if name == "*all":
            chosen.extend(m.FIELD_IDS)
        elif name == "*navigable":
            chosen.extend(m.NAVIGABLE_FIELD_IDS)
        elif name.startswith("-"):
            excluded.add(name[1:])
        elif name in m.FIELD_IDS:
            chosen.append(name)
    if excluded and not chosen:
        chosen.extend(m.NAVIGABLE_FIELD_IDS)
    return [f for f in dict.fromkeys(chosen) if f not in excluded]


def issue(
    ctx: Ctx,
    record: dict[str, Any],
    *,
    fields: list[str],
    comments: list[dict[str, Any]],
    expand: set[str] | frozenset[str] = frozenset(),
    properties: list[str] | None = None,
    changes: list[dict[str, Any]] | None = None,
    changes_limit: int = ISSUE_CHANGELOG_LIMIT,
) -> dict[str, Any]:
    """An issue bean with the chosen fields (and its ``changes`` when changelog is expanded)."""
    body: dict[str, Any] = {
        "expand": ISSUE_EXPAND,
        "id": record["id"],
        "self": f"{ctx.api}/issue/{record['id']}",
        "key": record["key"],
    }
    if fields:
        body["fields"] = {name: field_value(ctx, record, name, comments) for name in fields}
    if "names" in expand:
        body["names"] = {f.id: f.name for f in m.FIELDS if f.id in fields}
    if "schema" in expand:
        body["schema"] = {f.id: f.schema for f in m.FIELDS if f.id in fields}
    if "changelog" in expand:
        body["changelog"] = changelog(ctx, changes or [], limit=changes_limit)
    if properties:
        stored = record["properties"]
        body["properties"] = {
            k: v for k, v in stored.items() if k in properties or "*all" in properties
        }
    return body


def change_entry(ctx: Ctx, entry: dict[str, Any]) -> dict[str, Any]:
    """One changelog entry (``Changelog``): who changed what, from and to (ids and text)."""
    return {
        "id": entry["id"],
        "author": user(ctx, entry["author"]),
        "created": ts(entry["created"]),
        "items": [
            {
                "field": item["field"],
                "fieldtype": item["fieldtype"],
                "fieldId": item["fieldId"],
                "from": item["from"],
                "fromString": _change_text(item["field"], item["from"]),
                "to": item["to"],
                "toString": _change_text(item["field"], item["to"]),
            }
            for item in entry["items"]
        ],
    }


def _change_text(field: str, value: str | None) -> str | None:
    """A changed value as Jira words it: a person's name, a status or resolution name, or a
    due date at midnight."""
    if value is None:
        return None
    if field == "assignee":
        record = m.user_by_account(value)
        return str(record["displayName"]) if record else value
    if field == "status":
        return m.status_by_id(value)["name"]
    if field == "resolution":
        found = m.find(m.RESOLUTIONS, value)
        return found["name"] if found else value
    return f"{value} 00:00:00.0" if field == "duedate" else value


def changelog(ctx: Ctx, entries: list[dict[str, Any]], *, limit: int) -> dict[str, Any]:
    """An issue's ``changelog`` expansion (``PageOfChangelogs``): the ``limit`` most recent
    entries, oldest first, and how many there are in all."""
    histories = [change_entry(ctx, entry) for entry in entries[-limit:]]
    return {"startAt": 0, "maxResults": limit, "total": len(entries), "histories": histories}


def field_list() -> list[dict[str, Any]]:
    """``GET /field``."""
    return [
        {
            "id": f.id,
            "key": f.id,
            "name": f.name,
            "custom": False,
            "orderable": f.orderable,
            "navigable": f.navigable,
            "searchable": True,
            "clauseNames": list(f.clause_names),
            "schema": f.schema,
        }
        for f in m.FIELDS
    ]
