"""Projects, repositories and people added to the sandbox by flags or a seed file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from followthrough.sandbox.catalogue import (
    Seed,
    SeedError,
    apply_seed,
    describe,
    load_seed_file,
    project_flag,
    repo_flag,
    user_flag,
)
from followthrough.sandbox.core import Sandbox
from followthrough.sandbox.jira import JiraApp
from followthrough.sandbox.jira_model import account_id_for


def get(sandbox: Sandbox, app: str, path: str, **params: str) -> requests.Response:
    return requests.get(
        f"{sandbox.url(app)}{path}",
        params=params,
        auth=(sandbox.user, sandbox.token),
        timeout=5,
    )


@pytest.fixture
def seeded() -> Sandbox:
    sandbox = Sandbox()
    sandbox.start()
    seed = Seed(
        projects=[project_flag("SRE")],
        repos=[repo_flag("acme/sre")],
        users=[
            user_flag("Sam Rivera"),
            user_flag("Lee Chan:712020:1ee00000-0000-4000-8000-0000000001ee"),
        ],
    )
    apply_seed(sandbox, seed)
    yield sandbox
    sandbox.stop()


def test_added_project_and_users_are_served(seeded: Sandbox) -> None:
    project = get(seeded, "jira", "/rest/api/3/project/SRE").json()
    assert project["key"] == "SRE"
    sam = account_id_for("Sam Rivera")
    for account in (sam, "712020:1ee00000-0000-4000-8000-0000000001ee"):
        found = get(
            seeded, "jira", "/rest/api/3/user/assignable/search", project="SRE", accountId=account
        ).json()
        assert [u["accountId"] for u in found] == [account]
    repo = get(seeded, "github", "/repos/acme/sre").json()
    assert repo["full_name"] == "acme/sre"
    assert get(seeded, "github", "/repos/acme/sre/assignees/sam").status_code == 204
    assert get(seeded, "github", "/repos/acme/ops/assignees/lee").status_code == 204
    assert get(seeded, "github", "/repos/acme/sre/assignees/nobody").status_code == 404


def test_an_issue_can_be_created_and_assigned_in_an_added_project(seeded: Sandbox) -> None:
    body = {
        "fields": {
            "project": {"key": "SRE"},
            "issuetype": {"name": "Task"},
            "summary": "Page on saturation",
            "assignee": {"accountId": account_id_for("Sam Rivera")},
        }
    }
    created = requests.post(
        f"{seeded.url('jira')}/rest/api/2/issue",
        json=body,
        auth=(seeded.user, seeded.token),
        timeout=5,
    )
    assert created.status_code == 201, created.text
    assert created.json()["key"] == "SRE-1"


def test_additions_belong_to_one_sandbox_only(seeded: Sandbox) -> None:
    other = JiraApp()
    assert "SRE" not in [p["key"] for p in other.catalogue.projects]
    assert "SRE" in [p["key"] for p in describe(seeded)["jira"]["projects"]]


def test_a_limited_workflow_offers_no_transition_to_done(tmp_path: Path) -> None:
    seed_file = tmp_path / "seed.yaml"
    seed_file.write_text(
        "jira:\n  projects:\n    - {key: FRZ, name: Frozen, statuses: [To Do, In Progress]}\n"
    )
    sandbox = Sandbox()
    with sandbox:
        apply_seed(sandbox, load_seed_file(seed_file))
        statuses = get(sandbox, "jira", "/rest/api/3/project/FRZ/statuses").json()
        assert {t["name"] for t in statuses} == {"Task", "Bug"}
        assert [s["name"] for s in statuses[0]["statuses"]] == ["To Do", "In Progress"]
        created = requests.post(
            f"{sandbox.url('jira')}/rest/api/2/issue",
            json={
                "fields": {"project": {"key": "FRZ"}, "issuetype": {"name": "Task"}, "summary": "x"}
            },
            auth=(sandbox.user, sandbox.token),
            timeout=5,
        ).json()
        moves = get(sandbox, "jira", f"/rest/api/2/issue/{created['key']}/transitions").json()
        assert [t["name"] for t in moves["transitions"]] == ["In Progress"]


def test_mypermissions_answers_per_permission(seeded: Sandbox) -> None:
    answer = get(
        seeded,
        "jira",
        "/rest/api/3/mypermissions",
        projectKey="SRE",
        permissions="CREATE_ISSUES,TRANSITION_ISSUES",
    ).json()
    assert answer["permissions"]["CREATE_ISSUES"]["havePermission"] is True
    assert answer["permissions"]["TRANSITION_ISSUES"]["key"] == "TRANSITION_ISSUES"
    missing = get(
        seeded, "jira", "/rest/api/3/mypermissions", projectKey="NOPE", permissions="CREATE_ISSUES"
    )
    assert missing.status_code == 404


def test_additions_survive_a_restart_through_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    with Sandbox(state_file=state) as first:
        apply_seed(first, Seed(projects=[project_flag("SRE")], users=[user_flag("Sam Rivera")]))
    with Sandbox(state_file=state) as second:
        assert get(second, "jira", "/rest/api/3/project/SRE").status_code == 200
        assert "sam" in describe(second)["github"]["repos"][0]["assignable"]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("jira:\n  projects:\n    - sre\n", 3, "'sre' is not a project key"),
        ("jira:\n  projects:\n    - {key: SRE, statuses: [Doing]}\n", 3, "unknown status 'Doing'"),
        ("github:\n  repos: [acme]\n", 2, "'acme' is not owner/name"),
        ("users:\n  - {login: sam}\n", 2, "a user needs a name"),
        ("jira:\n  project: [SRE]\n", 2, "unknown key 'project' in jira (known: projects)"),
        ("users: [\n", 2, "not YAML"),
    ],
)
def test_seed_file_errors_name_file_and_line(
    tmp_path: Path, text: str, where: int, message: str
) -> None:
    seed_file = tmp_path / "seed.yaml"
    seed_file.write_text(text)
    with pytest.raises(SeedError) as caught:
        load_seed_file(seed_file)
    assert str(caught.value).startswith(f"{seed_file}:{where}: {message}")


def test_flags_are_checked() -> None:
    with pytest.raises(SeedError, match="--jira-project: 'sre' is not a project key"):
        project_flag("sre")
    with pytest.raises(SeedError, match="--github-repo: 'acme' is not owner/name"):
        repo_flag("acme")
    assert user_flag("Lee:712020:abc").account_id == "712020:abc"


def run_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "followthrough", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        check=False,
    )


def test_list_prints_projects_repos_users_and_additions(tmp_path: Path) -> None:
    seed_file = tmp_path / "seed.yaml"
    seed_file.write_text("users:\n  - {name: Lena Park, login: lena}\n")
    done = run_command(
        "--list",
        "--jira-project",
        "SRE",
        "--github-repo",
        "acme/sre",
        "--user",
        "Sam Rivera",
        "--seed-file",
        str(seed_file),
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "OPS    Operations" in out
    assert "SRE    SRE" in out
    assert f"Sam Rivera         {account_id_for('Sam Rivera')}" in out
    assert "Lena Park" in out
    assert "acme/sre" in out
    assert "token: sbx_" in out


def test_bad_flag_is_one_line_and_exit_two() -> None:
    done = run_command("--list", "--jira-project", "sre")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "2-10 capitals" in done.stderr


def test_served_sandbox_prints_json_then_the_catalogue() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "followthrough", "sandbox", "--jira-project", "SRE"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert requests.get(
            f"{info['jira']}/rest/api/3/project/SRE", auth=(info["user"], info["token"]), timeout=5
        ).ok
        assert proc.stdout.readline().strip() == "jira projects:"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_readme_seed_file_example_loads(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    [example] = [
        block for block in readme.split("```yaml\n")[1:] if block.startswith("jira:\n  projects:")
    ]
    seed_file = tmp_path / "seed.yaml"
    seed_file.write_text(example.split("```", 1)[0])
    seed = load_seed_file(seed_file)
    assert [p.key for p in seed.projects] == ["SRE", "DATA"]
    assert seed.projects[1].statuses == ["To Do", "In Progress"]
    assert seed.repos == ["acme/sre"]
    assert [u.github_login for u in seed.users] == ["sam", "lena"]
    with Sandbox() as sandbox:
        apply_seed(sandbox, seed)
        projects = {p["key"]: p for p in describe(sandbox)["jira"]["projects"]}
        assert projects["DATA"]["statuses"] == ["To Do", "In Progress"]
