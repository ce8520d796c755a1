"""Each team's standing after a sync, for the worker's gauges (`domain.standing`).

Sits under ``daemon_cycle``. Cheap: the postmortems the sync just read, and from the journal
the tickets as that sync left them and the links; no tracker call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from followthrough.config import TeamSettings
from followthrough.domain.model import Postmortem
from followthrough.domain.report import TeamInputs
from followthrough.domain.report_period import last_complete_week, local_date
from followthrough.domain.standing import Standing, standing
from followthrough.engine.listing import listing_scope
from followthrough.ports import Store


def team_standing(
    team: TeamSettings, postmortems: Sequence[Postmortem], store: Store, now: dt.datetime
) -> Standing:
    """Where ``team``'s items stand at ``now``, from the journal as the last sync left it."""
    tracker = team.tracker
    inputs = TeamInputs(
        team=team.name,
        tz=team.tz,
        week=last_complete_week(now, team.tz),
        postmortems=postmortems,
        tickets=store.known_tickets(listing_scope(tracker.kind, tracker.project), tracker.project),
        links=store.links(team.name),
        directory=team.directory,
    )
    return standing(inputs, local_date(now, team.tz))
