"""Read-only questions to a GitHub repository before anything is written (``followthrough check``).

``GET /user`` proves the token, ``GET /repos/{owner}/{repo}`` answers whether the repository
exists, has issues and what the token may do there (its ``permissions`` field), and
``GET /repos/{owner}/{repo}/assignees/{login}`` (204 or 404) whether a login can be assigned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from followthrough.adapters.trackers.github_http import GitHubHttp


@dataclass(frozen=True, slots=True)
class RepoAccess:
    """What the token may do in a repository (``None`` when the repository is not visible)."""

    has_issues: bool
    can_write: bool  # push: create labels, edit, close and assign any issue


class GitHubProbe:
    """One GitHub repository, asked only read-only questions."""

    def __init__(self, *, token: str, base_url: str, repo: str, timeout: float = 10) -> None:
        self.project = repo
        self._http = GitHubHttp(
            token=token,
            base_url=base_url,
            timeout=timeout,
            min_write_interval=0,
            clock=lambda: dt.datetime.now(dt.UTC),
        )
        owner, _, name = repo.partition("/")
        self._path = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"

    def whoami(self) -> str:
        """The token's login (proves the URL and the token)."""
        data = self._http.request("GET", "/user").data
        return str(data.get("login")) if isinstance(data, Mapping) else "?"

    def access(self) -> RepoAccess | None:
        """The repository's issue setting and the token's rights there; None on 404."""
        answer = self._http.request("GET", self._path, ok=frozenset({404}))
        if answer.status == 404 or not isinstance(answer.data, Mapping):
            return None
        rights = answer.data.get("permissions") or {}
        return RepoAccess(
            has_issues=answer.data.get("has_issues") is not False,
            can_write=bool(rights.get("push") or rights.get("maintain") or rights.get("admin")),
        )

    def assignable(self, login: str) -> bool:
        """Whether issues here can be assigned to ``login`` (204 yes, 404 no)."""
        path = f"{self._path}/assignees/{quote(login, safe='')}"
        return self._http.request("GET", path, ok=frozenset({404})).status == 204
