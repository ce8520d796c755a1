"""One team's configuration file (``config/teams/<team>.yaml``) as typed models.

Sits under the loader, beside ``settings``; which tracker connection a team names, and whether
its kind fits, is checked by the loader (it needs the global file).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import zoneinfo
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from followthrough.config.fields import (
    ConfigPath,
    Day,
    Email,
    JiraProject,
    Lowercase,
    Name,
    RepoName,
    Section,
    TimeOfDay,
    Weekday,
    as_written,
)
from followthrough.config.problems import suggestion
from followthrough.domain.lint import CODES, LintPolicy

# Ranges of the numbers: wide enough for any real team, narrow enough that dates computed
# from them stay within the calendar (a due date 10**9 weeks away overflows it).
Days = Annotated[int, Field(ge=1, le=365)]
Weeks = Annotated[int, Field(ge=1, le=520)]
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def person_key(text: str) -> str:
    """How a person is looked up in a directory: case-insensitive, ``@`` and spacing ignored."""
    return " ".join(text.strip().lstrip("@").split()).casefold()


class PostmortemSelection(Section):
    """Which postmortems belong to the team: by their ``team`` field, and by path globs.

    Each postmortem belongs to one team at most: overlapping globs or team names of two teams
    are a configuration error rather than a precedence rule, so no item is ticketed twice.
    """

    match_team: bool = Field(default=True, description="a postmortem whose team is our name")
    aliases: list[str] = Field(
        default_factory=list, description="other team-field values (no two teams share one)"
    )
    paths: list[str] = Field(
        default_factory=list,
        description="globs under the source root; two teams' globs may not match the same path",
    )


class JiraTarget(Section):
    """Where a team's tickets go in Jira."""

    project: JiraProject
    issue_type: str = "Task"
    components: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)


class GitHubTarget(Section):
    """Where a team's tickets go on GitHub."""

    repo: RepoName
    labels: list[str] = Field(default_factory=list)


class TeamTracker(Section):
    """A global tracker connection by name, and exactly one of ``jira`` or ``github``."""

    connection: Name | None = Field(default=None, description="default: the only connection")
    jira: JiraTarget | None = None
    github: GitHubTarget | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> TeamTracker:
        if (self.jira is None) == (self.github is None):
            raise ValueError("give exactly one of jira: {project: …} or github: {repo: …}")
        return self

    @property
    def kind(self) -> Literal["jira", "github"]:
        """``jira`` or ``github``."""
        return "jira" if self.jira is not None else "github"

    @property
    def project(self) -> str:
        """The Jira project key or the GitHub ``owner/name``."""
        if self.jira is not None:
            return self.jira.project
        assert self.github is not None
        return self.github.repo


class DueDefaults(Section):
    """Due dates given to items that have none, in weeks after the incident."""

    priority_weeks: Weeks = 4
    default_weeks: Weeks = 8
    horizons: dict[Annotated[str, Lowercase], Weeks] = Field(
        default_factory=as_written({"short-term": 4, "medium-term": 12, "long-term": 26})
    )


