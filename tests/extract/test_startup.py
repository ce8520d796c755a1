"""``extract`` and ``lint`` start without the tracker clients, database drivers, metrics or
the simulator: a postmortem repository's CI runs ``lint`` on every push."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("jira", "github", "psycopg", "prometheus_client", "requests", "followthrough.sandbox")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples"

PROBE = """
import json, sys
from followthrough.cli import main
code = main(sys.argv[1:])
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY} or m.startswith("followthrough.sandbox"))))
"""


def _loaded(*argv: str) -> list[str]:
    heavy = {name for name in HEAVY if "." not in name}
    probe = PROBE.replace("{HEAVY}", repr(heavy))
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=False
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_lint_and_extract_load_no_tracker_client_driver_or_simulator(tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    assert _loaded("lint", str(EXAMPLE), "--cache-dir", cache, "--format", "json") == []
    assert _loaded("extract", str(EXAMPLE), "--cache-dir", cache, "--format", "json") == []
