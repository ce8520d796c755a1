"""The long-running worker: schedules sync, reminders and reports; serves health and status.

Sits under ``run_command`` and above the ``daemon_*`` parts. One loop (the caller's thread)
reloads changed configuration, keeps leadership fresh and hands due jobs to the single worker
thread; only the leader runs jobs. `request_stop` (SIGTERM/SIGINT) ends the loop; the job in
progress stops between teams and the process exits within the grace period. Nothing the loop
or the endpoints wait on can block for long: PostgreSQL calls have deadlines and the readiness
ping has its own thread and time limit, so a stalled journal neither hangs ``/readyz`` nor
delays a stop beyond the grace period.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from followthrough.adapters.scheduler import ClockedScheduler
from followthrough.app.daemon.config import ConfigWatcher
from followthrough.app.daemon.cycle import JobBodies, Runtime
from followthrough.app.daemon.http import StatusServer
from followthrough.app.daemon.jobs import JobBody, JobBook, Worker
from followthrough.app.daemon.leader import Leadership
from followthrough.app.daemon.metrics import Metrics
from followthrough.app.daemon.report import ReportHook
from followthrough.app.daemon.schedule import job_specs
from followthrough.app.daemon.status import StorePing, readiness_checks, status_view
from followthrough.app.outcome import UsageError
from followthrough.config import Config
from followthrough.ports import Store

Clock = Callable[[], dt.datetime]
Log = Callable[..., None]


@dataclass(frozen=True, slots=True)
class DaemonOptions:
    """How the worker runs; the schedule itself comes from the configuration."""

    host: str | None = None  # None: the configured ``http.host``
    port: int | None = None  # None: the configured ``http.port``; 0: any free port
    grace: dt.timedelta = dt.timedelta(seconds=20)
    tick: dt.timedelta = dt.timedelta(seconds=1)
    unready_after: dt.timedelta | None = None  # None: three sync intervals, at least 15 min


@dataclass(frozen=True, slots=True)
class Parts:
    """What the daemon is built from (so tests can hand in fakes)."""

    store: Store
    leadership: Leadership
    metrics: Metrics
    load: Callable[[Path | None], Config]
    report: ReportHook | None = None


class Daemon:
    """Scheduler, worker, configuration watcher, leadership and HTTP, wired together."""

    def __init__(
        self, config: Config, *, parts: Parts, clock: Clock, log: Log, options: DaemonOptions
    ) -> None:
        self._parts, self._clock, self._log, self._options = parts, clock, log, options
        self._runtime = Runtime(config=config, store=parts.store)
        self._stopping = threading.Event()
        self.book = JobBook(clock=clock, log=log, observe=parts.metrics.job_finished)
        self._bodies = JobBodies(
            current=lambda: self._runtime,
            clock=clock,
            log=log,
            should_stop=self.should_stop,
            report=parts.report,
            listener=parts.metrics.tracker_calls(),
        )
        self.worker = Worker(book=self.book, bodies=self._body)
        self.scheduler = ClockedScheduler(clock)
        self.watcher = ConfigWatcher(config, load=parts.load, log=log, on_change=self._reconfigure)
        self._reconfigure(config)
        self._http: StatusServer | None = None
        self._store_ping = StorePing()

    # -- the loop ---------------------------------------------------------------------------

    def should_stop(self) -> bool:
        """Checked by jobs between teams: shutting down, or no longer the leader."""
        return self._stopping.is_set() or not self._parts.leadership.is_leader()

    def request_stop(self) -> None:
        """Ask the loop to end (safe from a signal handler)."""
        self._stopping.set()

    def tick(self) -> None:
        """One turn of the loop: reload, refresh leadership, hand due jobs to the worker."""
        self.watcher.poll()
        leader = self._parts.leadership.refresh() == "leader"
        self._parts.metrics.set_leader(leader)
        if leader:
            self.scheduler.run_pending()

    def serve(self, *, on_listening: Callable[[str], None] | None = None) -> int:
        """Run until `request_stop`; the exit status (1 when a job outlived the grace period,
        2 when the HTTP address cannot be bound).

        ``on_listening`` gets the URL the server is bound to.
        """
        self._http = self._listen()
        self._log("daemon_started", url=self._http.url, port=self._http.port, pid=os.getpid())
        if on_listening is not None:
            on_listening(self._http.url)
        self.worker.start()
        while not self._stopping.is_set():
            self.tick()
            self._stopping.wait(self._options.tick.total_seconds())
        return self.shutdown()

    def _listen(self) -> StatusServer:
        """The HTTP server, listening; a port that cannot be had is a `UsageError`."""
        http = self._runtime.config.settings.http
        host, port = self._options.host or http.host, self._port()
        try:
            server = StatusServer(
                self,
                host=host,
                port=port,
                read_timeout=http.read_timeout_seconds,
                max_connections=http.max_connections,
            )
            server.start()
        except OSError as error:
            self._parts.leadership.close()
            self._parts.store.close()
            reason = error.strerror or str(error)
            self._log("daemon_stopped", error=f"cannot listen on {host}:{port}: {reason}")
            raise UsageError(
                f"cannot listen on {host}:{port}: {reason} (choose another --port or http.port)"
            ) from error
        return server

    def shutdown(self) -> int:
        """Let the running job reach a team boundary, then release everything."""
        self._stopping.set()
        self._log("daemon_stopping", running=self.worker.running)
        finished = self.worker.stop(grace=self._options.grace)
        if self._http is not None:
            self._http.stop()
        self._parts.leadership.close()
        if finished:
            self._parts.store.close()
            self._log("daemon_stopped")
            return 0
        self._log(
            "daemon_stopped",
            error="a job outlived the grace period; its team is resumed next start",
        )
        return 1

    # -- jobs and configuration ------------------------------------------------------------

    def _body(self, name: str) -> JobBody | None:
        if not self._parts.leadership.is_leader():
            return None
        return self._bodies(name)

    def _port(self) -> int:
        port = self._options.port
        return self._runtime.config.settings.http.port if port is None else port

    def _reconfigure(self, config: Config) -> None:
        if _store_target(config) != _store_target(self._runtime.config):
            self._log(
                "config_store_unchanged",
                error="the journal settings changed; restart to use the new journal",
            )
        self._runtime = Runtime(config=config, store=self._runtime.store)
        self.scheduler.replace_all(
            job_specs(config), self.worker.submit, last_runs=self.book.last_runs()
        )

    # -- what the endpoints read -----------------------------------------------------------

    def readiness(self) -> dict[str, dict[str, object]]:
        return readiness_checks(
            rejected=self.watcher.rejected,
            store=self._store_ping.check(self._runtime.store),
            role=self._parts.leadership.role,
            sync=self.book.status().get("sync"),
            now=self._clock(),
            unready_after=self._unready_after(),
            jobs=self.book.status(),
        )

    def _unready_after(self) -> dt.timedelta:
        if self._options.unready_after is not None:
            return self._options.unready_after
        interval = self._runtime.config.settings.schedule.sync_every_minutes
        return max(dt.timedelta(minutes=3 * interval), dt.timedelta(minutes=15))

    def metrics_text(self) -> str:
        return self._parts.metrics.render()

    def status(self) -> dict[str, object]:
        return status_view(
            pid=os.getpid(),
            role=self._parts.leadership.role,
            config=self._runtime.config,
            rejected=self.watcher.rejected,
            jobs=self.book.status(),
            next_runs=self.scheduler.next_runs(),
            running=self.worker.running,
        )


def _store_target(config: Config) -> tuple[str, str]:
    store = config.settings.store
    dsn = store.dsn.get_secret_value() if store.dsn is not None else ""
    return dsn, str(store.sqlite_path)
