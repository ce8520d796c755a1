"""``followthrough report``: weekly completion reports per team, as files and (``--send``) e-mail.

Gathers each team's postmortems, its tickets as listed now (the sync engine's listing), the
journal's links, the nudge log and stored snapshots; computes the figures (pure, in
``domain/report``); stores the week's snapshot so trends accumulate; writes
``<out>/<team>-<week>.<ext>`` and ``all-teams-<week>.<ext>``; and sends each report at most
once per team and week, guarded by the store's report claims (`deliver_once`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, cast
from zoneinfo import ZoneInfo

from followthrough.adapters.chart import bars_of, trend_png
from followthrough.adapters.chart_svg import trend_svg
from followthrough.adapters.mail import (
    MailError,
    MailOutcomeUnknownError,
    ReportMail,
    ReportRenderer,
    SmtpMailer,
    build_message,
    new_content_id,
)
from followthrough.adapters.stores.records import ReportClaim, ReportKind, Snapshot
from followthrough.app.clock_option import command_clock
from followthrough.app.outcome import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    epilog,
    error_text,
    one_line,
)
from followthrough.app.sync_command import (
    add_config_option,
    add_team_option,
    load,
    sandbox_state,
    team_error,
)
from followthrough.app.wiring import (
    Documents,
    Trackers,
    open_configured_store,
    read_documents,
    team_policy,
    teams_selected,
    trackers_for,
    utc_now,
)
from followthrough.config import Config, TeamSettings
from followthrough.domain.report import TeamInputs
from followthrough.domain.report_document import (
    TeamReport,
    report_document,
    snapshot_figures,
    team_report,
)
from followthrough.domain.report_period import Week, last_complete_week, local_date, parse_week
from followthrough.domain.ticket_history import TicketChange
from followthrough.domain.tickets import Ticket
from followthrough.engine.listing import listing_scope
from followthrough.engine.sync import SyncEngine, project_scope
from followthrough.logs import configure_logging, event_logger
from followthrough.ports import ReminderStore, TrackerError
from followthrough.retry import no_log

DIGEST = "all-teams"
FORMATS = ("html", "md", "json")
Log = Callable[..., None]
DeliveryState = Literal["sent", "already-sent", "interrupted", "failed", "no-recipients", "no-smtp"]


class ReportStore(ReminderStore, Protocol):
    """The store as reports use it: journal, nudge log, report claims and snapshots."""

    def begin_report(
        self, *, team: str, week: str, kind: ReportKind, now: dt.datetime
    ) -> ReportClaim: ...

    def finish_report(
        self,
        *,
        team: str,
        week: str,
        kind: ReportKind,
        ok: bool,
        message_id: str | None,
        error: str | None,
        now: dt.datetime,
    ) -> None: ...

    def save_snapshot(self, team: str, week: str, figures: Mapping[str, Any]) -> None: ...

    def snapshots(self, team: str, limit: int = 12) -> list[Snapshot]: ...


class Mailer(Protocol):
    def send(self, message: Any) -> str: ...


@dataclass(frozen=True, slots=True)
class Delivery:
    """What happened to one report e-mail."""

    team: str
    week: str
    kind: ReportKind
    state: DeliveryState
    detail: str = ""


def deliver_once(
    store: ReportStore,
    mailer: Mailer,
    mail: ReportMail,
    *,
    team: str,
    week: str,
    kind: ReportKind,
    clock: Callable[[], dt.datetime],
) -> Delivery:
    """Send unless this report was sent, or an earlier attempt's outcome is unknown.

    The claim is taken before sending and the result recorded after it. A recorded failure
    is retried on the next run; a claim without a result (a crash, or a connection lost
    while the data went out) is never resent automatically: a person checks the inbox.
    """
    claim = store.begin_report(team=team, week=week, kind=kind, now=clock())
    if not claim.granted:
        if claim.report.state == "sent":
            return Delivery(team, week, kind, "already-sent", f"at {claim.report.sent_at}")
        detail = (
            f"an attempt at {claim.report.sent_at} was interrupted; it may have been delivered."
            " Check the recipients' inbox before sending it by hand"
        )
        return Delivery(team, week, kind, "interrupted", detail)
    try:
        message_id = mailer.send(mail.message)
    except MailOutcomeUnknownError as error:
        return Delivery(team, week, kind, "interrupted", str(error))  # the claim stays open
    except MailError as error:
        store.finish_report(
            team=team, week=week, kind=kind, ok=False, message_id=None, error=str(error),
            now=clock(),
        )  # fmt: skip
        return Delivery(team, week, kind, "failed", str(error))
    store.finish_report(
        team=team, week=week, kind=kind, ok=True, message_id=message_id, error=None, now=clock()
    )
    return Delivery(team, week, kind, "sent", message_id)


def compose(
    renderer: ReportRenderer,
    document: Mapping[str, Any],
    *,
    sender: str,
    recipients: Sequence[str],
    now: dt.datetime,
) -> ReportMail:
    """The e-mail for a report document: text and HTML parts, the trend chart inline by cid."""
    cid = new_content_id(sender)
    bars = bars_of(document["overall"]["trend"])
    return build_message(
        sender=sender,
        recipients=recipients,
        subject=renderer.subject(document),
        text=renderer.render(document, "txt"),
        html=renderer.render(document, "html", chart_src=f"cid:{cid[1:-1]}"),
        images={cid: trend_png(bars)},
        now=now.timestamp(),
    )


def write_files(
    renderer: ReportRenderer,
    document: Mapping[str, Any],
    *,
    out: Path,
    name: str,
    formats: Sequence[str],
) -> list[Path]:
    """``<out>/<name>.<ext>`` per format; the HTML file carries its chart inline (SVG)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = out / f"{name}.{fmt}"
        if fmt == "json":
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        elif fmt == "html":
            chart = trend_svg(bars_of(document["overall"]["trend"]))
            path.write_text(renderer.render(document, "html", chart_svg=chart), "utf-8")
        else:
            path.write_text(renderer.render(document, "md"), "utf-8")
        written.append(path)
    return written


