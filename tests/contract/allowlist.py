"""Reviewed contract violations that are accepted, each with the reason it is harmless.

Prism reports every mismatch between the traffic and the vendor's OpenAPI description in the
``sl-violations`` response header. A contract scenario fails on any violation that no entry
below matches. Add an entry only after checking that the real service behaves as the client
expects (the descriptions are sometimes stricter than the services they describe); never add
one to hide a sandbox bug.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One entry of an ``sl-violations`` header, with the exchange it came from."""

    vendor: str
    method: str
    path: str
    status: int
    location: tuple[str, ...]
    severity: str
    code: str
    message: str

    @property
    def route(self) -> str:
        """``METHOD /path`` as matched by ``Allowed.route``."""
        return f"{self.method} {self.path}"

    def describe(self) -> str:
        """One line for failure messages."""
        where = ".".join(self.location)
        return (
            f"[{self.vendor}] {self.route} -> {self.status}: {self.severity} {where} "
            f"({self.code or '-'}) {self.message}"
        )


def parse_violations(
    header: str, *, vendor: str, method: str, path: str, status: int
) -> list[Violation]:
    """Decode an ``sl-violations`` header value (a JSON array)."""
    entries: list[dict[str, Any]] = json.loads(header)
    return [
        Violation(
            vendor=vendor,
            method=method.upper(),
            path=path,
            status=status,
            location=tuple(str(part) for part in entry.get("location", [])),
            severity=str(entry.get("severity", "")),
            code=str(entry.get("code", "")),
            message=str(entry.get("message", "")),
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class Allowed:
    """A reviewed violation: what it looks like and why it is accepted."""

    name: str
    vendor: str
    location: str  # dotted prefix of the violation's location, e.g. "request.body"
    message: str  # regular expression searched in the message
    reason: str
    code: str | None = None
    route: str | None = None  # regular expression matched against "METHOD /path"
    statuses: frozenset[int] | None = None  # response statuses the entry is limited to

    def matches(self, violation: Violation) -> bool:
        """Whether this entry covers ``violation``."""
        where = ".".join(violation.location)
        return (
            violation.vendor == self.vendor
            and (where == self.location or where.startswith(self.location + "."))
            and (self.code is None or violation.code == self.code)
            and re.search(self.message, violation.message) is not None
            and (self.route is None or re.fullmatch(self.route, violation.route) is not None)
            and (self.statuses is None or violation.status in self.statuses)
        )


ALLOWED: tuple[Allowed, ...] = (
    Allowed(
        name="jira-empty-2xx-body",
        vendor="jira",
        location="response",
        statuses=frozenset({201, 204}),
        message=(
            r'^The received media type "" does not match the one specified in the current '
            r"response: application/json$"
        ),
        reason=(
            "Atlassian's description gives every 204 (and the 201 of PUT issue property) an "
            "application/json content with the empty schema {}. Jira Cloud answers these with "
            "no body and so no Content-Type (a 204 cannot carry a body at all); there is "
            "nothing for the schema to check."
        ),
    ),
    Allowed(
        name="pygithub-labels-bare-array",
        vendor="github",
        route=r"POST /repos/[^/]+/[^/]+/issues/\d+/labels",
        location="request.body",
        message=r"^Request body must (be object|match exactly one schema in oneOf)$",
        reason=(
            "PyGithub's Issue.add_to_labels posts a bare JSON array of names. The operation's "
            "prose documents that form and api.github.com accepts it, but the schema only has "
            "the {labels: [...]} object."
        ),
    ),
    Allowed(
        name="github-search-item-null-body",
        vendor="github",
        route=r"GET /search/issues",
        location="response.body.items",
        code="type",
        message=r"^Response body property items\.\d+\.body must be string$",
        reason=(
            "An issue created without a body has body: null. The description marks "
            "issue.body nullable but not issue-search-result-item.body, although "
            "api.github.com serialises both the same way."
        ),
    ),
    Allowed(
        name="github-undeclared-401",
        vendor="github",
        location="response",
        statuses=frozenset({401}),
        message=r"^Unable to match the returned status code with those defined in the document",
        reason=(
            "api.github.com answers 401 Bad credentials on every endpoint for a revoked or "
            "expired token; the description declares 401 on only a few operations. Recorded "
            "on purpose in cassettes/github/bad_credentials_401.yaml."
        ),
    ),
    Allowed(
        name="github-conditional-304",
        vendor="github",
        route=r"GET /.*",
        location="response",
        statuses=frozenset({304}),
        message=r"^Unable to match the returned status code with those defined in the document",
        reason=(
            "GitHub answers a GET carrying a matching If-None-Match (or If-Modified-Since) with "
            "304 Not Modified on every endpoint that sends an ETag, and such a 304 does not "
            "count against the primary rate limit (docs.github.com, 'Best practices for using "
            "the REST API', conditional requests). The description declares 304 on only some "
            "operations, not on GET branches/{branch} or commits/{ref}."
        ),
    ),
    Allowed(
        name="jira-transition-id-integer",
        vendor="jira",
        route=r"POST /rest/api/(2|3|latest)/issue/[^/]+/transitions",
        location="request.body.transition.id",
        code="type",
        message=r"must be string",
        reason=(
            "jira's transition_issue sends the transition id as an integer "
            "({'transition': {'id': 31}}); Jira Cloud accepts numbers there although the "
            "description types the id as a string."
        ),
    ),
    Allowed(
        name="jira-changelog-null-values",
        vendor="jira",
        location="response.body",
        code="type",
        message=(
            r"^Response body property (issues\.\d+\.)?(changelog\.histories|values)\.\d+"
            r"\.items\.\d+\.(from|fromString|to|toString) must be string$"
        ),
        reason=(
            "A changelog item of a field that was empty before (or is emptied) has from/to and "
            "fromString/toString null: the description's own example for GET "
            '/issue/{issueIdOrKey}/changelog shows "from": null, while ChangeDetails types '
            "the four as non-nullable strings."
        ),
    ),
)


def covering(violation: Violation, allowed: tuple[Allowed, ...] = ALLOWED) -> Allowed | None:
    """The first entry that covers ``violation``, if any."""
    return next((entry for entry in allowed if entry.matches(violation)), None)


def unreviewed(
    violations: list[Violation], allowed: tuple[Allowed, ...] = ALLOWED
) -> list[Violation]:
    """The violations no allow-list entry covers."""
    return [v for v in violations if covering(v, allowed) is None]
