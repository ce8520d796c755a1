"""Stateful Jira Cloud simulator: the ``App`` served by the sandbox under ``/rest/api/*``.

Routes for v2, v3 and ``latest`` share one implementation; rich text follows the version
(plain strings on v2, ADF on v3). Issue endpoints are in ``jira_issues.py``, search in
``jira_search.py``; this module holds routing, metadata endpoints and persistence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from followthrough.sandbox import jira_model as m
from followthrough.sandbox import jira_render as render
from followthrough.sandbox.core import HttpError, SandboxRequest, SandboxResponse, SimClock
from followthrough.sandbox.jira_issues import IssueEndpoints
from followthrough.sandbox.jira_store import JiraStore, jira_error

API_PREFIX = re.compile(r"^/rest/api/(?P<v>2|3|latest)(?P<rest>/.*)?$")
DEFAULT_SEARCH_LAG = 5.0
DEFAULT_TIME_ZONE = "Etc/UTC"
APPLINKS_PATH = "/rest/applinks/latest/listApplicationlinks"


@dataclass(frozen=True)
class Call:
    """One request with its version, path parameters and rendering context."""

    req: SandboxRequest
    ctx: render.Ctx
    params: dict[str, str]

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First query value."""
        return self.req.arg(name, default)

    def int_arg(self, name: str, default: int) -> int:
        """Integer query value; 400 in Jira's shape if malformed."""
        raw = self.req.arg(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except ValueError as exc:
            raise jira_error(400, f"Invalid value for '{name}': {raw}") from exc

    def body(self) -> Any:
        """JSON body; 400 in Jira's shape if malformed."""
        try:
            return self.req.json()
        except HttpError as exc:
            raise jira_error(400, "Unexpected character in request body.") from exc


Handler = Callable[[Call], SandboxResponse]


@dataclass(frozen=True)
class Route:
    """A method + path template bound to a handler."""

    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]


