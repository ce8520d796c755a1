"""Jira simulator issue endpoints: create/bulk/get/edit/delete, assignee, properties,
comments, transitions and remote links. Search endpoints are in ``jira_search_api.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from followthrough.sandbox import jira_model as m
from followthrough.sandbox import jira_render as render
from followthrough.sandbox.core import HttpError, SandboxResponse
from followthrough.sandbox.jira_search_api import SearchEndpoints
from followthrough.sandbox.jira_store import (
    NOT_SETTABLE,
    TEXT_LIMIT,
    TEXT_TOO_LONG,
    apply_fields,
    apply_update,
    jira_error,
    new_issue,
)

if TYPE_CHECKING:
    from followthrough.sandbox.jira import Call, JiraApp

BULK_LIMIT = 50
CHANGELOG_PAGE = 100
DONE_STATUS = "10002"
DEFAULT_RESOLUTION = "10000"


def split_list(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated query values, flattened."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


class IssueEndpoints:
    """Handlers for ``/issue/...``; state lives in the app's store."""

    def __init__(self, app: JiraApp) -> None:
        self.app = app
        self.store = app.store
        self.search = SearchEndpoints(app)

    def route_table(self) -> list[tuple[str, str, Callable[[Call], SandboxResponse]]]:
        """(method, template, handler) for every issue and search route."""
        return [
            ("POST", "/issue", self.create),
            ("POST", "/issue/bulk", self.create_bulk),
            ("GET", "/issue/{key}", self.get),
            ("PUT", "/issue/{key}", self.edit),
            ("DELETE", "/issue/{key}", self.delete),
            ("PUT", "/issue/{key}/assignee", self.assign),
            ("GET", "/issue/{key}/properties", self.property_keys),
            ("GET", "/issue/{key}/properties/{prop}", self.property_get),
            ("PUT", "/issue/{key}/properties/{prop}", self.property_put),
            ("DELETE", "/issue/{key}/properties/{prop}", self.property_delete),
            ("GET", "/issue/{key}/changelog", self.changelog),
            ("GET", "/issue/{key}/comment", self.comment_list),
            ("POST", "/issue/{key}/comment", self.comment_add),
            ("GET", "/issue/{key}/comment/{cid}", self.comment_get),
            ("PUT", "/issue/{key}/comment/{cid}", self.comment_edit),
            ("DELETE", "/issue/{key}/comment/{cid}", self.comment_delete),
            ("GET", "/issue/{key}/transitions", self.transitions),
            ("POST", "/issue/{key}/transitions", self.transition),
            ("GET", "/issue/{key}/remotelink", self.link_list),
            ("POST", "/issue/{key}/remotelink", self.link_add),
            ("GET", "/issue/{key}/remotelink/{lid}", self.link_get),
            ("DELETE", "/issue/{key}/remotelink/{lid}", self.link_delete),
            *self.search.route_table(),
        ]

    # create --------------------------------------------------------------------------

    def _build(self, body: Any, call: Call) -> tuple[dict[str, Any], list[Any]]:
        """Validate a create payload into (issue record, comment bodies); 400 on errors."""
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            raise jira_error(
                400,
                errors={
                    "project": "Specify a valid project ID or key",
                    "summary": "You must specify a summary of the issue.",
                },
            )
        errors: dict[str, str] = {}
        fields = body["fields"]
        issue = new_issue(self.store, fields, now=call.ctx.now, errors=errors)
        comments: list[Any] = []
        if issue is not None:
            apply_fields(issue, fields, version=call.ctx.rich, errors=errors)
            update = body.get("update") or {}
            comments = apply_update(issue, update, version=call.ctx.rich, errors=errors)
            self._check_comment_bodies(comments, call, errors)
            for prop in body.get("properties") or []:
                issue["properties"][str(prop.get("key"))] = prop.get("value")
        if errors or issue is None:
            raise jira_error(400, errors=errors)
        return issue, comments

    def _check_comment_bodies(self, bodies: list[Any], call: Call, errors: dict[str, str]) -> None:
        for body in bodies:
            try:
                self._comment_text(body, call)
            except HttpError as exc:
                errors.update(exc.body["errors"] or {"comment": exc.body["errorMessages"][0]})

    def _store_new(self, issue: dict[str, Any], comments: list[Any], call: Call) -> dict[str, Any]:
        project = m.find(m.projects(), issue["project"])
        assert project is not None
        issue["id"] = str(self.store.next_id("issue"))
        issue["key"] = f"{project['key']}-{self.store.next_id('key:' + project['key'])}"
        self.store.commit(issue, now=call.ctx.now)
        for body in comments:
            self._add_comment(issue, body, call)
        return {
            "id": issue["id"],
            "key": issue["key"],
            "self": f"{call.ctx.api}/issue/{issue['id']}",
        }

    def create(self, call: Call) -> SandboxResponse:
        """``POST /issue``."""
        issue, comments = self._build(call.body(), call)
        return SandboxResponse(201, self._store_new(issue, comments, call))

    def create_bulk(self, call: Call) -> SandboxResponse:
        """``POST /issue/bulk`` with per-item errors (400 only when nothing was created)."""
        body = call.body()
        updates = body.get("issueUpdates") if isinstance(body, dict) else None
        if not isinstance(updates, list) or not updates:
            raise jira_error(400, "Issue updates must not be empty.")
        if len(updates) > BULK_LIMIT:
            raise jira_error(400, f"The number of issues to create exceeds {BULK_LIMIT}.")
        created: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for index, update in enumerate(updates):
            try:
                issue, comments = self._build(update, call)
            except HttpError as exc:
                failed.append(
                    {"status": exc.status, "elementErrors": exc.body, "failedElementNumber": index}
                )
                continue
            created.append(self._store_new(issue, comments, call))
        status = 201 if created else 400
        return SandboxResponse(status, {"issues": created, "errors": failed})

    # read / edit ---------------------------------------------------------------------

    def get(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}`` with ``fields``, ``expand`` and ``properties``."""
        return SandboxResponse(
            200,
            self._issue_body(
                call,
                fields=split_list(call.req.query.get("fields")),
                properties=split_list(call.req.query.get("properties")),
            ),
        )

    def _issue_body(
        self, call: Call, *, fields: list[str], properties: list[str]
    ) -> dict[str, Any]:
        issue = self.store.get(call.params["key"])
        return render.issue(
            call.ctx,
            issue,
            fields=render.select_fields(fields, default=m.FIELD_IDS),
            comments=self.store.comments.get(issue["id"], []),
            expand=set(split_list(call.req.query.get("expand"))),
            properties=properties,
            changes=self.store.changelog.get(issue["id"], []),
        )

    def changelog(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}/changelog``: a page of the issue's changes, oldest first."""
        issue = self.store.get(call.params["key"])
        entries = self.store.changelog.get(issue["id"], [])
        start = max(0, call.int_arg("startAt", 0))
        size = max(1, min(call.int_arg("maxResults", CHANGELOG_PAGE), CHANGELOG_PAGE))
        page = entries[start : start + size]
        base = f"{call.ctx.api}/issue/{issue['key']}/changelog"
        body: dict[str, Any] = {
            "self": f"{base}?startAt={start}&maxResults={size}",
            "maxResults": size,
            "startAt": start,
            "total": len(entries),
            "isLast": start + size >= len(entries),
            "values": [render.change_entry(call.ctx, entry) for entry in page],
        }
        if not body["isLast"]:
            body["nextPage"] = f"{base}?startAt={start + size}&maxResults={size}"
        return SandboxResponse(200, body)

    def edit(self, call: Call) -> SandboxResponse:
        """``PUT /issue/{key}``: ``fields``, ``update`` and ``properties``; 204 (or the issue).

        With ``returnIssue=true`` the answer is the issue as ``GET /issue`` shows it by
        default: every field, and no properties (the edit has no ``properties`` parameter).
        """
        current = self.store.get(call.params["key"])
        body = call.body() or {}
        if not isinstance(body, dict):
            raise jira_error(400, "Can not deserialize the request body.")
        issue = copy.deepcopy(current)
        errors: dict[str, str] = {}
        apply_fields(issue, body.get("fields") or {}, version=call.ctx.rich, errors=errors)
        comments = apply_update(
            issue, body.get("update") or {}, version=call.ctx.rich, errors=errors
        )
        self._check_comment_bodies(comments, call, errors)
        if errors:
            raise jira_error(400, errors=errors)
        for prop in body.get("properties") or []:
            issue["properties"][str(prop.get("key"))] = prop.get("value")
        if issue != current:
            self.store.commit(issue, now=call.ctx.now)
        for comment in comments:
            self._add_comment(issue, comment, call)
        if call.arg("returnIssue", "false") == "true":
            return SandboxResponse(200, self._issue_body(call, fields=[], properties=[]))
        return SandboxResponse(204)

    def delete(self, call: Call) -> SandboxResponse:
        """``DELETE /issue/{key}``; search keeps seeing it until the index catches up."""
        issue = self.store.get(call.params["key"])
        del self.store.issues[issue["id"]]
        self.store.history[issue["id"]].append({"at": call.ctx.now.isoformat(), "issue": None})
        return SandboxResponse(204)

    def assign(self, call: Call) -> SandboxResponse:
        """``PUT /issue/{key}/assignee`` with ``{"accountId": ...}``."""
        current = self.store.get(call.params["key"])
        body = call.body()
        issue = copy.deepcopy(current)
        errors: dict[str, str] = {}
        apply_fields(issue, {"assignee": body}, version=call.ctx.rich, errors=errors)
        if errors:
            raise jira_error(400, *errors.values())
        if issue != current:
            self.store.commit(issue, now=call.ctx.now)
        return SandboxResponse(204)

    # properties ----------------------------------------------------------------------

    def property_keys(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}/properties``."""
        issue = self.store.get(call.params["key"])
        base = f"{call.ctx.api}/issue/{issue['id']}/properties"
        keys = [{"self": f"{base}/{key}", "key": key} for key in issue["properties"]]
        return SandboxResponse(200, {"keys": keys})

    def property_get(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}/properties/{prop}``."""
        issue = self.store.get(call.params["key"])
        prop = call.params["prop"]
        if prop not in issue["properties"]:
            raise jira_error(404, f"The property with key '{prop}' does not exist.")
        return SandboxResponse(200, {"key": prop, "value": issue["properties"][prop]})

    def property_put(self, call: Call) -> SandboxResponse:
        """``PUT /issue/{key}/properties/{prop}``: 201 when new, 200 when replaced."""
        issue = copy.deepcopy(self.store.get(call.params["key"]))
        prop = call.params["prop"]
        if len(prop) > 255:
            raise jira_error(400, "The property key can not be longer than 255 characters.")
        if not call.req.body.strip():
            raise jira_error(400, "The property value must not be empty.")
        if len(call.req.body) > 32768:
            raise jira_error(400, "The property value exceeds the maximum size of 32768 bytes.")
        existed = prop in issue["properties"]
        issue["properties"][prop] = call.body()
        self.store.commit(issue, now=call.ctx.now, touch=False)
        return SandboxResponse(200 if existed else 201)

    def property_delete(self, call: Call) -> SandboxResponse:
        """``DELETE /issue/{key}/properties/{prop}``."""
        issue = copy.deepcopy(self.store.get(call.params["key"]))
        prop = call.params["prop"]
        if issue["properties"].pop(prop, None) is None and prop not in issue["properties"]:
            self.property_get(call)
        self.store.commit(issue, now=call.ctx.now, touch=False)
        return SandboxResponse(204)

    # comments ------------------------------------------------------------------------

    def _comment_text(self, body: Any, call: Call) -> dict[str, Any]:
        try:
            stored = m.rich_text(body, version=call.ctx.rich)
        except m.RichTextError as exc:
            raise jira_error(400, errors={"comment": f"Comment body is not valid! {exc}"}) from exc
        if stored is None or not stored["text"].strip():
            raise jira_error(400, errors={"comment": "Comment body can not be empty!"})
        if len(stored["text"]) > TEXT_LIMIT:
            raise jira_error(400, errors={"comment": TEXT_TOO_LONG})
        return stored

    def _add_comment(self, issue: dict[str, Any], body: Any, call: Call) -> dict[str, Any]:
        stored = self._comment_text(body, call)
        stamp = call.ctx.now.isoformat()
        record = {
            "id": str(self.store.next_id("comment")),
            "issue": issue["id"],
            "author": self.store.actor,
            "update_author": self.store.actor,
            "body": stored,
            "created": stamp,
            "updated": stamp,
        }
        self.store.comments.setdefault(issue["id"], []).append(record)
        self.store.commit(copy.deepcopy(self.store.issues[issue["id"]]), now=call.ctx.now)
        return record

    def comment_list(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}/comment`` with ``startAt``/``maxResults``/``orderBy``."""
        issue = self.store.get(call.params["key"])
        records = list(self.store.comments.get(issue["id"], []))
        if (call.arg("orderBy") or "").startswith("-"):
            records.reverse()
        start, limit = call.int_arg("startAt", 0), call.int_arg("maxResults", 5000)
        page = render.comments_page(call.ctx, issue["id"], records, start=start, limit=limit)
        del page["self"]
        return SandboxResponse(200, page)

    def comment_add(self, call: Call) -> SandboxResponse:
        """``POST /issue/{key}/comment``: v3 needs ADF, v2 a plain string."""
        issue = self.store.get(call.params["key"])
        body = call.body()
        if not isinstance(body, dict) or "body" not in body:
            raise jira_error(400, errors={"comment": "Comment body can not be empty!"})
        record = self._add_comment(issue, body["body"], call)
        return SandboxResponse(201, render.comment(call.ctx, record))

    def _comment(self, call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
        issue = self.store.get(call.params["key"])
        for record in self.store.comments.get(issue["id"], []):
            if record["id"] == call.params["cid"]:
                return issue, record
        raise jira_error(404, f"Can not find a comment for the id: {call.params['cid']}.")

    def comment_get(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}/comment/{id}``."""
        return SandboxResponse(200, render.comment(call.ctx, self._comment(call)[1]))

    def comment_edit(self, call: Call) -> SandboxResponse:
        """``PUT /issue/{key}/comment/{id}``."""
        issue, record = self._comment(call)
        body = call.body()
        record["body"] = self._comment_text(
            body.get("body") if isinstance(body, dict) else None, call
        )
        record["updated"] = call.ctx.now.isoformat()
        self.store.commit(copy.deepcopy(issue), now=call.ctx.now)
        return SandboxResponse(200, render.comment(call.ctx, record))

    def comment_delete(self, call: Call) -> SandboxResponse:
        """``DELETE /issue/{key}/comment/{id}``."""
        issue, record = self._comment(call)
        self.store.comments[issue["id"]].remove(record)
        self.store.commit(copy.deepcopy(issue), now=call.ctx.now)
        return SandboxResponse(204)

    # transitions ---------------------------------------------------------------------

    def _available(self, issue: dict[str, Any]) -> list[dict[str, str]]:
        project = m.find(m.projects(), issue["project"])
        assert project is not None
        allowed = {s["id"] for s in m.workflow_statuses(project)}
        return [t for t in m.TRANSITIONS if t["to"] != issue["status"] and t["to"] in allowed]

    def _transition_body(self, call: Call, transition: dict[str, str], *, fields: bool) -> Any:
        body: dict[str, Any] = {
            "id": transition["id"],
            "name": transition["name"],
            "to": render.status(call.ctx, transition["to"]),
            "hasScreen": False,
            "isGlobal": True,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
            "looped": False,
        }
        if fields:
            body["fields"] = (
                {}
                if transition["to"] != DONE_STATUS
                else {
                    "resolution": {
                        "required": False,
                        "name": "Resolution",
                        "key": "resolution",
                        "schema": {"type": "resolution", "system": "resolution"},
                        "operations": ["set"],
                        "hasDefaultValue": True,
                        "allowedValues": [
                            render.resolution(call.ctx, r["id"]) for r in m.RESOLUTIONS
                        ],
                    }
                }
            )
        return body

    def transitions(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}/transitions`` (global transitions to every other status)."""
        issue = self.store.get(call.params["key"])
        wanted = call.arg("transitionId")
        with_fields = "transitions.fields" in split_list(call.req.query.get("expand"))
        items = [
            self._transition_body(call, t, fields=with_fields)
            for t in self._available(issue)
            if wanted is None or t["id"] == wanted
        ]
        return SandboxResponse(200, {"expand": "transitions", "transitions": items})

    def transition(self, call: Call) -> SandboxResponse:
        """``POST /issue/{key}/transitions``; ids may be strings or numbers."""
        current = self.store.get(call.params["key"])
        body = call.body()
        ref = (body or {}).get("transition") if isinstance(body, dict) else None
        tid = str(ref.get("id", "")) if isinstance(ref, dict) else ""
        if not tid:
            raise jira_error(400, "Missing 'transition' identifier")
        transition = next((t for t in self._available(current) if t["id"] == tid), None)
        if transition is None:
            raise jira_error(400, f"Transition id '{tid}' is not valid for this issue.")
        issue = copy.deepcopy(current)
        resolution = self._transition_resolution(body.get("fields") or {}, transition)
        comments = apply_update(issue, body.get("update") or {}, version=call.ctx.rich, errors={})
        self._move(issue, transition["to"], resolution, call)
        self.store.commit(issue, now=call.ctx.now)
        for comment in comments:
            self._add_comment(issue, comment, call)
        return SandboxResponse(204)

    def _transition_resolution(self, fields: dict[str, Any], transition: dict[str, str]) -> str:
        errors = {name: NOT_SETTABLE.format(name) for name in fields if name != "resolution"}
        resolution = DEFAULT_RESOLUTION
        if "resolution" in fields:
            found = m.find(m.RESOLUTIONS, fields["resolution"], "name")
            if transition["to"] != DONE_STATUS:
                errors["resolution"] = NOT_SETTABLE.format("resolution")
            elif found is None:
                errors["resolution"] = "Specify a valid value for resolution"
            else:
                resolution = found["id"]
        if errors:
            raise jira_error(400, errors=errors)
        return resolution

    @staticmethod
    def _move(issue: dict[str, Any], status_id: str, resolution: str, call: Call) -> None:
        old = m.status_by_id(issue["status"])["category"]
        new = m.status_by_id(status_id)["category"]
        issue["status"] = status_id
        stamp = call.ctx.now.isoformat()
        if old != new:
            issue["statuscategorychangedate"] = stamp
        if new == "done":
            issue["resolution"], issue["resolutiondate"] = resolution, stamp
        else:
            issue["resolution"], issue["resolutiondate"] = None, None

    # remote links --------------------------------------------------------------------

    def _link_body(self, call: Call, issue: dict[str, Any], link: dict[str, Any]) -> Any:
        body = {
            "id": link["id"],
            "self": f"{call.ctx.api}/issue/{issue['key']}/remotelink/{link['id']}",
        }
        for key in ("globalId", "application", "relationship", "object"):
            if link.get(key) is not None:
                body[key] = link[key]
        return body

    def link_list(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}/remotelink`` (optionally ``?globalId=``)."""
        issue = self.store.get(call.params["key"])
        links = self.store.links.get(issue["id"], [])
        wanted = call.arg("globalId")
        if wanted is not None:
            link = next((lk for lk in links if lk.get("globalId") == wanted), None)
            if link is None:
                raise jira_error(404, "No remote link found for the given global id.")
            return SandboxResponse(200, self._link_body(call, issue, link))
        return SandboxResponse(200, [self._link_body(call, issue, lk) for lk in links])

    def link_add(self, call: Call) -> SandboxResponse:
        """``POST /issue/{key}/remotelink``: creates, or updates the link with the same globalId."""
        issue = self.store.get(call.params["key"])
        body = call.body()
        obj = body.get("object") if isinstance(body, dict) else None
        errors = {} if isinstance(obj, dict) else {"object": "'object' is required"}
        for key in ("url", "title"):
            if isinstance(obj, dict) and not obj.get(key):
                errors[key] = f"'{key}' is required"
        if errors:
            raise jira_error(400, errors=errors)
        links = self.store.links.setdefault(issue["id"], [])
        existing = next(
            (lk for lk in links if body.get("globalId") and lk.get("globalId") == body["globalId"]),
            None,
        )
        fields = {k: body.get(k) for k in ("globalId", "application", "relationship", "object")}
        if existing is not None:
            existing.update(fields)
            return SandboxResponse(200, self._link_ids(call, issue, existing))
        link = {"id": self.store.next_id("link"), **fields}
        links.append(link)
        return SandboxResponse(201, self._link_ids(call, issue, link))

    @staticmethod
    def _link_ids(call: Call, issue: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": link["id"],
            "self": f"{call.ctx.api}/issue/{issue['key']}/remotelink/{link['id']}",
        }

    def _link(self, call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
        issue = self.store.get(call.params["key"])
        for link in self.store.links.get(issue["id"], []):
            if str(link["id"]) == call.params["lid"]:
                return issue, link
        raise jira_error(404, "Remote link does not exist.")

    def link_get(self, call: Call) -> SandboxResponse:
        """``GET /issue/{key}/remotelink/{id}``."""
        issue, link = self._link(call)
        return SandboxResponse(200, self._link_body(call, issue, link))

    def link_delete(self, call: Call) -> SandboxResponse:
        """``DELETE /issue/{key}/remotelink/{id}``."""
        issue, link = self._link(call)
        self.store.links[issue["id"]].remove(link)
        return SandboxResponse(204)
