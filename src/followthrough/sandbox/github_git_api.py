"""Repository, git data, branch and commit endpoints of the simulated GitHub in the sandbox.

``GitDataApi`` is mixed into ``GitHubApi``: creating repositories (``auto_init`` makes the first
commit), refs (a non-fast-forward update needs ``force``), blobs, trees (recursive listings are
cut at ``tree_entry_limit`` entries with ``truncated: true``), commits and branch heads. Also
the helpers the contents and pull request endpoints share: committing a set of files to a
branch, and the ``diff-entry`` list between two trees.
"""

from __future__ import annotations

import base64
import binascii
import difflib
from typing import Any
from urllib.parse import quote

from followthrough.sandbox import github_git_render as git_render
from followthrough.sandbox import github_issues as ops
from followthrough.sandbox import github_render as render
from followthrough.sandbox.core import HttpError
from followthrough.sandbox.github_call import Call, Handler, Reply
from followthrough.sandbox.github_render import DOCS, Urls
from followthrough.sandbox.github_repos import (
    BLOB_MODES,
    FILE_MODE,
    HEADS,
    TREE_MODE,
    Commit,
    Files,
    GitData,
    Person,
    blocked_by_file,
)
from followthrough.sandbox.github_state import BOT_LOGIN, GitHubState, Repo

# GitHub's documented limit: recursive trees stop at 100,000 entries (or 7 MB).
TREE_ENTRY_LIMIT = 100_000
SHA_MEDIA_TYPE = "application/vnd.github.sha"


def error(status: int, message: str) -> HttpError:
    """A GitHub error body with ``message``."""
    return HttpError(status, {"message": message, "documentation_url": DOCS, "status": str(status)})


def empty_repository() -> HttpError:
    """GitHub's answer to git-data reads on a repository without commits."""
    return error(409, "Git Repository is empty.")


def commit_files(
    repo: Repo,
    *,
    branch: str,
    files: Files,
    message: str,
    actor: str,
    now: float,
    parents: tuple[str, ...] | None = None,
) -> Commit:
    """Commit ``files`` as the whole tree on ``branch`` (parent: its head) and move the branch."""
    git = repo.git
    if parents is None:
        head = git.branch(branch)
        parents = (head,) if head else ()
    tree = git.put_files(files)
    person = git_render.person_of(actor, now)
    made = git.put_commit(
        tree=tree.sha, parents=parents, message=message, author=person, committer=person
    )
    git.refs[HEADS + branch] = made.sha
    repo.pushed_at = now
    return made


def file_changes(
    urls: Urls, repo: Repo, before: str | None, after: str, *, at: str
) -> list[dict[str, Any]]:
    """``diff-entry`` items between two trees (``before`` None: all added); links at ``at``."""
    git = repo.git
    old = git.files(before) if before else {}
    new = git.files(after)
    changes = []
    for path in sorted(set(old) | set(new)):
        if old.get(path) == new.get(path):
            continue
        status = "added" if path not in old else "removed" if path not in new else "modified"
        entry = _diff_entry(git, path, status, old.get(path), new.get(path))
        web, quoted = f"{urls.web}/{repo.full_name}", quote(path)
        entry["blob_url"] = f"{web}/blob/{at}/{quoted}"
        entry["raw_url"] = f"{web}/raw/{at}/{quoted}"
        entry["contents_url"] = f"{urls.repo(repo)}/contents/{quoted}?ref={at}"
        changes.append(entry)
    return changes


def _lines(git: GitData, leaf: tuple[str, str] | None) -> list[str]:
    blob = git.blob(leaf[1]) if leaf else None
    return blob.content.decode("utf-8", "replace").splitlines() if blob else []


