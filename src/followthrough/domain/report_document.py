"""The report as a document: team sections, trend from snapshots, and the JSON shape.

Pure. `team_report` puts one team's figures, breakdowns, trend and item lists together;
`report_document` turns team reports into the JSON that files, e-mails and the schema
(``templates/report/report.schema.json``) share. `snapshot_figures` is what is stored per
team and week so that trends accumulate.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from followthrough.domain.recurrence import Recurrence, recurrences
from followthrough.domain.report import (
    TREND_WEEKS,
    Figures,
    ItemFacts,
    TeamInputs,
    TrendPoint,
    breakdown,
    item_facts,
    merge,
    rate,
    team_figures,
)
from followthrough.domain.report_backlog import Backlog, backlog, backlog_json, merge_backlogs
from followthrough.domain.report_history import reconstructed_point
from followthrough.domain.report_period import Week, trend_weeks

SCHEMA_ID = "https://followthrough.dev/schemas/report-v1.json"
ReportKind = Literal["team", "digest"]
_SNAPSHOT_FIELDS = (
    "total open done dropped due_in_period done_of_due dropped_of_due completion_rate "
    "completed_in_period on_time on_time_rate overdue overdue_median_days overdue_max_days "
    "median_days_to_done missing_owner missing_due nudges_sent escalations_sent"
).split()


class SnapshotFacts(Protocol):
    """A stored weekly snapshot (the store's `Snapshot` fits)."""

    @property
    def week(self) -> str: ...
    @property
    def figures(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class TeamReport:
    """One team's report for one week."""

    team: str
    timezone: str
    week: Week
    figures: Figures
    by_category: Mapping[str, Figures]
    by_severity: Mapping[str, Figures]
    trend: tuple[TrendPoint, ...]
    overdue: tuple[ItemFacts, ...]  # oldest first
    needs_attention: tuple[ItemFacts, ...]  # open items lacking an owner or a due date
    notes: tuple[str, ...] = ()
    backlog: Backlog | None = None
    recurring: tuple[Recurrence, ...] = ()  # promises made in two or more postmortems
    accepted_risk: int = 0  # postmortems that accept the risk instead of listing items
    accepted_risk_by_topic: Mapping[str, int] = field(default_factory=dict)  # per service/tag
    changed: tuple[ItemFacts, ...] = ()  # items whose due date moved or that changed hands


def team_report(
    inputs: TeamInputs, snapshots: Sequence[SnapshotFacts] = (), *, notes: Sequence[str] = ()
) -> TeamReport:
    """Figures, breakdowns, the 12-week trend and the item lists for one team."""
    facts = item_facts(inputs)
    current = team_figures(inputs, facts)
    written = [pm for pm in inputs.postmortems if pm.date is None or pm.date <= inputs.week.sunday]
    overdue = sorted(
        (f for f in facts if f.overdue_days is not None),
        key=lambda f: (-(f.overdue_days or 0), f.postmortem_id, f.key),
    )
    attention = sorted(
        (f for f in facts if f.missing_owner or f.missing_due),
        key=lambda f: (f.postmortem_id, f.key),
    )
    return TeamReport(
        team=inputs.team,
        timezone=inputs.tz.key,
        week=inputs.week,
        figures=current,
        by_category=breakdown(facts, lambda f: f.category),
        by_severity=breakdown(facts, lambda f: f.severity),
        trend=tuple(trend(inputs.week, current, snapshots, facts)),
        overdue=tuple(overdue),
        needs_attention=tuple(attention),
        notes=tuple(notes),
        backlog=backlog(inputs.week, facts),
        recurring=tuple(recurrences(written)),
        accepted_risk=len(risky := [pm for pm in written if pm.extra.get("accepted_risk")]),
        accepted_risk_by_topic=dict(sorted(Counter(t for pm in risky for t in pm.topics).items())),
        changed=tuple(
            sorted(
                (f for f in facts if f.due_moves or f.reassignments),
                key=lambda f: (f.postmortem_id, f.key),
            )
        ),
    )


def snapshot_figures(figures: Figures) -> dict[str, Any]:
    """The figures stored per team and week (scalars only; enough to merge trends)."""
    return {name: getattr(figures, name) for name in _SNAPSHOT_FIELDS}


def trend(
    week: Week,
    current: Figures,
    snapshots: Sequence[SnapshotFacts],
    facts: Sequence[ItemFacts] | None = None,
) -> list[TrendPoint]:
    """The 12 weeks ending with ``week``, oldest first. A week without a stored snapshot is
    reconstructed from ``facts`` (`report_history`) when given, else has no values."""
    stored = {s.week: s.figures for s in snapshots}
    stored[week.label] = snapshot_figures(current)
    points = []
    for past in trend_weeks(week, TREND_WEEKS):
        figures = stored.get(past.label)
        if figures is None and facts is not None:
            points.append(reconstructed_point(past, facts))
        else:
            points.append(_point(past.label, figures))
    return points


def _point(label: str, figures: Mapping[str, Any] | None) -> TrendPoint:
    if figures is None:
        return TrendPoint(label, None, None, None, None, None)
    due, done = _int(figures.get("due_in_period")), _int(figures.get("done_of_due"))
    return TrendPoint(
        week=label,
        completion_rate=rate(done, due) if due is not None and done is not None else None,
        due_in_period=due,
        done_of_due=done,
        open=_int(figures.get("open")),
        overdue=_int(figures.get("overdue")),
    )


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def merge_trends(trends: Sequence[Sequence[TrendPoint]]) -> list[TrendPoint]:
    """Several teams' trends as one: per week, counts add up and the rate is recomputed."""
    if not trends:
        return []
    merged = []
    for points in zip(*trends, strict=True):
        known = [p for p in points if p.due_in_period is not None]
        if not known:
            merged.append(TrendPoint(points[0].week, None, None, None, None, None))
            continue
        due = sum(p.due_in_period or 0 for p in known)
        done = sum(p.done_of_due or 0 for p in known)
        merged.append(
            TrendPoint(
                week=points[0].week,
                completion_rate=rate(done, due),
                due_in_period=due,
                done_of_due=done,
                open=sum(p.open or 0 for p in known),
                overdue=sum(p.overdue or 0 for p in known),
                reconstructed=any(p.reconstructed for p in known),
            )
        )
    return merged


def report_document(
    *, kind: ReportKind, week: Week, generated_at: dt.datetime, teams: Sequence[TeamReport]
) -> dict[str, Any]:
    """The JSON document (see the schema): one team's report, or the all-teams digest."""
    overall = merge([t.figures for t in teams])
    return {
        "$schema": SCHEMA_ID,
        "schema_version": 1,
        "kind": kind,
        "week": week.label,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "overall": {
            "figures": figures_json(overall),
            "by_category": _groups_json(_merge_groups([t.by_category for t in teams])),
            "by_severity": _groups_json(_merge_groups([t.by_severity for t in teams])),
            "trend": [_trend_json(p) for p in merge_trends([t.trend for t in teams])],
            "backlog": _backlog_json(merge_backlogs([t.backlog for t in teams if t.backlog])),
            "accepted_risk": _risk_json(
                sum(t.accepted_risk for t in teams),
                sum((Counter(t.accepted_risk_by_topic) for t in teams), Counter()),
            ),
        },
        "teams": [team_json(t) for t in teams],
    }


def team_json(report: TeamReport) -> dict[str, Any]:
    start = report.week.monday
    return {
        "team": report.team,
        "timezone": report.timezone,
        "period": {
            "week": report.week.label,
            "start": start.isoformat(),
            "end": report.week.sunday.isoformat(),
        },
        "figures": figures_json(report.figures),
        "by_category": _groups_json(report.by_category),
        "by_severity": _groups_json(report.by_severity),
        "trend": [_trend_json(p) for p in report.trend],
        "overdue_items": [_item_json(f) for f in report.overdue],
        "needs_attention": [_item_json(f) for f in report.needs_attention],
        "notes": list(report.notes),
        "backlog": _backlog_json(report.backlog),
        "recurring_promises": [_recurrence_json(r) for r in report.recurring],
        "accepted_risk": _risk_json(report.accepted_risk, report.accepted_risk_by_topic),
        "changed_promises": [_changed_json(f) for f in report.changed],
    }


def _changed_json(f: ItemFacts) -> dict[str, Any]:
    return {
        "key": f.key,
        "title": f.title,
        "postmortem_id": f.postmortem_id,
        "ticket": f.ticket_ref,
        "first_due": f.first_due.isoformat() if f.first_due else None,
        "due": f.due.isoformat() if f.due else None,
        "due_moves": f.due_moves,
        "days_moved": f.days_moved,
        "reassignments": f.reassignments,
        "first_activity_days": f.first_activity_days,
    }


def _risk_json(count: int, by_topic: Mapping[str, int]) -> dict[str, Any]:
    return {"count": count, "by_topic": dict(sorted(by_topic.items()))}


def _backlog_json(found: Backlog | None) -> dict[str, object] | None:
    return None if found is None else backlog_json(found)


def _recurrence_json(found: Recurrence) -> dict[str, Any]:
    return {
        "title": found.title,
        "summary": found.summary(),
        "promises": [
            {
                "title": p.title,
                "postmortem_id": p.postmortem_id,
                "date": p.date.isoformat() if p.date else None,
                "state": p.status.value,
                "ticket": p.ticket,
            }
            for p in found.promises
        ],
    }


def figures_json(f: Figures) -> dict[str, Any]:
    return {
        "items": {"total": f.total, "open": f.open, "done": f.done, "dropped": f.dropped},
        "due_in_period": {
            "total": f.due_in_period,
            "done": f.done_of_due,
            "dropped": f.dropped_of_due,
            "completion_rate": f.completion_rate,
        },
        "completed_in_period": {
            "total": f.completed_in_period,
            "on_time": f.on_time,
            "on_time_rate": f.on_time_rate,
            "kept_on_time": f.kept_on_time,
            "kept_on_time_rate": f.kept_on_time_rate,
        },
        "due_date_moves": {
            "items": f.moved_items,
            "moves": f.due_moves,
            "days_moved": f.days_moved,
        },
        "reassignments": {"items": f.reassigned_items, "total": f.reassignments},
        "first_activity": {
            "median_days": f.first_activity_median_days,
            "measured": len(f.first_activity_days),
            "awaiting": f.awaiting_activity,
        },
        "overdue": {
            "count": f.overdue,
            "median_age_days": f.overdue_median_days,
            "max_age_days": f.overdue_max_days,
        },
        "median_days_to_done": f.median_days_to_done,
        "missing_owner": f.missing_owner,
        "missing_due": f.missing_due,
        "nudges_sent": {"reminders": f.nudges_sent, "escalations": f.escalations_sent},
    }


def _merge_groups(groups: Sequence[Mapping[str, Figures]]) -> dict[str, Figures]:
    names = sorted({name for g in groups for name in g})
    return {name: merge([g[name] for g in groups if name in g]) for name in names}


def _groups_json(groups: Mapping[str, Figures]) -> dict[str, Any]:
    return {
        name: {
            "total": f.total,
            "open": f.open,
            "done": f.done,
            "dropped": f.dropped,
            "overdue": f.overdue,
            "due_in_period": f.due_in_period,
            "done_of_due": f.done_of_due,
            "completion_rate": f.completion_rate,
        }
        for name, f in groups.items()
    }


def _trend_json(p: TrendPoint) -> dict[str, Any]:
    return {
        "week": p.week,
        "completion_rate": p.completion_rate,
        "due_in_period": p.due_in_period,
        "done_of_due": p.done_of_due,
        "open": p.open,
        "overdue": p.overdue,
        "reconstructed": p.reconstructed,
    }


def _item_json(f: ItemFacts) -> dict[str, Any]:
    missing = [
        name for name, lacks in (("owner", f.missing_owner), ("due", f.missing_due)) if lacks
    ]
    return {
        "key": f.key,
        "title": f.title,
        "postmortem": f.postmortem_title,
        "postmortem_id": f.postmortem_id,
        "category": f.category,
        "severity": f.severity,
        "owner": f.owner,
        "due": f.due.isoformat() if f.due else None,
        "days_overdue": f.overdue_days,
        "ticket": f.ticket_ref,
        "ticket_url": f.ticket_url,
        "missing": missing,
    }