@dataclass
class ReportJob:
    """Reports for one run (CLI) or one scheduled tick (daemon). Time and mail are injected."""

    config: Config
    store: ReportStore
    trackers: Trackers
    documents: Documents
    clock: Callable[[], dt.datetime]
    mailer: Mailer | None = None
    log: Log = no_log
    renderer: ReportRenderer = field(default_factory=ReportRenderer)
    lister: SyncEngine | None = None
    listing_errors: dict[str, str] = field(default_factory=dict, init=False)  # team → error
    keep_snapshots: bool = True  # False for a preview at another moment (``--at``)
    _reports: dict[tuple[str, str], TeamReport] = field(default_factory=dict, init=False)

    def default_week(self, team: TeamSettings | None) -> Week:
        """The last complete ISO week in the team's zone (UTC for the digest)."""
        return last_complete_week(self.clock(), team.tz if team else ZoneInfo("UTC"))

    def team_report(self, team: TeamSettings, week: Week) -> TeamReport:
        """Compute one team's report for a week and store its snapshot (once per run)."""
        cached = self._reports.get((team.name, week.label))
        if cached is not None:
            return cached
        tickets, notes = self._tickets(team)
        snapshots = self.store.snapshots(team.name, limit=12)
        inputs = TeamInputs(
            team=team.name,
            tz=team.tz,
            week=week,
            postmortems=self.documents.for_team(team),
            tickets=tickets,
            links=self.store.links(team.name),
            nudges=self.store.nudges(team.name),
            directory=team.directory,
            today=local_date(self.clock(), team.tz),
            history=self._history(team),
        )
        report = team_report(inputs, snapshots, notes=notes)
        stored = {s.week for s in snapshots}
        if self.keep_snapshots and (week.label not in stored or week == self.default_week(team)):
            # An older week keeps the snapshot taken when it ended: that one saw its tickets.
            self.store.save_snapshot(team.name, week.label, snapshot_figures(report.figures))
        self._reports[(team.name, week.label)] = report
        return report

    def _history(self, team: TeamSettings) -> dict[str, list[TicketChange]]:
        """The team's tickets' changes as the journal kept them (no tracker call)."""
        kind, project = team.tracker.kind, team.tracker.project
        return self.store.ticket_history(listing_scope(kind, project), project)

    def _tickets(self, team: TeamSettings) -> tuple[dict[str, Ticket], list[str]]:
        tracker = self.trackers.for_team(team)
        lister = self.lister or SyncEngine(store=self.store, clock=self.clock)
        self.lister = lister
        try:
            listed = lister.current_tickets(team_policy(team), tracker, dry_run=False)
        except TrackerError as error:
            self.listing_errors[team.name] = one_line(str(error))
            self.log("report_tickets_from_journal", team=team.name, error=str(error))
            known = self.store.known_tickets(project_scope(tracker), tracker.project)
            note = "the tracker could not be listed; tickets are as last seen by sync"
            return dict(known), [note]
        return {t.ref: t for t in listed}, []

    def document(
        self, kind: ReportKind, week: Week, reports: Sequence[TeamReport]
    ) -> dict[str, Any]:
        return report_document(kind=kind, week=week, generated_at=self.clock(), teams=reports)

    def send(
        self, document: Mapping[str, Any], *, team: str, kind: ReportKind, recipients: Sequence[str]
    ) -> Delivery:
        week = str(document["week"])
        smtp = self.config.settings.smtp
        if not recipients:
            return Delivery(team, week, kind, "no-recipients", "no recipients configured")
        if self.mailer is None or smtp is None:
            return Delivery(team, week, kind, "no-smtp", "no smtp section in the configuration")
        mail = compose(
            self.renderer, document, sender=smtp.sender, recipients=recipients, now=self.clock()
        )
        delivery = deliver_once(
            self.store, self.mailer, mail, team=team, week=week, kind=kind, clock=self.clock
        )
        self.log("report_delivery", team=team, week=week, kind=kind, result=delivery.state)
        return delivery


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """Files written and e-mails attempted for one report (a team's or the digest)."""

    name: str
    week: str
    files: tuple[Path, ...]
    delivery: Delivery | None
    document: Mapping[str, Any]