def _diff_entry(
    git: GitData, path: str, status: str, old: tuple[str, str] | None, new: tuple[str, str] | None
) -> dict[str, Any]:
    diff = list(difflib.unified_diff(_lines(git, old), _lines(git, new), lineterm="", n=0))
    added = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
    removed = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
    sha = (new or old or ("", ""))[1]
    return {
        "sha": sha,
        "filename": path,
        "status": status,
        "additions": added,
        "deletions": removed,
        "changes": added + removed,
        "patch": "\n".join(diff[2:]),
    }


class RepoLookup:
    """Finds the repository and commits a call names; needs ``state`` from ``GitHubApi``."""

    state: GitHubState

    def _repo(self, call: Call) -> Repo:
        repo = self.state.repo(call.params["owner"], call.params["repo"])
        if repo is None:
            raise ops.not_found()
        return repo

    def _git(self, call: Call) -> tuple[Repo, GitData]:
        repo = self._repo(call)
        if repo.git.empty:
            raise empty_repository()
        return repo, repo.git

    def _commit_of(self, git: GitData, ref: str) -> Commit:
        sha = git.resolve(ref)
        found = git.commit(sha) if sha else None
        if found is None:
            raise error(422, f"No commit found for SHA: {ref}")
        return found


class GitDataApi(RepoLookup):
    """Repositories, refs, blobs, trees, commits and branch heads."""

    tree_entry_limit: int = TREE_ENTRY_LIMIT

    def git_routes(self) -> list[tuple[str, str, Handler]]:
        """(method, template, handler); ``{ref}``, ``{path}``, ``{branch}`` may hold slashes."""
        r = "/repos/{owner}/{repo}"
        return [
            ("POST", "/orgs/{org}/repos", self.create_org_repo),
            ("POST", "/user/repos", self.create_user_repo),
            ("GET", f"{r}/git/ref/{{ref}}", self.get_ref),
            ("GET", f"{r}/git/matching-refs/{{ref}}", self.matching_refs),
            ("GET", f"{r}/git/refs", self.list_refs),
            ("POST", f"{r}/git/refs", self.create_ref),
            ("PATCH", f"{r}/git/refs/{{ref}}", self.update_ref),
            ("DELETE", f"{r}/git/refs/{{ref}}", self.delete_ref),
            ("GET", f"{r}/git/refs/{{ref}}", self.legacy_refs),
            ("POST", f"{r}/git/blobs", self.create_blob),
            ("GET", f"{r}/git/blobs/{{sha}}", self.get_blob),
            ("POST", f"{r}/git/trees", self.create_tree),
            ("GET", f"{r}/git/trees/{{ref}}", self.get_tree),
            ("POST", f"{r}/git/commits", self.create_commit),
            ("GET", f"{r}/git/commits/{{sha}}", self.get_git_commit),
            ("GET", f"{r}/branches/{{branch}}", self.get_branch),
            ("GET", f"{r}/commits/{{ref}}", self.get_commit),
        ]

    # repositories -------------------------------------------------------------------------

    def create_org_repo(self, call: Call) -> Reply:
        """``POST /orgs/{org}/repos``."""
        org = self.state.user(call.params["org"])
        if org is None or org.type != "Organization":
            raise ops.not_found()
        return self._create_repo(call, org.login)

    def create_user_repo(self, call: Call) -> Reply:
        """``POST /user/repos``: owned by the authenticated account."""
        return self._create_repo(call, render.bot(self.state).login)

    def _create_repo(self, call: Call, owner: str) -> Reply:
        payload = call.obj()
        name = payload.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ops.validation_failed("Repository", "name", code="missing_field")
        if self.state.repo(owner, name) is not None:
            message = "name already exists on this account"
            raise ops.validation_failed("Repository", "name", code="custom", message=message)
        people = [u.login for u in self.state.users.values() if u.type == "User"]
        description = payload.get("description")
        repo = self.state.add_repo(
            owner,
            name,
            now=call.now,
            collaborators=people,
            description=description if isinstance(description, str) else None,
            private=bool(payload.get("private", False)),
        )
        if payload.get("auto_init"):
            readme = repo.git.put_blob(f"# {name}\n".encode())
            commit_files(
                repo,
                branch=repo.default_branch,
                files={"README.md": (FILE_MODE, readme.sha)},
                message="Initial commit",
                actor=BOT_LOGIN,
                now=call.now,
            )
        return Reply(status=201, body=render.repository(call.urls, self.state, repo))

    # refs ---------------------------------------------------------------------------------

    def _ref_json(self, call: Call, repo: Repo, ref: str) -> dict[str, Any]:
        return git_render.git_ref(call.urls, repo, ref, repo.git.refs[ref])

    def get_ref(self, call: Call) -> Reply:
        """``GET git/ref/{ref}`` (``heads/main``)."""
        repo, git = self._git(call)
        ref = "refs/" + call.params["ref"]
        if ref not in git.refs:
            raise ops.not_found()
        return Reply(body=self._ref_json(call, repo, ref))

    def matching_refs(self, call: Call) -> Reply:
        """``GET git/matching-refs/{ref}``: refs starting with ``refs/{ref}``."""
        repo, git = self._git(call)
        prefix = "refs/" + call.params["ref"]
        found = sorted(ref for ref in git.refs if ref.startswith(prefix))
        return Reply(body=[self._ref_json(call, repo, ref) for ref in found])

    def list_refs(self, call: Call) -> Reply:
        """``GET git/refs``: every ref (undocumented today, still served by GitHub)."""
        repo, git = self._git(call)
        return Reply(body=[self._ref_json(call, repo, ref) for ref in sorted(git.refs)])

    def legacy_refs(self, call: Call) -> Reply:
        """``GET git/refs/{ref}``: the ref itself, else the refs below it as a list, else 404."""
        repo, git = self._git(call)
        ref = "refs/" + call.params["ref"]
        if ref in git.refs:
            return Reply(body=self._ref_json(call, repo, ref))
        below = sorted(r for r in git.refs if r.startswith(ref + "/"))
        if not below:
            raise ops.not_found()
        return Reply(body=[self._ref_json(call, repo, r) for r in below])

    def create_ref(self, call: Call) -> Reply:
        """``POST git/refs`` with ``ref`` (``refs/heads/x``) and ``sha``."""
        repo = self._repo(call)
        payload = call.obj()
        ref, sha = payload.get("ref"), payload.get("sha")
        if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
            raise error(
                422, "Reference name must start with 'refs/' and have at least two slashes."
            )
        if not isinstance(sha, str) or repo.git.commit(sha) is None:
            raise error(422, "Object does not exist")
        if ref in repo.git.refs:
            raise error(422, "Reference already exists")
        repo.git.refs[ref] = sha
        return Reply(status=201, body=self._ref_json(call, repo, ref))

    def update_ref(self, call: Call) -> Reply:
        """``PATCH git/refs/{ref}``: 422 unless a fast-forward or ``force`` is true."""
        repo = self._repo(call)
        ref = "refs/" + call.params["ref"]
        payload = call.obj()
        sha = payload.get("sha")
        if ref not in repo.git.refs:
            raise error(422, "Reference does not exist")
        if not isinstance(sha, str) or repo.git.commit(sha) is None:
            raise error(422, "Object does not exist")
        current = repo.git.refs[ref]
        if not payload.get("force") and not repo.git.is_ancestor(current, sha):
            raise error(422, "Update is not a fast forward")
        repo.git.refs[ref] = sha
        repo.pushed_at = call.now
        return Reply(body=self._ref_json(call, repo, ref))

    def delete_ref(self, call: Call) -> Reply:
        """``DELETE git/refs/{ref}``."""
        repo = self._repo(call)
        ref = "refs/" + call.params["ref"]
        if repo.git.refs.pop(ref, None) is None:
            raise error(422, "Reference does not exist")
        return Reply(status=204)

    # objects ------------------------------------------------------------------------------

    def create_blob(self, call: Call) -> Reply:
        """``POST git/blobs`` with ``content`` in ``utf-8`` (default) or ``base64``."""
        repo = self._repo(call)
        payload = call.obj()
        content, encoding = payload.get("content"), payload.get("encoding", "utf-8")
        if not isinstance(content, str):
            raise ops.validation_failed("Blob", "content", code="missing_field")
        if encoding == "base64":
            data = decode_base64(content, "content")
        elif encoding in {"utf-8", "utf8"}:
            data = content.encode()
        else:
            raise ops.validation_failed("Blob", "encoding", value=encoding)
        blob = repo.git.put_blob(data)
        return Reply(status=201, body=git_render.short_blob(call.urls, repo, blob))

    def get_blob(self, call: Call) -> Reply:
        """``GET git/blobs/{sha}``."""
        repo = self._repo(call)
        found = repo.git.blob(call.params["sha"])
        if found is None:
            raise ops.not_found()
        return Reply(body=git_render.blob(call.urls, repo, found))

    def create_tree(self, call: Call) -> Reply:
        """``POST git/trees``: entries by ``sha`` or ``content``, on top of ``base_tree``."""
        repo = self._repo(call)
        payload = call.obj()
        entries = payload.get("tree")
        if not isinstance(entries, list):
            raise ops.validation_failed("Tree", "tree", code="missing_field")
        git = repo.git
        base = payload.get("base_tree")
        files: Files = {}
        if base is not None:
            if not isinstance(base, str) or git.tree(base) is None:
                raise ops.validation_failed("Tree", "base_tree", value=base)
            files = git.files(base)
        for item in entries:
            _apply_tree_entry(git, files, ops.payload_object(item))
        tree = git.put_files(files)
        listed = self._entries(call, repo, tree.sha, recursive=False)
        return Reply(
            status=201,
            body=git_render.git_tree(call.urls, repo, tree.sha, listed[0], truncated=False),
        )

    def get_tree(self, call: Call) -> Reply:
        """``GET git/trees/{sha}`` (a tree, a commit or a ref name); ``recursive`` lists all."""
        repo, git = self._git(call)
        wanted = call.params["ref"]
        sha = wanted if git.tree(wanted) else None
        if sha is None:
            commit_sha = git.resolve(wanted)
            found = git.commit(commit_sha) if commit_sha else None
            if found is None:
                raise ops.not_found()
            sha = found.tree
        recursive = call.arg("recursive") not in {None, "", "0", "false"}
        entries, truncated = self._entries(call, repo, sha, recursive=recursive)
        return Reply(body=git_render.git_tree(call.urls, repo, sha, entries, truncated=truncated))

    def _entries(
        self, call: Call, repo: Repo, sha: str, *, recursive: bool
    ) -> tuple[list[dict[str, Any]], bool]:
        git = repo.git
        if recursive:
            walked = git.walk(sha)
        else:
            tree = git.tree(sha)
            walked = iter([(e.name, e) for e in tree.entries] if tree else [])
        listed: list[dict[str, Any]] = []
        for path, entry in walked:
            if len(listed) >= self.tree_entry_limit:
                return listed, True
            blob = git.blob(entry.sha) if entry.type == "blob" else None
            size = len(blob.content) if blob is not None else None
            listed.append(git_render.tree_entry(call.urls, repo, path, entry, size))
        return listed, False

    def create_commit(self, call: Call) -> Reply:
        """``POST git/commits`` with ``message``, ``tree`` and ``parents``."""
        repo = self._repo(call)
        payload = call.obj()
        message, tree, parents = (
            payload.get("message"),
            payload.get("tree"),
            payload.get("parents", []),
        )
        if not isinstance(message, str):
            raise ops.validation_failed("Commit", "message", code="missing_field")
        if not isinstance(tree, str) or repo.git.tree(tree) is None:
            raise error(422, "Tree SHA does not exist")
        if not isinstance(parents, list) or any(
            not isinstance(p, str) or repo.git.commit(p) is None for p in parents
        ):
            raise error(422, "Parent SHA does not exist or is not a commit object")
        author = _person(payload.get("author"), call.now)
        committer = (
            _person(payload.get("committer"), call.now) if payload.get("committer") else author
        )
        made = repo.git.put_commit(
            tree=tree, parents=tuple(parents), message=message, author=author, committer=committer
        )
        return Reply(status=201, body=git_render.git_commit(call.urls, repo, made))

    def get_git_commit(self, call: Call) -> Reply:
        """``GET git/commits/{sha}``."""
        repo = self._repo(call)
        found = repo.git.commit(call.params["sha"])
        if found is None:
            raise ops.not_found()
        return Reply(body=git_render.git_commit(call.urls, repo, found))

    # branches and commits -----------------------------------------------------------------

    def get_branch(self, call: Call) -> Reply:
        """``GET branches/{branch}``: the head commit; ETag and 304 come from ``github.py``."""
        repo = self._repo(call)
        name = call.params["branch"]
        head = repo.git.branch(name)
        found = repo.git.commit(head) if head else None
        if found is None:
            raise error(404, "Branch not found")
        body = git_render.branch(call.urls, self.state, repo, name, found)
        return Reply(body=body, last_modified=found.committer.date)

    def get_commit(self, call: Call) -> Reply:
        """``GET commits/{ref}`` with ``files`` and ``stats`` against the first parent; with
        ``Accept: application/vnd.github.sha``, only the SHA as text (the cheap way to poll)."""
        repo, git = self._git(call)
        found = self._commit_of(git, call.params["ref"])
        if SHA_MEDIA_TYPE in call.req.headers.get("accept", ""):
            headers = {"Content-Type": f"{SHA_MEDIA_TYPE}; charset=utf-8"}
            return Reply(
                body=found.sha.encode(), headers=headers, last_modified=found.committer.date
            )
        parent = git.commit(found.parents[0]) if found.parents else None
        before = parent.tree if parent else None
        files = file_changes(call.urls, repo, before, found.tree, at=found.sha)
        body = git_render.commit(call.urls, self.state, repo, found, files=files)
        return Reply(body=body, last_modified=found.committer.date)


