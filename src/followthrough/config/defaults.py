"""The embedded default configuration: what runs when no configuration file is given.

Sits under the loader. The sandbox trackers, the bundled ``examples/`` as the source, SQLite in
a fresh temporary folder (the sandbox starts empty, so must the journal), and the two example
teams — the same as ``config/teams/*.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def embedded_global(state_dir: Path) -> dict[str, Any]:
    """The global settings, with the journal under ``state_dir``."""
    return {
        "sources": [{"path": "examples"}],
        "trackers": {"sandbox": {"kind": "sandbox"}},
        "store": {"sqlite_path": str(state_dir / "followthrough.db")},
    }


def embedded_teams() -> dict[str, dict[str, Any]]:
    """The example teams, by name, as written in their files."""
    return {
        "payments": {
            "name": "payments",
            "postmortems": {"match_team": True, "paths": ["payments/**"]},
            "tracker": {
                "connection": "sandbox",
                "jira": {"project": "OPS", "issue_type": "Task", "labels": ["postmortem"]},
            },
            "directory": {
                "priya": "712020:9e1a0000-0000-4000-8000-000000009e1a",
                "Priya Nair": "712020:9e1a0000-0000-4000-8000-000000009e1a",
                "Tom Okafor": "712020:70300000-0000-4000-8000-000000007030",
                "tom": "712020:70300000-0000-4000-8000-000000007030",
                "sara": "712020:5a4a0000-0000-4000-8000-000000005a4a",
            },
            "lead": "priya",
            "timezone": "Europe/London",
            "lint": {"severities": {"vague-outcome": "warning"}},
            "reminders": {
                "business_days": ["mon", "tue", "wed", "thu", "fri"],
                "holidays": ["2026-12-25", "2026-12-28"],
            },
            "reports": {"recipients": ["payments-leads@acme.example"], "digest": True},
        },
        "web": {
            "name": "web",
            "postmortems": {"paths": ["web/**"]},
            "tracker": {
                "connection": "sandbox",
                "github": {"repo": "acme/ops", "labels": ["postmortem"]},
            },
            "directory": {"lena": "lena", "Lena Park": "lena", "marco": "marco"},
            "lead": "lena",
            "timezone": "America/New_York",
            "reminders": {"business_hours": "10:00-18:00"},
            "reports": {"recipients": ["web-team@acme.example"]},
        },
    }