def report_team_week(
    job: ReportJob,
    team: TeamSettings,
    week: Week | None = None,
    *,
    out: Path | None = None,
    formats: Sequence[str] = FORMATS,
    send: bool = False,
) -> ReportOutcome:
    """The daemon's report job for one team and week (default: its last complete week)."""
    week = week or job.default_week(team)
    document = job.document("team", week, [job.team_report(team, week)])
    name = f"{team.name}-{week.label}"
    files = write_files(job.renderer, document, out=out, name=name, formats=formats) if out else []
    delivery = (
        job.send(document, team=team.name, kind="team", recipients=team.reports.recipients)
        if send
        else None
    )
    return ReportOutcome(name, week.label, tuple(files), delivery, document)


def report_digest(
    job: ReportJob,
    teams: Sequence[TeamSettings],
    week: Week | None = None,
    *,
    out: Path | None = None,
    formats: Sequence[str] = FORMATS,
    send: bool = False,
) -> ReportOutcome:
    """All teams in one report, sent to the recipients of every team that wants the digest."""
    week = week or job.default_week(None)
    document = job.document("digest", week, [job.team_report(t, week) for t in teams])
    name = f"{DIGEST}-{week.label}"
    files = write_files(job.renderer, document, out=out, name=name, formats=formats) if out else []
    recipients = sorted({r for t in teams if t.reports.digest for r in t.reports.recipients})
    delivery = (
        job.send(document, team=DIGEST, kind="digest", recipients=recipients) if send else None
    )
    return ReportOutcome(name, week.label, tuple(files), delivery, document)