def decode_base64(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ops.validation_failed(
            "Contents", field, message="content is not valid Base64"
        ) from exc


def _person(raw: Any, now: float) -> Person:
    if (
        isinstance(raw, dict)
        and isinstance(raw.get("name"), str)
        and isinstance(raw.get("email"), str)
    ):
        return Person(raw["name"], raw["email"], now)
    return git_render.person_of(BOT_LOGIN, now)


def _apply_tree_entry(git: GitData, files: Files, item: dict[str, Any]) -> None:
    path, mode, sha = item.get("path"), item.get("mode"), item.get("sha", ...)
    if not isinstance(path, str) or not path.strip("/"):
        raise ops.validation_failed("Tree", "path", code="missing_field")
    path = path.strip("/")
    if sha is None:  # GitHub: a null sha deletes the path
        for existing in [p for p in files if p == path or p.startswith(path + "/")]:
            del files[existing]
        return
    if mode == TREE_MODE:
        if not isinstance(sha, str) or git.tree(sha) is None:
            raise ops.validation_failed("Tree", "sha", value=sha)
        for sub, leaf in git.files(sha).items():
            files[f"{path}/{sub}"] = leaf
        return
    if mode not in BLOB_MODES:
        raise ops.validation_failed("Tree", "mode", value=mode)
    if blocked_by_file(files, path) or any(p.startswith(path + "/") for p in files):
        raise ops.validation_failed("Tree", "path", value=path)
    if "content" in item:
        content = item["content"]
        if not isinstance(content, str):
            raise ops.validation_failed("Tree", "content")
        sha = git.put_blob(content.encode()).sha
    elif not isinstance(sha, str) or git.blob(sha) is None:
        raise ops.validation_failed("Tree", "sha", value=sha)
    files[path] = (str(mode), str(sha))
