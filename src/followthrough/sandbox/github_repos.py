"""Git objects and refs of the simulated GitHub in the sandbox: blobs, trees, commits, branches.

Objects are hashed exactly as git hashes them (SHA-1 over ``"<kind> <size>\\0<body>"``), so a
blob's SHA here is the one ``git hash-object`` prints. Trees are immutable; a write builds new
trees from a flat ``path -> (mode, blob sha)`` map. Everything dumps to JSON types.
"""

from __future__ import annotations

import base64
import hashlib
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FILE_MODE = "100644"
EXEC_MODE = "100755"
LINK_MODE = "120000"
TREE_MODE = "040000"
BLOB_MODES = frozenset({FILE_MODE, EXEC_MODE, LINK_MODE})
HEADS = "refs/heads/"

Files = dict[str, tuple[str, str]]  # path -> (mode, blob sha)


def _hash(kind: str, body: bytes) -> str:
    header = f"{kind} {len(body)}\0".encode()
    return hashlib.sha1(header + body, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Blob:
    """File content."""

    sha: str
    content: bytes


@dataclass(frozen=True)
class TreeEntry:
    """One name in a tree: a blob (``mode`` 100644/100755/120000) or a subtree (040000)."""

    name: str
    mode: str
    sha: str

    @property
    def type(self) -> str:
        """``blob`` or ``tree``."""
        return "tree" if self.mode == TREE_MODE else "blob"


@dataclass(frozen=True)
class Tree:
    """A directory listing, entries in git's order."""

    sha: str
    entries: tuple[TreeEntry, ...]


@dataclass(frozen=True)
class Person:
    """Author or committer of a commit."""

    name: str
    email: str
    date: float


@dataclass(frozen=True)
class Commit:
    """A commit: a tree, its parents and a message."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: Person
    committer: Person


def _stamp(person: Person) -> str:
    return f"{person.name} <{person.email}> {int(person.date)} +0000"


def _git_order(entry: TreeEntry) -> bytes:
    return (entry.name + "/" if entry.type == "tree" else entry.name).encode()


@dataclass
class GitData:
    """The object database and refs of one repository."""

    objects: dict[str, Blob | Tree | Commit] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" -> commit sha

    @property
    def empty(self) -> bool:
        """Whether no ref exists yet (GitHub answers 409 "Git Repository is empty.")."""
        return not self.refs

    # writing -----------------------------------------------------------------------------

    def put_blob(self, content: bytes) -> Blob:
        """Store ``content`` (idempotent)."""
        blob = Blob(_hash("blob", content), content)
        self.objects.setdefault(blob.sha, blob)
        return blob

    def put_tree(self, entries: list[TreeEntry]) -> Tree:
        """Store a tree of ``entries`` (sorted here)."""
        ordered = tuple(sorted(entries, key=_git_order))
        body = b"".join(
            f"{e.mode.lstrip('0')} {e.name}\0".encode() + bytes.fromhex(e.sha) for e in ordered
        )
        tree = Tree(_hash("tree", body), ordered)
        self.objects.setdefault(tree.sha, tree)
        return tree

    def put_commit(
        self,
        *,
        tree: str,
        parents: tuple[str, ...],
        message: str,
        author: Person,
        committer: Person,
    ) -> Commit:
        """Store a commit."""
        lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
        lines += [f"author {_stamp(author)}", f"committer {_stamp(committer)}", "", message]
        sha = _hash("commit", "\n".join(lines).encode())
        commit = Commit(sha, tree, parents, message, author, committer)
        self.objects.setdefault(sha, commit)
        return commit

    def put_files(self, files: Mapping[str, tuple[str, str]]) -> Tree:
        """Build (and store) the root tree holding ``files`` (path -> (mode, blob sha))."""
        nested: dict[str, Any] = {}
        for path, leaf in files.items():
            *dirs, name = path.split("/")
            node = nested
            for part in dirs:
                node = node.setdefault(part, {})
            node[name] = leaf
        return self._put_nested(nested)

    def _put_nested(self, node: dict[str, Any]) -> Tree:
        entries = []
        for name, child in node.items():
            if isinstance(child, dict):
                entries.append(TreeEntry(name, TREE_MODE, self._put_nested(child).sha))
            else:
                entries.append(TreeEntry(name, child[0], child[1]))
        return self.put_tree(entries)

    # reading -----------------------------------------------------------------------------

    def blob(self, sha: str) -> Blob | None:
        """The blob ``sha``, if stored."""
        found = self.objects.get(sha)
        return found if isinstance(found, Blob) else None

    def tree(self, sha: str) -> Tree | None:
        """The tree ``sha``, if stored."""
        found = self.objects.get(sha)
        return found if isinstance(found, Tree) else None

    def commit(self, sha: str) -> Commit | None:
        """The commit ``sha``, if stored."""
        found = self.objects.get(sha)
        return found if isinstance(found, Commit) else None

    def walk(self, tree_sha: str, prefix: str = "") -> Iterator[tuple[str, TreeEntry]]:
        """(path, entry) for every entry below ``tree_sha``, depth first in git's order."""
        tree = self.tree(tree_sha)
        if tree is None:
            return
        for entry in tree.entries:
            path = prefix + entry.name
            yield path, entry
            if entry.type == "tree":
                yield from self.walk(entry.sha, path + "/")

    def files(self, tree_sha: str) -> Files:
        """The flat ``path -> (mode, blob sha)`` map of a tree."""
        return {p: (e.mode, e.sha) for p, e in self.walk(tree_sha) if e.type == "blob"}

    def entry_at(self, tree_sha: str, path: str) -> TreeEntry | None:
        """The entry at ``path`` ("" is the root, as a tree entry)."""
        if not path:
            return TreeEntry("", TREE_MODE, tree_sha)
        current: TreeEntry | None = None
        sha = tree_sha
        for part in path.split("/"):
            tree = self.tree(sha)
            if tree is None:
                return None
            current = next((e for e in tree.entries if e.name == part), None)
            if current is None:
                return None
            sha = current.sha
        return current

    def branch(self, name: str) -> str | None:
        """Head commit of branch ``name``."""
        return self.refs.get(HEADS + name)

    def resolve(self, ref: str) -> str | None:
        """A commit SHA for a full or abbreviated SHA, branch or tag name, or ``refs/...``."""
        for candidate in (ref, "refs/" + ref, HEADS + ref, "refs/tags/" + ref):
            if candidate in self.refs:
                return self.refs[candidate]
        if ref in self.objects:
            return ref
        if len(ref) >= 4 and all(c in "0123456789abcdef" for c in ref):
            matches = [sha for sha in self.objects if sha.startswith(ref)]
            commits = [sha for sha in matches if isinstance(self.objects[sha], Commit)]
            if len(commits) == 1:
                return commits[0]
        return None

    def ancestors(self, sha: str) -> Iterator[str]:
        """``sha`` and every commit reachable from it, breadth first."""
        seen: set[str] = set()
        queue = deque([sha])
        while queue:
            current = queue.popleft()
            if current in seen:
                continue
            seen.add(current)
            yield current
            commit = self.commit(current)
            if commit is not None:
                queue.extend(commit.parents)

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether ``older`` is reachable from ``newer`` (a fast-forward from one to the other)."""
        return any(sha == older for sha in self.ancestors(newer))

    def merge_base(self, one: str, other: str) -> str | None:
        """The nearest common ancestor of two commits."""
        mine = set(self.ancestors(one))
        return next((sha for sha in self.ancestors(other) if sha in mine), None)


def blocked_by_file(files: Files, path: str) -> str | None:
    """The file that sits where a folder of ``path`` would have to be, if any."""
    parts = path.split("/")
    return next(
        (prefix for n in range(1, len(parts)) if (prefix := "/".join(parts[:n])) in files),
        None,
    )


def merge_files(base: Files, ours: Files, theirs: Files) -> Files | None:
    """Three-way merge at file granularity; None when both sides changed a file differently."""
    merged: Files = {}
    for path in set(base) | set(ours) | set(theirs):
        old, mine, their = base.get(path), ours.get(path), theirs.get(path)
        if their in (mine, old):
            chosen = mine
        elif mine == old:
            chosen = their
        else:
            return None
        if chosen is not None:
            merged[path] = chosen
    return merged


def utc_iso(instant: float) -> str:
    """``2024-05-01T10:00:00Z``."""
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def b64_lines(content: bytes) -> str:
    """Base64 broken into 60-character lines, as GitHub serves blob and file content."""
    flat = base64.b64encode(content).decode()
    return "".join(flat[i : i + 60] + "\n" for i in range(0, len(flat), 60))


# persistence ---------------------------------------------------------------------------------


def dump_git(git: GitData) -> dict[str, Any]:
    """JSON-able copy of ``git``."""
    blobs, trees, commits = [], [], []
    for obj in git.objects.values():
        if isinstance(obj, Blob):
            blobs.append(base64.b64encode(obj.content).decode())
        elif isinstance(obj, Tree):
            trees.append([[e.name, e.mode, e.sha] for e in obj.entries])
        else:
            commits.append(_dump_commit(obj))
    return {"blobs": blobs, "trees": trees, "commits": commits, "refs": dict(git.refs)}


def _dump_commit(commit: Commit) -> dict[str, Any]:
    return {
        "sha": commit.sha,
        "tree": commit.tree,
        "parents": list(commit.parents),
        "message": commit.message,
        "author": [commit.author.name, commit.author.email, commit.author.date],
        "committer": [commit.committer.name, commit.committer.email, commit.committer.date],
    }


def load_git(raw: dict[str, Any] | None) -> GitData:
    """Rebuild :func:`dump_git` output (None: an empty repository)."""
    git = GitData()
    if not raw:
        return git
    for encoded in raw["blobs"]:
        git.put_blob(base64.b64decode(encoded))
    for entries in raw["trees"]:
        git.put_tree([TreeEntry(*entry) for entry in entries])
    for c in raw["commits"]:
        commit = Commit(
            c["sha"], c["tree"], tuple(c["parents"]), c["message"], Person(*c["author"]),
            Person(*c["committer"]),
        )  # fmt: skip
        git.objects[commit.sha] = commit
    git.refs = dict(raw["refs"])
    return git