def smtp_mailer(config: Config) -> SmtpMailer | None:
    """The configured SMTP relay, or ``None`` when the configuration has no ``smtp`` section."""
    smtp = config.settings.smtp
    if smtp is None:
        return None
    password = smtp.password.get_secret_value() if smtp.password is not None else None
    return SmtpMailer(
        host=smtp.host,
        port=smtp.port,
        security=smtp.security,
        allow_plain_auth=smtp.allow_plain_auth,
        username=smtp.username,
        password=password,
        timeout=smtp.timeout_seconds,
    )


DEFAULT_OUT = "out"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "report",
        help="weekly completion reports per team (files; e-mail with --send)",
        description="Per-team completion figures with the 12-week trend, and the all-teams digest.",
        epilog=epilog("followthrough report --week 2026-W47 --format html"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    add_team_option(parser, extra="; with --team, no digest")
    parser.add_argument(
        "--week", type=_week_arg, help="ISO week, e.g. 2026-W47 (default: the last complete week)"
    )
    parser.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        help="file format (repeatable; default: html, md and json)",
    )
    parser.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"folder for report files (default: {DEFAULT_OUT}/, as run --once)",
    )
    parser.add_argument(
        "--send", action="store_true", help="e-mail each report (at most once per team and week)"
    )
    parser.set_defaults(func=run)


def _week_arg(text: str) -> Week:
    try:
        return parse_week(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return EXIT_USAGE
    teams = teams_selected(config, args.team)
    logger = configure_logging(fmt=config.settings.log.format, level=config.settings.log.level)
    store = cast(ReportStore, open_configured_store(config))  # the SQL stores keep report claims
    clock = command_clock(args, default=utc_now)
    try:
        with trackers_for(config, clock=clock, sandbox_state=sandbox_state(config)) as trackers:
            job = ReportJob(
                config=config,
                store=store,
                trackers=trackers,
                documents=read_documents(config),
                clock=clock,
                mailer=smtp_mailer(config) if args.send else None,
                log=event_logger(logger),
                keep_snapshots=args.at is None,
            )
            outcomes, errors = _run_reports(job, teams, args, digest=not args.team)
    finally:
        store.close()
    errors.update(
        {
            team: f"tracker could not be listed, figures as last synced: {error}"
            for team, error in job.listing_errors.items()
            if team not in errors
        }
    )
    return _print_outcomes(outcomes, errors=errors, problems=job.documents.problems())


def _run_reports(
    job: ReportJob, teams: Sequence[TeamSettings], args: argparse.Namespace, *, digest: bool
) -> tuple[list[ReportOutcome], dict[str, str]]:
    """Each team's report, then the digest of the teams that worked; a team's failure is named
    and never stops the others."""
    options: dict[str, Any] = {
        "out": Path(args.out),
        "formats": tuple(dict.fromkeys(args.format or FORMATS)),
        "send": args.send,
    }
    outcomes: list[ReportOutcome] = []
    errors: dict[str, str] = {}
    for team in teams:
        try:
            outcomes.append(report_team_week(job, team, args.week, **options))
        except Exception as error:  # one team's report must not stop the other teams'
            errors[team.name] = error_text(error)
            job.log("team_report_failed", team=team.name, error=errors[team.name])
    reported = [team for team in teams if team.name not in errors]
    if digest and reported:
        try:
            outcomes.append(report_digest(job, reported, args.week, **options))
        except Exception as error:  # the team files are written: say the digest failed
            errors[DIGEST] = error_text(error)
    return outcomes, errors


def _print_outcomes(
    outcomes: Sequence[ReportOutcome], *, errors: Mapping[str, str], problems: Sequence[str]
) -> int:
    trouble = 0
    for outcome in outcomes:
        for path in outcome.files:
            print(f"wrote {path}")
        delivery = outcome.delivery
        if delivery is None:
            continue
        print(
            f"{outcome.name}: {delivery.state}{': ' + delivery.detail if delivery.detail else ''}"
        )
        trouble += delivery.state in ("failed", "interrupted", "no-smtp")
    for team, error in errors.items():
        print(f"{team}: FAILED: {team_error(error)}")
    for line in problems:
        print(line)
    return EXIT_FAILED if trouble or errors or problems else EXIT_OK
