"""Repository endpoints of the sandbox's GitHub through the Prism validating proxy.

PyGithub creates a repository, writes and reads postmortems through the contents API, walks
the git data (refs, blobs, trees, commits), reads the branch head conditionally, fetches the
tarball and opens and merges a pull request. Every ``sl-violations`` entry must be on the
reviewed allow-list.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import uuid

import pytest
import requests
from github import Github, GithubException, InputGitTreeElement

from .conftest import PrismStack, ViolationRecorder

pytestmark = pytest.mark.contract

POSTMORTEM = "# Checkout outage\n\n## Action items\n- [ ] Alert on pool saturation\n"


def _session(prism_stack: PrismStack, violations: ViolationRecorder) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"token {prism_stack.token}"
    session.headers["Accept"] = "application/vnd.github+json"
    session.hooks["response"].append(violations.hook_for("github"))
    return session


def test_pygithub_repository_contents_git_data_and_pulls(
    github_client: Github, prism_stack: PrismStack, violations: ViolationRecorder
) -> None:
    name = f"postmortems-{uuid.uuid4().hex[:8]}"
    repo = github_client.get_organization("acme").create_repo(name, auto_init=True)
    assert github_client.get_repo(f"acme/{name}").default_branch == "main"
    github_client.get_user().create_repo(f"{name}-mine", description="scratch")

    created = repo.create_file("postmortems/checkout.md", "Add postmortem", POSTMORTEM)
    repo.update_file(
        "postmortems/checkout.md", "Tick", POSTMORTEM + "done\n", sha=created["content"].sha
    )
    listing = repo.get_contents("postmortems")
    assert isinstance(listing, list)
    assert [c.name for c in listing] == ["checkout.md"]
    single = repo.get_contents("postmortems/checkout.md", ref="main")
    assert not isinstance(single, list)
    assert single.decoded_content.endswith(b"done\n")

    main = repo.get_git_ref("heads/main")
    head = repo.get_git_commit(main.object.sha)
    tree = repo.get_git_tree(head.sha, recursive=True)
    assert {e.path for e in tree.tree} >= {"README.md", "postmortems/checkout.md"}
    blob_sha = next(e.sha for e in tree.tree if e.path == "postmortems/checkout.md")
    assert repo.get_git_blob(blob_sha).size == len(POSTMORTEM) + 5
    blob = repo.create_git_blob("links\n", "utf-8")
    new_tree = repo.create_git_tree(
        [InputGitTreeElement("postmortems/links.md", "100644", "blob", sha=blob.sha)], head.tree
    )
    commit = repo.create_git_commit("Add links", new_tree, [head])
    branch = repo.create_git_ref("refs/heads/writeback", commit.sha)
    assert branch.object.sha == commit.sha
    side = repo.create_git_commit("Side", head.tree, [head])
    with pytest.raises(GithubException) as not_ff:
        branch.edit(side.sha)
    assert not_ff.value.status == 422
    assert [r.ref for r in repo.get_git_matching_refs("heads/")] == [
        "refs/heads/main",
        "refs/heads/writeback",
    ]

    assert repo.get_branch("main").commit.sha == head.sha
    assert repo.get_commit("writeback").files[0].filename == "postmortems/links.md"
    session = _session(prism_stack, violations)
    url = f"{prism_stack.github.url}/repos/acme/{name}/branches/main"
    first = session.get(url, timeout=30)
    again = session.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
    assert again.headers["X-RateLimit-Used"] == first.headers["X-RateLimit-Used"]
    sha_url = f"{prism_stack.github.url}/repos/acme/{name}/commits/main"
    bare = session.get(sha_url, headers={"Accept": "application/vnd.github.sha"}, timeout=30)
    assert bare.text == head.sha
    unchanged = session.get(
        sha_url,
        headers={"Accept": "application/vnd.github.sha", "If-None-Match": bare.headers["ETag"]},
        timeout=30,
    )
    assert unchanged.status_code == 304

    # Prism's proxy follows upstream redirects (node-fetch's default), so the 302 of the
    # tarball endpoint never reaches a client through it; the description declares only a
    # bodiless 302 there. Ask the sandbox directly, and fetch the download (codeload's job on
    # GitHub, outside the REST description) from it too.
    direct = prism_stack.sandbox.url("github")
    redirect = requests.get(
        f"{direct}/repos/acme/{name}/tarball/main",
        headers={"Authorization": f"token {prism_stack.token}"},
        allow_redirects=False,
        timeout=30,
    )
    assert redirect.status_code == 302
    link = redirect.headers["Location"]
    assert link.startswith(prism_stack.github.url)
    download = requests.get(direct + link.removeprefix(prism_stack.github.url), timeout=30)
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(download.content))) as tar:
        assert any(n.endswith("/postmortems/checkout.md") for n in tar.getnames())

    compared = repo.compare("main", "writeback")
    assert compared.ahead_by == 1
    pull = repo.create_pull(title="Record ticket links", body="", head="writeback", base="main")
    assert [p.number for p in repo.get_pulls(state="open", head="acme:writeback")] == [pull.number]
    pull.edit(body="Links to the tickets")
    assert pull.merge().merged is True
    merged = repo.get_pull(pull.number)
    assert merged.merged is True
    assert merged.is_merged() is True

    violations.assert_reviewed()
