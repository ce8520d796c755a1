"""Structured logs (structlog): JSON lines in containers, readable lines on a terminal.

Secrets never reach a log line: values of keys that name secrets are replaced, and known
secret values (tokens, passwords, DSNs) registered at start-up are masked wherever they occur.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO

import structlog

_SECRET_KEY = re.compile(
    r"(?:token|password|passwd|secret|authorization|api[_-]?key|dsn|credential)", re.I
)
_DSN_PASSWORD = re.compile(r"(?P<scheme>\w+://[^:/@\s]+:)(?P<password>[^@\s]+)@")
MASK = "**********"


class Redactor:
    """A structlog processor that masks secret values in every event."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(
        self, _logger: Any, _method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key, value in list(event.items()):
            if _SECRET_KEY.search(key) and value not in (None, "", False):
                event[key] = MASK
            elif isinstance(value, str):
                event[key] = self.mask(value)
        return event

    def mask(self, text: str) -> str:
        masked = _DSN_PASSWORD.sub(lambda m: f"{m.group('scheme')}{MASK}@", text)
        for secret in self._secrets:
            masked = masked.replace(secret, MASK)
        return masked


def configure_logging(
    *,
    fmt: str = "json",
    level: str = "info",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> structlog.stdlib.BoundLogger:
    """Configure structlog once, in the CLI, and return the root logger to pass down."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            Redactor(secrets),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stderr),
        cache_logger_on_first_use=False,
    )
    logger: structlog.stdlib.BoundLogger = structlog.get_logger("followthrough")
    return logger


def event_logger(logger: Any) -> Any:
    """Adapt a structlog logger to the engine's ``log(event, **fields)`` callable."""

    def log(event: str, **fields: Any) -> None:
        level = "warning" if fields.get("result") == "failed" or "error" in fields else "info"
        getattr(logger, level)(event, **fields)

    return log
