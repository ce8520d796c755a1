"""Reminder comment text: Jinja2 templates rendered for GitHub (Markdown) or Jira (wiki markup).

Sits beside the tracker adapters: the engine renders here, then posts through a tracker.
Templates ship in ``followthrough/templates/remind/``; a team's ``templates_dir`` may override
any of them by file name. Text we did not write (item and postmortem titles) reaches every
template already escaped for the tracker's markup, with ``@`` mentions, ``#123`` references
and ``[~accountid:…]`` neutralised, so no template (ours or a team's) can let it inject
markup or ping anyone. Mentions are built only from the owner and lead ids passed in.
The escaping itself lives in `followthrough.domain.markup`, which ticket bodies use too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
)
from markupsafe import Markup

from followthrough.domain import markup

TrackerKind = Literal["jira", "github"]
Kind = Literal["nudge", "escalation"]

TITLE_LIMIT = 300
_GITHUB_LOGIN = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:/[\w.-]{1,100})?$"
)
_JIRA_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:_-]{0,127}$")
_BLANK_LINES = re.compile(r"\n{3,}")
_WIKI_LINK_TEXT = str.maketrans({"[": "(", "]": ")", "|": "¦"})


@dataclass(frozen=True, slots=True)
class CommentContext:
    """What a reminder says: the item, where it came from, its due date, and who to address."""

    item_title: str
    today: dt.date  # the team's local date, for "3 days ago" / "in 2 days"
    due: dt.date | None = None
    postmortem_title: str | None = None
    postmortem_url: str | None = None
    owner: str | None = None  # tracker id: GitHub login or Jira Cloud accountId
    lead: str | None = None  # tracker id, needed for an escalation
    quiet_days: int | None = None  # days without human activity, for stale tickets
    reminders: int = 0  # reminders sent so far without a reply
    marker: str | None = None  # the hidden tag; None when the tracker adapter appends it


def escape_markdown(text: str) -> Markup:
    """Text shown literally in GitHub Markdown: no formatting, HTML, mention or reference."""
    if isinstance(text, Markup):
        return text
    return _trusted(markup.escape_markdown(text))


def escape_wiki(text: str) -> Markup:
    """Text shown literally in Jira wiki markup: no formatting, link, macro or mention."""
    if isinstance(text, Markup):
        return text
    return _trusted(markup.escape_wiki(text))


_ESCAPES: Mapping[TrackerKind, Callable[[str], Markup]] = {
    "github": escape_markdown,
    "jira": escape_wiki,
}


def mention(tracker_kind: TrackerKind, tracker_id: str) -> Markup:
    """``@login`` on GitHub, ``[~accountid:ID]`` on Jira Cloud; anything else is refused."""
    clean = tracker_id.strip().lstrip("@") if tracker_kind == "github" else tracker_id.strip()
    if tracker_kind == "github" and _GITHUB_LOGIN.match(clean):
        return _trusted(f"@{clean}")
    if tracker_kind == "jira" and _JIRA_ACCOUNT.match(clean):
        return _trusted(f"[~accountid:{clean}]")
    raise ValueError(f"not a {tracker_kind} identity that can be mentioned: {tracker_id!r}")


def link(tracker_kind: TrackerKind, title: str, url: str | None) -> Markup:
    """An escaped title, linked when ``url`` is an http(s) address."""
    return _trusted(markup.link(tracker_kind, title, url))


def marker_tag(tracker_kind: TrackerKind, marker: str) -> Markup:
    """The trailing tag line the tracker adapters recognise as ours."""
    line = " ".join(marker.split())
    if tracker_kind == "github":
        return _trusted(f"<!-- followthrough:comment {line.replace('>', '&gt;') or '-'} -->")
    return _trusted(f"[followthrough:{line.translate(_WIKI_LINK_TEXT)}]")


class ReminderTemplates:
    """The reminder templates: packaged ones, overridden file by file from ``templates_dir``."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        loaders: list[BaseLoader] = [PackageLoader("followthrough", "templates/remind")]
        if templates_dir is not None:
            loaders.insert(0, FileSystemLoader(templates_dir))
        self._env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["escape_markdown"] = escape_markdown
        self._env.filters["escape_wiki"] = escape_wiki

    def render(self, kind: Kind, *, tracker_kind: TrackerKind, context: CommentContext) -> str:
        """One comment's text, ending with the marker tag when the context carries one."""
        if tracker_kind not in _ESCAPES:
            raise ValueError(f"unknown tracker kind: {tracker_kind!r}")
        if kind == "escalation" and not context.lead:
            raise ValueError("an escalation needs the lead's tracker id")
        suffix = "md" if tracker_kind == "github" else "txt"
        template = self._env.get_template(f"{kind}.{tracker_kind}.{suffix}.j2")
        text = template.render(_variables(tracker_kind, context))
        return _BLANK_LINES.sub("\n\n", text).strip() + "\n"

    def render_nudge(self, *, tracker_kind: TrackerKind, context: CommentContext) -> str:
        return self.render("nudge", tracker_kind=tracker_kind, context=context)

    def render_escalation(self, *, tracker_kind: TrackerKind, context: CommentContext) -> str:
        return self.render("escalation", tracker_kind=tracker_kind, context=context)


