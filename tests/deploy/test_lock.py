"""The lock files agree with pyproject.toml, pin every package exactly, and carry hashes.

``uv.lock`` records the project's requirements as it resolved them (``requires-dist``); the
two exports (``requirements.lock`` for the image, ``requirements-dev.lock`` for CI) are what
``pip install --require-hashes`` installs. Regenerate all three with ``python tools/lock.py``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
FIX = "pyproject.toml and the lock disagree: run python tools/lock.py (pip install uv first)"
PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\?$"
)

Key = tuple[str, frozenset[str], str, str | None]


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def declared() -> dict[str | None, list[Requirement]]:
    """Requirements by extra (None: the runtime ones)."""
    project = pyproject()
    found: dict[str | None, list[Requirement]] = {
        None: [Requirement(r) for r in project["dependencies"]]
    }  # type: ignore[index, union-attr]
    for extra, reqs in project.get("optional-dependencies", {}).items():  # type: ignore[union-attr]
        found[extra] = [Requirement(r) for r in reqs]
    return found


def lock() -> dict[str, object]:
    return tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))


def key(name: str, extras: object, specifier: str, extra: str | None) -> Key:
    ordered = ",".join(sorted(str(s) for s in SpecifierSet(specifier)))
    return (canonicalize_name(name), frozenset(extras or ()), ordered, extra)  # type: ignore[arg-type]


def test_the_lock_records_exactly_the_requirements_of_pyproject() -> None:
    [ours] = [p for p in lock()["package"] if p["name"] == "followthrough"]  # type: ignore[union-attr, index]
    recorded = set()
    for entry in ours["metadata"]["requires-dist"]:
        extra = re.search(r"extra == '([^']+)'", entry.get("marker", ""))
        recorded.add(
            key(
                entry["name"],
                entry.get("extras"),
                entry.get("specifier", ""),
                extra and extra.group(1),
            )
        )
    wanted = {
        key(req.name, req.extras, str(req.specifier), extra)
        for extra, reqs in declared().items()
        for req in reqs
    }
    assert recorded == wanted, FIX


def test_the_lock_is_for_our_python() -> None:
    assert lock()["requires-python"] == pyproject()["requires-python"], FIX


def pins(name: str) -> dict[str, list[tuple[Version, str | None]]]:
    """Package → pinned versions (with their markers) in an export."""
    found: dict[str, list[tuple[Version, str | None]]] = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            entry = (Version(match["version"]), match["marker"])
            found.setdefault(canonicalize_name(match["name"]), []).append(entry)
    return found


@pytest.mark.parametrize(
    ("export", "extras"), [("requirements.lock", (None,)), ("requirements-dev.lock", (None, "dev"))]
)
def test_every_requirement_is_pinned_within_its_range(
    export: str, extras: tuple[str | None, ...]
) -> None:
    pinned = pins(export)
    for extra in extras:
        for req in declared()[extra]:
            versions = pinned.get(canonicalize_name(req.name))
            assert versions, f"{req.name} is not pinned in {export}: {FIX}"
            for version, _marker in versions:
                assert req.specifier.contains(version, prereleases=True), (
                    f"{export} pins {req.name}=={version}, outside {req.specifier}: {FIX}"
                )


@pytest.mark.parametrize("export", ["requirements.lock", "requirements-dev.lock"])
def test_the_exports_pin_what_uv_lock_resolved_with_hashes(export: str) -> None:
    resolved: dict[str, set[Version]] = {}
    for package in lock()["package"]:  # type: ignore[union-attr]
        resolved.setdefault(canonicalize_name(package["name"]), set()).add(
            Version(package["version"])
        )
    text = (ROOT / export).read_text(encoding="utf-8")
    for name, versions in pins(export).items():
        for version, _marker in versions:
            assert version in resolved.get(name, set()), (
                f"{export}: {name}=={version} is not in uv.lock: {FIX}"
            )
    requirement_lines = [ln for ln in text.splitlines() if ln and not ln.startswith((" ", "#"))]
    assert requirement_lines, export
    assert all("==" in ln for ln in requirement_lines), f"{export}: every package pinned exactly"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert all("--hash=sha256:" in block for block in blocks if block.strip()), f"{export}: hashes"


def test_ci_and_image_install_from_the_lock() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in ci
    assert "pip install --quiet --no-deps -e ." in ci
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "--no-deps /dist/followthrough-*.whl" in dockerfile


def test_the_build_compiles_with_the_locked_versions() -> None:
    """setup.py compiles the scan with mypyc, which type-checks it against the libraries it
    calls: the build pins each to the version the dev lock installs (and mypy checks in CI)."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    pinned = pins("requirements-dev.lock")
    exact = [Requirement(r) for r in build["requires"] if "==" in r]
    assert {canonicalize_name(r.name) for r in exact} >= {"mypy", "markdown-it-pyrs", "selectolax"}
    for req in exact:
        [version] = {Version(str(s.version)) for s in req.specifier}
        locked = [v for v, _marker in pinned.get(canonicalize_name(req.name), [])]
        assert locked == [version], f"the build pins {req}, the dev lock {locked}"
