"""Pull requests and comparisons of the simulated GitHub in the sandbox.

``PullsApi`` is mixed into ``GitHubApi``. A pull request joins two branches of one repository;
it is mergeable while a file-level three-way merge of base and head has no conflict. Merging
(``merge`` or ``squash``) commits onto the base branch; a pull request that cannot be merged
gets GitHub's 405, a stale ``sha`` its 409. Pull requests take numbers from the issue sequence
but, unlike on GitHub, are not listed among the issues.
"""

from __future__ import annotations

from typing import Any

from followthrough.sandbox import github_git_render as git_render
from followthrough.sandbox import github_issues as ops
from followthrough.sandbox import github_render as render
from followthrough.sandbox.core import HttpError
from followthrough.sandbox.github_call import Call, Handler, Reply
from followthrough.sandbox.github_git_api import (
    RepoLookup,
    commit_files,
    empty_repository,
    error,
    file_changes,
)
from followthrough.sandbox.github_query import Page, link_header
from followthrough.sandbox.github_render import DOCS, Urls, iso, iso_required
from followthrough.sandbox.github_repos import Files, merge_files
from followthrough.sandbox.github_state import BOT_LOGIN, GitHubState, Pull, Repo, node_id

MERGE_METHODS = frozenset({"merge", "squash"})


def _head_sha(repo: Repo, pull: Pull) -> str:
    return pull.head_sha or repo.git.branch(pull.head) or ""


def _merged_files(repo: Repo, pull: Pull) -> Files | None:
    """The base branch with the head merged in, or None on a conflict (or a missing branch)."""
    git = repo.git
    base, head = git.branch(pull.base), git.branch(pull.head)
    if base is None or head is None:
        return None
    common = git.merge_base(base, head)
    base_commit, head_commit = git.commit(base), git.commit(head)
    common_commit = git.commit(common) if common else None
    if base_commit is None or head_commit is None:
        return None
    return merge_files(
        git.files(common_commit.tree) if common_commit else {},
        git.files(base_commit.tree),
        git.files(head_commit.tree),
    )


def _link(href: str) -> dict[str, str]:
    return {"href": href}


