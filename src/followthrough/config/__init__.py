"""Typed configuration: the global file, one file per team, and ``FOLLOWTHROUGH_…`` overrides.

Sits with the adapters, below the CLI: the CLI loads it once (`load_config`) and passes the
result down; the domain never imports it. ``command`` holds ``followthrough config …``.
"""

from followthrough.config.fields import Weekday
from followthrough.config.loader import Config, Connection, load_config, load_team
from followthrough.config.problems import ConfigError, Problem
from followthrough.config.settings import (
    FolderSource,
    GitHubConnection,
    GitHubSource,
    GitHubSourceSpec,
    GlobalSettings,
    HttpSettings,
    JiraConnection,
    LogSettings,
    SandboxConnection,
    ScheduleSettings,
    SmtpSettings,
    StoreSettings,
)
from followthrough.config.team import (
    DueDefaults,
    GitHubTarget,
    JiraTarget,
    LintSettings,
    PostmortemSelection,
    ReminderSettings,
    ReportSettings,
    TeamSettings,
    TeamTracker,
    person_key,
)

__all__ = [
    "Config",
    "ConfigError",
    "Connection",
    "DueDefaults",
    "FolderSource",
    "GitHubConnection",
    "GitHubSource",
    "GitHubSourceSpec",
    "GitHubTarget",
    "GlobalSettings",
    "HttpSettings",
    "JiraConnection",
    "JiraTarget",
    "LintSettings",
    "LogSettings",
    "PostmortemSelection",
    "Problem",
    "ReminderSettings",
    "ReportSettings",
    "SandboxConnection",
    "ScheduleSettings",
    "SmtpSettings",
    "StoreSettings",
    "TeamSettings",
    "TeamTracker",
    "Weekday",
    "load_config",
    "load_team",
    "person_key",
]
