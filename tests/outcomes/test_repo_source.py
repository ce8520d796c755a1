"""A GitHub repository source reads the same postmortems as a checked-out folder would."""

from __future__ import annotations

import json
import re
from pathlib import Path

from github import Auth, Github

from followthrough.app.wiring import read_documents
from followthrough.config import load_config
from followthrough.sandbox.core import FaultRule
from followthrough.sandbox.github import GitHubApp
from tests.github_client import github_client
from tests.outcomes.conftest import REPO, Workspace

SOURCE = "  - github: {repo: acme/postmortems, path: postmortems}\n"


def _push_examples(workspace: Workspace) -> None:
    """The example postmortems, committed to acme/postmortems under postmortems/."""
    gh = github_client(workspace.sandbox.public_base("github"), workspace.sandbox.token)
    repo = gh.get_organization("acme").create_repo("postmortems", auto_init=True)
    for path in sorted((REPO / "examples").rglob("*.md")):
        relative = path.relative_to(REPO / "examples").as_posix()
        repo.create_file(f"postmortems/{relative}", f"add {relative}", path.read_bytes())


def _plan_lines(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith(("payments:", "web:"))]


def test_sync_plans_the_same_from_the_repository_as_from_the_folder(
    workspace: Workspace,
) -> None:
    from_folder = workspace.run("sync", "--dry-run")
    assert from_folder.status == 0, from_folder.lines
    _push_examples(workspace)
    workspace.configure(sources=SOURCE)
    from_repo = workspace.run("sync", "--dry-run")
    assert from_repo.status == 0, from_repo.lines
    assert _plan_lines(from_repo.lines) == _plan_lines(from_folder.lines)
    assert _plan_lines(from_repo.lines)
    assert any(
        "acme/postmortems/postmortems/web/2026-11-02-cdn-certificate-expiry.md:" in line
        for line in from_repo.lines
    )


def test_check_reads_the_branch_head(workspace: Workspace) -> None:
    _push_examples(workspace)
    workspace.configure(sources=SOURCE)
    row = _source_row(workspace)
    assert row["status"] == "ok", row
    assert str(row["detail"]).startswith("branch main is at ")
    workspace.configure(sources="  - github: {repo: acme/missing}\n")
    row = _source_row(workspace)
    assert row["status"] == "fail", row
    assert "answered 404" in str(row["detail"])
    assert "trackers.github" in str(row["fix"])


def _source_row(workspace: Workspace) -> dict[str, object]:
    checked = workspace.run("check", "--format", "json")
    rows = json.loads("\n".join(checked.out))
    found = [r for r in _rows(rows) if str(r.get("scope", "")).startswith("source github")]
    assert len(found) == 1, checked.lines
    return found[0]


def _rows(document: object) -> list[dict[str, object]]:
    if isinstance(document, dict):
        if "scope" in document:
            return [document]
        return [r for value in document.values() for r in _rows(value)]
    if isinstance(document, list):
        return [r for value in document for r in _rows(value)]
    return []


