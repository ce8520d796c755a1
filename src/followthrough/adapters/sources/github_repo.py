"""GitHub repository source: postmortems read through the REST API, without a clone.

The first read takes the whole tree at the branch head, either as one tarball (``GET
tarball/{sha}``, a 302 to a download that does not count as an API call) or as the recursive
tree plus one ``GET git/blobs/{sha}`` per document. Each later read first asks which commit the
ref names (``GET commits/{ref}`` as ``application/vnd.github.sha``) with ``If-None-Match``: a
304 means nothing moved, and costs no primary rate-limit point.
Only when the head moved is the recursive tree fetched again and the documents whose blob SHA
changed fetched by SHA; the others keep the postmortems parsed before. A tree GitHub reports
as ``truncated`` (over 100,000 entries or 7 MB) is read from the tarball instead.

Documents are the files the folder source would read (Markdown and HTML, no dot-folders),
parsed by the same ``DocumentReader``; a postmortem's path is ``owner/name/path/in/repo``
and its team folder the file's parent folder, as for a local checkout.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote, urlsplit

import requests

from followthrough.adapters.sources.folder import kind_of
from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.model import Postmortem

FirstRead = Literal["tarball", "tree"]
SHA_MEDIA_TYPE = "application/vnd.github.sha"  # commits/{ref} answers with the bare SHA
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class RepoSourceError(Exception):
    """The repository could not be read: ``reason`` says what GitHub answered."""

    def __init__(self, location: RepoLocation, reason: str) -> None:
        super().__init__(f"github {location.repo}@{location.ref}: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RepoLocation:
    """Where the postmortems are: ``api`` is the REST base (``https://api.github.com``)."""

    api: str
    repo: str  # owner/name
    ref: str = "main"  # a branch, tag or commit
    path: str = ""  # a folder inside the repository; "" for all of it


@dataclass(frozen=True, slots=True)
class RepoRead:
    """One read: every postmortem of the source, and what it cost."""

    postmortems: tuple[Postmortem, ...]
    head: str  # the commit read
    unchanged: bool  # the branch head had not moved
    fetched: tuple[str, ...]  # documents downloaded this time (repository paths)
    removed: tuple[str, ...]  # documents gone since the last read
    api_calls: int  # requests to the REST API (what the primary rate limit counts at most)
    downloads: int  # archive downloads (served outside the REST API)


@dataclass
class _Known:
    head: str = ""
    etag: str | None = None
    blobs: dict[str, str] = field(default_factory=dict)  # path -> blob sha
    parsed: dict[str, tuple[Postmortem, ...]] = field(default_factory=dict)


def github_session(token: str) -> requests.Session:
    """A session that authenticates as ``token`` and asks for the 2022-11-28 REST API."""
    session = requests.Session()
    session.headers.update(
        {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "followthrough",
        }
    )
    return session


def blob_sha(data: bytes) -> str:
    """The SHA git (and GitHub) give a file with these bytes."""
    header = f"blob {len(data)}\0".encode()
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


class GitHubRepoSource:
    """Reads one repository folder; keeps what it read to make the next read incremental."""

    def __init__(
        self,
        location: RepoLocation,
        *,
        session: requests.Session,
        reader: DocumentReader,
        first_read: FirstRead = "tarball",
        timeout: float = 30.0,
    ) -> None:
        self.location = location
        self._session = session
        self._reader = reader
        self._first_read = first_read
        self._timeout = timeout
        self._known = _Known()
        self._calls = 0
        self._downloads = 0
        base = location.api.rstrip("/")
        self._repo_url = f"{base}/repos/{location.repo}"
        self._prefix = location.path.strip("/")

    def head(self) -> str:
        """The branch head commit (one request); ``RepoSourceError`` when it cannot be read."""
        sha, _ = self._head(etag=None)
        assert sha is not None
        return sha

    def read(self) -> RepoRead:
        """Every postmortem at the branch head, fetching only what changed since last time."""
        self._calls = self._downloads = 0
        head, etag = self._head(etag=self._known.etag if self._known.head else None)
        if head is None or head == self._known.head:
            self._known.etag = etag
            return self._result(unchanged=True, fetched=(), removed=())
        if not self._known.head and self._first_read == "tarball":
            fetched, removed = self._from_tarball(head)
        else:
            fetched, removed = self._from_tree(head)
        self._known.head, self._known.etag = head, etag  # only once everything was read
        return self._result(unchanged=False, fetched=fetched, removed=removed)

    # the branch head ----------------------------------------------------------------------

    def _head(self, *, etag: str | None) -> tuple[str | None, str | None]:
        """The commit ``ref`` names and its ETag; None when GitHub answers 304 to ``etag``."""
        headers = {"Accept": SHA_MEDIA_TYPE}
        if etag:
            headers["If-None-Match"] = etag
        url = f"{self._repo_url}/commits/{quote(self.location.ref)}"
        response = self._get(url, headers=headers, ok=(200, 304))
        if response.status_code == 304:
            return None, etag
        return response.text.strip(), response.headers.get("ETag")

    # reading ------------------------------------------------------------------------------

    def _from_tarball(self, head: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        redirect = self._get(f"{self._repo_url}/tarball/{head}", ok=(302,), redirects=False)
        location = redirect.headers.get("Location", "")
        same_host = urlsplit(location).netloc == urlsplit(self._repo_url).netloc
        download = self._session.get(
            location,
            timeout=self._timeout,
            headers=None if same_host else {"Authorization": None},
        )
        self._downloads += 1
        if download.status_code != 200:
            raise self._error(download, "downloading the tarball")
        files = dict(self._documents_in_tarball(download.content))
        blobs = {path: blob_sha(data) for path, data in files.items()}
        removed = self._forget_missing(blobs)
        for path, data in files.items():
            self._store(path, blobs[path], data)
        return tuple(sorted(files)), removed

    def _documents_in_tarball(self, archive: bytes) -> Iterable[tuple[str, bytes]]:
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive)), mode="r:") as tar:
            for member in tar:
                _, _, path = member.name.partition("/")  # drop owner-repo-sha/
                if not member.isfile() or not self._wanted(path):
                    continue
                handle = tar.extractfile(member)
                if handle is not None:
                    yield path, handle.read(MAX_DOCUMENT_BYTES + 1)

    def _from_tree(self, head: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        tree = self._get(f"{self._repo_url}/git/trees/{head}", params={"recursive": "1"}).json()
        if tree.get("truncated"):
            return self._from_tarball(head)
        blobs = {
            str(entry["path"]): str(entry["sha"])
            for entry in tree["tree"]
            if entry.get("type") == "blob" and self._wanted(str(entry["path"]))
        }
        removed = self._forget_missing(blobs)
        fetched = []
        for path, sha in sorted(blobs.items()):
            if self._known.blobs.get(path) == sha:
                continue
            blob = self._get(f"{self._repo_url}/git/blobs/{sha}").json()
            self._store(path, sha, base64.b64decode(blob["content"]))
            fetched.append(path)
        return tuple(fetched), removed

    def _wanted(self, path: str) -> bool:
        if self._prefix and not path.startswith(self._prefix + "/"):
            return False
        parts = path.split("/")
        return kind_of(parts[-1]) is not None and not any(p.startswith(".") for p in parts)

    def _forget_missing(self, present: dict[str, str]) -> tuple[str, ...]:
        gone = tuple(sorted(set(self._known.blobs) - set(present)))
        for path in gone:
            del self._known.blobs[path]
            del self._known.parsed[path]
        return gone

    def _store(self, path: str, sha: str, data: bytes) -> None:
        if self._known.blobs.get(path) == sha:
            return
        parent = path.rsplit("/", 2)
        folder = parent[-2] if len(parent) >= 2 else None
        shown = f"{self.location.repo}/{path}"
        self._known.parsed[path] = self._reader.parse_bytes(data, name=shown, folder=folder)
        self._known.blobs[path] = sha

    def _result(
        self, *, unchanged: bool, fetched: tuple[str, ...], removed: tuple[str, ...]
    ) -> RepoRead:
        postmortems = tuple(
            pm for path in sorted(self._known.parsed) for pm in self._known.parsed[path]
        )
        return RepoRead(
            postmortems=postmortems,
            head=self._known.head,
            unchanged=unchanged,
            fetched=fetched,
            removed=removed,
            api_calls=self._calls,
            downloads=self._downloads,
        )

    # HTTP ---------------------------------------------------------------------------------

    def _get(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
        redirects: bool = True,
    ) -> requests.Response:
        self._calls += 1
        try:
            response = self._session.get(
                url,
                headers=headers,
                params=params,
                timeout=self._timeout,
                allow_redirects=redirects,
            )
        except requests.RequestException as error:
            raise RepoSourceError(self.location, f"{error}") from error
        if response.status_code not in ok:
            raise self._error(response, f"GET {urlsplit(url).path}")
        return response

    def _error(self, response: requests.Response, what: str) -> RepoSourceError:
        try:
            message = str(response.json().get("message", ""))
        except ValueError:
            message = response.reason or ""
        reason = f"{what} answered {response.status_code} {message}".rstrip()
        return RepoSourceError(self.location, reason)