class LintSettings(Section):
    """Severity overrides per lint code."""

    severities: dict[str, Annotated[Literal["error", "warning", "off"], Lowercase]] = Field(
        default_factory=dict
    )

    @field_validator("severities", mode="before")
    @classmethod
    def _known_codes(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            for code in value:
                if code not in CODES:
                    hint = suggestion(str(code), CODES) or f" (known: {', '.join(CODES)})"
                    raise ValueError(f"unknown lint code '{code}'{hint}")
        return value

    def policy(self) -> LintPolicy:
        """The domain's lint policy with these overrides."""
        return LintPolicy.with_overrides(dict(self.severities))


class ReminderSettings(Section):
    """When and how often owners of stale or due tickets are nudged."""

    enabled: bool = True
    stale_days: Days = 14
    due_soon_days: int = Field(default=3, ge=0, le=365)
    first_after_days: int = Field(default=0, ge=0, le=365)
    backoff_days: list[Days] = Field(default_factory=as_written([7, 14]), max_length=50)
    max_per_owner_per_week: int = Field(default=3, ge=0, le=1000)
    business_days: list[Day] = Field(
        default_factory=as_written(["monday", "tuesday", "wednesday", "thursday", "friday"]),
        min_length=1,
    )
    business_hours: str = "09:00-17:00"
    holidays: list[dt.date] = Field(default_factory=list)
    escalate_after_nudges: int = Field(default=3, ge=0, le=100, description="0: never")
    escalate_after_overdue_days: int = Field(default=14, ge=0, le=365, description="0: never")
    snooze_label: str = "snooze"
    templates_dir: ConfigPath | None = None

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        match = _HOURS.match(value.strip())
        if match is None:
            raise ValueError("write business hours as HH:MM-HH:MM, e.g. 09:00-17:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (h1 < 24 and h2 <= 24 and m1 < 60 and m2 < 60 and (h1, m1) < (h2, m2)):
            raise ValueError("business hours must be a start before an end within one day")
        return f"{h1:02}:{m1:02}-{h2:02}:{m2:02}"

    @property
    def hours(self) -> tuple[dt.time, dt.time]:
        """Start and end of the business day (an end of 24:00 is 23:59:59)."""
        start, end = self.business_hours.split("-")
        finish = dt.time(23, 59, 59) if end == "24:00" else dt.time.fromisoformat(end)
        return dt.time.fromisoformat(start), finish

    @property
    def weekdays(self) -> frozenset[int]:
        """Business days as ``date.weekday()`` numbers."""
        return frozenset(day.number for day in self.business_days)


class ReportSettings(Section):
    """Completion reports by e-mail; weekday and time default to the global schedule."""

    recipients: list[Email] = Field(default_factory=list)
    digest: bool = True
    weekday: Day | None = None
    at: TimeOfDay | None = None


class TeamSettings(Section):
    """Everything in one team file."""

    name: Name
    postmortems: PostmortemSelection = Field(default_factory=as_written({}))
    tracker: TeamTracker
    directory: dict[str, str] = Field(
        default_factory=dict, description="names, e-mails, handles → Jira accountId or login"
    )
    lead: str | None = Field(default=None, description="a directory key or a tracker id")
    timezone: str = "UTC"
    soak_days: int = Field(default=2, ge=0, le=365)
    done_items: Literal["create_closed", "skip"] = "create_closed"
    owner_policy: Literal["needs_owner_label", "assign_lead", "hold"] = "needs_owner_label"
    due_defaults: DueDefaults = Field(default_factory=as_written({}))
    lint: LintSettings = Field(default_factory=as_written({}))
    reminders: ReminderSettings = Field(default_factory=as_written({}))
    reports: ReportSettings = Field(default_factory=as_written({}))
    write_back: Literal["off", "pull_request"] = "off"

    @field_validator("directory")
    @classmethod
    def _directory_keys(cls, value: dict[str, str]) -> dict[str, str]:
        keyed: dict[str, str] = {}
        for name, target in value.items():
            key = person_key(str(name))
            if not key or not str(target).strip():
                raise ValueError(f"'{name}': both the name and the tracker id must be given")
            if key in keyed and keyed[key] != str(target).strip():
                raise ValueError(f"'{name}' is given twice with different ids")
            keyed[key] = str(target).strip()
        return keyed

    @field_validator("lead")
    @classmethod
    def _lead_in_directory(cls, value: str | None, info: ValidationInfo) -> str | None:
        directory: dict[str, str] = info.data.get("directory") or {}
        if value is None or not value.strip():
            return value
        key = person_key(value)
        ids = {ident.casefold() for ident in directory.values()}
        if key in directory or value.strip().lstrip("@").casefold() in ids:
            return value
        hint = suggestion(key, directory) if directory else ""
        raise ValueError(
            f"'{value}' is not in the directory{hint}: add it under directory (name: tracker id)"
            " so reminders can mention the lead"
        )

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            hint = suggestion(value, zoneinfo.available_timezones())
            raise ValueError(f"unknown IANA time zone '{value}'{hint}") from None
        return value

    @model_validator(mode="after")
    def _lead_when_assigned(self) -> TeamSettings:
        if self.owner_policy == "assign_lead" and not self.lead:
            raise ValueError("owner_policy assign_lead needs lead")
        return self

    @cached_property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The team's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    def tracker_id(self, person: str) -> str | None:
        """The Jira accountId or GitHub login for a name as written in a postmortem."""
        return self.directory.get(person_key(person))

    def lead_id(self) -> str | None:
        """The lead's tracker id: through the directory, else the value as written."""
        if not self.lead:
            return None
        return self.tracker_id(self.lead) or self.lead.strip().lstrip("@")

    def report_weekday(self, default: Weekday) -> Weekday:
        """The team's report day, or ``default`` (the global schedule's)."""
        return self.reports.weekday or default

    def owns(self, *, team_field: str | None, relative_path: str) -> bool:
        """Whether a postmortem (its ``team`` field, its path under the source) is ours."""
        wanted = self.postmortems
        if team_field is not None:
            names = {*wanted.aliases, self.name} if wanted.match_team else set(wanted.aliases)
            if team_field.strip().casefold() in {n.casefold() for n in names}:
                return True
        posix = relative_path.replace("\\", "/")
        return any(fnmatch.fnmatchcase(posix, pattern) for pattern in wanted.paths)
