"""Configuration reloads: the global file and team files are re-read when they change.

Sits under ``daemon``. The files' modification times and sizes are compared on every poll; a
change loads the whole configuration again. A broken new version is refused with one log
event listing its problems, and the configuration in force stays; the same broken version is
not reported twice. The embedded default (no file) never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from followthrough.config import Config, ConfigError
from followthrough.config.loader import TEAM_SUFFIXES

Fingerprint = tuple[tuple[str, int, int], ...]
Log = Callable[..., None]


def fingerprint(config: Config) -> Fingerprint:
    """What identifies the files behind ``config`` as they are now on disk."""
    if config.file is None:
        return ()
    paths = [config.file]
    if config.teams_dir is not None and config.teams_dir.is_dir():
        paths.extend(p for p in config.teams_dir.iterdir() if p.suffix in TEAM_SUFFIXES)
    marks = []
    for path in sorted(paths):
        try:
            stat = path.stat()
        except OSError:
            marks.append((str(path), -1, -1))
            continue
        marks.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(marks)


class ConfigWatcher:
    """Keeps the configuration in force; `poll` swaps in a changed one when it is valid."""

    def __init__(
        self,
        config: Config,
        *,
        load: Callable[[Path | None], Config],
        log: Log,
        on_change: Callable[[Config], None],
    ) -> None:
        self._config = config
        self._load = load
        self._log = log
        self._on_change = on_change
        self._seen = fingerprint(config)
        self.rejected: list[str] = []  # problems of the newest refused version, if any

    @property
    def config(self) -> Config:
        return self._config

    def poll(self) -> bool:
        """Reload when the files changed; ``True`` when a new configuration took effect."""
        current = fingerprint(self._config)
        if current == self._seen:
            return False
        self._seen = current
        try:
            fresh = self._load(self._config.file)
        except ConfigError as error:
            self.rejected = [str(problem) for problem in error.problems]
            self._log(
                "config_rejected",
                file=str(self._config.file),
                problems=self.rejected,
                error=f"{len(self.rejected)} problem(s) in the new version",
                kept="the configuration in force",
            )
            return False
        self.rejected = []
        self._config = fresh
        self._seen = fingerprint(fresh)
        self._log("config_reloaded", file=str(fresh.file), teams=sorted(fresh.teams))
        self._on_change(fresh)
        return True
