"""JSON shapes of the simulated GitHub in the sandbox, following the official REST description.

Pure functions from ``github_state`` records to response bodies (``simple-user``,
``full-repository``, ``issue``, ``issue-comment``, ``label``, ``milestone``). Every absolute URL
is built from ``Urls`` so clients behind a proxy or an Enterprise prefix follow them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from followthrough.sandbox.github_state import (
    BOT_LOGIN,
    Comment,
    GitHubState,
    Issue,
    Label,
    Milestone,
    Repo,
    User,
    node_id,
)

DOCS = "https://docs.github.com/rest"

_REPO_LINKS: tuple[tuple[str, str], ...] = (
    ("archive_url", "/{archive_format}{/ref}"),
    ("assignees_url", "/assignees{/user}"),
    ("blobs_url", "/git/blobs{/sha}"),
    ("branches_url", "/branches{/branch}"),
    ("collaborators_url", "/collaborators{/collaborator}"),
    ("comments_url", "/comments{/number}"),
    ("commits_url", "/commits{/sha}"),
    ("compare_url", "/compare/{base}...{head}"),
    ("contents_url", "/contents/{+path}"),
    ("contributors_url", "/contributors"),
    ("deployments_url", "/deployments"),
    ("downloads_url", "/downloads"),
    ("events_url", "/events"),
    ("forks_url", "/forks"),
    ("git_commits_url", "/git/commits{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"),
    ("git_tags_url", "/git/tags{/sha}"),
    ("hooks_url", "/hooks"),
    ("issue_comment_url", "/issues/comments{/number}"),
    ("issue_events_url", "/issues/events{/number}"),
    ("issues_url", "/issues{/number}"),
    ("keys_url", "/keys{/key_id}"),
    ("labels_url", "/labels{/name}"),
    ("languages_url", "/languages"),
    ("merges_url", "/merges"),
    ("milestones_url", "/milestones{/number}"),
    ("notifications_url", "/notifications{?since,all,participating}"),
    ("pulls_url", "/pulls{/number}"),
    ("releases_url", "/releases{/id}"),
    ("stargazers_url", "/stargazers"),
    ("statuses_url", "/statuses/{sha}"),
    ("subscribers_url", "/subscribers"),
    ("subscription_url", "/subscription"),
    ("tags_url", "/tags"),
    ("teams_url", "/teams"),
    ("trees_url", "/git/trees{/sha}"),
)

_SEARCH = "{&page,per_page,sort,order}"
_ROOT_LINKS: tuple[tuple[str, str], ...] = (
    ("current_user_url", "/user"),
    ("authorizations_url", "/authorizations"),
    ("code_search_url", "/search/code?q={query}" + _SEARCH),
    ("commit_search_url", "/search/commits?q={query}" + _SEARCH),
    ("emails_url", "/user/emails"),
    ("emojis_url", "/emojis"),
    ("events_url", "/events"),
    ("feeds_url", "/feeds"),
    ("followers_url", "/user/followers"),
    ("following_url", "/user/following{/target}"),
    ("gists_url", "/gists{/gist_id}"),
    ("hub_url", "/hub"),
    ("issue_search_url", "/search/issues?q={query}" + _SEARCH),
    ("issues_url", "/issues"),
    ("keys_url", "/user/keys"),
    ("label_search_url", "/search/labels?q={query}&repository_id={repository_id}{&page,per_page}"),
    ("notifications_url", "/notifications"),
    ("organization_url", "/orgs/{org}"),
    ("organization_repositories_url", "/orgs/{org}/repos{?type,page,per_page,sort}"),
    ("organization_teams_url", "/orgs/{org}/teams"),
    ("public_gists_url", "/gists/public"),
    ("rate_limit_url", "/rate_limit"),
    ("repository_url", "/repos/{owner}/{repo}"),
    ("repository_search_url", "/search/repositories?q={query}" + _SEARCH),
    ("current_user_repositories_url", "/user/repos{?type,page,per_page,sort}"),
    ("starred_url", "/user/starred{/owner}{/repo}"),
    ("starred_gists_url", "/gists/starred"),
    ("topic_search_url", "/search/topics?q={query}{&page,per_page}"),
    ("user_url", "/users/{user}"),
    ("user_organizations_url", "/user/orgs"),
    ("user_repositories_url", "/users/{user}/repos{?type,page,per_page,sort}"),
    ("user_search_url", "/search/users?q={query}" + _SEARCH),
)


@dataclass(frozen=True)
class Urls:
    """``api``: base of REST URLs (may end in ``/api/v3``); ``web``: base of HTML URLs."""

    api: str
    web: str

    def repo(self, repo: Repo) -> str:
        """REST URL of a repository."""
        return f"{self.api}/repos/{repo.owner}/{repo.name}"


def iso(instant: float | None) -> str | None:
    """``2024-05-01T10:00:00Z`` or None."""
    if instant is None:
        return None
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_required(instant: float) -> str:
    """``iso`` for a timestamp that is always set."""
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def simple_user(urls: Urls, user: User) -> dict[str, Any]:
    """The ``simple-user`` schema."""
    base = f"{urls.api}/users/{user.login}"
    kind = "Organization" if user.type == "Organization" else "User"
    return {
        "login": user.login,
        "id": user.id,
        "node_id": node_id(kind, user.id),
        "avatar_url": f"{urls.web}/avatars/u/{user.id}?v=4",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{urls.web}/{user.login}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": user.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def public_user(urls: Urls, user: User, *, public_repos: int) -> dict[str, Any]:
    """The ``public-user`` schema (``GET /users/{login}``)."""
    return {
        **simple_user(urls, user),
        "name": user.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": iso_required(user.created_at),
        "updated_at": iso_required(user.created_at),
    }


def organization(urls: Urls, org: User, *, public_repos: int) -> dict[str, Any]:
    """The ``organization-full`` schema (``GET /orgs/{org}``)."""
    base = f"{urls.api}/orgs/{org.login}"
    return {
        "login": org.login,
        "id": org.id,
        "node_id": node_id("Organization", org.id),
        "url": base,
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events",
        "hooks_url": f"{base}/hooks",
        "issues_url": f"{base}/issues",
        "members_url": f"{base}/members{{/member}}",
        "public_members_url": f"{base}/public_members{{/member}}",
        "avatar_url": f"{urls.web}/avatars/u/{org.id}?v=4",
        "description": None,
        "name": org.name,
        "html_url": f"{urls.web}/{org.login}",
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "type": "Organization",
        "created_at": iso_required(org.created_at),
        "updated_at": iso_required(org.created_at),
        "archived_at": None,
    }


def private_user(urls: Urls, user: User) -> dict[str, Any]:
    """The ``private-user`` schema (``GET /user``)."""
    return {
        **public_user(urls, user, public_repos=0),
        "user_view_type": "private",
        "private_gists": 0,
        "total_private_repos": 0,
        "owned_private_repos": 0,
        "disk_usage": 0,
        "collaborators": 0,
        "two_factor_authentication": True,
        "plan": {"name": "free", "space": 976562499, "private_repos": 10000, "collaborators": 0},
    }


def _user_or_none(urls: Urls, state: GitHubState, login: str | None) -> dict[str, Any] | None:
    user = state.user(login) if login else None
    return simple_user(urls, user) if user is not None else None


def _user(urls: Urls, state: GitHubState, login: str) -> dict[str, Any]:
    user = state.user(login)
    if user is None:
        user = User(login=login, id=0, created_at=0.0)
    return simple_user(urls, user)


def repository(urls: Urls, state: GitHubState, repo: Repo) -> dict[str, Any]:
    """The ``full-repository`` schema."""
    api = urls.repo(repo)
    open_count = sum(1 for i in repo.current_issues() if i.state == "open")
    return {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": _user(urls, state, repo.owner),
        "private": repo.private,
        "html_url": f"{urls.web}/{repo.full_name}",
        "description": repo.description,
        "fork": False,
        "url": api,
        **_repo_link_templates(api),
        "git_url": f"git://{_host(urls.web)}/{repo.full_name}.git",
        "ssh_url": f"git@{_host(urls.web)}:{repo.full_name}.git",
        "clone_url": f"{urls.web}/{repo.full_name}.git",
        "svn_url": f"{urls.web}/{repo.full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        **_repo_counts(open_count),
        **_repo_flags(repo),
        "pushed_at": iso_required(repo.pushed_at or repo.created_at),
        "created_at": iso_required(repo.created_at),
        "updated_at": iso_required(repo.created_at),
        "permissions": {
            "admin": False,
            "maintain": False,
            "push": repo.access == "write",
            "triage": repo.access == "write",
            "pull": True,
        },
        "license": None,
        "organization": _user_or_none(urls, state, repo.owner),
        "network_count": 0,
        "subscribers_count": len(repo.collaborators),
    }


def _host(web: str) -> str:
    return web.split("://", 1)[-1]


def _repo_link_templates(api: str) -> dict[str, str]:
    return {key: api + suffix for key, suffix in _REPO_LINKS}


def _repo_counts(open_count: int) -> dict[str, int]:
    return {
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "open_issues_count": open_count,
        "open_issues": open_count,
    }


def _repo_flags(repo: Repo) -> dict[str, Any]:
    return {
        "default_branch": repo.default_branch,
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "private" if repo.private else "public",
        "allow_forking": True,
        "web_commit_signoff_required": False,
    }


def label(urls: Urls, repo: Repo, lb: Label) -> dict[str, Any]:
    """The ``label`` schema."""
    return {
        "id": lb.id,
        "node_id": node_id("Label", lb.id),
        "url": f"{urls.repo(repo)}/labels/{quote(lb.name, safe='')}",
        "name": lb.name,
        "color": lb.color,
        "default": lb.default,
        "description": lb.description,
    }


def milestone(urls: Urls, state: GitHubState, repo: Repo, ms: Milestone) -> dict[str, Any]:
    """The ``milestone`` schema, with live issue counts."""
    issues = [i for i in repo.current_issues() if i.milestone == ms.number]
    api = f"{urls.repo(repo)}/milestones/{ms.number}"
    return {
        "url": api,
        "html_url": f"{urls.web}/{repo.full_name}/milestone/{ms.number}",
        "labels_url": f"{api}/labels",
        "id": ms.id,
        "node_id": node_id("Milestone", ms.id),
        "number": ms.number,
        "state": ms.state,
        "title": ms.title,
        "description": ms.description,
        "creator": _user_or_none(urls, state, ms.creator),
        "open_issues": sum(1 for i in issues if i.state == "open"),
        "closed_issues": sum(1 for i in issues if i.state == "closed"),
        "created_at": iso_required(ms.created_at),
        "updated_at": iso_required(ms.updated_at),
        "closed_at": iso(ms.closed_at),
        "due_on": ms.due_on,
    }


def reactions(url: str) -> dict[str, Any]:
    """An empty ``reaction-rollup``."""
    kinds = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")
    return {"url": url, "total_count": 0, **dict.fromkeys(kinds, 0)}


def association(repo: Repo, login: str) -> str:
    """``author_association`` of ``login`` in ``repo``."""
    if login.casefold() == repo.owner.casefold():
        return "OWNER"
    return "COLLABORATOR" if repo.is_assignable(login) else "NONE"


def issue(urls: Urls, state: GitHubState, repo: Repo, item: Issue) -> dict[str, Any]:
    """The ``issue`` schema (no ``pull_request`` key: these are never pull requests)."""
    api = f"{urls.repo(repo)}/issues/{item.number}"
    assignees = [_user(urls, state, login) for login in item.assignees]
    ms = repo.milestones.get(item.milestone) if item.milestone is not None else None
    return {
        "id": item.id,
        "node_id": node_id("Issue", item.id),
        "url": api,
        "repository_url": urls.repo(repo),
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{urls.web}/{repo.full_name}/issues/{item.number}",
        "number": item.number,
        "state": item.state,
        "state_reason": item.state_reason,
        "title": item.title,
        "body": item.body,
        "user": _user(urls, state, item.user),
        "labels": [label(urls, repo, repo.labels[i]) for i in item.labels if i in repo.labels],
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": milestone(urls, state, repo, ms) if ms is not None else None,
        **_issue_tail(urls, state, repo, item, api),
    }


def _issue_tail(
    urls: Urls, state: GitHubState, repo: Repo, item: Issue, api: str
) -> dict[str, Any]:
    return {
        "locked": item.locked,
        "active_lock_reason": None,
        "comments": item.comments,
        "created_at": iso_required(item.created_at),
        "updated_at": iso_required(item.updated_at),
        "closed_at": iso(item.closed_at),
        "closed_by": _user_or_none(urls, state, item.closed_by),
        "author_association": association(repo, item.user),
        "reactions": reactions(f"{api}/reactions"),
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": None,
    }


def search_item(urls: Urls, state: GitHubState, repo: Repo, item: Issue) -> dict[str, Any]:
    """The ``issue-search-result-item`` schema."""
    return {**issue(urls, state, repo, item), "score": 1.0}


def comment(urls: Urls, state: GitHubState, repo: Repo, item: Comment) -> dict[str, Any]:
    """The ``issue-comment`` schema."""
    api = f"{urls.repo(repo)}/issues/comments/{item.id}"
    html = f"{urls.web}/{repo.full_name}/issues/{item.issue_number}"
    return {
        "id": item.id,
        "node_id": node_id("IssueComment", item.id),
        "url": api,
        "html_url": f"{html}#issuecomment-{item.id}",
        "body": item.body,
        "user": _user(urls, state, item.user),
        "created_at": iso_required(item.created_at),
        "updated_at": iso_required(item.updated_at),
        "issue_url": f"{urls.repo(repo)}/issues/{item.issue_number}",
        "author_association": association(repo, item.user),
        "reactions": reactions(f"{api}/reactions"),
        "performed_via_github_app": None,
    }


def root(urls: Urls) -> dict[str, str]:
    """``GET /``: the hypermedia index (REST links on ``api``, HTML links on ``web``)."""
    links = {key: urls.api + suffix for key, suffix in _ROOT_LINKS}
    links["current_user_authorizations_html_url"] = (
        f"{urls.web}/settings/connections/applications{{/client_id}}"
    )
    return links


def bot(state: GitHubState) -> User:
    """The authenticated account."""
    user = state.user(BOT_LOGIN)
    assert user is not None
    return user
