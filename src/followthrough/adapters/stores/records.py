"""Store records beyond the ports' `Intent` and `Link`: nudges, weekly reports, snapshots.

Kept with the store adapters until the `Store` port grows the matching methods; plain frozen
values, no behaviour, so they can move to ``ports`` unchanged. `StoreError` is the one error
the stores raise (vendor exceptions are translated into it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

NudgeKind = Literal["nudge", "escalation"]
NudgeState = Literal["intent", "posted", "failed"]
ReportKind = Literal["team", "digest"]
ReportState = Literal["intent", "sent", "failed"]

NUDGE_KINDS: tuple[NudgeKind, ...] = ("nudge", "escalation")
REPORT_KINDS: tuple[ReportKind, ...] = ("team", "digest")
_ISO_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")


class StoreError(Exception):
    """The journal could not be read or written (connection lost, locked, corrupt, closed)."""


@dataclass(frozen=True, slots=True)
class Nudge:
    """A reminder comment on a ticket, journalled before it is posted.

    ``posted_at`` is the time of the last attempt: when the intent was taken, then when the
    comment was posted (or the attempt failed).
    """

    id: int
    team: str
    ticket_ref: str
    item_key: str
    kind: NudgeKind
    state: NudgeState
    posted_at: dt.datetime
    comment_id: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """A weekly report (one team's, or the digest) and how far sending it got.

    ``sent_at`` is the time of the last attempt: when the claim was taken, then when the
    message went out (or the attempt failed).
    """

    team: str
    week: str  # ISO week, "2026-W47"
    kind: ReportKind
    state: ReportState
    sent_at: dt.datetime
    message_id: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ReportClaim:
    """The answer to `begin_report`: send only when ``granted``; ``report`` is the row now."""

    granted: bool
    report: Report


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One team's follow-through figures for one ISO week (for trends in reports)."""

    team: str
    week: str
    figures: dict[str, Any] = field(default_factory=dict)


def check_week(week: str) -> str:
    """An ISO week label ("2026-W47"), which also sorts in time order; else `ValueError`."""
    if not _ISO_WEEK.match(week):
        raise ValueError(f"not an ISO week like 2026-W47: {week!r}")
    return week
