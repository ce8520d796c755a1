"""The report job's body on top of ``followthrough report``'s functions (`ReportJob`).

Sits between ``daemon_report`` (the hook) and ``report_command``. The worker sends each team's
weekly report by e-mail when SMTP is configured; ``run --once`` writes it into a folder and
sends nothing.
"""

from __future__ import annotations

from typing import cast

from followthrough.app.daemon.jobs import TeamOutcome
from followthrough.app.daemon.report import ReportRequest
from followthrough.app.report_command import (
    ReportJob,
    ReportStore,
    report_team_week,
    smtp_mailer,
)
from followthrough.app.sync_command import sandbox_state
from followthrough.app.wiring import read_documents, trackers_for

_TROUBLE = ("failed", "interrupted")


def report_with_command(request: ReportRequest) -> TeamOutcome:
    """One team's report for its last complete week: written to ``out_dir``, or sent."""
    config, team = request.config, request.team
    send = request.out_dir is None
    with trackers_for(
        config,
        clock=request.clock,
        sandbox_state=sandbox_state(config),
        listener=request.listener,
    ) as trackers:
        job = ReportJob(
            config=config,
            store=cast(ReportStore, request.store),  # the SQL stores keep reports and snapshots
            trackers=trackers,
            documents=read_documents(config),
            clock=request.clock,
            mailer=smtp_mailer(config) if send else None,
            log=request.log,
        )
        outcome = report_team_week(job, team, out=request.out_dir, send=send)
    delivery = outcome.delivery
    state = delivery.state if delivery is not None else "written"
    detail = f": {delivery.detail}" if delivery is not None and delivery.detail else ""
    return TeamOutcome(
        team=team.name,
        ok=state not in _TROUBLE,
        summary=f"week {outcome.week} {state}{detail}",
        counts={"reports": 1},
        error=f"report {state}{detail}" if state in _TROUBLE else None,
        files=tuple(str(path) for path in outcome.files),
    )
