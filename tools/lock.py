"""Rewrite the lock files from pyproject.toml: ``uv.lock`` and its two hashed exports.

    python -m pip install uv   # once, anywhere (it is not a project dependency)
    python tools/lock.py       # after any change to [project.dependencies] or the dev extra

``requirements.lock`` (runtime, what the Docker image installs) and ``requirements-dev.lock``
(runtime plus the dev extra, what ``.ci/run`` installs) pin every package with its hashes;
``pip install --require-hashes -r …`` then installs exactly those files. tests/deploy/test_lock.py
fails when pyproject.toml and the lock disagree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = {"requirements.lock": [], "requirements-dev.lock": ["--extra", "dev"]}


def main() -> int:
    uv = shutil.which("uv")
    if uv is None:
        print("tools/lock.py: uv is not installed: python -m pip install uv", file=sys.stderr)
        return 2
    subprocess.run([uv, "lock"], cwd=ROOT, check=True)  # noqa: S603 - uv from PATH, fixed arguments
    for name, extra in EXPORTS.items():
        command = [uv, "export", "--frozen", "--format", "requirements.txt", "--no-emit-project"]
        subprocess.run([*command, *extra, "--quiet", "-o", name], cwd=ROOT, check=True)  # noqa: S603
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
