"""The store logic both SQL backends share: queries, migrations, row decoding.

`SqlStore` implements the `Store` port (and the reminder and report records) on top of a few
primitives each backend supplies: a transaction yielding a `Session`, and how times and JSON
are written and read. Queries use ``%(name)s`` parameters; the SQLite session rewrites them.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self

from followthrough.adapters.stores.migrations import MIGRATIONS, SCHEMA_VERSION_TABLE, Dialect
from followthrough.adapters.stores.records import (
    NUDGE_KINDS,
    REPORT_KINDS,
    Nudge,
    NudgeKind,
    Report,
    ReportClaim,
    ReportKind,
    Snapshot,
    StoreError,
    check_week,
)
from followthrough.domain.ticket_history import FIELDS, SOURCES, TicketChange
from followthrough.domain.tickets import Ticket, ticket_from_json, ticket_to_json
from followthrough.ports import Intent, Link

Row = tuple[Any, ...]
Params = Mapping[str, Any]

_INTENT_COLUMNS = "id, team, item_key, operation, payload, created, ticket_ref"
_LINK_COLUMNS = "team, item_key, ticket_ref, postmortem_id, synced, removed_noted, updated"
_NUDGE_COLUMNS = "id, team, ticket_ref, item_key, kind, state, posted_at, comment_id, error"
_REPORT_COLUMNS = "team, week, kind, state, sent_at, message_id, error"
_HISTORY_COLUMNS = "ref, field, value, before, before_known, at, source, human"


class Session(Protocol):
    """One open transaction: statements run inside it and commit together."""

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        """Run one statement and return its rows (none for statements without results)."""
        ...

    def run(self, sql: str, params: Params | None = None) -> int:
        """Run one statement and return the number of rows it changed."""
        ...

    def run_many(self, sql: str, params: Sequence[Params]) -> None: ...


def utc(moment: dt.datetime) -> dt.datetime:
    """The same instant in UTC; naive datetimes are refused (their zone is a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {moment!r}")
    return moment.astimezone(dt.UTC)


def json_text(value: Mapping[str, Any]) -> str:
    """Strict JSON (no NaN, str keys only) so both backends accept the same values."""
    return json.dumps(dict(value), ensure_ascii=False, sort_keys=True, allow_nan=False)


class SqlStore(abc.ABC):
    """The journal and state store over SQL; subclasses bring the connection and dialect."""

    dialect: ClassVar[Dialect]

    # -- what a backend provides ------------------------------------------------------------

    @abc.abstractmethod
    def _transaction(self, *, write: bool) -> AbstractContextManager[Session]:
        """A transaction that commits on success and rolls back on any exception."""

    @abc.abstractmethod
    def _lock_for_migration(self, session: Session) -> None:
        """Keep other processes out of `migrate` until this transaction ends."""

    @abc.abstractmethod
    def _time_in(self, moment: dt.datetime) -> Any: ...

    @abc.abstractmethod
    def _time_out(self, value: Any) -> dt.datetime: ...

    @abc.abstractmethod
    def _json_in(self, value: Mapping[str, Any]) -> Any: ...

    @abc.abstractmethod
    def _json_out(self, value: Any) -> dict[str, Any]: ...

    @abc.abstractmethod
    def ping(self) -> None:
        """Raise `StoreError` unless the database answers."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection; later calls raise `StoreError`. Closing twice is fine."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- schema -----------------------------------------------------------------------------

    def migrate(self) -> None:
        """Apply the migrations this database lacks, all in one transaction (idempotent)."""
        with self._transaction(write=True) as session:
            self._lock_for_migration(session)
            session.run(SCHEMA_VERSION_TABLE[self.dialect])
            applied = {int(row[0]) for row in session.rows("SELECT version FROM schema_version")}
            known = {migration.version for migration in MIGRATIONS}
            if applied - known:
                raise StoreError(
                    f"the journal has schema versions {sorted(applied - known)} that this "
                    "version of followthrough does not know; upgrade followthrough"
                )
            for migration in MIGRATIONS:
                if migration.version in applied:
                    continue
                for statement in migration.statements(self.dialect):
                    session.run(statement)
                session.run(
                    "INSERT INTO schema_version (version, name) VALUES (%(version)s, %(name)s)",
                    {"version": migration.version, "name": migration.name},
                )

    def schema_version(self) -> int:
        """The highest applied migration, 0 for an empty database."""
        with self._transaction(write=False) as session:
            if not self._has_table(session, "schema_version"):
                return 0
            rows = session.rows("SELECT MAX(version) FROM schema_version")
        return int(rows[0][0] or 0)

    def _has_table(self, session: Session, name: str) -> bool:
        if self.dialect == "sqlite":
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %(name)s"
        else:
            sql = "SELECT 1 WHERE to_regclass(%(name)s) IS NOT NULL"
        return bool(session.rows(sql, {"name": name}))

    # -- intents ----------------------------------------------------------------------------

    def begin_intent(
        self, *, team: str, item_key: str, operation: str, payload: dict[str, Any], now: dt.datetime
    ) -> Intent:
        """Journal a write before making it; the payload's ``ticket_ref`` is kept if known."""
        created = utc(now)
        known_ref = payload.get("ticket_ref")
        ticket_ref = known_ref if isinstance(known_ref, str) and known_ref else None
        with self._transaction(write=True) as session:
            rows = session.rows(
                "INSERT INTO intents (team, item_key, operation, payload, created, ticket_ref) "
                "VALUES (%(team)s, %(item_key)s, %(operation)s, %(payload)s, %(created)s, "
                "%(ticket_ref)s) RETURNING id",
                {
                    "team": team,
                    "item_key": item_key,
                    "operation": operation,
                    "payload": self._json_in(payload),
                    "created": self._time_in(created),
                    "ticket_ref": ticket_ref,
                },
            )
        return Intent(
            id=int(rows[0][0]),
            team=team,
            item_key=item_key,
            operation=operation,
            payload=json.loads(json_text(payload)),
            created=created,
            ticket_ref=ticket_ref,
        )

    def finish_intent(
        self,
        intent_id: int,
        *,
        ok: bool,
        ticket_ref: str | None,
        error: str | None,
        now: dt.datetime,
        links: Sequence[Link] = (),
    ) -> None:
        """Record an intent's result once, and the links it made, in one transaction: a crash
        can never leave a write recorded as applied without the ticket it made. Later calls for
        the same intent change nothing."""
        params = {
            "id": intent_id,
            "finished": self._time_in(utc(now)),
            "ok": ok,
            "ticket_ref": ticket_ref,
            "error": error,
        }
        with self._transaction(write=True) as session:
            changed = self._finish_once_in(
                session,
                "intents",
                "finished = %(finished)s, ok = %(ok)s, "
                "ticket_ref = COALESCE(%(ticket_ref)s, ticket_ref), error = %(error)s",
                "finished IS NULL",
                params,
                what="intent",
            )
            if changed:
                for link in links:
                    self._upsert_link(session, link)

    def _finish_once(
        self, table: str, assignments: str, still_open: str, params: dict[str, Any], *, what: str
    ) -> None:
        """Record a result on a row that is still open, in its own transaction."""
        with self._transaction(write=True) as session:
            self._finish_once_in(session, table, assignments, still_open, params, what=what)

    @staticmethod
    def _finish_once_in(
        session: Session,
        table: str,
        assignments: str,
        still_open: str,
        params: dict[str, Any],
        *,
        what: str,
    ) -> bool:
        """Record a result on a row that is still open; a second call changes nothing (and
        returns False), an unknown id is an error. ``table`` and the SQL fragments are fixed
        by the callers."""
        changed = session.run(
            f"UPDATE {table} SET {assignments} "  # noqa: S608 - fixed fragments, bound values
            f"WHERE id = %(id)s AND {still_open}",
            params,
        )
        if not changed and not session.rows(
            f"SELECT 1 FROM {table} WHERE id = %(id)s",  # noqa: S608 - a fixed table name
            {"id": params["id"]},
        ):
            raise StoreError(f"no {what} with id {params['id']}")
        return bool(changed)

    def open_intents(self, team: str) -> list[Intent]:
        """Intents with no recorded result, oldest first."""
        with self._transaction(write=False) as session:
            rows = session.rows(
                f"SELECT {_INTENT_COLUMNS} FROM intents "  # noqa: S608 - a fixed column list
                "WHERE team = %(team)s AND finished IS NULL ORDER BY created, id",
                {"team": team},
            )
        return [self._intent(row) for row in rows]

    def _intent(self, row: Row) -> Intent:
        ident, team, item_key, operation, payload, created, ticket_ref = row
        return Intent(
            id=int(ident),
            team=team,
            item_key=item_key,
            operation=operation,
            payload=self._json_out(payload),
            created=self._time_out(created),
            ticket_ref=ticket_ref,
        )

    # -- links, tickets, cursors ------------------------------------------------------------

    def links(self, team: str) -> dict[str, Link]:
        with self._transaction(write=False) as session:
            rows = session.rows(
                f"SELECT {_LINK_COLUMNS} FROM links "  # noqa: S608 - a fixed column list
                "WHERE team = %(team)s ORDER BY item_key",
                {"team": team},
            )
        return {row[1]: self._link(row) for row in rows}

    def _link(self, row: Row) -> Link:
        team, item_key, ticket_ref, postmortem_id, synced, removed_noted, updated = row
        return Link(
            team=team,
            item_key=item_key,
            ticket_ref=ticket_ref,
            postmortem_id=postmortem_id,
            synced=self._json_out(synced),
            removed_noted=bool(removed_noted),
            updated=None if updated is None else self._time_out(updated),
        )

    def save_link(self, link: Link) -> None:
        """Insert or replace the link for ``(team, item_key)``."""
        with self._transaction(write=True) as session:
            self._upsert_link(session, link)

    def _upsert_link(self, session: Session, link: Link) -> None:
        params = {
            "team": link.team,
            "item_key": link.item_key,
            "ticket_ref": link.ticket_ref,
            "postmortem_id": link.postmortem_id,
            "synced": self._json_in(link.synced),
            "removed_noted": link.removed_noted,
            "updated": None if link.updated is None else self._time_in(utc(link.updated)),
        }
        session.run(
            f"INSERT INTO links ({_LINK_COLUMNS}) VALUES (%(team)s, %(item_key)s, "  # noqa: S608 - fixed columns
            "%(ticket_ref)s, %(postmortem_id)s, %(synced)s, %(removed_noted)s, %(updated)s) "
            "ON CONFLICT (team, item_key) DO UPDATE SET ticket_ref = excluded.ticket_ref, "
            "postmortem_id = excluded.postmortem_id, synced = excluded.synced, "
            "removed_noted = excluded.removed_noted, updated = excluded.updated",
            params,
        )

    def known_tickets(self, team: str, project: str) -> dict[str, Ticket]:
        with self._transaction(write=False) as session:
            rows = session.rows(
                "SELECT ref, data FROM tickets WHERE team = %(team)s AND project = %(project)s "
                "ORDER BY ref",
                {"team": team, "project": project},
            )
        return {ref: ticket_from_json(self._json_out(data)) for ref, data in rows}

    def remember_tickets(
        self,
        team: str,
        project: str,
        tickets: Sequence[Ticket],
        *,
        complete: bool = False,
        history: Sequence[TicketChange] = (),
    ) -> None:
        """Upsert ticket states by reference (stored as `ticket_to_json`), and keep their
        ``history`` (as `record_history`), in one transaction. With ``complete`` the tickets
        are the whole project as listed: any other stored ticket is forgotten (it was deleted,
        or lost our marker), in the same transaction."""
        params = [
            {
                "team": team,
                "project": project,
                "ref": ticket.ref,
                "data": self._json_in(ticket_to_json(ticket)),
                "updated": None if ticket.updated is None else self._time_in(utc(ticket.updated)),
            }
            for ticket in tickets
        ]
        if not params and not complete and not history:
            return
        with self._transaction(write=True) as session:
            self._insert_history(session, team, project, history)
            if complete:
                session.run(
                    "DELETE FROM tickets WHERE team = %(team)s AND project = %(project)s",
                    {"team": team, "project": project},
                )
            if params:
                session.run_many(
                    "INSERT INTO tickets (team, project, ref, data, updated) "
                    "VALUES (%(team)s, %(project)s, %(ref)s, %(data)s, %(updated)s) "
                    "ON CONFLICT (team, project, ref) DO UPDATE SET data = excluded.data, "
                    "updated = excluded.updated",
                    params,
                )

    def record_history(self, team: str, project: str, changes: Sequence[TicketChange]) -> None:
        """Keep ticket changes (a change already kept is kept once)."""
        if not changes:
            return
        with self._transaction(write=True) as session:
            self._insert_history(session, team, project, changes)

    def _insert_history(
        self, session: Session, team: str, project: str, changes: Sequence[TicketChange]
    ) -> None:
        params = [
            {
                "team": team,
                "project": project,
                "ref": c.ref,
                "field": c.field,
                "value": c.value,
                "before": c.before,
                "before_known": c.before_known,
                "at": self._time_in(utc(c.at)),
                "source": c.source,
                "human": c.human,
            }
            for c in changes
        ]
        if params:
            session.run_many(
                f"INSERT INTO ticket_history (team, project, {_HISTORY_COLUMNS}) "  # noqa: S608 - fixed columns
                "VALUES (%(team)s, %(project)s, %(ref)s, %(field)s, %(value)s, %(before)s, "
                "%(before_known)s, %(at)s, %(source)s, %(human)s) ON CONFLICT DO NOTHING",
                params,
            )

    def ticket_history(self, team: str, project: str) -> dict[str, list[TicketChange]]:
        """Every kept change of the project's tickets, by reference, oldest first."""
        with self._transaction(write=False) as session:
            rows = session.rows(
                f"SELECT {_HISTORY_COLUMNS} FROM ticket_history "  # noqa: S608 - fixed columns
                "WHERE team = %(team)s AND project = %(project)s ORDER BY ref, at",
                {"team": team, "project": project},
            )
        found: dict[str, list[TicketChange]] = {}
        for ref, name, value, before, before_known, at, source, human in rows:
            if name not in FIELDS or source not in SOURCES:
                raise StoreError(f"ticket_history holds an unknown {name!r}/{source!r} row")
            found.setdefault(ref, []).append(
                TicketChange(
                    ref=ref,
                    field=name,
                    value=value,
                    at=self._time_out(at),
                    source=source,
                    human=bool(human),
                    before=before,
                    before_known=bool(before_known),
                )
            )
        return found

    def cursor(self, team: str, name: str) -> str | None:
        with self._transaction(write=False) as session:
            rows = session.rows(
                "SELECT value FROM cursors WHERE team = %(team)s AND name = %(name)s",
                {"team": team, "name": name},
            )
        return str(rows[0][0]) if rows else None

    def set_cursor(self, team: str, name: str, value: str) -> None:
        with self._transaction(write=True) as session:
            session.run(
                "INSERT INTO cursors (team, name, value) VALUES (%(team)s, %(name)s, %(value)s) "
                "ON CONFLICT (team, name) DO UPDATE SET value = excluded.value",
                {"team": team, "name": name, "value": value},
            )

    # -- reminders --------------------------------------------------------------------------

    def begin_nudge(
        self, *, team: str, ticket_ref: str, item_key: str, kind: NudgeKind, now: dt.datetime
    ) -> Nudge:
        """Journal a reminder comment (state 'intent') before posting it."""
        if kind not in NUDGE_KINDS:
            raise ValueError(f"nudge kind must be one of {NUDGE_KINDS}, got {kind!r}")
        params = {
            "team": team,
            "ticket_ref": ticket_ref,
            "item_key": item_key,
            "kind": kind,
            "posted_at": self._time_in(utc(now)),
        }
        with self._transaction(write=True) as session:
            rows = session.rows(
                "INSERT INTO nudges (team, ticket_ref, item_key, kind, state, posted_at) "  # noqa: S608 - a fixed column list
                "VALUES (%(team)s, %(ticket_ref)s, %(item_key)s, %(kind)s, 'intent', "
                f"%(posted_at)s) RETURNING {_NUDGE_COLUMNS}",
                params,
            )
        return self._nudge(rows[0])

    def finish_nudge(
        self,
        nudge_id: int,
        *,
        ok: bool,
        comment_id: str | None,
        error: str | None,
        now: dt.datetime,
    ) -> None:
        """Record a nudge as posted or failed, once; later calls change nothing."""
        params = {
            "id": nudge_id,
            "state": "posted" if ok else "failed",
            "posted_at": self._time_in(utc(now)),
            "comment_id": comment_id,
            "error": error,
        }
        self._finish_once(
            "nudges",
            "state = %(state)s, posted_at = %(posted_at)s, "
            "comment_id = %(comment_id)s, error = %(error)s",
            "state = 'intent'",
            params,
            what="nudge",
        )

    def nudges(self, team: str, ticket_ref: str | None = None) -> list[Nudge]:
        """A team's nudges (or one ticket's), oldest first, in every state."""
        where = "team = %(team)s" + ("" if ticket_ref is None else " AND ticket_ref = %(ref)s")
        with self._transaction(write=False) as session:
            rows = session.rows(
                f"SELECT {_NUDGE_COLUMNS} FROM nudges WHERE {where} "  # noqa: S608 - fixed fragments
                "ORDER BY posted_at, id",
                {"team": team, "ref": ticket_ref} if ticket_ref is not None else {"team": team},
            )
        return [self._nudge(row) for row in rows]

    def _nudge(self, row: Row) -> Nudge:
        ident, team, ticket_ref, item_key, kind, state, posted_at, comment_id, error = row
        return Nudge(
            id=int(ident),
            team=team,
            ticket_ref=ticket_ref,
            item_key=item_key,
            kind=kind,
            state=state,
            posted_at=self._time_out(posted_at),
            comment_id=comment_id,
            error=error,
        )

    # -- weekly reports and snapshots -------------------------------------------------------

    def begin_report(
        self, *, team: str, week: str, kind: ReportKind, now: dt.datetime
    ) -> ReportClaim:
        """Claim the right to send one report; send only when the claim is ``granted``.

        Granted for a new report or after a recorded failure. Refused (with the current row)
        when the report was sent, or when an earlier claim has no result yet: that attempt may
        have sent it before a crash, so only `finish_report` (after checking) can release it.
        """
        params = self._report_key(team, week, kind) | {"now": self._time_in(utc(now))}
        with self._transaction(write=True) as session:
            inserted = session.rows(
                "INSERT INTO reports_sent (team, week, kind, state, sent_at) "  # noqa: S608 - a fixed column list
                "VALUES (%(team)s, %(week)s, %(kind)s, 'intent', %(now)s) "
                f"ON CONFLICT (team, week, kind) DO NOTHING RETURNING {_REPORT_COLUMNS}",
                params,
            )
            retried = inserted or session.rows(
                "UPDATE reports_sent SET state = 'intent', sent_at = %(now)s, "  # noqa: S608 - a fixed column list
                "message_id = NULL, error = NULL WHERE team = %(team)s AND week = %(week)s "
                f"AND kind = %(kind)s AND state = 'failed' RETURNING {_REPORT_COLUMNS}",
                params,
            )
            if retried:
                return ReportClaim(granted=True, report=self._report(retried[0]))
            current = self._report_row(session, params)
        assert current is not None  # the insert conflicted, so the row exists
        return ReportClaim(granted=False, report=current)

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
    ) -> None:
        """Record a send's result; a report recorded as sent stays sent (repeats are no-ops)."""
        params = self._report_key(team, week, kind) | {
            "state": "sent" if ok else "failed",
            "now": self._time_in(utc(now)),
            "message_id": message_id,
            "error": error,
        }
        with self._transaction(write=True) as session:
            changed = session.run(
                "UPDATE reports_sent SET state = %(state)s, sent_at = %(now)s, "
                "message_id = %(message_id)s, error = %(error)s WHERE team = %(team)s "
                "AND week = %(week)s AND kind = %(kind)s AND state <> 'sent'",
                params,
            )
            if not changed and self._report_row(session, params) is None:
                raise StoreError(f"no report {kind} {week} for team {team!r} was begun")

    def report_state(self, team: str, week: str, kind: ReportKind) -> Report | None:
        with self._transaction(write=False) as session:
            return self._report_row(session, self._report_key(team, week, kind))

    @staticmethod
    def _report_key(team: str, week: str, kind: ReportKind) -> dict[str, Any]:
        if kind not in REPORT_KINDS:
            raise ValueError(f"report kind must be one of {REPORT_KINDS}, got {kind!r}")
        return {"team": team, "week": check_week(week), "kind": kind}

    def _report_row(self, session: Session, params: Params) -> Report | None:
        rows = session.rows(
            f"SELECT {_REPORT_COLUMNS} FROM reports_sent "  # noqa: S608 - a fixed column list
            "WHERE team = %(team)s AND week = %(week)s AND kind = %(kind)s",
            {key: params[key] for key in ("team", "week", "kind")},
        )
        return self._report(rows[0]) if rows else None

    def _report(self, row: Row) -> Report:
        team, week, kind, state, sent_at, message_id, error = row
        return Report(
            team=team,
            week=week,
            kind=kind,
            state=state,
            sent_at=self._time_out(sent_at),
            message_id=message_id,
            error=error,
        )

    def save_snapshot(self, team: str, week: str, figures: Mapping[str, Any]) -> None:
        """Insert or replace a team's figures for an ISO week."""
        params = {"team": team, "week": check_week(week), "figures": self._json_in(figures)}
        with self._transaction(write=True) as session:
            session.run(
                "INSERT INTO snapshots (team, week, figures) VALUES (%(team)s, %(week)s, "
                "%(figures)s) ON CONFLICT (team, week) DO UPDATE SET figures = excluded.figures",
                params,
            )

    def snapshots(self, team: str, limit: int = 12) -> list[Snapshot]:
        """A team's most recent ``limit`` weekly snapshots, newest first."""
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        with self._transaction(write=False) as session:
            rows = session.rows(
                "SELECT team, week, figures FROM snapshots WHERE team = %(team)s "
                "ORDER BY week DESC LIMIT %(limit)s",
                {"team": team, "limit": limit},
            )
        return [Snapshot(team=t, week=w, figures=self._json_out(f)) for t, w, f in rows]
