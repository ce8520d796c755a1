"""Repositories, git data, contents, archives and pull requests of the simulated GitHub.

Driven by the real PyGithub client (and ``requests`` where headers or redirects matter) against
a ``Sandbox`` on loopback with a frozen clock.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from github import Github, GithubException, InputGitTreeElement
from github.Repository import Repository

from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.github import GitHubApp
from tests.github_client import github_client

START = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
POSTMORTEM = "# Checkout outage\n\n## Action items\n- [ ] Alert on pool saturation (owner: alice)\n"


@pytest.fixture
def clock() -> SimClock:
    sim = SimClock(START)
    sim.freeze()
    return sim


@pytest.fixture
def app(clock: SimClock) -> GitHubApp:
    return GitHubApp(clock)


@pytest.fixture
def sandbox(app: GitHubApp, clock: SimClock) -> Iterator[Sandbox]:
    with Sandbox(apps=[app], clock=clock) as running:
        yield running


@pytest.fixture
def gh(sandbox: Sandbox) -> Github:
    return github_client(sandbox.public_base("github"), sandbox.token)


@pytest.fixture
def repo(gh: Github) -> Repository:
    return gh.get_organization("acme").create_repo("postmortems", auto_init=True)


def raw(sandbox: Sandbox, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"token {sandbox.token}", **kwargs.pop("headers", {})}
    url = sandbox.public_base("github") + path
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def git_hash(kind: str, body: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(body)}\0".encode() + body).hexdigest()


# repositories ------------------------------------------------------------------------------


def test_create_org_repo_with_initial_commit(gh: Github, repo: Repository) -> None:
    assert repo.full_name == "acme/postmortems"
    assert repo.default_branch == "main"
    head = repo.get_branch("main").commit
    assert head.commit.message == "Initial commit"
    readme = repo.get_contents("README.md")
    assert not isinstance(readme, list)
    assert readme.decoded_content == b"# postmortems\n"
    assert readme.sha == git_hash("blob", b"# postmortems\n")
    assert gh.get_repo("acme/postmortems").id == repo.id


def test_create_user_repo_without_auto_init_is_empty(gh: Github, sandbox: Sandbox) -> None:
    mine = gh.get_user().create_repo("notes", description="scratch", private=True)
    assert mine.full_name == "followthrough-bot/notes"
    assert mine.private is True
    assert mine.description == "scratch"
    empty = raw(sandbox, "GET", "/repos/followthrough-bot/notes/git/ref/heads/main")
    assert empty.status_code == 409
    assert empty.json()["message"] == "Git Repository is empty."
    mine.create_file("first.md", "first file", "hello")  # the first write creates the branch
    assert mine.get_branch("main").commit.commit.message == "first file"


def test_create_repo_refuses_a_taken_name_and_unknown_org(gh: Github) -> None:
    with pytest.raises(GithubException) as taken:
        gh.get_organization("acme").create_repo("ops")
    assert taken.value.status == 422
    with pytest.raises(GithubException) as missing:
        gh.get_organization("nobody").create_repo("x")
    assert missing.value.status == 404


# contents -----------------------------------------------------------------------------------


def test_create_and_update_file_need_the_current_sha(repo: Repository) -> None:
    created = repo.create_file("postmortems/2024-05-01-checkout.md", "Add postmortem", POSTMORTEM)
    first = created["content"]
    assert first.sha == git_hash("blob", POSTMORTEM.encode())
    with pytest.raises(GithubException) as no_sha:
        repo.create_file("postmortems/2024-05-01-checkout.md", "again", "x")
    assert no_sha.value.status == 422
    assert "sha" in no_sha.value.data["message"]
    with pytest.raises(GithubException) as stale:
        repo.update_file("postmortems/2024-05-01-checkout.md", "edit", "y", sha="0" * 40)
    assert stale.value.status == 409
    updated = repo.update_file(
        "postmortems/2024-05-01-checkout.md", "Tick item", POSTMORTEM + "done\n", sha=first.sha
    )
    assert updated["commit"].parents[0].sha != updated["commit"].sha
    now = repo.get_contents("postmortems/2024-05-01-checkout.md")
    assert not isinstance(now, list)
    assert now.decoded_content == (POSTMORTEM + "done\n").encode()
    before = repo.get_contents("postmortems/2024-05-01-checkout.md", ref=created["commit"].sha)
    assert not isinstance(before, list)
    assert before.decoded_content == POSTMORTEM.encode()


def test_directory_listing_and_missing_paths(repo: Repository) -> None:
    repo.create_file("postmortems/a.md", "a", "A")
    repo.create_file("postmortems/b.md", "b", "B")
    listing = repo.get_contents("postmortems")
    assert isinstance(listing, list)
    assert [(c.path, c.type) for c in listing] == [
        ("postmortems/a.md", "file"),
        ("postmortems/b.md", "file"),
    ]
    root = repo.get_contents("")
    assert isinstance(root, list)
    assert {(c.name, c.type) for c in root} == {("README.md", "file"), ("postmortems", "dir")}
    with pytest.raises(GithubException) as missing:
        repo.get_contents("postmortems/zzz.md")
    assert missing.value.status == 404
    with pytest.raises(GithubException) as no_branch:
        repo.create_file("x.md", "x", "x", branch="nope")
    assert no_branch.value.status == 404


# git data -----------------------------------------------------------------------------------


def test_recursive_tree_and_blobs_match_git(repo: Repository, tmp_path: Path) -> None:
    repo.create_file("postmortems/2024/a.md", "a", "alpha\n")
    repo.create_file("postmortems/2024/b.md", "b", "beta\n")
    head = repo.get_branch("main").commit
    tree = repo.get_git_tree(head.sha, recursive=True)
    assert [(e.path, e.type) for e in tree.tree] == [
        ("README.md", "blob"),
        ("postmortems", "tree"),
        ("postmortems/2024", "tree"),
        ("postmortems/2024/a.md", "blob"),
        ("postmortems/2024/b.md", "blob"),
    ]
    assert tree.raw_data["truncated"] is False
    a = next(e for e in tree.tree if e.path.endswith("a.md"))
    assert a.size == len(b"alpha\n")
    assert base64.b64decode(repo.get_git_blob(a.sha).content) == b"alpha\n"
    shallow = repo.get_git_tree(head.commit.tree.sha)
    assert [e.path for e in shallow.tree] == ["README.md", "postmortems"]
    # The root tree SHA is the one git itself computes for the same files.
    work = tmp_path / "w"
    (work / "postmortems" / "2024").mkdir(parents=True)
    (work / "README.md").write_text("# postmortems\n")
    (work / "postmortems" / "2024" / "a.md").write_text("alpha\n")
    (work / "postmortems" / "2024" / "b.md").write_text("beta\n")
    git = ["git", "-C", str(work)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    written = subprocess.run([*git, "write-tree"], check=True, capture_output=True, text=True)
    assert head.commit.tree.sha == written.stdout.strip()


def test_recursive_tree_is_truncated_at_the_configured_limit(
    repo: Repository, app: GitHubApp, sandbox: Sandbox
) -> None:
    for n in range(4):
        repo.create_file(f"pm/{n}.md", f"add {n}", f"{n}\n")
    assert raw(sandbox, "POST", "/_sandbox/config", json={"tree_entry_limit": 3}).ok
    tree = repo.get_git_tree("main", recursive=True)
    assert len(tree.tree) == 3
    assert tree.raw_data["truncated"] is True
    app.configure({"tree_entry_limit": 100})
    assert repo.get_git_tree("main", recursive=True).raw_data["truncated"] is False


def test_git_blob_tree_commit_and_ref_updates(repo: Repository) -> None:
    main = repo.get_git_ref("heads/main")
    base = repo.get_git_commit(main.object.sha)
    blob = repo.create_git_blob("gamma\n", "utf-8")
    assert blob.sha == git_hash("blob", b"gamma\n")
    tree = repo.create_git_tree(
        [InputGitTreeElement("pm/c.md", "100644", "blob", sha=blob.sha)], base.tree
    )
    commit = repo.create_git_commit("Add c", tree, [base])
    assert [p.sha for p in commit.parents] == [base.sha]
    feature = repo.create_git_ref("refs/heads/feature", commit.sha)
    assert feature.object.sha == commit.sha
    with pytest.raises(GithubException) as exists:
        repo.create_git_ref("refs/heads/feature", commit.sha)
    assert exists.value.status == 422
    main.edit(commit.sha)  # a fast-forward
    assert repo.get_branch("main").commit.sha == commit.sha
    side = repo.create_git_commit("Side", base.tree, [base])
    with pytest.raises(GithubException) as not_ff:
        main.edit(side.sha)
    assert not_ff.value.status == 422
    assert not_ff.value.data["message"] == "Update is not a fast forward"
    main.edit(side.sha, force=True)
    assert repo.get_branch("main").commit.sha == side.sha
    assert [r.ref for r in repo.get_git_matching_refs("heads/")] == [
        "refs/heads/feature",
        "refs/heads/main",
    ]


# branch head, ETag and rate limit -------------------------------------------------------------


def test_branch_head_etag_304_costs_no_rate_limit(repo: Repository, sandbox: Sandbox) -> None:
    path = "/repos/acme/postmortems/branches/main"
    first = raw(sandbox, "GET", path)
    etag = first.headers["ETag"]
    used = int(first.headers["X-RateLimit-Used"])
    again = raw(sandbox, "GET", path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert int(again.headers["X-RateLimit-Used"]) == used
    assert again.headers["X-RateLimit-Remaining"] == first.headers["X-RateLimit-Remaining"]
    repo.create_file("pm/new.md", "new", "new\n")
    moved = raw(sandbox, "GET", path, headers={"If-None-Match": etag})
    assert moved.status_code == 200
    assert moved.json()["commit"]["commit"]["message"] == "new"
    assert int(moved.headers["X-RateLimit-Used"]) > used
    head = raw(sandbox, "GET", "/repos/acme/postmortems/commits/main")
    assert head.json()["sha"] == moved.json()["commit"]["sha"]
    assert [f["filename"] for f in head.json()["files"]] == ["pm/new.md"]
    unchanged = raw(
        sandbox,
        "GET",
        "/repos/acme/postmortems/commits/main",
        headers={"If-None-Match": head.headers["ETag"]},
    )
    assert unchanged.status_code == 304


# archive -------------------------------------------------------------------------------------


def test_tarball_redirects_to_a_gzip_with_the_prefix_directory(
    repo: Repository, sandbox: Sandbox
) -> None:
    repo.create_file("postmortems/a.md", "a", POSTMORTEM)
    sha = repo.get_branch("main").commit.sha
    link = repo.get_archive_link("tarball", "main")
    assert link.startswith(sandbox.public_base("github"))
    redirect = raw(sandbox, "GET", "/repos/acme/postmortems/tarball/main", allow_redirects=False)
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == link
    download = requests.get(link, timeout=10)  # no credentials, as on codeload for public repos
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/x-gzip"
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(download.content))) as tar:
        names = tar.getnames()
        prefix = f"acme-postmortems-{sha[:7]}"
        assert names[0] == prefix
        member = tar.extractfile(f"{prefix}/postmortems/a.md")
        assert member is not None
        assert member.read() == POSTMORTEM.encode()
    assert f"{prefix}/README.md" in names


# pull requests ---------------------------------------------------------------------------------


def _branch_with_change(repo: Repository, branch: str, path: str, text: str) -> None:
    head = repo.get_branch("main").commit.sha
    repo.create_git_ref(f"refs/heads/{branch}", head)
    current = repo.get_contents(path, ref=branch) if path == "README.md" else None
    if current is not None and not isinstance(current, list):
        repo.update_file(path, f"edit {path}", text, sha=current.sha, branch=branch)
    else:
        repo.create_file(path, f"add {path}", text, branch=branch)


def test_pull_request_create_list_merge(repo: Repository) -> None:
    _branch_with_change(repo, "writeback/checkout", "postmortems/a.md", POSTMORTEM)
    pull = repo.create_pull(
        title="Record ticket links", body="Adds links", head="writeback/checkout", base="main"
    )
    assert pull.number >= 1
    assert pull.mergeable is True
    assert pull.changed_files == 1
    listed = repo.get_pulls(state="open", head="acme:writeback/checkout")
    assert [p.number for p in listed] == [pull.number]
    assert list(repo.get_pulls(state="open", head="acme:other")) == []
    with pytest.raises(GithubException) as duplicate:
        repo.create_pull(title="again", body="", head="writeback/checkout", base="main")
    assert duplicate.value.status == 422
    result = pull.merge(commit_message="links")
    assert result.merged is True
    merged = repo.get_pull(pull.number)
    assert merged.merged is True
    assert merged.state == "closed"
    assert merged.merge_commit_sha == result.sha
    merge_commit = repo.get_commit(result.sha)
    assert len(merge_commit.parents) == 2
    main_file = repo.get_contents("postmortems/a.md")
    assert not isinstance(main_file, list)
    assert main_file.decoded_content == POSTMORTEM.encode()
    assert list(repo.get_pulls(state="open")) == []
    assert [p.number for p in repo.get_pulls(state="closed")] == [pull.number]


def test_conflicting_pull_request_is_not_mergeable(repo: Repository) -> None:
    _branch_with_change(repo, "one", "README.md", "one\n")
    pull = repo.create_pull(title="one", body="", head="one", base="main")
    readme = repo.get_contents("README.md")
    assert not isinstance(readme, list)
    repo.update_file("README.md", "main moves", "main\n", sha=readme.sha)
    assert repo.get_pull(pull.number).mergeable is False
    with pytest.raises(GithubException) as refused:
        pull.merge()
    assert refused.value.status == 405
    pull.edit(state="closed")
    assert repo.get_pull(pull.number).state == "closed"


def test_compare_counts_commits_ahead(repo: Repository) -> None:
    _branch_with_change(repo, "feature", "pm/x.md", "x\n")
    compared = repo.compare("main", "feature")
    assert compared.status == "ahead"
    assert compared.ahead_by == 1
    assert [f.filename for f in compared.files] == ["pm/x.md"]


def test_git_state_survives_dump_and_load(
    repo: Repository, app: GitHubApp, clock: SimClock
) -> None:
    repo.create_file("pm/a.md", "a", "alpha\n")
    dumped = json.loads(json.dumps(app.dump_state()))
    fresh = GitHubApp(clock)
    fresh.load_state(dumped)
    loaded = fresh.state.repo("acme", "postmortems")
    assert loaded is not None
    assert loaded.git.refs == app.state.repo("acme", "postmortems").git.refs  # type: ignore[union-attr]
    head = loaded.git.branch("main")
    assert head is not None
    assert "pm/a.md" in loaded.git.files(loaded.git.commit(head).tree)  # type: ignore[union-attr]


def test_a_file_cannot_sit_where_a_folder_is_or_below_a_file(repo: Repository) -> None:
    repo.create_file("pm/a.md", "a", "A")
    for path in ("pm", "pm/a.md/b.md"):
        with pytest.raises(GithubException) as refused:
            repo.create_file(path, "clash", "x")
        assert refused.value.status == 422


def test_archive_downloads_are_not_rate_limited(
    repo: Repository, app: GitHubApp, sandbox: Sandbox
) -> None:
    link = repo.get_archive_link("tarball", "main")
    app.configure({"enforce_rate_limit": True, "core_limit": 1})
    assert raw(sandbox, "GET", "/repos/acme/postmortems").status_code == 403
    assert requests.get(link, timeout=10).status_code == 200