def _compile(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{regex}/?$")


def _checked_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HttpError(400, {"message": f"unknown time zone {name!r}"}) from exc
    return name


def _user_matches(user: dict[str, Any], query: str) -> bool:
    """Prefix match on the display name, the email, or any word of either."""
    names = (str(user["displayName"]).lower(), str(user["emailAddress"]).lower())
    words = [w for name in names for w in re.split(r"[\s@.]+", name)]
    return any(text.startswith(query) for text in (*names, *words))


class JiraApp:
    """A Jira Cloud site with projects OPS and PLAT, a fixed user directory and a workflow."""

    name = "jira"

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        search_lag: float = DEFAULT_SEARCH_LAG,
        time_zone: str = DEFAULT_TIME_ZONE,
    ) -> None:
        self.clock = clock or SimClock()
        self.search_lag = search_lag
        self.time_zone = _checked_zone(time_zone)
        self.store = JiraStore()
        self.catalogue = m.Catalogue()
        self.issues = IssueEndpoints(self)
        self.routes = self._routes()

    # App protocol --------------------------------------------------------------------

    def handle(self, req: SandboxRequest, *, public_base: str) -> SandboxResponse:
        """Route and answer one request."""
        if req.path == APPLINKS_PATH:
            return SandboxResponse(200, [])
        found = self._match(req)
        if found is None:
            raise jira_error(404, f"null for uri: {public_base}{req.path}")
        route, version, params = found
        ctx = render.Ctx(base=public_base.rstrip("/"), version=version, now=self.clock.now())
        with m.using(self.catalogue):
            return route.handler(Call(req, ctx, params))

    def route_of(self, req: SandboxRequest) -> str:
        """Route template with the version abstracted, e.g. ``GET /rest/api/{v}/myself``."""
        if req.path == APPLINKS_PATH:
            return f"{req.method} {APPLINKS_PATH}"
        found = self._match(req)
        if found is None:
            return f"{req.method} (unknown)"
        return f"{req.method} /rest/api/{{v}}{found[0].template}"

    def dump_state(self) -> dict[str, Any]:
        """Issues, history, comments, links, counters, and the users and projects."""
        return {
            "store": self.store.dump(),
            "search_lag": self.search_lag,
            "time_zone": self.time_zone,
            "catalogue": self.catalogue.dump(),
        }

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore a ``dump_state``."""
        self.store.load(state.get("store", {}))
        self.catalogue.load(state.get("catalogue", {}))
        self.search_lag = float(state.get("search_lag", self.search_lag))
        self.time_zone = _checked_zone(str(state.get("time_zone", self.time_zone)))

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        """``POST /_sandbox/config``: ``{"search_lag_seconds": N, "time_zone": "Area/City"}``.

        ``time_zone`` is the API user's zone: ``/myself`` shows it and JQL reads absolute
        dates in it.
        """
        if "search_lag_seconds" in settings:
            self.search_lag = float(settings["search_lag_seconds"])
        if "time_zone" in settings:
            self.time_zone = _checked_zone(str(settings["time_zone"]))
        return {"search_lag_seconds": self.search_lag, "time_zone": self.time_zone}

    def user_zone(self) -> tzinfo:
        """The API user's time zone."""
        return ZoneInfo(self.time_zone)

    def error_body(self, status: int, message: str) -> Any:
        """Jira's error shape for injected faults."""
        return {"errorMessages": [message], "errors": {}}

    def index_time(self) -> Any:
        """The moment the search index reflects (now minus the lag)."""
        return self.clock.now() - timedelta(seconds=self.search_lag)

    # scenario helpers -----------------------------------------------------------------

    @contextmanager
    def acting_as(self, account_id: str) -> Iterator[None]:
        """Changes made meanwhile, through any API, are ``account_id``'s in the changelog (as
        a person's edits in Jira's own screens would be)."""
        previous, self.store.actor = self.store.actor, account_id
        try:
            yield
        finally:
            self.store.actor = previous

    # routing -------------------------------------------------------------------------

    def _match(self, req: SandboxRequest) -> tuple[Route, str, dict[str, str]] | None:
        prefix = API_PREFIX.match(req.path)
        if prefix is None:
            return None
        rest = prefix.group("rest") or "/"
        for route in self.routes:
            hit = route.pattern.match(rest)
            if hit and route.method == req.method:
                params = {k: unquote(v) for k, v in hit.groupdict().items()}
                return route, prefix.group("v"), params
        return None

    def _routes(self) -> list[Route]:
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/serverInfo", self.server_info),
            ("GET", "/myself", self.myself),
            ("GET", "/user", self.get_user),
            ("GET", "/user/search", self.user_search),
            ("GET", "/user/assignable/search", self.assignable_search),
            ("GET", "/project", self.project_list),
            ("GET", "/project/search", self.project_search),
            ("GET", "/project/{project}", self.project_get),
            ("GET", "/project/{project}/components", self.project_components),
            ("GET", "/project/{project}/statuses", self.project_statuses),
            ("GET", "/mypermissions", self.my_permissions),
            ("GET", "/issue/createmeta/{project}/issuetypes", self.createmeta_types),
            ("GET", "/issue/createmeta/{project}/issuetypes/{type}", self.createmeta_fields),
            ("GET", "/field", lambda call: SandboxResponse(200, render.field_list())),
            ("GET", "/issuetype", self.issuetype_list),
            ("GET", "/status", self.status_list),
            ("GET", "/priority", self.priority_list),
            ("GET", "/resolution", self.resolution_list),
            *self.issues.route_table(),
        ]
        return [Route(meth, tpl, fn, _compile(tpl)) for meth, tpl, fn in table]

    # metadata endpoints --------------------------------------------------------------

    def server_info(self, call: Call) -> SandboxResponse:
        """``GET /serverInfo``; ``deploymentType: Cloud`` switches clients to Cloud paths."""
        return SandboxResponse(
            200,
            {
                "baseUrl": call.ctx.base,
                "displayUrl": call.ctx.base,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100289,
                "buildDate": "2025-01-06T00:00:00.000+0000",
                "serverTime": m.format_ts(call.ctx.now),
                "scmInfo": "9f1ad4e1c0e0a1f5d3f7c1b2a8d6e4f3c2b1a0e9",
                "serverTitle": "Jira",
                "serverTimeZone": "Etc/UTC",
            },
        )

    def myself(self, call: Call) -> SandboxResponse:
        """``GET /myself``: the API user."""
        body = render.user(call.ctx, m.BOT_ACCOUNT_ID)
        assert body is not None
        body.update(
            {
                "timeZone": self.time_zone,
                "locale": "en_US",
                "groups": {"size": 1, "items": []},
                "applicationRoles": {"size": 1, "items": []},
            }
        )
        return SandboxResponse(200, body)

    def get_user(self, call: Call) -> SandboxResponse:
        """``GET /user?accountId=``."""
        body = render.user(call.ctx, call.arg("accountId"))
        if body is None:
            raise jira_error(404, f"User with accountId '{call.arg('accountId')}' does not exist")
        return SandboxResponse(200, body)

    def _users(self, call: Call, *, active_only: bool) -> list[dict[str, Any]]:
        query = (call.arg("query") or call.arg("username") or "").lower()
        account = call.arg("accountId")
        found = []
        for user in m.users():
            if active_only and not user["active"]:
                continue
            if account and user["accountId"] != account:
                continue
            if query and not _user_matches(user, query):
                continue
            found.append(render.user(call.ctx, user["accountId"]))
        start, limit = call.int_arg("startAt", 0), call.int_arg("maxResults", 50)
        return [u for u in found[start : start + limit] if u is not None]

    def user_search(self, call: Call) -> SandboxResponse:
        """``GET /user/search?query=``: prefix match on display name words or email."""
        if not (call.arg("query") or call.arg("accountId") or call.arg("property")):
            raise jira_error(400, "One of 'query' or 'accountId' parameters must be provided.")
        return SandboxResponse(200, self._users(call, active_only=False))

    def assignable_search(self, call: Call) -> SandboxResponse:
        """``GET /user/assignable/search?project=``: active users only."""
        if call.arg("project") is None and call.arg("issueKey") is None:
            raise jira_error(400, "A project, issue key or issue id is required.")
        if call.arg("project") is not None:
            self._project(call.arg("project") or "")
        else:
            self.store.get(call.arg("issueKey") or "")
        return SandboxResponse(200, self._users(call, active_only=True))

    def _project(self, ref: str) -> dict[str, Any]:
        record = m.find(m.projects(), ref, "key")
        if record is None:
            raise jira_error(404, f"No project could be found with key '{ref}'.")
        return record

    def project_list(self, call: Call) -> SandboxResponse:
        """``GET /project`` (all projects)."""
        return SandboxResponse(200, [render.project(call.ctx, p, full=True) for p in m.projects()])

    def project_search(self, call: Call) -> SandboxResponse:
        """``GET /project/search`` (paginated)."""
        start, limit = call.int_arg("startAt", 0), call.int_arg("maxResults", 50)
        values = [render.project(call.ctx, p) for p in m.projects()]
        page = values[start : start + limit]
        return SandboxResponse(
            200,
            {
                "self": f"{call.ctx.api}/project/search",
                "startAt": start,
                "maxResults": limit,
                "total": len(values),
                "isLast": start + limit >= len(values),
                "values": page,
            },
        )

    def project_get(self, call: Call) -> SandboxResponse:
        """``GET /project/{idOrKey}``."""
        project = self._project(call.params["project"])
        return SandboxResponse(200, render.project(call.ctx, project, full=True))

    def project_components(self, call: Call) -> SandboxResponse:
        """``GET /project/{idOrKey}/components``."""
        project = self._project(call.params["project"])
        return SandboxResponse(200, [render.component(call.ctx, c) for c in project["components"]])

    def project_statuses(self, call: Call) -> SandboxResponse:
        """``GET /project/{idOrKey}/statuses``: the statuses of each issue type's workflow."""
        project = self._project(call.params["project"])
        statuses = [render.status(call.ctx, s["id"]) for s in m.workflow_statuses(project)]
        body = [
            {
                "self": f"{call.ctx.api}/issuetype/{t['id']}",
                "id": t["id"],
                "name": t["name"],
                "subtask": False,
                "statuses": statuses,
            }
            for t in m.ISSUE_TYPES
        ]
        return SandboxResponse(200, body)

    def my_permissions(self, call: Call) -> SandboxResponse:
        """``GET /mypermissions?projectKey=&permissions=``: what the API user may do there."""
        wanted = [p for p in (call.arg("permissions") or "").split(",") if p.strip()]
        if not wanted:
            raise jira_error(400, "The 'permissions' query parameter is required.")
        ref = call.arg("projectKey") or call.arg("projectId")
        denied: list[str] = []
        if ref is not None:
            denied = list(self._project(ref).get("denied", []))
        body = {
            key.strip(): {
                "id": str(index),
                "key": key.strip(),
                "name": key.strip().replace("_", " ").capitalize(),
                "type": "PROJECT",
                "description": f"Ability to {key.strip().replace('_', ' ').lower()}.",
                "havePermission": key.strip() not in denied,
            }
            for index, key in enumerate(wanted, start=10)
        }
        return SandboxResponse(200, {"permissions": body})

    def createmeta_types(self, call: Call) -> SandboxResponse:
        """``GET /issue/createmeta/{project}/issuetypes``."""
        self._project(call.params["project"])
        types = [render.issuetype(call.ctx, t["id"]) for t in m.ISSUE_TYPES]
        body = {"startAt": 0, "maxResults": 50, "total": len(types), "issueTypes": types}
        return SandboxResponse(200, body)

    def createmeta_fields(self, call: Call) -> SandboxResponse:
        """``GET /issue/createmeta/{project}/issuetypes/{type}``: field metadata."""
        self._project(call.params["project"])
        if m.find(m.ISSUE_TYPES, call.params["type"]) is None:
            raise jira_error(404, "Issue type not found.")
        fields = [
            {
                "required": f.id in {"summary", "issuetype", "project"},
                "schema": f.schema,
                "name": f.name,
                "key": f.id,
                "fieldId": f.id,
                "hasDefaultValue": f.id == "priority",
                "operations": ["set"],
            }
            for f in m.FIELDS
            if f.id
            in {
                "summary",
                "description",
                "issuetype",
                "project",
                "priority",
                "assignee",
                "reporter",
                "labels",
                "components",
                "duedate",
            }
        ]
        body = {"startAt": 0, "maxResults": 50, "total": len(fields), "fields": fields}
        return SandboxResponse(200, body)

    def issuetype_list(self, call: Call) -> SandboxResponse:
        """``GET /issuetype``."""
        return SandboxResponse(200, [render.issuetype(call.ctx, t["id"]) for t in m.ISSUE_TYPES])

    def status_list(self, call: Call) -> SandboxResponse:
        """``GET /status``."""
        return SandboxResponse(200, [render.status(call.ctx, s["id"]) for s in m.STATUSES])

    def priority_list(self, call: Call) -> SandboxResponse:
        """``GET /priority``."""
        return SandboxResponse(200, [render.priority(call.ctx, p["id"]) for p in m.PRIORITIES])

    def resolution_list(self, call: Call) -> SandboxResponse:
        """``GET /resolution``."""
        body = [render.resolution(call.ctx, r["id"]) for r in m.RESOLUTIONS]
        return SandboxResponse(200, body)
