"""The weekly report as a worker job: the hook the report command plugs into.

Sits under ``daemon_cycle``. The report job calls a `ReportHook` with everything one team's
report needs; while no report command offers one, `find_report_hook` returns ``None`` and the
job is skipped with a log line. `find_report_hook` is where the report command is wired in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from followthrough.app.daemon.jobs import TeamOutcome
from followthrough.config import Config, TeamSettings
from followthrough.ports import Store, TrackerCalls


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """One team's weekly report: the configuration, the journal, time, and where files go."""

    config: Config
    team: TeamSettings
    store: Store
    clock: Callable[[], dt.datetime]
    log: Callable[..., None]
    out_dir: Path | None  # ``run --once`` writes the report here; the worker sends it
    listener: TrackerCalls | None = None  # hears of every tracker call


ReportHook = Callable[[ReportRequest], TeamOutcome]


def find_report_hook() -> ReportHook | None:
    """The report job's body, or ``None`` while no report command provides one."""
    from followthrough.app.daemon.report_command import report_with_command  # noqa: PLC0415 - loads the report stack on use

    return report_with_command
