"""Route handlers of the simulated GitHub in the sandbox: one method per REST endpoint.

``GitHubApi`` turns a parsed ``Call`` into a ``Reply`` (status, JSON body, optional ``Link``
and ``Last-Modified``); ``github.py`` wraps it with routing, rate limits and ETags.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote

from followthrough.sandbox import github_issues as ops
from followthrough.sandbox import github_render as render
from followthrough.sandbox.core import HttpError
from followthrough.sandbox.github_call import Call, Handler, Reply
from followthrough.sandbox.github_contents import ContentsApi
from followthrough.sandbox.github_events import event_json
from followthrough.sandbox.github_git_api import GitDataApi
from followthrough.sandbox.github_pulls import PullsApi
from followthrough.sandbox.github_query import (
    Page,
    QueryError,
    Snapshot,
    comments_since,
    filter_issues,
    first,
    link_header,
    parse_search,
    sort_hits,
)
from followthrough.sandbox.github_render import DOCS
from followthrough.sandbox.github_state import (
    BOT_LOGIN,
    Comment,
    GitHubState,
    Issue,
    Label,
    RateWindow,
    Repo,
    roll_window,
    version_at,
)

T = TypeVar("T")
SEARCH_RESULT_CAP = 1000


class GitHubApi(GitDataApi, ContentsApi, PullsApi):
    """Endpoint behaviour over a ``GitHubState``."""

    def __init__(self, state: GitHubState, *, search_lag_seconds: float) -> None:
        self.state = state
        self.search_lag_seconds = search_lag_seconds
        self.actor = BOT_LOGIN  # who the API's writes are made by (a scenario may act as a person)

    def routes(self) -> list[tuple[str, str, Handler]]:
        """(method, template, handler); ``{number}``-like names match digits only."""
        r = "/repos/{owner}/{repo}"
        i = f"{r}/issues/{{number}}"
        return [
            ("GET", "/", self.get_root),
            ("GET", "/user", self.get_user),
            ("GET", "/users/{login}", self.get_named_user),
            ("GET", "/orgs/{org}", self.get_org),
            ("GET", "/rate_limit", self.get_rate_limit),
            ("GET", r, self.get_repo),
            ("GET", f"{r}/issues", self.list_issues),
            ("POST", f"{r}/issues", self.create_issue),
            ("GET", f"{r}/issues/events", self.list_repo_events),
            ("GET", f"{r}/issues/comments", self.list_repo_comments),
            ("GET", f"{r}/issues/comments/{{comment_id}}", self.get_comment),
            ("PATCH", f"{r}/issues/comments/{{comment_id}}", self.edit_comment),
            ("DELETE", f"{r}/issues/comments/{{comment_id}}", self.delete_comment),
            ("GET", i, self.get_issue),
            ("PATCH", i, self.edit_issue),
            ("GET", f"{i}/labels", self.list_issue_labels),
            ("POST", f"{i}/labels", self.add_issue_labels),
            ("PUT", f"{i}/labels", self.set_issue_labels),
            ("DELETE", f"{i}/labels", self.clear_issue_labels),
            ("DELETE", f"{i}/labels/{{name}}", self.remove_issue_label),
            ("POST", f"{i}/assignees", self.add_issue_assignees),
            ("DELETE", f"{i}/assignees", self.remove_issue_assignees),
            ("GET", f"{i}/events", self.list_issue_events),
            ("GET", f"{i}/comments", self.list_comments),
            ("POST", f"{i}/comments", self.create_comment),
            ("GET", f"{r}/labels", self.list_labels),
            ("POST", f"{r}/labels", self.create_label),
            ("GET", f"{r}/labels/{{name}}", self.get_label),
            ("PATCH", f"{r}/labels/{{name}}", self.edit_label),
            ("DELETE", f"{r}/labels/{{name}}", self.delete_label),
            ("GET", f"{r}/assignees", self.list_assignees),
            ("GET", f"{r}/assignees/{{login}}", self.check_assignee),
            ("GET", f"{r}/milestones", self.list_milestones),
            ("POST", f"{r}/milestones", self.create_milestone),
            ("GET", f"{r}/milestones/{{number}}", self.get_milestone),
            ("GET", "/search/issues", self.search_issues),
            *self.git_routes(),
            *self.contents_routes(),
            *self.pull_routes(),
        ]

    # helpers ------------------------------------------------------------------------------

    def _repo(self, call: Call) -> Repo:
        repo = self.state.repo(call.params["owner"], call.params["repo"])
        if repo is None:
            raise ops.not_found()
        return repo

    def _issue(self, call: Call) -> tuple[Repo, Issue]:
        repo = self._repo(call)
        issue = repo.issue(call.int_param("number"))
        if issue is None:
            raise ops.not_found()
        return repo, issue

    def _label(self, call: Call) -> tuple[Repo, Label]:
        repo = self._repo(call)
        found = repo.label_named(call.params["name"])
        if found is None:
            raise ops.not_found()
        return repo, found

    def _comment(self, call: Call) -> tuple[Repo, Comment]:
        repo = self._repo(call)
        found = repo.comments.get(call.int_param("comment_id"))
        if found is None:
            raise ops.not_found()
        return repo, found

    def writer(self, repo: Repo, *, now: float, actor: str | None = None) -> ops.Writer:
        """A writer acting as ``actor`` (else the API's current actor) at ``now``."""
        horizon = now - self.search_lag_seconds
        who = actor or self.actor
        return ops.Writer(self.state, repo, actor=who, now=now, horizon=horizon)

    @staticmethod
    def _paged(call: Call, items: Sequence[T], draw: Callable[[T], Any]) -> Reply:
        page = Page.from_query(call.req.query)
        body = [draw(item) for item in page.slice(items)]
        url = call.urls.api + call.path
        return Reply(
            body=body, link=link_header(url=url, query=call.req.query, page=page, total=len(items))
        )

    def _issue_json(self, call: Call, repo: Repo, issue: Issue) -> dict[str, Any]:
        return render.issue(call.urls, self.state, repo, issue)

    # accounts and repository --------------------------------------------------------------

    def get_root(self, call: Call) -> Reply:
        """``GET /``."""
        return Reply(body=render.root(call.urls))

    def get_user(self, call: Call) -> Reply:
        """``GET /user``: the authenticated account."""
        return Reply(body=render.private_user(call.urls, render.bot(self.state)))

    def get_rate_limit(self, call: Call) -> Reply:
        """``GET /rate_limit``; does not count against the limit itself."""
        windows = {name: roll_window(w, call.now) for name, w in self.state.rate.items()}
        resources = {name: rate_body(w) for name, w in windows.items()}
        return Reply(body={"resources": resources, "rate": resources["core"]}, counted=False)

    def get_named_user(self, call: Call) -> Reply:
        """``GET /users/{login}``."""
        user = self.state.user(call.params["login"])
        if user is None:
            raise ops.not_found()
        owned = sum(1 for r in self.state.repos.values() if r.owner == user.login)
        return Reply(body=render.public_user(call.urls, user, public_repos=owned))

    def get_org(self, call: Call) -> Reply:
        """``GET /orgs/{org}``."""
        org = self.state.user(call.params["org"])
        if org is None or org.type != "Organization":
            raise ops.not_found()
        owned = sum(1 for r in self.state.repos.values() if r.owner == org.login)
        return Reply(body=render.organization(call.urls, org, public_repos=owned))

    def get_repo(self, call: Call) -> Reply:
        """``GET /repos/{owner}/{repo}``."""
        repo = self._repo(call)
        return Reply(
            body=render.repository(call.urls, self.state, repo), last_modified=repo.created_at
        )

    def list_assignees(self, call: Call) -> Reply:
        """``GET /repos/{o}/{r}/assignees``."""
        repo = self._repo(call)
        users = [u for u in (self.state.user(c) for c in repo.collaborators) if u is not None]
        return self._paged(call, users, lambda u: render.simple_user(call.urls, u))

    def check_assignee(self, call: Call) -> Reply:
        """``GET /repos/{o}/{r}/assignees/{login}``: 204 when assignable, else 404."""
        if not self._repo(call).is_assignable(call.params["login"]):
            raise ops.not_found()
        return Reply(status=204)

    # issues -------------------------------------------------------------------------------

    def list_issues(self, call: Call) -> Reply:
        """``GET /repos/{o}/{r}/issues`` with filters and pagination."""
        repo = self._repo(call)
        try:
            found = filter_issues(repo, call.req.query)
        except QueryError as exc:
            raise ops.validation_failed("Issue", exc.field) from exc
        reply = self._paged(call, found, lambda i: self._issue_json(call, repo, i))
        reply.last_modified = max((i.updated_at for i in found), default=repo.created_at)
        return reply

    def create_issue(self, call: Call) -> Reply:
        """``POST /repos/{o}/{r}/issues``."""
        repo = self._repo(call)
        issue = ops.create_issue(self.writer(repo, now=call.now), call.obj())
        return Reply(status=201, body=self._issue_json(call, repo, issue))

    def get_issue(self, call: Call) -> Reply:
        """``GET /repos/{o}/{r}/issues/{n}``."""
        repo, issue = self._issue(call)
        return Reply(body=self._issue_json(call, repo, issue), last_modified=issue.updated_at)

    def edit_issue(self, call: Call) -> Reply:
        """``PATCH /repos/{o}/{r}/issues/{n}``."""
        repo, issue = self._issue(call)
        edited = ops.edit_issue(self.writer(repo, now=call.now), issue, call.obj())
        return Reply(body=self._issue_json(call, repo, edited))

    def add_issue_assignees(self, call: Call) -> Reply:
        """``POST .../issues/{n}/assignees`` with ``{"assignees": [...]}``."""
        repo, issue = self._issue(call)
        logins = self._assignee_list(repo, call.obj())
        merged = {"assignees": [*issue.assignees, *logins]}
        edited = ops.edit_issue(self.writer(repo, now=call.now), issue, merged)
        return Reply(status=201, body=self._issue_json(call, repo, edited))

    def remove_issue_assignees(self, call: Call) -> Reply:
        """``DELETE .../issues/{n}/assignees`` with ``{"assignees": [...]}``."""
        repo, issue = self._issue(call)
        drop = {str(a).casefold() for a in call.obj().get("assignees") or []}
        kept = {"assignees": [a for a in issue.assignees if a.casefold() not in drop]}
        edited = ops.edit_issue(self.writer(repo, now=call.now), issue, kept)
        return Reply(body=self._issue_json(call, repo, edited))

    @staticmethod
    def _assignee_list(repo: Repo, payload: dict[str, Any]) -> list[str]:
        raw = payload.get("assignees") or []
        if not isinstance(raw, list):
            raise ops.invalid_request("For 'properties/assignees', the value is not an array.")
        return [ops.assignable(repo, login, field="assignees") for login in raw]

    # issue labels -------------------------------------------------------------------------

    def _labels_of(self, call: Call, repo: Repo, issue: Issue) -> list[dict[str, Any]]:
        return [
            render.label(call.urls, repo, repo.labels[i]) for i in issue.labels if i in repo.labels
        ]

    def list_issue_labels(self, call: Call) -> Reply:
        """``GET .../issues/{n}/labels``."""
        repo, issue = self._issue(call)
        labels = [repo.labels[i] for i in issue.labels if i in repo.labels]
        return self._paged(call, labels, lambda lb: render.label(call.urls, repo, lb))

    def add_issue_labels(self, call: Call) -> Reply:
        """``POST .../issues/{n}/labels``: ``{"labels": [...]}`` or a bare array."""
        repo, issue = self._issue(call)
        w = self.writer(repo, now=call.now)
        added = ops.resolve_labels(w, call.payload())
        edited = ops.set_issue_labels(w, issue, (*issue.labels, *added))
        return Reply(body=self._labels_of(call, repo, edited))

    def set_issue_labels(self, call: Call) -> Reply:
        """``PUT .../issues/{n}/labels``: replace all labels."""
        repo, issue = self._issue(call)
        w = self.writer(repo, now=call.now)
        payload = call.payload()
        edited = ops.set_issue_labels(
            w, issue, ops.resolve_labels(w, [] if payload is None else payload)
        )
        return Reply(body=self._labels_of(call, repo, edited))

    def clear_issue_labels(self, call: Call) -> Reply:
        """``DELETE .../issues/{n}/labels``."""
        repo, issue = self._issue(call)
        ops.set_issue_labels(self.writer(repo, now=call.now), issue, ())
        return Reply(status=204)

    def remove_issue_label(self, call: Call) -> Reply:
        """``DELETE .../issues/{n}/labels/{name}``: the remaining labels, or 404."""
        repo, issue = self._issue(call)
        found = repo.label_named(call.params["name"])
        if found is None or found.id not in issue.labels:
            raise ops.not_found("Label does not exist")
        kept = tuple(i for i in issue.labels if i != found.id)
        edited = ops.set_issue_labels(self.writer(repo, now=call.now), issue, kept)
        return Reply(body=self._labels_of(call, repo, edited))

    # issue events -------------------------------------------------------------------------

    def list_repo_events(self, call: Call) -> Reply:
        """``GET .../issues/events``: the repository's issue events, newest first, paged."""
        repo = self._repo(call)
        newest = sorted(repo.events, key=lambda e: e.id, reverse=True)
        return self._paged(
            call, newest, lambda e: event_json(call.urls, self.state, repo, e, with_issue=True)
        )

    def list_issue_events(self, call: Call) -> Reply:
        """``GET .../issues/{n}/events``: one issue's events, oldest first, paged."""
        repo, issue = self._issue(call)
        mine = [e for e in repo.events if e.issue_number == issue.number]
        return self._paged(
            call, mine, lambda e: event_json(call.urls, self.state, repo, e, with_issue=False)
        )

    # comments -----------------------------------------------------------------------------

    def list_comments(self, call: Call) -> Reply:
        """``GET .../issues/{n}/comments`` with ``since`` and pagination."""
        repo, issue = self._issue(call)
        mine = [c for c in repo.comments.values() if c.issue_number == issue.number]
        try:
            found = comments_since(mine, first(call.req.query, "since"))
        except QueryError as exc:
            raise ops.validation_failed("IssueComment", exc.field) from exc
        reply = self._paged(call, found, lambda c: render.comment(call.urls, self.state, repo, c))
        reply.last_modified = max((c.updated_at for c in found), default=issue.created_at)
        return reply

    def list_repo_comments(self, call: Call) -> Reply:
        """``GET .../issues/comments``: every issue's comments, with ``since``, ``sort``
        (created, updated), ``direction`` (ignored without ``sort``) and pagination."""
        repo = self._repo(call)
        try:
            found = comments_since(list(repo.comments.values()), first(call.req.query, "since"))
        except QueryError as exc:
            raise ops.validation_failed("IssueComment", exc.field) from exc
        order = first(call.req.query, "sort")
        if order in ("created", "updated"):
            descending = first(call.req.query, "direction") == "desc"
            found.sort(key=lambda c: (getattr(c, f"{order}_at"), c.id), reverse=descending)
        reply = self._paged(call, found, lambda c: render.comment(call.urls, self.state, repo, c))
        reply.last_modified = max((c.updated_at for c in found), default=repo.created_at)
        return reply

    def create_comment(self, call: Call) -> Reply:
        """``POST .../issues/{n}/comments``."""
        repo, issue = self._issue(call)
        created = ops.add_comment(self.writer(repo, now=call.now), issue, call.obj())
        return Reply(status=201, body=render.comment(call.urls, self.state, repo, created))

    def get_comment(self, call: Call) -> Reply:
        """``GET .../issues/comments/{id}``."""
        repo, found = self._comment(call)
        body = render.comment(call.urls, self.state, repo, found)
        return Reply(body=body, last_modified=found.updated_at)

    def edit_comment(self, call: Call) -> Reply:
        """``PATCH .../issues/comments/{id}``."""
        repo, found = self._comment(call)
        edited = ops.edit_comment(self.writer(repo, now=call.now), found, call.obj())
        return Reply(body=render.comment(call.urls, self.state, repo, edited))

    def delete_comment(self, call: Call) -> Reply:
        """``DELETE .../issues/comments/{id}``."""
        repo, found = self._comment(call)
        ops.delete_comment(self.writer(repo, now=call.now), found)
        return Reply(status=204)

    # repository labels and milestones -----------------------------------------------------

    def list_labels(self, call: Call) -> Reply:
        """``GET /repos/{o}/{r}/labels``."""
        repo = self._repo(call)
        labels = sorted(repo.labels.values(), key=lambda lb: lb.name.casefold())
        return self._paged(call, labels, lambda lb: render.label(call.urls, repo, lb))

    def create_label(self, call: Call) -> Reply:
        """``POST /repos/{o}/{r}/labels``."""
        repo = self._repo(call)
        created = ops.create_label(self.state, repo, call.obj())
        return Reply(status=201, body=render.label(call.urls, repo, created))

    def get_label(self, call: Call) -> Reply:
        """``GET /repos/{o}/{r}/labels/{name}``."""
        repo, found = self._label(call)
        return Reply(body=render.label(call.urls, repo, found))

    def edit_label(self, call: Call) -> Reply:
        """``PATCH /repos/{o}/{r}/labels/{name}``."""
        repo, found = self._label(call)
        edited = ops.edit_label(repo, found, call.obj())
        return Reply(body=render.label(call.urls, repo, edited))

    def delete_label(self, call: Call) -> Reply:
        """``DELETE /repos/{o}/{r}/labels/{name}``; issues lose it too."""
        repo, found = self._label(call)
        del repo.labels[found.id]
        return Reply(status=204)

    def list_milestones(self, call: Call) -> Reply:
        """``GET /repos/{o}/{r}/milestones`` (``state`` open by default)."""
        repo = self._repo(call)
        wanted = first(call.req.query, "state") or "open"
        found = [m for _, m in sorted(repo.milestones.items()) if wanted in {"all", m.state}]
        return self._paged(call, found, lambda m: render.milestone(call.urls, self.state, repo, m))

    def create_milestone(self, call: Call) -> Reply:
        """``POST /repos/{o}/{r}/milestones``."""
        repo = self._repo(call)
        created = ops.create_milestone(self.writer(repo, now=call.now), call.obj())
        return Reply(status=201, body=render.milestone(call.urls, self.state, repo, created))

    def get_milestone(self, call: Call) -> Reply:
        """``GET /repos/{o}/{r}/milestones/{number}``."""
        repo = self._repo(call)
        found = repo.milestones.get(call.int_param("number"))
        if found is None:
            raise ops.not_found()
        return Reply(body=render.milestone(call.urls, self.state, repo, found))

    # search -------------------------------------------------------------------------------

    def search_issues(self, call: Call) -> Reply:
        """``GET /search/issues``: the index lags ``search_lag_seconds`` behind writes."""
        q = first(call.req.query, "q")
        if not q or not q.strip():
            raise ops.validation_failed("Search", "q", code="missing")
        try:
            parsed = parse_search(q)
        except QueryError as exc:
            raise ops.validation_failed("Search", "q") from exc
        self._check_searchable(parsed.repos)
        indexed = self._indexed(
            call.now - self.search_lag_seconds, comments="comments" in parsed.fields
        )
        hits = [snap for snap in indexed if parsed.matches(snap)]
        hits = sort_hits(
            hits, sort=first(call.req.query, "sort"), order=first(call.req.query, "order")
        )
        reply = self._paged(call, hits[:SEARCH_RESULT_CAP], self._search_item(call))
        reply.body = {
            "total_count": len(hits),
            "incomplete_results": False,
            "items": reply.body,
            "search_type": "lexical",
        }
        return reply

    def _search_item(self, call: Call) -> Callable[[Snapshot], dict[str, Any]]:
        return lambda snap: render.search_item(call.urls, self.state, snap.repo, snap.issue)

    def _check_searchable(self, repos: list[str]) -> None:
        missing = [name for name in repos if name not in self.state.repos]
        if missing:
            message = (
                "The listed users and repositories cannot be searched either because the "
                "resources do not exist or you do not have permission to view them."
            )
            error = {"message": message, "resource": "Search", "field": "q", "code": "invalid"}
            body = {
                "message": "Validation Failed",
                "errors": [error],
                "documentation_url": DOCS,
                "status": "422",
            }
            raise HttpError(422, body)

    def _indexed(self, cutoff: float, *, comments: bool) -> list[Snapshot]:
        snaps: list[Snapshot] = []
        for repo in self.state.repos.values():
            for versions in repo.issues.values():
                seen = version_at(versions, cutoff)
                if seen is None:
                    continue
                bodies = self._comment_bodies(repo, seen.number, cutoff) if comments else ()
                snaps.append(Snapshot(repo=repo, issue=seen, comment_bodies=bodies))
        return snaps

    @staticmethod
    def _comment_bodies(repo: Repo, number: int, cutoff: float) -> tuple[str, ...]:
        return tuple(
            c.body
            for c in repo.comments.values()
            if c.issue_number == number and c.created_at <= cutoff
        )


def decode_params(params: dict[str, str]) -> dict[str, str]:
    """URL-decode path parameters (label names may be percent-encoded)."""
    return {key: unquote(value) for key, value in params.items()}


def rate_body(window: RateWindow) -> dict[str, int]:
    """The ``rate-limit`` schema for one window."""
    remaining = max(window.limit - window.used, 0)
    return {
        "limit": window.limit,
        "used": window.used,
        "remaining": remaining,
        "reset": window.reset,
    }
