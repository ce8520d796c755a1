"""JSON shapes of git data and contents in the simulated GitHub, after the REST description.

``git-ref``, ``blob``, ``short-blob``, ``git-tree``, ``git-commit``, ``commit``,
``branch-with-protection``, ``content-file``, the ``content-directory`` items and
``file-commit``. Absolute URLs come from ``Urls`` like everywhere else in the simulator.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from followthrough.sandbox.github_render import Urls, simple_user
from followthrough.sandbox.github_repos import (
    Blob,
    Commit,
    Person,
    TreeEntry,
    b64_lines,
    utc_iso,
)
from followthrough.sandbox.github_state import GitHubState, Repo, node_id

NOREPLY = "users.noreply.github.com"


def _node(kind: str, sha: str) -> str:
    return node_id(kind, int(sha[:12], 16))


def person_of(login: str, now: float) -> Person:
    """The git identity GitHub gives an account's web and API commits."""
    return Person(name=login, email=f"{login}@{NOREPLY}", date=now)


def _account(urls: Urls, state: GitHubState, person: Person) -> dict[str, Any] | None:
    login, _, domain = person.email.partition("@")
    user = state.user(login) if domain == NOREPLY else None
    return simple_user(urls, user) if user is not None else None


def git_ref(urls: Urls, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
    """The ``git-ref`` schema for ``refs/...`` pointing at commit ``sha``."""
    api = urls.repo(repo)
    return {
        "ref": ref,
        "node_id": _node("Ref", hashlib.sha1(ref.encode(), usedforsecurity=False).hexdigest()),
        "url": f"{api}/git/{quote(ref)}",
        "object": {"type": "commit", "sha": sha, "url": f"{api}/git/commits/{sha}"},
    }


def short_blob(urls: Urls, repo: Repo, blob: Blob) -> dict[str, Any]:
    """The ``short-blob`` schema (``POST git/blobs``)."""
    return {"url": f"{urls.repo(repo)}/git/blobs/{blob.sha}", "sha": blob.sha}


def blob(urls: Urls, repo: Repo, found: Blob) -> dict[str, Any]:
    """The ``blob`` schema, content in base64."""
    return {
        "sha": found.sha,
        "node_id": _node("Blob", found.sha),
        "size": len(found.content),
        "url": f"{urls.repo(repo)}/git/blobs/{found.sha}",
        "content": b64_lines(found.content),
        "encoding": "base64",
    }


def tree_entry(
    urls: Urls, repo: Repo, path: str, entry: TreeEntry, size: int | None
) -> dict[str, Any]:
    """One ``git-tree`` entry; blobs carry their size."""
    kind = entry.type
    item: dict[str, Any] = {"path": path, "mode": entry.mode, "type": kind, "sha": entry.sha}
    if size is not None:
        item["size"] = size
    item["url"] = f"{urls.repo(repo)}/git/{kind}s/{entry.sha}"
    return item


def git_tree(
    urls: Urls, repo: Repo, sha: str, entries: list[dict[str, Any]], *, truncated: bool
) -> dict[str, Any]:
    """The ``git-tree`` schema."""
    return {
        "sha": sha,
        "url": f"{urls.repo(repo)}/git/trees/{sha}",
        "tree": entries,
        "truncated": truncated,
    }


def _identity(person: Person) -> dict[str, str]:
    return {"name": person.name, "email": person.email, "date": utc_iso(person.date)}


def _unsigned() -> dict[str, Any]:
    return {
        "verified": False,
        "reason": "unsigned",
        "signature": None,
        "payload": None,
        "verified_at": None,
    }


def git_commit(urls: Urls, repo: Repo, commit: Commit) -> dict[str, Any]:
    """The ``git-commit`` schema."""
    api, web = urls.repo(repo), f"{urls.web}/{repo.full_name}"
    return {
        "sha": commit.sha,
        "node_id": _node("Commit", commit.sha),
        "url": f"{api}/git/commits/{commit.sha}",
        "html_url": f"{web}/commit/{commit.sha}",
        "author": _identity(commit.author),
        "committer": _identity(commit.committer),
        "tree": {"sha": commit.tree, "url": f"{api}/git/trees/{commit.tree}"},
        "message": commit.message,
        "parents": [
            {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{web}/commit/{p}"}
            for p in commit.parents
        ],
        "verification": _unsigned(),
    }


def commit(
    urls: Urls,
    state: GitHubState,
    repo: Repo,
    found: Commit,
    *,
    files: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ``commit`` schema (``GET commits/{ref}``; ``files`` and ``stats`` when given)."""
    api, web = urls.repo(repo), f"{urls.web}/{repo.full_name}"
    body: dict[str, Any] = {
        "url": f"{api}/commits/{found.sha}",
        "sha": found.sha,
        "node_id": _node("Commit", found.sha),
        "html_url": f"{web}/commit/{found.sha}",
        "comments_url": f"{api}/commits/{found.sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{found.sha}",
            "author": _identity(found.author),
            "committer": _identity(found.committer),
            "message": found.message,
            "comment_count": 0,
            "tree": {"sha": found.tree, "url": f"{api}/git/trees/{found.tree}"},
            "verification": _unsigned(),
        },
        "author": _account(urls, state, found.author),
        "committer": _account(urls, state, found.committer),
        "parents": [
            {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{web}/commit/{p}"}
            for p in found.parents
        ],
    }
    if files is not None:
        additions = sum(int(f["additions"]) for f in files)
        deletions = sum(int(f["deletions"]) for f in files)
        body["stats"] = {
            "total": additions + deletions,
            "additions": additions,
            "deletions": deletions,
        }
        body["files"] = files
    return body


def branch(urls: Urls, state: GitHubState, repo: Repo, name: str, head: Commit) -> dict[str, Any]:
    """The ``branch-with-protection`` schema for an unprotected branch."""
    api = f"{urls.repo(repo)}/branches/{quote(name)}"
    return {
        "name": name,
        "commit": commit(urls, state, repo, head),
        "_links": {"self": api, "html": f"{urls.web}/{repo.full_name}/tree/{quote(name)}"},
        "protected": False,
        "protection": {
            "enabled": False,
            "required_status_checks": {
                "enforcement_level": "off",
                "contexts": [],
                "checks": [],
            },
        },
        "protection_url": f"{api}/protection",
    }


def content_item(
    urls: Urls, repo: Repo, *, ref: str, path: str, entry: TreeEntry, size: int
) -> dict[str, Any]:
    """A ``content-directory`` item (also the head of ``content-file``)."""
    api = f"{urls.repo(repo)}/contents/{quote(path)}?ref={quote(ref, safe='')}"
    kind = "dir" if entry.type == "tree" else "file"
    web_kind = "tree" if kind == "dir" else "blob"
    html = f"{urls.web}/{repo.full_name}/{web_kind}/{quote(ref)}/{quote(path)}"
    git = f"{urls.repo(repo)}/git/{entry.type}s/{entry.sha}"
    raw = f"{urls.web}/raw/{repo.full_name}/{quote(ref)}/{quote(path)}"
    return {
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": entry.sha,
        "size": size,
        "url": api,
        "html_url": html,
        "git_url": git,
        "download_url": raw if kind == "file" else None,
        "type": kind,
        "_links": {"self": api, "git": git, "html": html},
    }


def content_file(
    urls: Urls, repo: Repo, *, ref: str, path: str, entry: TreeEntry, found: Blob, inline: bool
) -> dict[str, Any]:
    """The ``content-file`` schema; files above the inline limit come with ``encoding: none``."""
    item = content_item(urls, repo, ref=ref, path=path, entry=entry, size=len(found.content))
    if inline:
        return {**item, "content": b64_lines(found.content), "encoding": "base64"}
    return {**item, "content": "", "encoding": "none"}


def file_commit(
    urls: Urls, repo: Repo, *, ref: str, path: str, entry: TreeEntry, found: Blob, head: Commit
) -> dict[str, Any]:
    """The ``file-commit`` schema (``PUT contents/{path}``)."""
    content = content_item(urls, repo, ref=ref, path=path, entry=entry, size=len(found.content))
    return {"content": content, "commit": git_commit(urls, repo, head)}
