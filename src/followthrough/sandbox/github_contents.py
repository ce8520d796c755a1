"""Contents and archive endpoints of the simulated GitHub in the sandbox.

``ContentsApi`` is mixed into ``GitHubApi``: ``GET contents/{path}`` (a file in base64, or a
directory listing; files over 1 MB come back with ``encoding: none`` as on GitHub), ``PUT
contents/{path}`` (create, or replace with the current blob ``sha``: 422 when it is missing,
409 when it is stale, 404 for an unknown branch), and the tarball, a 302 to a gzip download
the simulator serves itself, as ``codeload.github.com`` does for GitHub.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from typing import Any
from urllib.parse import quote

from followthrough.sandbox import github_git_render as git_render
from followthrough.sandbox import github_issues as ops
from followthrough.sandbox.github_call import Call, Handler, Reply
from followthrough.sandbox.github_git_api import (
    RepoLookup,
    commit_files,
    decode_base64,
    error,
)
from followthrough.sandbox.github_repos import (
    FILE_MODE,
    Commit,
    GitData,
    TreeEntry,
    blocked_by_file,
)
from followthrough.sandbox.github_state import BOT_LOGIN, Repo

# GitHub's contents API inlines files up to 1 MB; larger ones come with ``encoding: none``.
CONTENTS_INLINE_LIMIT = 1024 * 1024
CODELOAD = "/codeload"


class ContentsApi(RepoLookup):
    """Files and archives of a repository's branches."""

    contents_inline_limit: int = CONTENTS_INLINE_LIMIT

    def contents_routes(self) -> list[tuple[str, str, Handler]]:
        """(method, template, handler); ``{path}`` and ``{ref}`` may hold slashes."""
        r = "/repos/{owner}/{repo}"
        return [
            ("GET", f"{r}/contents", self.get_contents),
            ("GET", f"{r}/contents/{{path}}", self.get_contents),
            ("PUT", f"{r}/contents/{{path}}", self.put_contents),
            ("GET", f"{r}/tarball", self.tarball),
            ("GET", f"{r}/tarball/{{ref}}", self.tarball),
            ("GET", CODELOAD + "/{owner}/{repo}/legacy.tar.gz/{sha}", self.download_tarball),
        ]

    # contents -----------------------------------------------------------------------------

    def get_contents(self, call: Call) -> Reply:
        """``GET contents/{path}``: a file with base64 content, or a directory listing."""
        repo = self._repo(call)
        if repo.git.empty:
            raise error(404, "This repository is empty.")
        ref = call.arg("ref") or repo.default_branch
        found = self._commit_of(repo.git, ref) if repo.git.resolve(ref) else None
        if found is None:
            raise error(404, f"No commit found for the ref {ref}")
        path = call.params.get("path", "").strip("/")
        entry = repo.git.entry_at(found.tree, path)
        if entry is None:
            raise ops.not_found()
        if entry.type == "tree":
            return Reply(body=self._listing(call, repo, ref, path, entry))
        blob = repo.git.blob(entry.sha)
        assert blob is not None
        inline = len(blob.content) <= self.contents_inline_limit
        body = git_render.content_file(
            call.urls, repo, ref=ref, path=path, entry=entry, found=blob, inline=inline
        )
        return Reply(body=body, last_modified=found.committer.date)

    def _listing(
        self, call: Call, repo: Repo, ref: str, path: str, entry: TreeEntry
    ) -> list[dict[str, Any]]:
        tree = repo.git.tree(entry.sha)
        assert tree is not None
        prefix = path + "/" if path else ""
        items = []
        for child in tree.entries:
            blob = repo.git.blob(child.sha) if child.type == "blob" else None
            size = len(blob.content) if blob is not None else 0
            items.append(
                git_render.content_item(
                    call.urls, repo, ref=ref, path=prefix + child.name, entry=child, size=size
                )
            )
        return items

    def put_contents(self, call: Call) -> Reply:
        """``PUT contents/{path}``: create (201) or, with the current blob ``sha``, replace (200)."""
        repo = self._repo(call)
        payload = call.obj()
        path = call.params["path"].strip("/")
        message, content = payload.get("message"), payload.get("content")
        if not isinstance(message, str):
            raise ops.invalid_request("For 'properties/message', nil is not a string.")
        if not isinstance(content, str):
            raise ops.invalid_request("For 'properties/content', nil is not a string.")
        data = decode_base64(content, "content")
        branch = payload.get("branch") or repo.default_branch
        head = repo.git.branch(branch)
        if head is None and not repo.git.empty:
            raise error(404, f"Branch {branch} not found")
        files = repo.git.files(self._commit_of(repo.git, head).tree) if head else {}
        current = files.get(path)
        if current is not None:
            sha = payload.get("sha")
            if sha is None:
                raise ops.invalid_request('"sha" wasn\'t supplied.')
            if sha != current[1]:
                raise error(409, f"{path} does not match {sha}")
        if any(p.startswith(path + "/") for p in files) or blocked_by_file(files, path):
            raise ops.validation_failed("Contents", "path", code="invalid", value=path)
        blob = repo.git.put_blob(data)
        files[path] = (current[0] if current else FILE_MODE, blob.sha)
        made = commit_files(
            repo, branch=branch, files=files, message=message, actor=BOT_LOGIN, now=call.now
        )
        entry = repo.git.entry_at(made.tree, path)
        assert entry is not None
        body = git_render.file_commit(
            call.urls, repo, ref=branch, path=path, entry=entry, found=blob, head=made
        )
        return Reply(status=200 if current else 201, body=body)

    # archive ------------------------------------------------------------------------------

    def tarball(self, call: Call) -> Reply:
        """``GET tarball/{ref}``: 302 to a download URL (not counted like API calls here)."""
        repo, git = self._git(call)
        found = self._commit_of(git, call.params.get("ref") or repo.default_branch)
        location = f"{call.urls.web}{CODELOAD}/{repo.owner}/{repo.name}/legacy.tar.gz/{found.sha}"
        return Reply(status=302, headers={"Location": location})

    def download_tarball(self, call: Call) -> Reply:
        """The download: gzip tar, every path under ``{owner}-{repo}-{short sha}/``."""
        repo, git = self._git(call)
        found = git.commit(call.params["sha"])
        if found is None:
            raise ops.not_found()
        body = _tarball(git, found, f"{repo.owner}-{repo.name}-{found.sha[:7]}")
        headers = {
            "Content-Type": "application/x-gzip",
            "Content-Disposition": f"attachment; filename={quote(repo.owner)}-{quote(repo.name)}-{found.sha[:7]}.tar.gz",
        }
        return Reply(body=body, headers=headers, counted=False)


def _tarball(git: GitData, commit: Commit, prefix: str) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.pax_headers = {"comment": commit.sha}
        top = tarfile.TarInfo(prefix + "/")
        top.type, top.mode, top.mtime = tarfile.DIRTYPE, 0o775, int(commit.committer.date)
        tar.addfile(top)
        for path, entry in git.walk(commit.tree):
            info = tarfile.TarInfo(f"{prefix}/{path}")
            info.mtime = int(commit.committer.date)
            if entry.type == "tree":
                info.type, info.mode = tarfile.DIRTYPE, 0o775
                tar.addfile(info)
                continue
            blob = git.blob(entry.sha)
            data = blob.content if blob is not None else b""
            info.size, info.mode = len(data), 0o775 if entry.mode == "100755" else 0o664
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=int(commit.committer.date))
