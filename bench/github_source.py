"""Reading postmortems from a GitHub repository: API calls of the first and later reads.

Usage: python bench/github_source.py [--files 1000] [--changed 10] [--seed 7]

Builds ``acme/postmortems`` in an in-process sandbox with ``--files`` Markdown postmortems
spread over twenty team folders (one commit), then reads it with ``GitHubRepoSource`` twice
from scratch: once from the tarball, once from the recursive tree plus one blob per document.
Then, on the tarball reader, a read with the head unchanged (a conditional request answered
304) and one after a commit that changes ``--changed`` documents. For each read it prints the
REST calls made, the primary rate-limit points they used (from the sandbox's own accounting,
the one behind ``X-RateLimit-Used``), archive downloads and wall time.

The last line is one JSON object, e.g. ``{"files": 1000, "tarball_calls": 2, ...}``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import requests

from followthrough.adapters.sources.github_repo import GitHubRepoSource, RepoLocation, RepoRead
from followthrough.adapters.sources.reader import DocumentReader
from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.github import GitHubApp
from followthrough.sandbox.github_git_api import commit_files
from followthrough.sandbox.github_repos import FILE_MODE, Files

TEAMS = [f"team-{n:02d}" for n in range(20)]


def document(rng: random.Random, n: int, revision: int = 0) -> bytes:
    owners = ["alice", "bob", "carol", "dave", "lena", "marco"]
    items = "".join(
        f"- [ ] Follow-up {n}.{i} rev {revision} (owner: {rng.choice(owners)}, due 2025-0{1 + i}-15)\n"
        for i in range(rng.randint(2, 6))
    )
    body = "We saw elevated error rates. " * rng.randint(20, 120)
    return (
        f"# Incident {n}\n\n**Date:** 2024-0{1 + n % 9}-1{n % 10}\n\n## Summary\n\n{body}\n\n"
        f"## Action items\n\n{items}"
    ).encode()


def seed(app: GitHubApp, files: int, rng: random.Random) -> Files:
    app.add_repo("acme/postmortems")
    repo = app.state.repo("acme", "postmortems")
    assert repo is not None
    tree: Files = {}
    for n in range(files):
        path = f"postmortems/{TEAMS[n % len(TEAMS)]}/incident-{n:05d}.md"
        tree[path] = (FILE_MODE, repo.git.put_blob(document(rng, n)).sha)
    now = app.clock.now().timestamp()
    commit_files(repo, branch="main", files=tree, message="seed", actor="alice", now=now)
    return tree


def change(app: GitHubApp, tree: Files, count: int, rng: random.Random) -> None:
    repo = app.state.repo("acme", "postmortems")
    assert repo is not None
    for path in rng.sample(sorted(tree), count):
        n = int(path.rsplit("-", 1)[1].split(".")[0])
        tree[path] = (FILE_MODE, repo.git.put_blob(document(rng, n, revision=1)).sha)
    now = app.clock.now().timestamp()
    commit_files(repo, branch="main", files=tree, message="edit", actor="bob", now=now)


def measured(app: GitHubApp, reader: GitHubRepoSource) -> tuple[RepoRead, int, float]:
    before = app.state.rate["core"].used
    started = time.perf_counter()
    read = reader.read()
    return read, app.state.rate["core"].used - before, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    clock = SimClock(datetime(2024, 5, 1, 10, 0, tzinfo=UTC))
    clock.freeze()
    app = GitHubApp(clock)
    tree = seed(app, args.files, rng)
    figures: dict[str, object] = {"files": args.files}
    with Sandbox(apps=[app], clock=clock) as sandbox:
        session = requests.Session()
        session.headers["Authorization"] = f"token {sandbox.token}"
        location = RepoLocation(api=sandbox.public_base("github"), repo="acme/postmortems")

        def reader(first_read: str) -> GitHubRepoSource:
            return GitHubRepoSource(
                location,
                session=session,
                reader=DocumentReader(),
                first_read=first_read,  # type: ignore[arg-type]
            )

        tarball = reader("tarball")
        steps = [
            ("tarball", tarball),
            ("tree", reader("tree")),
            ("unchanged", tarball),
        ]
        for name, source in steps:
            read, points, seconds = measured(app, source)
            _report(figures, name, read, points, seconds)
        change(app, tree, args.changed, rng)
        read, points, seconds = measured(app, tarball)
        _report(figures, "changed", read, points, seconds)
    print(json.dumps(figures))
    return 0


def _report(
    figures: dict[str, object], name: str, read: RepoRead, points: int, secs: float
) -> None:
    print(
        f"{name:>9}: {read.api_calls:5d} API calls, {points:5d} rate-limit points, "
        f"{read.downloads} downloads, {len(read.fetched):5d} documents fetched, "
        f"{len(read.postmortems):5d} postmortems, {secs:6.2f} s"
    )
    figures[f"{name}_calls"] = read.api_calls
    figures[f"{name}_points"] = points
    figures[f"{name}_downloads"] = read.downloads
    figures[f"{name}_seconds"] = round(secs, 2)


if __name__ == "__main__":
    raise SystemExit(main())
