"""What a command's exit status means, and the one-line errors that end a command early.

Sits at the bottom of the app layer; every command and the worker's ``--once`` use it.
0: everything asked was done. 1: the command ran, but something it names failed (a write,
a team, a source, a document). 2: nothing was done: a usage or configuration mistake, or a
configured resource (the journal, the HTTP port) that cannot be used as configured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


EXIT_STATUSES = """exit status: 0 everything asked was done; 1 it ran, but a team, write, source
or document failed (each is named); 2 a usage or configuration error: nothing was done."""


def epilog(example: str) -> str:
    """The end of a command's ``--help``: one example, then what its exit status means."""
    return f"example: {example}\n\n{EXIT_STATUSES}"


class UsageError(Exception):
    """A mistake the person running the command can fix; printed as one line, exit status 2."""


def one_line(text: str, *, limit: int = 300) -> str:
    """A message on one line: vendor errors often span several, and stack the same cause."""
    flat = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def error_text(error: BaseException) -> str:
    """An unexpected error as one line, with its type (it is a defect, so say which)."""
    return one_line(f"{type(error).__name__}: {error}")


def exit_status(failures: Iterable[object]) -> int:
    """0 when nothing failed, else 1."""
    return EXIT_FAILED if any(True for _ in failures) else EXIT_OK


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 reminder``, ``3 reminders``."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


@dataclass(frozen=True, slots=True)
class WriteFailure:
    """One tracker write that was refused or whose answer was lost, as the engine logged it."""

    item: str
    operation: str
    ticket: str | None
    error: str
    team: str = ""


_WRITES = ("ticket_written", "reminder_posted")
_NOT_APPLIED = ("failed", "refused", "unknown")  # unknown: the answer was lost


class FailureLog:
    """An event sink that passes every event on and keeps the failed writes it sees.

    The engine logs each refused write with its item and error; the commands name them in
    their summary, so a failure is never only a count.
    """

    def __init__(self, log: Callable[..., None]) -> None:
        self._log = log
        self.writes: list[WriteFailure] = []

    def __call__(self, event: str, **fields: Any) -> None:
        self._log(event, **fields)
        if event in _WRITES and fields.get("result") in _NOT_APPLIED:
            self.writes.append(
                WriteFailure(
                    item=str(fields.get("item") or fields.get("ticket") or "?"),
                    operation=str(fields.get("operation") or fields.get("kind") or event),
                    ticket=fields.get("ticket"),
                    error=one_line(str(fields.get("error") or "outcome unknown")),
                    team=str(fields.get("team") or ""),
                )
            )

    def of_team(self, team: str) -> list[str]:
        """The items of ``team`` whose writes failed, once each, in order."""
        return list(dict.fromkeys(w.item for w in self.writes if w.team == team))
