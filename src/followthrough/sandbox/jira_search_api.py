"""Jira simulator search endpoints: ``/search/jql`` (GET/POST), approximate count, old ``/search``.

The index is eventually consistent: it evaluates each issue as it was at ``now - lag``,
except issues listed in ``reconcileIssues``, which are read fresh.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from followthrough.sandbox import jira_model as m
from followthrough.sandbox import jira_render as render
from followthrough.sandbox.core import SandboxResponse
from followthrough.sandbox.jira_search import UNBOUNDED, Matcher, canonical_field, validate
from followthrough.sandbox.jira_store import jira_error
from followthrough.sandbox.jql import (
    JqlError,
    ListOf,
    Literal,
    Node,
    Query,
    clauses,
    evaluate,
    parse,
)

if TYPE_CHECKING:
    from followthrough.sandbox.jira import Call, JiraApp

DEFAULT_MAX = 50
CAP_IDS = 5000
CAP_FIELDS = 100
MAX_RECONCILE = 50
GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)


@dataclass
class SearchParams:
    """Normalised search parameters from a GET query or a POST body."""

    jql: str = ""
    token: str | None = None
    max_results: int = DEFAULT_MAX
    fields: list[str] = field(default_factory=list)
    expand: set[str] = field(default_factory=set)
    properties: list[str] = field(default_factory=list)
    reconcile: list[str] = field(default_factory=list)


def _flat(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def _int(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise jira_error(400, f"Invalid value for '{name}': {value}") from exc


def params_from(source: dict[str, Any]) -> SearchParams:
    """SearchParams from a dict of single values or lists."""
    return SearchParams(
        jql=str(source.get("jql") or ""),
        token=(str(source["nextPageToken"]) if source.get("nextPageToken") else None),
        max_results=_int(source.get("maxResults"), "maxResults", DEFAULT_MAX),
        fields=_flat(source.get("fields")),
        expand=set(_flat(source.get("expand"))),
        properties=_flat(source.get("properties")),
        reconcile=_flat(source.get("reconcileIssues")),
    )


def _token(offset: int, as_of: datetime, jql: str) -> str:
    raw = json.dumps({"o": offset, "t": as_of.isoformat(), "h": _hash(jql)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _hash(jql: str) -> str:
    return hashlib.sha256(jql.encode()).hexdigest()[:12]


def _read_token(token: str, jql: str) -> tuple[int, datetime]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["h"] != _hash(jql):
            raise ValueError("token for another query")
        return int(data["o"]), datetime.fromisoformat(data["t"])
    except (ValueError, KeyError, TypeError) as exc:
        raise jira_error(400, "The provided next page token is invalid or expired.") from exc


class SearchEndpoints:
    """Handlers for the search family."""

    def __init__(self, app: JiraApp) -> None:
        self.app = app
        self.store = app.store

    def route_table(self) -> list[tuple[str, str, Callable[[Call], SandboxResponse]]]:
        """(method, template, handler) for search routes."""
        return [
            ("GET", "/search/jql", self.search_get),
            ("POST", "/search/jql", self.search_post),
            ("POST", "/search/approximate-count", self.approximate_count),
            ("GET", "/search", self.gone),
            ("POST", "/search", self.gone),
        ]

    def gone(self, call: Call) -> SandboxResponse:
        """The removed ``/search`` endpoint answers 410 like Jira Cloud."""
        raise jira_error(410, GONE)

    def search_get(self, call: Call) -> SandboxResponse:
        """``GET /search/jql``."""
        query = {k: (v if len(v) > 1 else v[0]) for k, v in call.req.query.items()}
        return SandboxResponse(200, self._search(call, params_from(query)))

    def search_post(self, call: Call) -> SandboxResponse:
        """``POST /search/jql``."""
        body = call.body()
        if not isinstance(body, dict):
            raise jira_error(400, "The request body must be a JSON object.")
        return SandboxResponse(200, self._search(call, params_from(body)))

    def approximate_count(self, call: Call) -> SandboxResponse:
        """``POST /search/approximate-count``: the index's count (lagged)."""
        body = call.body()
        jql = str(body.get("jql") or "") if isinstance(body, dict) else ""
        query = self._parse(jql)
        matcher = self._matcher(call.ctx.now)
        found = self._matching(query, matcher, as_of=self.app.index_time(), reconcile=[])
        return SandboxResponse(200, {"count": len(found)})

    # core ----------------------------------------------------------------------------

    def _parse(self, jql: str) -> Query:
        try:
            query = parse(jql)
            validate(query)
            self._check_keys(query)
        except JqlError as exc:
            raise jira_error(400, exc.message) from exc
        if query.where is None:
            raise jira_error(400, UNBOUNDED)
        return query

    def _check_keys(self, query: Query) -> None:
        for clause in clauses(query.where):
            if canonical_field(clause.field) != "key" or clause.op not in {"=", "in"}:
                continue
            items = clause.value.items if isinstance(clause.value, ListOf) else [clause.value]
            for item in items:
                if isinstance(item, Literal) and not item.text.isdigit():
                    self._require_key(item.text, clause.field)

    def _require_key(self, key: str, field_name: str) -> None:
        if "-" not in key or not key.rsplit("-", 1)[1].isdigit():
            raise JqlError(f"The issue key '{key}' for field '{field_name}' is invalid.")
        if not any(i["key"] == key.upper() for i in self.store.issues.values()):
            raise JqlError(f"An issue with key '{key}' does not exist for field '{field_name}'.")

    def _matcher(self, now: datetime) -> Matcher:
        return Matcher(
            now=now,
            current_user=m.BOT_ACCOUNT_ID,
            comments_of=lambda issue_id: self.store.comments.get(issue_id, []),
            zone=self.app.user_zone(),
        )

    def _matching(
        self, query: Query, matcher: Matcher, *, as_of: datetime, reconcile: list[str]
    ) -> list[dict[str, Any]]:
        found = []
        for issue_id in self.store.history:
            if issue_id in reconcile:
                issue = self.store.issues.get(issue_id)
            else:
                issue = self.store.visible(issue_id, at=as_of)
            if issue is None or query.where is None:
                continue
            if self._holds(query.where, matcher, issue):
                found.append(issue)
        return matcher.sort(found, query.order_by)

    @staticmethod
    def _holds(where: Node, matcher: Matcher, issue: dict[str, Any]) -> bool:
        try:
            return evaluate(where, lambda clause: matcher.match(issue, clause))
        except JqlError as exc:
            raise jira_error(400, exc.message) from exc

    def _search(self, call: Call, params: SearchParams) -> dict[str, Any]:
        query = self._parse(params.jql)
        if len(params.reconcile) > MAX_RECONCILE:
            raise jira_error(400, f"reconcileIssues accepts at most {MAX_RECONCILE} ids.")
        offset, as_of = 0, self.app.index_time()
        if params.token:
            offset, as_of = _read_token(params.token, params.jql)
        fields = render.select_fields(params.fields, default=("id",))
        fields = [f for f in fields if f != "id"]
        cap = CAP_IDS if set(fields) <= {"key"} else CAP_FIELDS
        limit = max(1, min(params.max_results, cap))
        found = self._matching(
            query, self._matcher(call.ctx.now), as_of=as_of, reconcile=params.reconcile
        )
        page = found[offset : offset + limit]
        body: dict[str, Any] = {
            "issues": [self._render(call, issue, fields, params) for issue in page]
        }
        more = offset + limit < len(found)
        if more:
            body["nextPageToken"] = _token(offset + limit, as_of, params.jql)
        body["isLast"] = not more
        if "names" in params.expand:
            body["names"] = {f.id: f.name for f in m.FIELDS if f.id in fields}
        return body

    def _render(
        self, call: Call, issue: dict[str, Any], fields: list[str], params: SearchParams
    ) -> dict[str, Any]:
        fields = [f for f in fields if f != "key"]
        return render.issue(
            call.ctx,
            issue,
            fields=fields,
            comments=self.store.comments.get(issue["id"], []),
            expand=params.expand - {"names"},
            properties=params.properties,
            changes=[  # the changelog as the index saw it: up to the version it holds
                entry
                for entry in self.store.changelog.get(issue["id"], [])
                if entry["created"] <= issue["updated"]
            ],
            changes_limit=render.SEARCH_CHANGELOG_LIMIT,
        )