def pull_json(urls: Urls, state: GitHubState, repo: Repo, pull: Pull) -> dict[str, Any]:
    """The ``pull-request`` schema."""
    api = f"{urls.repo(repo)}/pulls/{pull.number}"
    html = f"{urls.web}/{repo.full_name}/pull/{pull.number}"
    issue_api = f"{urls.repo(repo)}/issues/{pull.number}"
    head_sha = _head_sha(repo, pull)
    statuses = f"{urls.repo(repo)}/statuses/{head_sha}"
    open_and_clean = pull.state == "open" and _merged_files(repo, pull) is not None
    git = repo.git
    base_sha = git.branch(pull.base) or ""
    changes = (
        file_changes(urls, repo, _tree(repo, base_sha), _tree(repo, head_sha) or "", at=head_sha)
        if head_sha
        else []
    )
    commits = _commits_between(repo, base_sha, head_sha)
    return {
        "url": api,
        "id": pull.id,
        "node_id": node_id("PullRequest", pull.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_api,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{urls.repo(repo)}/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": statuses,
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": render.simple_user(urls, _account(state, pull.user)),
        "body": pull.body,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": iso_required(pull.created_at),
        "updated_at": iso_required(pull.updated_at),
        "closed_at": iso(pull.closed_at),
        "merged_at": iso(pull.merged_at),
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _end(urls, state, repo, pull.head, head_sha),
        "base": _end(urls, state, repo, pull.base, base_sha),
        "_links": {
            "self": _link(api),
            "html": _link(html),
            "issue": _link(issue_api),
            "comments": _link(f"{issue_api}/comments"),
            "review_comments": _link(f"{api}/comments"),
            "review_comment": _link(f"{urls.repo(repo)}/pulls/comments{{/number}}"),
            "commits": _link(f"{api}/commits"),
            "statuses": _link(statuses),
        },
        "author_association": render.association(repo, pull.user),
        "auto_merge": None,
        "draft": pull.draft,
        "merged": pull.merged_at is not None,
        "mergeable": open_and_clean if pull.state == "open" else None,
        "rebaseable": False,
        "mergeable_state": _mergeable_state(pull, clean=open_and_clean),
        "merged_by": (
            render.simple_user(urls, _account(state, pull.merged_by)) if pull.merged_by else None
        ),
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": len(commits) if pull.merged_at is None else max(len(commits), 1),
        "additions": sum(int(c["additions"]) for c in changes),
        "deletions": sum(int(c["deletions"]) for c in changes),
        "changed_files": len(changes),
    }


def _mergeable_state(pull: Pull, *, clean: bool) -> str:
    if pull.state != "open":
        return "unknown"
    return "clean" if clean else "dirty"


def _tree(repo: Repo, sha: str) -> str | None:
    found = repo.git.commit(sha) if sha else None
    return found.tree if found else None


def _commits_between(repo: Repo, base: str, head: str) -> list[str]:
    """Commits reachable from ``head`` but not from ``base``, oldest first."""
    if not head:
        return []
    behind = set(repo.git.ancestors(base)) if base else set()
    return [sha for sha in repo.git.ancestors(head) if sha not in behind][::-1]


def _account(state: GitHubState, login: str) -> Any:
    user = state.user(login)
    return user if user is not None else render.bot(state)


def _end(urls: Urls, state: GitHubState, repo: Repo, branch: str, sha: str) -> dict[str, Any]:
    return {
        "label": f"{repo.owner}:{branch}",
        "ref": branch,
        "sha": sha,
        "user": render.simple_user(urls, _account(state, repo.owner)),
        "repo": render.repository(urls, state, repo),
    }


class PullsApi(RepoLookup):
    """Pull request and comparison endpoints."""

    def pull_routes(self) -> list[tuple[str, str, Handler]]:
        """(method, template, handler)."""
        r = "/repos/{owner}/{repo}"
        return [
            ("GET", f"{r}/pulls", self.list_pulls),
            ("POST", f"{r}/pulls", self.create_pull),
            ("GET", f"{r}/pulls/{{number}}", self.get_pull),
            ("PATCH", f"{r}/pulls/{{number}}", self.edit_pull),
            ("GET", f"{r}/pulls/{{number}}/merge", self.check_merged),
            ("PUT", f"{r}/pulls/{{number}}/merge", self.merge_pull),
            ("GET", f"{r}/compare/{{basehead}}", self.compare),
        ]

    def _pull(self, call: Call) -> tuple[Repo, Pull]:
        repo = self._repo(call)
        pull = repo.pulls.get(call.int_param("number"))
        if pull is None:
            raise ops.not_found()
        return repo, pull

    def _json(self, call: Call, repo: Repo, pull: Pull) -> dict[str, Any]:
        return pull_json(call.urls, self.state, repo, pull)

    def list_pulls(self, call: Call) -> Reply:
        """``GET pulls`` with ``state`` (open), ``head`` (``owner:branch``), ``base``."""
        repo = self._repo(call)
        state = call.arg("state") or "open"
        if state not in {"open", "closed", "all"}:
            raise ops.validation_failed("PullRequest", "state", value=state)
        head, base = call.arg("head"), call.arg("base")
        found = [
            p
            for _, p in sorted(repo.pulls.items(), reverse=call.arg("direction") != "asc")
            if state in {"all", p.state}
            and (head is None or _branch_of(repo, head) == p.head)
            and (base is None or base == p.base)
        ]
        page = Page.from_query(call.req.query)
        body = [self._json(call, repo, p) for p in page.slice(found)]
        link = link_header(
            url=call.urls.api + call.path, query=call.req.query, page=page, total=len(found)
        )
        return Reply(body=body, link=link)

    def create_pull(self, call: Call) -> Reply:
        """``POST pulls`` with ``title``, ``head`` and ``base`` branches of this repository."""
        repo = self._repo(call)
        if repo.git.empty:
            raise empty_repository()
        payload = call.obj()
        title, body = payload.get("title"), payload.get("body")
        head_raw, base = payload.get("head"), payload.get("base")
        if not isinstance(title, str) or not title.strip():
            raise ops.validation_failed("PullRequest", "title", code="missing_field")
        if not isinstance(head_raw, str) or not isinstance(base, str):
            raise ops.validation_failed(
                "PullRequest",
                "head" if not isinstance(head_raw, str) else "base",
                code="missing_field",
            )
        head = _branch_of(repo, head_raw)
        for field, name in (("base", base), ("head", head)):
            if repo.git.branch(name) is None:
                raise ops.validation_failed("PullRequest", field, code="invalid")
        base_sha, head_sha = repo.git.branch(base), repo.git.branch(head)
        assert base_sha is not None
        assert head_sha is not None
        if not _commits_between(repo, base_sha, head_sha):
            raise _custom(f"No commits between {base} and {head}")
        if any(
            p.state == "open" and p.head == head and p.base == base for p in repo.pulls.values()
        ):
            raise _custom(f"A pull request already exists for {repo.owner}:{head}.")
        pull = Pull(
            id=self.state.new_id(),
            number=repo.next_number,
            title=title,
            body=body if isinstance(body, str) else None,
            user=BOT_LOGIN,
            head=head,
            base=base,
            created_at=call.now,
            updated_at=call.now,
            draft=bool(payload.get("draft", False)),
        )
        repo.next_number += 1
        repo.pulls[pull.number] = pull
        return Reply(status=201, body=self._json(call, repo, pull))

    def get_pull(self, call: Call) -> Reply:
        """``GET pulls/{n}``."""
        repo, pull = self._pull(call)
        return Reply(body=self._json(call, repo, pull), last_modified=pull.updated_at)

    def edit_pull(self, call: Call) -> Reply:
        """``PATCH pulls/{n}``: ``title``, ``body``, ``state`` (open/closed), ``base``."""
        repo, pull = self._pull(call)
        payload = call.obj()
        if isinstance(payload.get("title"), str):
            pull.title = payload["title"]
        if "body" in payload:
            pull.body = payload["body"] if isinstance(payload["body"], str) else None
        if "base" in payload:
            if not isinstance(payload["base"], str) or repo.git.branch(payload["base"]) is None:
                raise ops.validation_failed("PullRequest", "base", code="invalid")
            pull.base = payload["base"]
        state = payload.get("state")
        if state is not None:
            if state not in {"open", "closed"}:
                raise ops.validation_failed("PullRequest", "state", value=state)
            if pull.merged_at is None and state != pull.state:
                pull.state = state
                pull.closed_at = call.now if state == "closed" else None
                pull.head_sha = repo.git.branch(pull.head) if state == "closed" else None
        pull.updated_at = call.now
        return Reply(body=self._json(call, repo, pull))

    def check_merged(self, call: Call) -> Reply:
        """``GET pulls/{n}/merge``: 204 when merged, else 404."""
        _, pull = self._pull(call)
        if pull.merged_at is None:
            raise HttpError(404, None)
        return Reply(status=204)

    def merge_pull(self, call: Call) -> Reply:
        """``PUT pulls/{n}/merge``: 405 when not mergeable, 409 when ``sha`` is not the head."""
        repo, pull = self._pull(call)
        payload = call.obj()
        method = payload.get("merge_method", "merge")
        if method not in MERGE_METHODS:
            message = f"merge_method {method!r} is not simulated (merge and squash are)"
            raise ops.validation_failed("PullRequest", "merge_method", message=message)
        head_sha = repo.git.branch(pull.head)
        sha = payload.get("sha")
        if sha is not None and sha != head_sha:
            raise error(409, "Head branch was modified. Review and try the merge again.")
        merged = _merged_files(repo, pull) if pull.state == "open" else None
        if merged is None or head_sha is None:
            raise error(405, "Pull Request is not mergeable")
        base_sha = repo.git.branch(pull.base)
        assert base_sha is not None
        title = payload.get("commit_title")
        if method == "squash":
            message = title if isinstance(title, str) else f"{pull.title} (#{pull.number})"
            parents: tuple[str, ...] = (base_sha,)
        else:
            default = f"Merge pull request #{pull.number} from {repo.owner}/{pull.head}"
            message = title if isinstance(title, str) else default
            parents = (base_sha, head_sha)
        extra = payload.get("commit_message")
        text = f"{message}\n\n{extra if isinstance(extra, str) else pull.title}"
        made = commit_files(
            repo, branch=pull.base, files=merged, message=text, actor=BOT_LOGIN, now=call.now,
            parents=parents,
        )  # fmt: skip
        pull.state, pull.head_sha = "closed", head_sha
        pull.merged_at = pull.closed_at = pull.updated_at = call.now
        pull.merged_by, pull.merge_commit_sha = BOT_LOGIN, made.sha
        body = {"sha": made.sha, "merged": True, "message": "Pull Request successfully merged"}
        return Reply(body=body)

    def compare(self, call: Call) -> Reply:
        """``GET compare/{base}...{head}``: ahead/behind counts, commits and files."""
        repo = self._repo(call)
        if repo.git.empty:
            raise empty_repository()
        base_ref, sep, head_ref = call.params["basehead"].partition("...")
        git = repo.git
        base, head = git.resolve(base_ref), git.resolve(head_ref) if sep else None
        if base is None or head is None:
            raise ops.not_found()
        common = git.merge_base(base, head) or base
        ahead = _commits_between(repo, common, head)
        behind = _commits_between(repo, common, base)
        status = (
            "identical" if not ahead and not behind else "ahead" if not behind
            else "behind" if not ahead else "diverged"
        )  # fmt: skip
        found = [git.commit(sha) for sha in ahead]
        web = f"{call.urls.web}/{repo.full_name}"
        body = {
            "url": f"{call.urls.repo(repo)}/compare/{call.params['basehead']}",
            "html_url": f"{web}/compare/{call.params['basehead']}",
            "permalink_url": f"{web}/compare/{repo.owner}:{base[:7]}...{repo.owner}:{head[:7]}",
            "diff_url": f"{web}/compare/{call.params['basehead']}.diff",
            "patch_url": f"{web}/compare/{call.params['basehead']}.patch",
            "base_commit": self._commit_json(call, repo, base),
            "merge_base_commit": self._commit_json(call, repo, common),
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind),
            "total_commits": len(ahead),
            "commits": [
                git_render.commit(call.urls, self.state, repo, c) for c in found if c is not None
            ],
            "files": file_changes(
                call.urls, repo, _tree(repo, common), _tree(repo, head) or "", at=head
            ),
        }
        return Reply(body=body)

    def _commit_json(self, call: Call, repo: Repo, sha: str) -> dict[str, Any]:
        found = repo.git.commit(sha)
        assert found is not None
        return git_render.commit(call.urls, self.state, repo, found)


def _branch_of(repo: Repo, head: str) -> str:
    """``owner:branch`` or ``branch`` to the branch name (other owners never match)."""
    owner, sep, branch = head.partition(":")
    if not sep:
        return head
    return branch if owner.casefold() == repo.owner.casefold() else f"\0{head}"


def _custom(message: str) -> HttpError:
    error_entry = {"resource": "PullRequest", "code": "custom", "message": message}
    body = {
        "message": "Validation Failed",
        "errors": [error_entry],
        "documentation_url": DOCS,
        "status": "422",
    }
    return HttpError(422, body)