def test_a_source_on_the_embedded_sandbox_is_skipped_and_named(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    (config_dir / "teams").mkdir(parents=True)
    (config_dir / "followthrough.yaml").write_text(
        "sources:\n  - github: {repo: acme/postmortems, connection: box}\n"
        "trackers:\n  box: {kind: sandbox}\n",
        encoding="utf-8",
    )
    (config_dir / "teams" / "web.yaml").write_text(
        "tracker: {connection: box, github: {repo: acme/ops}}\ndirectory: {lena: lena}\n",
        encoding="utf-8",
    )
    config = load_config(config_dir / "followthrough.yaml", env={}, base_dir=tmp_path)
    documents = read_documents(config)
    assert documents.postmortems == ()
    assert documents.skipped_sources == (
        "source github acme/postmortems:/: skipped, connection 'box' serves no repository"
        " contents (the embedded sandbox does not; give the source a kind: github connection,"
        " e.g. the URL of `followthrough sandbox` followed by /api/v3)",
    )


def test_later_reads_in_one_process_only_ask_whether_the_head_moved(
    workspace: Workspace,
) -> None:
    _push_examples(workspace)
    config = load_config(workspace.configure(sources=SOURCE), base_dir=workspace.root)
    first = read_documents(config)
    assert len(first.postmortems) == 2
    workspace.sandbox.accounting.reset()
    again = read_documents(config)
    assert again.postmortems == first.postmortems
    assert workspace.sandbox.accounting.counts("github") == {
        "GET /repos/{owner}/{repo}/commits/{ref}": 1
    }


def test_tickets_link_to_the_item_s_line_at_the_commit_it_was_read_from(
    workspace: Workspace,
) -> None:
    _push_examples(workspace)
    workspace.configure(sources=SOURCE)
    synced = workspace.run("sync", "--team", "web")
    assert synced.status == 0, synced.lines
    info = workspace.sandbox.info()
    gh = Github(base_url=f"{info['github']}/api/v3", auth=Auth.Token(info["token"]), retry=None)
    head = gh.get_repo("acme/postmortems").get_branch("main").commit.sha
    issues = list(gh.get_repo("acme/ops").get_issues(state="all"))
    assert issues
    blob = (
        f"{info['github']}/acme/postmortems/blob/{head}"
        "/postmortems/web/2026-11-02-cdn-certificate-expiry.md?plain=1#L"
    )
    for issue in issues:
        (line,) = [row for row in issue.body.splitlines() if row.startswith("Postmortem: ")]
        target = line.split("](", 1)[1].split(")", 1)[0]
        assert target.startswith(blob), line
        number = int(target.rsplit("#L", 1)[1])
        assert line.endswith(f"(line {number})")


WRITE_BACK_WEB = """\
name: web
postmortems:
  paths: ["web/**"]
tracker:
  connection: github
  github: {repo: acme/ops, labels: [postmortem]}
directory:
  lena: lena
  marco: marco
lead: lena
timezone: America/New_York
write_back: pull_request
"""


def test_write_back_opens_one_pull_request_and_after_the_merge_nothing_churns(
    workspace: Workspace,
) -> None:
    _push_examples(workspace)
    workspace.configure(sources=SOURCE, teams={"web": WRITE_BACK_WEB})
    info = workspace.sandbox.info()
    gh = Github(base_url=f"{info['github']}/api/v3", auth=Auth.Token(info["token"]), retry=None)
    repo = gh.get_repo("acme/postmortems")
    path = "postmortems/web/2026-11-02-cdn-certificate-expiry.md"

    planned = workspace.run("sync", "--dry-run")
    assert planned.status == 0, planned.lines
    assert repo.get_pulls(state="all").totalCount == 0

    first = workspace.run("sync")
    assert first.status == 0, first.lines
    (opened,) = [line for line in first.lines if "write-back for" in line]
    assert opened.startswith(f"web: write-back for acme/postmortems/{path}: opened #"), opened
    (pull,) = repo.get_pulls(state="all")
    proposed = repo.get_contents(path, ref=pull.head.ref)
    assert not isinstance(proposed, list)
    keys = re.findall(r"acme/ops#\d+", proposed.decoded_content.decode())
    issues = list(gh.get_repo("acme/ops").get_issues(state="all"))
    assert sorted(set(keys)) == sorted(f"acme/ops#{i.number}" for i in issues)

    again = workspace.run("sync")
    assert again.status == 0, again.lines
    assert repo.get_pulls(state="all").totalCount == 1  # updated, never a second one

    pull.merge(commit_message="ticket keys")
    merged = workspace.run("sync")
    assert merged.status == 0, merged.lines
    assert not any("write-back for" in line for line in merged.lines), merged.lines
    assert not any(re.search(r"\b(?:created|updated|adopted)\b", line) for line in merged.lines)
    assert repo.get_pulls(state="all").totalCount == 1
    assert len(list(gh.get_repo("acme/ops").get_issues(state="all"))) == len(issues)


def test_check_and_sync_say_when_write_back_may_not_push(workspace: Workspace) -> None:
    _push_examples(workspace)
    workspace.configure(sources=SOURCE, teams={"web": WRITE_BACK_WEB})
    rows = _check_rows(workspace, "write-back permissions")
    assert [(r["status"], r["detail"]) for r in rows] == [
        ("ok", "web may open pull requests in acme/postmortems")
    ]
    github = workspace.sandbox.app("github")
    assert isinstance(github, GitHubApp)
    github.set_token_access("acme/postmortems", "read")

    (row,) = _check_rows(workspace, "write-back permissions")
    assert row["status"] == "fail", row
    assert (
        row["detail"] == "the token may only read acme/postmortems; web write back to its documents"
    )
    assert "write access to acme/postmortems's contents and pull requests" in str(row["fix"])
    assert "set write_back: off in" in str(row["fix"])
    assert "web.yaml" in str(row["fix"])

    ran = workspace.run("sync")
    assert ran.status == 1, ran.lines
    refused = [line for line in ran.lines if "write-back" in line]
    assert refused, ran.lines
    assert all("403" in line or "not accessible" in line for line in refused), refused


def _check_rows(workspace: Workspace, check: str) -> list[dict[str, object]]:
    checked = workspace.run("check", "--format", "json")
    found = [r for r in _rows(json.loads("\n".join(checked.out))) if r.get("check") == check]
    assert checked.status == (1 if any(r["status"] == "fail" for r in found) else 0), checked.lines
    return found


def test_write_back_without_a_repository_source_is_refused(workspace: Workspace) -> None:
    workspace.configure(teams={"web": WRITE_BACK_WEB})
    checked = workspace.run("config", "check")
    assert checked.status == 2
    assert any(
        "web.yaml:12: teams.web.write_back: pull_request needs a `github:` source" in line
        for line in checked.lines
    ), checked.lines


def test_a_repository_that_cannot_be_read_is_loud_and_removes_nothing(
    workspace: Workspace,
) -> None:
    _push_examples(workspace)
    workspace.configure(sources=SOURCE)
    assert workspace.run("sync", "--team", "web").status == 0
    for broken, fault in (
        ("  - github: {repo: acme/gone, path: postmortems}\n", None),  # 404
        (SOURCE, "rate_limit"),  # rate-limited past the cap
        (SOURCE, "unauthorized"),  # 401: the token no longer reads it
    ):
        workspace.configure(sources=broken)
        if fault is not None:
            workspace.sandbox.faults.add(
                FaultRule(
                    kind=fault,
                    app="github",
                    route_prefix="/repos/{owner}/{repo}/commits",
                    params={"retry_after": 3600} if fault == "rate_limit" else {},
                )
            )
        ran = workspace.run("sync", "--team", "web")
        assert ran.status == 1, ran.lines
        assert any(
            line.startswith("source github acme/") and "skipped" in line for line in ran.lines
        )
        assert not any("removed" in line or "annotate" in line for line in ran.lines), ran.lines
        workspace.sandbox.faults.clear()
