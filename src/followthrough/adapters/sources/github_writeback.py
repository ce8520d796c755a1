"""Ticket keys written back into postmortems kept in a GitHub repository, as pull requests.

One pull request per document, from the branch ``followthrough/ticket-keys/<path>``. Each
proposal reads the document as it is on that branch (a person's commits there included),
writes the missing keys in the document's own style (`domain.annotate`) and commits the
file on top of the branch through the contents API: a fast-forward, never a force-push.
The pull request is opened once and updated by further commits; followthrough never merges.

What happened is a value (`Proposal`): opened, updated, unchanged, declined (a person closed
the document's last pull request without merging it: no new one is opened while that
branch exists) or failed, with GitHub's answer. Every step is a lookup before a write, so a
proposal cut short (a crash, a lost answer) is completed by the next one, never doubled.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

import requests

from followthrough.domain.annotate import Skipped, TicketNote, annotate_markdown

Outcome = Literal["opened", "updated", "unchanged", "declined", "failed"]
BRANCH_PREFIX = "followthrough/ticket-keys/"


@dataclass(frozen=True, slots=True)
class Proposal:
    """What one document's proposal did, and the pull request it concerns."""

    path: str
    outcome: Outcome
    pull: int | None = None
    url: str | None = None
    written: tuple[TicketNote, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    detail: str = ""


class WriteBackError(Exception):
    """GitHub refused or did not answer; the message says which request and what came back."""


def branch_for(path: str) -> str:
    """The branch of a document's pull request: a valid git ref name, at most 200 bytes."""
    slug = re.sub(r"[^A-Za-z0-9._/-]+", "-", path)
    slug = re.sub(r"/{2,}", "/", re.sub(r"\.{2,}", ".", slug)).strip("/.-")
    slug = "/".join(part.lstrip(".").removesuffix(".lock") or "-" for part in slug.split("/"))
    if len(slug) > 150 or slug != path:
        digest = hashlib.sha1(path.encode(), usedforsecurity=False).hexdigest()[:10]
        slug = f"{slug[:150].rstrip('/.-')}-{digest}"
    return BRANCH_PREFIX + slug


@dataclass
class TicketKeyPullRequests:
    """Opens and updates the write-back pull requests of one repository's base branch."""

    api: str  # https://api.github.com or https://HOST/api/v3
    token: str
    repo: str  # owner/name
    base: str  # the branch the postmortems are read from
    timeout: float = 30.0
    session: requests.Session = field(default_factory=requests.Session)
    calls: int = 0

    def propose(self, path: str, notes: Sequence[TicketNote]) -> Proposal:
        """Make sure the document's pull request carries ``notes``' keys (see the module)."""
        try:
            return self._propose(path, notes)
        except WriteBackError as error:
            return Proposal(path, "failed", detail=str(error))

    def _propose(self, path: str, notes: Sequence[TicketNote]) -> Proposal:
        branch = branch_for(path)
        pulls = self._pulls(branch)
        open_pull = next((p for p in pulls if p["state"] == "open"), None)
        latest = pulls[0] if pulls else None
        if open_pull is None and latest is not None and not latest.get("merged_at"):
            return Proposal(
                path,
                "declined",
                pull=latest["number"],
                url=latest.get("html_url"),
                detail=f"#{latest['number']} was closed without merging; delete the branch"
                f" {branch} to have keys proposed again",
            )
        base_head = self._head(self.base)
        if base_head is None:
            raise WriteBackError(f"{self.repo}: no branch {self.base}")
        branch_head = self._head(branch)
        if open_pull is None and latest is not None:  # the last pull request was merged
            branch, branch_head = self._after_merge(branch, branch_head, base_head)
        if branch_head is None:
            self._call("POST", "git/refs", json={"ref": f"refs/heads/{branch}", "sha": base_head})
        document = self._call("GET", f"contents/{quote(path)}", params={"ref": branch})
        before = base64.b64decode(document["content"]).decode("utf-8")
        result = annotate_markdown(before, notes)
        if result.text != before:
            self._call(
                "PUT",
                f"contents/{quote(path)}",
                json={
                    "message": f"Ticket keys for {path}",
                    "content": base64.b64encode(result.text.encode()).decode(),
                    "sha": document["sha"],
                    "branch": branch,
                },
            )
        if open_pull is not None:
            outcome: Outcome = "updated" if result.text != before else "unchanged"
            return Proposal(
                path, outcome, open_pull["number"], open_pull.get("html_url"),
                result.written, result.skipped,
            )  # fmt: skip
        if not self._ahead(branch):
            return Proposal(path, "unchanged", written=result.written, skipped=result.skipped)
        pull = self._call(
            "POST",
            "pulls",
            json={
                "title": f"Ticket keys for {path}",
                "head": branch,
                "base": self.base,
                "body": _pull_body(path, notes),
                "maintainer_can_modify": True,
            },
        )
        return Proposal(
            path, "opened", pull["number"], pull.get("html_url"), result.written, result.skipped
        )

    def _after_merge(
        self, branch: str, branch_head: str | None, base_head: str
    ) -> tuple[str, str | None]:
        """The branch to use once its last pull request merged: moved forward, or a new one."""
        if branch_head is None:
            return branch, None
        if not self._ahead(branch):
            self._call(
                "PATCH",
                f"git/refs/heads/{quote(branch)}",
                json={"sha": base_head, "force": False},
            )
            return branch, base_head
        # Squashed or rebased: its commits are not the base's, and moving it would need a
        # force-push. A new branch, named after the base commit it starts from.
        fresh = f"{branch}-{base_head[:7]}"
        return fresh, self._head(fresh)

    def _pulls(self, branch: str) -> list[dict[str, Any]]:
        owner = self.repo.split("/", 1)[0]
        found = self._call(
            "GET",
            "pulls",
            params={"head": f"{owner}:{branch}", "state": "all", "per_page": "100"},
        )
        return sorted(found, key=lambda pull: pull["number"], reverse=True)

    def _head(self, branch: str) -> str | None:
        ref = self._call("GET", f"git/ref/heads/{quote(branch)}", missing_ok=True)
        return None if ref is None else str(ref["object"]["sha"])

    def _ahead(self, branch: str) -> bool:
        compared = self._call("GET", f"compare/{quote(self.base)}...{quote(branch)}")
        return int(compared.get("ahead_by", 0)) > 0

    def _call(
        self,
        method: str,
        route: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        missing_ok: bool = False,
    ) -> Any:
        url = f"{self.api.rstrip('/')}/repos/{self.repo}/{route}"
        self.calls += 1
        try:
            answer = self.session.request(
                method,
                url,
                params=params,
                json=json,
                timeout=self.timeout,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28",
                },
            )
        except requests.RequestException as error:
            raise WriteBackError(f"{method} {route}: no answer ({type(error).__name__})") from error
        if answer.status_code == 404 and missing_ok:
            return None
        if answer.status_code >= 400:
            message = _message(answer)
            raise WriteBackError(f"{method} {route}: {answer.status_code} {message}".rstrip())
        return answer.json() if answer.content else {}


def _message(answer: requests.Response) -> str:
    try:
        return str(answer.json().get("message", ""))[:200]
    except ValueError:
        return ""


def _pull_body(path: str, notes: Sequence[TicketNote]) -> str:
    listed = "\n".join(f"- line {note.line}: `{note.ticket}`" for note in notes)
    return (
        f"Each action item of `{path}` that has a ticket now names it, so the document and"
        f" the tracker stay in step.\n\n{listed}\n\nMerge it when it looks right; push your own"
        " commits to this branch if you want it changed (they are kept). Opened by"
        " followthrough, which never merges."
    )
