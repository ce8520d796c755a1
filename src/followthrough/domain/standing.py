"""Where a team's action items stand on one day: the worker's gauges between weekly reports.

Pure, and built on the weekly report's item facts (`domain.report`), so a state means the
same in both: items by state over every postmortem dated up to the end of the current week,
open items past their due date on the day (as ``followthrough remind`` judges them: due
before today in the team's zone), and the completion rate of the last complete week, as the
weekly report gives it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from followthrough.domain.model import ItemStatus
from followthrough.domain.recurrence import recurrences
from followthrough.domain.report import TeamInputs, figures, item_facts
from followthrough.domain.report_backlog import backlog
from followthrough.domain.report_period import week_of_date


@dataclass(frozen=True, slots=True)
class Standing:
    """A team's action items on one day."""

    open: int
    done: int
    dropped: int
    overdue: int  # open, and due before the day
    completion_rate: float | None  # the last complete week's; None when nothing was due
    # Open items by age bucket (as the weekly report's backlog), and promises made in two or
    # more postmortems whose latest promise is still open.
    open_by_age: dict[str, int] = dataclasses.field(default_factory=dict)
    recurring_open: int = 0


def standing(inputs: TeamInputs, today: dt.date) -> Standing:
    """The standing on ``today`` (the team's date); ``inputs.week`` is the last complete week."""
    now = item_facts(dataclasses.replace(inputs, week=week_of_date(today), today=today))
    last_week = figures(item_facts(inputs))
    counts = {status: sum(1 for f in now if f.status == status) for status in ItemStatus}
    overdue = sum(1 for f in now if f.overdue_days is not None)  # due before today
    written = [pm for pm in inputs.postmortems if pm.date is None or pm.date <= today]
    recurring = [r for r in recurrences(written) if r.promises[-1].status == ItemStatus.OPEN]
    return Standing(
        open=counts[ItemStatus.OPEN],
        done=counts[ItemStatus.DONE],
        dropped=counts[ItemStatus.DROPPED],
        overdue=overdue,
        completion_rate=last_week.completion_rate,
        open_by_age=backlog(week_of_date(today), now, as_of=today).ages,
        recurring_open=len(recurring),
    )
