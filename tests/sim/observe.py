"""What the tracker really holds, read from the sandbox's own state (not through the product).

Tickets are counted by their identity marker (Jira's issue property, GitHub's hidden body
line) and comments by their hidden tag, so an adapter or engine bug cannot hide a duplicate.
Field values are read with a fresh adapter, whose mapping the contract tests cover.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from followthrough.domain.tickets import Marker, TicketFields
from followthrough.sandbox.core import Sandbox

# Jira: "[followthrough:nudge:3]"; GitHub: "<!-- followthrough:comment nudge:3 -->".
_TAG = re.compile(r"followthrough:(?:comment )?((?:nudge|removed):[^\]\s]+)")
NUDGE_TEXT = "friendly reminder"
ESCALATION_TEXT = "looping you in"


@dataclass(frozen=True, slots=True)
class RawTicket:
    ref: str
    project: str
    title: str
    marker: str | None
    comments: tuple[str, ...]

    def tags(self) -> Counter[str]:
        return Counter(m.group(1) for body in self.comments for m in _TAG.finditer(body))

    def removal_notes(self) -> int:
        return sum(n for tag, n in self.tags().items() if tag.startswith("removed:"))

    def reminders(self, text: str) -> int:
        return sum(text in body and "nudge:" in body for body in self.comments)


def raw_tickets(sandbox: Sandbox, kind: str) -> list[RawTicket]:
    state = sandbox.dump_state()["apps"]
    return _jira(state["jira"]) if kind == "jira" else _github(state["github"])


def _jira(state: dict[str, Any]) -> list[RawTicket]:
    store = state["store"]
    found = []
    for issue_id, issue in store["issues"].items():
        prop = (issue.get("properties") or {}).get("followthrough") or {}
        comments = tuple(c["body"]["text"] for c in store["comments"].get(issue_id, []))
        found.append(
            RawTicket(
                ref=issue["key"],
                project=issue["key"].rpartition("-")[0],
                title=issue["summary"],
                marker=prop.get("item"),
                comments=comments,
            )
        )
    return found


def _github(state: dict[str, Any]) -> list[RawTicket]:
    found = []
    for repo in state["repos"]:
        project = f"{repo['owner']}/{repo['name']}"
        for versions in repo["issues"]:
            issue = versions[-1]
            marker = Marker.from_body(issue["body"])
            comments = tuple(
                c["body"] for c in repo["comments"] if c["issue_number"] == issue["number"]
            )
            found.append(
                RawTicket(
                    ref=f"{project}#{issue['number']}",
                    project=project,
                    title=issue["title"],
                    marker=marker.item_key if marker else None,
                    comments=comments,
                )
            )
    return found


def by_title(tickets: list[RawTicket], project: str, title: str) -> RawTicket:
    return next(t for t in tickets if t.project == project and t.title == title)


@dataclass(frozen=True, slots=True)
class View:
    """The tracker state one schedule ended with, per marker."""

    tickets: tuple[RawTicket, ...]
    fields: dict[str, TicketFields]  # by ref

    def markers(self) -> Counter[str]:
        return Counter(t.marker for t in self.tickets if t.marker is not None)

    def with_marker(self, key: str) -> list[RawTicket]:
        return [t for t in self.tickets if t.marker == key]
