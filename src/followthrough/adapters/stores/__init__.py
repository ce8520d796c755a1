"""State stores: the journal behind the `Store` port, in SQLite (default) or PostgreSQL.

Both stores share one schema (`migrations`), applied by ``migrate()``, and raise only
`StoreError`. Beyond the `Store` port they already offer what reminders and weekly reports
will need; these signatures are meant for the port (records in ``stores.records``)::

    def schema_version(self) -> int: ...
    def begin_nudge(
        self, *, team: str, ticket_ref: str, item_key: str, kind: NudgeKind, now: dt.datetime
    ) -> Nudge: ...
    def finish_nudge(
        self, nudge_id: int, *, ok: bool, comment_id: str | None, error: str | None,
        now: dt.datetime,
    ) -> None: ...
    def nudges(self, team: str, ticket_ref: str | None = None) -> list[Nudge]: ...
    def begin_report(
        self, *, team: str, week: str, kind: ReportKind, now: dt.datetime
    ) -> ReportClaim: ...
    def finish_report(
        self, *, team: str, week: str, kind: ReportKind, ok: bool, message_id: str | None,
        error: str | None, now: dt.datetime,
    ) -> None: ...
    def report_state(self, team: str, week: str, kind: ReportKind) -> Report | None: ...
    def save_snapshot(self, team: str, week: str, figures: Mapping[str, Any]) -> None: ...
    def snapshots(self, team: str, limit: int = 12) -> list[Snapshot]: ...

``begin_report`` grants a claim only for a new report or after a recorded failure; while a
claim has no result, or once the report is sent, it refuses and returns the row, so a report
is never sent twice. ``finish_*`` calls are idempotent, like ``finish_intent``.
"""

from __future__ import annotations

from pathlib import Path

from followthrough.adapters.stores.base import SqlStore
from followthrough.adapters.stores.pg_session import PgTimeouts
from followthrough.adapters.stores.postgres import PostgresStore, redact_dsn
from followthrough.adapters.stores.records import (
    Nudge,
    NudgeKind,
    NudgeState,
    Report,
    ReportClaim,
    ReportKind,
    ReportState,
    Snapshot,
    StoreError,
)
from followthrough.adapters.stores.sqlite import SqliteStore
from followthrough.ports import Store

__all__ = [
    "Nudge",
    "NudgeKind",
    "NudgeState",
    "PgTimeouts",
    "PostgresStore",
    "Report",
    "ReportClaim",
    "ReportKind",
    "ReportState",
    "Snapshot",
    "SqlStore",
    "SqliteStore",
    "StoreError",
    "open_store",
    "redact_dsn",
]


def open_store(
    *, dsn: str | None, sqlite_path: Path | str, timeouts: PgTimeouts | None = None
) -> Store:
    """PostgreSQL when a DSN is given, else the SQLite file; not yet migrated."""
    if dsn:
        return PostgresStore(dsn, timeouts=timeouts)
    return SqliteStore(sqlite_path)
