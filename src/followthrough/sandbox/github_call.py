"""One routed request to the simulated GitHub (``Call``) and a handler's answer (``Reply``).

Shared by the handler modules (issues, git data and contents, pull requests) and by
``github.py``, which routes calls and turns replies into HTTP responses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from followthrough.sandbox import github_issues as ops
from followthrough.sandbox.core import HttpError, SandboxRequest
from followthrough.sandbox.github_query import first
from followthrough.sandbox.github_render import DOCS, Urls


@dataclass(frozen=True)
class Call:
    """One routed request: ``path`` has no Enterprise prefix; ``params`` are URL-decoded."""

    req: SandboxRequest
    urls: Urls
    path: str
    params: dict[str, str]
    now: float

    def payload(self) -> Any:
        """The JSON body (None when empty), or GitHub's 400 for unparsable JSON."""
        if not self.req.body.strip():
            return None
        try:
            return json.loads(self.req.body)
        except (ValueError, UnicodeDecodeError) as exc:
            body = {"message": "Problems parsing JSON", "documentation_url": DOCS, "status": "400"}
            raise HttpError(400, body) from exc

    def obj(self) -> dict[str, Any]:
        """The JSON body as an object ({} when empty)."""
        payload = self.payload()
        return {} if payload is None else ops.payload_object(payload)

    def int_param(self, name: str) -> int:
        """A numeric path parameter."""
        return int(self.params[name])

    def arg(self, name: str) -> str | None:
        """First value of a query parameter."""
        return first(self.req.query, name)


@dataclass
class Reply:
    """What a handler answers before HTTP conventions are applied."""

    status: int = 200
    body: Any = None
    link: str | None = None
    last_modified: float | None = None
    counted: bool = True
    headers: dict[str, str] | None = None


Handler = Callable[[Call], Reply]
