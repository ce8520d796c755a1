"""Simulated GitHub REST API for the sandbox: the ``App`` the core serves as ``github``.

Routes requests (with or without the Enterprise ``/api/v3`` prefix) to ``GitHubApi`` and adds
what every GitHub response carries: ``X-RateLimit-*`` headers from per-resource windows on the
simulated clock, ``X-GitHub-Request-Id``, ``X-GitHub-Media-Type``, and on reads a strong
``ETag`` plus ``Last-Modified`` with ``If-None-Match``/``If-Modified-Since`` answered by an
uncounted 304. State lives in ``github_state``; shapes in ``github_render``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from followthrough.sandbox.core import (
    READ_METHODS,
    HttpError,
    SandboxRequest,
    SandboxResponse,
    SimClock,
)
from followthrough.sandbox.github_call import Call, Handler, Reply
from followthrough.sandbox.github_contents import CODELOAD
from followthrough.sandbox.github_git_api import TREE_ENTRY_LIMIT
from followthrough.sandbox.github_handlers import GitHubApi, decode_params
from followthrough.sandbox.github_issues import Writer, create_issue
from followthrough.sandbox.github_render import DOCS, Urls
from followthrough.sandbox.github_state import (
    BOT_LOGIN,
    GitHubState,
    RateWindow,
    dump_state,
    load_state,
    roll_window,
    seeded_state,
)

ENTERPRISE_PREFIX = "/api/v3"
CORE_LIMIT = 5000
SEARCH_LIMIT = 30
_DIGIT_PARAMS = frozenset({"number", "comment_id"})
_SLASHED_PARAMS = frozenset({"ref", "path", "branch", "basehead"})  # may span segments


@dataclass(frozen=True)
class _Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def resource(self) -> str:
        return "search" if self.template.startswith("/search/") else "core"


def _compile(template: str) -> re.Pattern[str]:
    def group(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _DIGIT_PARAMS:
            return f"(?P<{name}>\\d+)"
        return f"(?P<{name}>.+)" if name in _SLASHED_PARAMS else f"(?P<{name}>[^/]+)"

    return re.compile("^" + re.sub(r"\{(\w+)\}", group, template) + "$")


def split_prefix(path: str) -> tuple[str, bool]:
    """The path without an Enterprise ``/api/v3`` prefix, and whether it had one."""
    if path == ENTERPRISE_PREFIX or path.startswith(ENTERPRISE_PREFIX + "/"):
        path = path[len(ENTERPRISE_PREFIX) :]
        enterprise = True
    else:
        enterprise = False
    path = path.rstrip("/") or "/"
    return path, enterprise


def urls_for(public_base: str, *, enterprise: bool) -> Urls:
    """REST and HTML bases as the client sees them."""
    base = public_base.rstrip("/")
    web = base.removesuffix(ENTERPRISE_PREFIX)
    api = base if base.endswith(ENTERPRISE_PREFIX) or not enterprise else base + ENTERPRISE_PREFIX
    return Urls(api=api, web=web)


def etag_of(body: Any) -> str:
    """Strong ETag: a hash of the canonical JSON body (or of the bytes of a download)."""
    if isinstance(body, bytes):
        raw = body
    else:
        raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return f'"{hashlib.sha256(raw).hexdigest()}"'


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def _not_modified_since(header: str | None, last_modified: float | None) -> bool:
    if not header or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    return int(last_modified) <= since.timestamp()


def http_date(instant: float) -> str:
    """RFC 7231 date, as in ``Last-Modified``."""
    return format_datetime(datetime.fromtimestamp(int(instant), UTC), usegmt=True)


class GitHubApp:
    """A stateful GitHub: org ``acme``, repo ``acme/ops``, five assignable collaborators."""

    name = "github"

    def __init__(
        self,
        clock: SimClock,
        *,
        search_lag_seconds: float = 5.0,
        core_limit: int = CORE_LIMIT,
        search_limit: int = SEARCH_LIMIT,
        enforce_rate_limit: bool = False,
        tree_entry_limit: int = TREE_ENTRY_LIMIT,
    ) -> None:
        self.clock = clock
        self.enforce_rate_limit = enforce_rate_limit
        state = seeded_state(
            now=clock.now().timestamp(), core_limit=core_limit, search_limit=search_limit
        )
        self._api = GitHubApi(state, search_lag_seconds=search_lag_seconds)
        self._api.tree_entry_limit = tree_entry_limit
        self._routes = [_Route(m, t, _compile(t), h) for m, t, h in self._api.routes()]
        self._lock = threading.RLock()
        self._served = 0

    @property
    def state(self) -> GitHubState:
        """The live state (for scenario set-up and assertions)."""
        return self._api.state

    @property
    def search_lag_seconds(self) -> float:
        """How far the search index trails writes."""
        return self._api.search_lag_seconds

    # App protocol -----------------------------------------------------------------------

    def route_of(self, req: SandboxRequest) -> str:
        """Route template for accounting, e.g. ``GET /repos/{owner}/{repo}/issues/{number}``."""
        path, _ = split_prefix(req.path)
        found = self._match(req.method, path)
        return found[0].name if found else f"{req.method} (unmatched)"

    def handle(self, req: SandboxRequest, *, public_base: str) -> SandboxResponse:
        """Serve one request; errors come back as GitHub-shaped bodies with the usual headers."""
        with self._lock:
            self._served += 1
            path, enterprise = split_prefix(req.path)
            found = self._match(req.method, path)
            now = self.clock.now().timestamp()
            if found is None:
                return self._finish(req, "core", Reply(404, _not_found_body()), now=now)
            route, params = found
            call = Call(req, urls_for(public_base, enterprise=enterprise), path, params, now)
            return self._finish(req, route.resource, self._run(route, call), now=now)

    def dump_state(self) -> dict[str, Any]:
        """JSON-able state, including rate-limit windows and issue versions."""
        with self._lock:
            return {
                "search_lag_seconds": self._api.search_lag_seconds,
                "enforce_rate_limit": self.enforce_rate_limit,
                "tree_entry_limit": self._api.tree_entry_limit,
                **dump_state(self._api.state),
            }

    def load_state(self, state: dict[str, Any]) -> None:
        """Replace the state with an earlier ``dump_state``."""
        with self._lock:
            self._api.state = load_state(state)
            self._api.search_lag_seconds = float(state.get("search_lag_seconds", 5.0))
            self.enforce_rate_limit = bool(state.get("enforce_rate_limit", False))
            self._api.tree_entry_limit = int(state.get("tree_entry_limit", TREE_ENTRY_LIMIT))

    # optional core hooks ----------------------------------------------------------------

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        """GitHub-shaped body for faults and auth failures injected by the core."""
        return {"message": message, "documentation_url": DOCS, "status": str(status)}

    def allows_anonymous(self, req: SandboxRequest) -> bool:
        """Archive downloads of public repositories need no credentials, as on codeload."""
        path, _ = split_prefix(req.path)
        parts = path.split("/")
        if req.method != "GET" or len(parts) < 4 or "/" + parts[1] != CODELOAD:
            return False
        with self._lock:
            repo = self._api.state.repo(parts[2], parts[3])
        return repo is not None and not repo.private

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Set search_lag_seconds, enforce_rate_limit, core_limit, search_limit or
        tree_entry_limit (entries in a recursive tree before it is ``truncated``)."""
        with self._lock:
            if "search_lag_seconds" in settings:
                self._api.search_lag_seconds = float(settings["search_lag_seconds"])
            if "enforce_rate_limit" in settings:
                self.enforce_rate_limit = bool(settings["enforce_rate_limit"])
            if "tree_entry_limit" in settings:
                self._api.tree_entry_limit = int(settings["tree_entry_limit"])
            for key, resource in (("core_limit", "core"), ("search_limit", "search")):
                if key in settings:
                    self._api.state.rate[resource].limit = int(settings[key])
            limits = {name: w.limit for name, w in self._api.state.rate.items()}
            return {
                "search_lag_seconds": self._api.search_lag_seconds,
                "enforce_rate_limit": self.enforce_rate_limit,
                "tree_entry_limit": self._api.tree_entry_limit,
                "limits": limits,
            }

    # scenario helpers -------------------------------------------------------------------

    def seed_issue(
        self,
        *,
        title: str,
        body: str | None = None,
        user: str = "alice",
        labels: tuple[str, ...] = (),
        assignees: tuple[str, ...] = (),
        state: str = "open",
        at: datetime | None = None,
        repo: str = "acme/ops",
    ) -> int:
        """Create an issue as ``user`` (optionally back-dated to ``at``); returns its number."""
        with self._lock:
            owner, name = repo.split("/", 1)
            found = self._api.state.repo(owner, name)
            if found is None:
                raise KeyError(repo)
            when = (at or self.clock.now()).timestamp()
            w = Writer(self._api.state, found, actor=user, now=when, horizon=when)
            payload = {"title": title, "body": body, "labels": list(labels), "state": state}
            payload["assignees"] = list(assignees)
            return create_issue(w, payload).number

    @contextmanager
    def acting_as(self, login: str) -> Iterator[None]:
        """Changes made meanwhile, through any API, are ``login``'s (its issue events'
        actor), as a person's edits on GitHub's own pages would be."""
        with self._lock:
            previous, self._api.actor = self._api.actor, login
        try:
            yield
        finally:
            with self._lock:
                self._api.actor = previous

    def add_repo(self, full_name: str) -> None:
        """Create ``owner/name`` (idempotent); every person here may be assigned in it."""
        with self._lock:
            state, now = self._api.state, self.clock.now().timestamp()
            owner, _, name = full_name.partition("/")
            if not owner or not name or "/" in name:
                raise ValueError(f"a repository is owner/name, not {full_name!r}")
            if state.repo(owner, name) is not None:
                return
            state.add_user(owner, now=now, kind="Organization")
            people = [u.login for u in state.users.values() if u.type == "User"]
            state.add_repo(owner, name, now=now, collaborators=people)

    def set_token_access(self, full_name: str, access: str) -> None:
        """Let the API token only read ``owner/name`` (``"read"``: its ``permissions`` say so
        and every write there is refused with 403), or write again (``"write"``)."""
        if access not in ("read", "write"):
            raise ValueError(f"access is 'read' or 'write', not {access!r}")
        with self._lock:
            owner, _, name = full_name.partition("/")
            repo = self._api.state.repo(owner, name)
            if repo is None:
                raise ValueError(f"no repository {full_name!r}")
            repo.access = access

    def add_user(self, login: str) -> None:
        """Create a person (idempotent) who may be assigned in every repository."""
        with self._lock:
            state = self._api.state
            user = state.add_user(login, now=self.clock.now().timestamp())
            for repo in state.repos.values():
                if not repo.is_assignable(user.login):
                    repo.collaborators.append(user.login)

    # internals --------------------------------------------------------------------------

    def _match(self, method: str, path: str) -> tuple[_Route, dict[str, str]] | None:
        for route in self._routes:
            if route.method != method.upper():
                continue
            matched = route.pattern.match(path)
            if matched:
                return route, decode_params(matched.groupdict())
        return None

    def _run(self, route: _Route, call: Call) -> Reply:
        window = roll_window(self._api.state.rate[route.resource], call.now)
        downloads = route.template.startswith(CODELOAD)  # served outside the REST API
        if self.enforce_rate_limit and window.used >= window.limit and not downloads:
            return self._limited()
        if call.req.method not in READ_METHODS and self._read_only(call):
            message = "Resource not accessible by personal access token"
            return Reply(403, {"message": message, "documentation_url": DOCS, "status": "403"})
        try:
            return route.handler(call)
        except HttpError as exc:
            return Reply(exc.status, exc.body)

    def _read_only(self, call: Call) -> bool:
        """Whether the call writes to a repository the token may only read."""
        owner, name = call.params.get("owner"), call.params.get("repo")
        repo = self._api.state.repo(owner, name) if owner and name else None
        return repo is not None and repo.access == "read"

    def _limited(self) -> Reply:
        bot = self._api.state.user(BOT_LOGIN)
        message = f"API rate limit exceeded for user ID {bot.id if bot else 1}."
        body = {"message": message, "documentation_url": DOCS, "status": "403"}
        return Reply(403, body, counted=False)

    def _finish(
        self, req: SandboxRequest, resource: str, reply: Reply, *, now: float
    ) -> SandboxResponse:
        headers = self._common_headers(now)
        window = roll_window(self._api.state.rate[resource], now)
        if req.method == "GET" and reply.status == 200:
            headers.update(_validators(reply, now))
            if _not_modified(req, headers, reply):
                headers.update(_rate_headers(resource, window))
                headers.pop("Content-Type", None)  # a 304 has no body (RFC 9110 15.4.5)
                return SandboxResponse(304, None, headers)
        if reply.link:
            headers["Link"] = reply.link
        if reply.headers:
            headers.update(reply.headers)
        if reply.counted:
            window.used += 1
        headers.update(_rate_headers(resource, window))
        return SandboxResponse(reply.status, reply.body, headers)

    def _common_headers(self, now: float) -> dict[str, str]:
        n = self._served
        request_id = (
            f"{n & 0xFFFF:04X}:{(n * 7919) & 0xFFFF:04X}:{n:07X}:{int(now) & 0xFFFFFFF:07X}"
        )
        return {
            "X-GitHub-Request-Id": request_id,
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "Content-Type": "application/json; charset=utf-8",
        }


def _validators(reply: Reply, now: float) -> dict[str, str]:
    modified = reply.last_modified if reply.last_modified is not None else now
    return {"ETag": etag_of(reply.body), "Last-Modified": http_date(modified)}


def _not_modified(req: SandboxRequest, headers: dict[str, str], reply: Reply) -> bool:
    if_none_match = req.headers.get("if-none-match")
    if if_none_match:
        return _etag_matches(if_none_match, headers["ETag"])
    return _not_modified_since(req.headers.get("if-modified-since"), reply.last_modified)


def _rate_headers(resource: str, window: RateWindow) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(window.limit),
        "X-RateLimit-Remaining": str(max(window.limit - window.used, 0)),
        "X-RateLimit-Reset": str(window.reset),
        "X-RateLimit-Used": str(window.used),
        "X-RateLimit-Resource": resource,
    }


def _not_found_body() -> dict[str, str]:
    return {"message": "Not Found", "documentation_url": DOCS, "status": "404"}