@lru_cache(maxsize=8)
def templates_for(templates_dir: Path | None = None) -> ReminderTemplates:
    """A shared `ReminderTemplates` per override folder (built on first use)."""
    return ReminderTemplates(templates_dir)


def render_nudge(
    *, tracker_kind: TrackerKind, context: CommentContext, templates_dir: Path | None = None
) -> str:
    """A friendly reminder to the owner."""
    return templates_for(templates_dir).render_nudge(tracker_kind=tracker_kind, context=context)


def render_escalation(
    *, tracker_kind: TrackerKind, context: CommentContext, templates_dir: Path | None = None
) -> str:
    """A reminder that also brings in the team lead (sent once per ticket)."""
    templates = templates_for(templates_dir)
    return templates.render_escalation(tracker_kind=tracker_kind, context=context)


def _variables(kind: TrackerKind, context: CommentContext) -> dict[str, Any]:
    """Template variables: every text value is escaped Markup, every number a plain int."""
    escape = _ESCAPES[kind]
    left = (context.due - context.today).days if context.due is not None else None
    pm_title = context.postmortem_title or ""
    has_pm = bool(pm_title.strip() or context.postmortem_url)
    return {
        "tracker": kind,
        "item": escape(_shorten(context.item_title)),
        "postmortem": link(kind, _shorten(pm_title), context.postmortem_url) if has_pm else "",
        "due": context.due.isoformat() if context.due is not None else "",
        "days_left": left,
        "days_overdue": max(-left, 0) if left is not None else 0,
        "due_phrase": _due_phrase(left),
        "quiet_days": context.quiet_days or 0,
        "reminders": context.reminders,
        "owner": mention(kind, context.owner) if context.owner else "",
        "lead": mention(kind, context.lead) if context.lead else "",
        "marker": marker_tag(kind, context.marker) if context.marker is not None else "",
    }


def _trusted(text: str) -> Markup:
    """Mark text as final: every caller has escaped it or checked it against a strict pattern."""
    return Markup(text)  # noqa: S704 - the one place text is vouched for; see the callers


def _due_phrase(left: int | None) -> str:
    if left is None:
        return ""
    if left == 0:
        return "today"
    if left > 0:
        return "tomorrow" if left == 1 else f"in {left} days"
    return "yesterday" if left == -1 else f"{-left} days ago"


def _shorten(text: str) -> str:
    clean = markup.one_line(text)
    return clean if len(clean) <= TITLE_LIMIT else clean[: TITLE_LIMIT - 1].rstrip() + "…"
