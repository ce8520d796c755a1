"""Configuration problems: what ``load_config`` reports instead of stopping at the first error.

Sits at the bottom of the config package: every other module produces `Problem` values, the
loader collects them across all files, and the ``config check`` command prints them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ENV_PREFIX = "FOLLOWTHROUGH_"
ENV_DELIMITER = "__"
ENVIRONMENT = "<environment>"
EMBEDDED = "<embedded default>"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file (or variable), at a dotted key path and, when known, a line."""

    file: str
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` holds every problem found, in file order."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def dotted(path: Iterable[str | int]) -> str:
    """A key path as written in messages: ``teams.payments.tracker.jira.project``."""
    return ".".join(str(part) for part in path)


def env_name(path: Iterable[str | int]) -> str:
    """The environment variable that sets the value at ``path``."""
    return ENV_PREFIX + ENV_DELIMITER.join(str(part).upper() for part in path)


def suggestion(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to ``word``, else an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
