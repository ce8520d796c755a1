"""GitHub repository sources: which connection reads them, and one reader per source a process.

A ``github: {repo, path, ref, connection}`` source is read through a ``kind: github`` tracker
connection (github.com or GitHub Enterprise, the sandbox's ``/api/v3`` URL included). The
reader of each source lives as long as the process, so a worker's later cycles only ask
whether the branch moved (a 304 costs no rate-limit point) and fetch the documents that
changed. The embedded ``kind: sandbox`` connection serves no repository contents; a source on
it is skipped and named.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.config import Config, GitHubConnection, GitHubSource
from followthrough.domain.model import Postmortem

if TYPE_CHECKING:
    from followthrough.adapters.sources.github_repo import GitHubRepoSource

_Key = tuple[str, str, str, str]  # api URL, repo, path, ref
_READERS: dict[_Key, GitHubRepoSource] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class RepoDocuments:
    """A source's postmortems and the root their team path globs are relative to, or why
    the source was skipped."""

    postmortems: tuple[Postmortem, ...] = ()
    root: Path = Path()
    skipped: str | None = None
    commit: str = ""  # the branch head read


def describe(source: GitHubSource) -> str:
    """``source github owner/name:path``, as findings and skip lines name it."""
    spec = source.github
    return f"source github {spec.repo}:{spec.path or '/'}"


def read_repo_source(config: Config, source: GitHubSource) -> RepoDocuments:
    """Every postmortem of ``source`` at its branch head, or the reason it was skipped."""
    from followthrough.adapters.sources.github_repo import RepoSourceError  # noqa: PLC0415

    spec = source.github
    reader = _reader(config, source)
    if isinstance(reader, str):
        return RepoDocuments(skipped=f"{describe(source)}: skipped, {reader}")
    with _LOCK:  # one read at a time per process: readers keep state between reads
        try:
            read = reader.read()
        except RepoSourceError as error:
            fix = f"check the source's repo and ref, and the token of trackers.{spec.connection}"
            return RepoDocuments(skipped=f"{describe(source)}: skipped, {error.reason} ({fix})")
    root = Path(spec.repo) / spec.path.strip("/")
    web = _web_base(reader.location.api)
    linked = tuple(_linked(pm, web, spec.repo, read.head) for pm in read.postmortems)
    return RepoDocuments(postmortems=linked, root=root, commit=read.head)


def _web_base(api: str) -> str:
    """Where people browse the repository: github.com, or an Enterprise server's own host."""
    base = api.rstrip("/")
    if base == "https://api.github.com":
        return "https://github.com"
    return base.removesuffix("/api/v3")


def _linked(pm: Postmortem, web: str, repo: str, commit: str) -> Postmortem:
    """The document at the commit it was read from; a line shown as the source, highlighted."""
    inside = pm.path.removeprefix(f"{repo}/")
    url = f"{web}/{repo}/blob/{commit}/{quote(inside)}"
    return replace(pm, url=url, line_url=f"{url}?plain=1#L{{line}}")


def probe_repo_source(config: Config, source: GitHubSource) -> tuple[bool, str]:
    """Whether the branch head can be read (one request), and what was seen."""
    from followthrough.adapters.sources.github_repo import RepoSourceError  # noqa: PLC0415

    reader = _reader(config, source)
    if isinstance(reader, str):
        return False, reader
    try:
        head = reader.head()
    except RepoSourceError as error:
        return False, error.reason
    return True, f"branch {source.github.ref} is at {head[:7]}"


def _reader(config: Config, source: GitHubSource) -> GitHubRepoSource | str:
    """The process's reader for ``source``, or why there can be none."""
    from followthrough.adapters.sources.github_repo import (  # noqa: PLC0415 - requests loads on use
        GitHubRepoSource,
        RepoLocation,
        github_session,
    )

    spec = source.github
    connection = config.settings.trackers.get(spec.connection)
    if not isinstance(connection, GitHubConnection):
        return (
            f"connection '{spec.connection}' serves no repository contents (the embedded"
            " sandbox does not; give the source a kind: github connection, e.g. the URL of"
            " `followthrough sandbox` followed by /api/v3)"
        )
    key = (connection.url, spec.repo, spec.path, spec.ref)
    with _LOCK:
        reader = _READERS.get(key)
        if reader is None:
            token = connection.token.get_secret_value() if connection.token else ""
            location = RepoLocation(
                api=connection.url, repo=spec.repo, ref=spec.ref, path=spec.path
            )
            reader = GitHubRepoSource(
                location, session=github_session(token), reader=DocumentReader()
            )
            _READERS[key] = reader
    return reader
