"""Field types shared by the global and team configuration models (weekdays, times, paths).

Sits under ``settings`` and ``team``. Relative paths are resolved against the ``base_dir``
given in the validation context, so models stay free of ambient state.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
)


class Section(BaseModel):
    """Base of every configuration section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Weekday(StrEnum):
    """A day of the week as written in configuration (``monday`` or ``mon``)."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """0 for Monday … 6 for Sunday, as ``date.weekday()`` counts."""
        return list(Weekday).index(self)


def as_written(value: Any) -> Callable[[], Any]:
    """A default given as raw input, so it is validated (and its paths resolved) like written text."""
    return lambda: copy.deepcopy(value)


def _weekday(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    word = value.strip().casefold()
    for day in Weekday:
        if len(word) >= 3 and day.value.startswith(word):
            return day.value
    return word


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    path = value.expanduser()
    base = (info.context or {}).get("base_dir")
    if isinstance(base, Path) and not path.is_absolute():
        return base / path
    return path


def _time_text(value: Any) -> Any:
    # "9:30" is as clear as "09:30"; the ISO parser wants two digits.
    if isinstance(value, str) and re.fullmatch(r"\d:\d\d", value.strip()):
        return "0" + value.strip()
    return value


def _lower(value: Any) -> Any:
    return value.strip().casefold() if isinstance(value, str) else value


Day = Annotated[
    Weekday,
    BeforeValidator(_weekday),
    WithJsonSchema(
        {
            "type": "string",
            "enum": [d.value for d in Weekday] + [d.value[:3] for d in Weekday],
            "description": "a day of the week: monday or mon",
        }
    ),
]
TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(_time_text),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$",
            "description": "a time of day, HH:MM",
        }
    ),
]
ConfigPath = Annotated[Path, AfterValidator(_resolve_path)]
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
EMAIL_PATTERN = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"
REPO_PATTERN = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
JIRA_PROJECT_PATTERN = r"^[A-Z][A-Z0-9_]{1,9}$"
PATTERN_HINTS = {
    NAME_PATTERN: "a lower-case name of letters, digits, '-' and '_'",
    EMAIL_PATTERN: "an e-mail address",
    REPO_PATTERN: "a GitHub repository as owner/name",
    JIRA_PROJECT_PATTERN: "a Jira project key: 2-10 capital letters, digits or '_' (e.g. OPS)",
}

Name = Annotated[str, BeforeValidator(_lower), StringConstraints(pattern=NAME_PATTERN)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=EMAIL_PATTERN)]
RepoName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=REPO_PATTERN)]
JiraProject = Annotated[str, StringConstraints(strip_whitespace=True, pattern=JIRA_PROJECT_PATTERN)]
Lowercase = BeforeValidator(_lower)
