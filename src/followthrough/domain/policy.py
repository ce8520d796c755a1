"""A team's sync policy in domain terms (built from the team's config file by the caller)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class OwnerPolicy(StrEnum):
    """What to do with an item whose owner is missing or not in the directory."""

    NEEDS_OWNER_LABEL = "needs_owner_label"
    ASSIGN_LEAD = "assign_lead"
    HOLD = "hold"


class DoneItems(StrEnum):
    """Whether items already done (or dropped) in the document get a closed ticket."""

    CREATE_CLOSED = "create_closed"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class DueDefaults:
    """Default due dates, in weeks after the postmortem date."""

    priority_weeks: int = 4
    default_weeks: int = 8
    horizons: Mapping[str, int] = field(default_factory=dict)

    def weeks_for(self, *, priority: str | None, horizon: str | None) -> tuple[int, str]:
        """Weeks and the reason, for an item with this priority and horizon group."""
        if horizon:
            for name, weeks in self.horizons.items():
                if _words(name) in _words(horizon):
                    return weeks, f"{weeks} weeks for a “{horizon}” item"
        if priority and re.fullmatch(r"P[01]|SEV-?[01]|Critical|Highest|High", priority, re.I):
            return self.priority_weeks, f"{self.priority_weeks} weeks for a priority item"
        return self.default_weeks, f"{self.default_weeks} weeks"


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass(frozen=True, slots=True)
class TeamPolicy:
    """Everything the planner needs to know about one team."""

    name: str
    tracker_kind: str  # "jira" or "github"
    project: str
    directory: Mapping[str, str] = field(default_factory=dict)  # as written (folded) → tracker id
    lead: str | None = None  # tracker id
    soak_days: int = 2
    done_items: DoneItems = DoneItems.CREATE_CLOSED
    owner_policy: OwnerPolicy = OwnerPolicy.NEEDS_OWNER_LABEL
    due_defaults: DueDefaults = field(default_factory=DueDefaults)
    labels: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    issue_type: str | None = None

    def resolve_owner(self, owner: str | None) -> str | None:
        """The tracker identity of an owner as written, via the directory; never a guess."""
        if owner is None:
            return None
        folded = fold_name(owner)
        for written, tracker_id in self.directory.items():
            if fold_name(written) == folded:
                return tracker_id
        return None

    def soaked_on(self, postmortem_date: dt.date) -> dt.date:
        """The first day items of a postmortem held on this date may become tickets."""
        return postmortem_date + dt.timedelta(days=self.soak_days)


def fold_name(name: str) -> str:
    """How directory keys and owners are compared: case-folded, ``@`` and spaces trimmed."""
    return re.sub(r"\s+", " ", name.strip().lstrip("@")).casefold()
