"""The weeks before the first snapshot, reconstructed from the trackers' own dates.

A fresh install has no weekly snapshots, so its first report's 12-week trend would be twelve
empty weeks though the trackers know the last quarter. For a week without a snapshot, each
item is placed as it stood at the week's end: it existed once its postmortem was written,
was done from the day its tracker closed it (or its postmortem's date, when it was done in
the document from the start), open before that, and won't-do items stay out of the rate as
always. Due dates are today's: a date moved since is read where it is now, which is why such
weeks are marked ``reconstructed``, and a stored snapshot always wins over them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from followthrough.domain.model import ItemStatus
from followthrough.domain.report import ItemFacts, TrendPoint, rate
from followthrough.domain.report_period import Week


def reconstructed_point(week: Week, facts: Sequence[ItemFacts]) -> TrendPoint:
    """The week's trend values as the items stood at its end (see the module's rules)."""
    end = week.sunday
    existing = [f for f in facts if f.postmortem_date is not None and f.postmortem_date <= end]
    counted = [f for f in existing if f.status != ItemStatus.DROPPED]
    done = {f.key for f in counted if _done_by(f, end)}
    due = [f for f in counted if f.due is not None and week.monday <= f.due <= end]
    done_of_due = sum(1 for f in due if f.key in done)
    still_open = [f for f in counted if f.key not in done]
    return TrendPoint(
        week=week.label,
        completion_rate=rate(done_of_due, len(due)),
        due_in_period=len(due),
        done_of_due=done_of_due,
        open=len(still_open),
        overdue=sum(1 for f in still_open if f.due is not None and f.due <= end),
        reconstructed=True,
    )


def _done_by(fact: ItemFacts, day: dt.date) -> bool:
    return fact.status == ItemStatus.DONE and fact.done_on is not None and fact.done_on <= day
