"""What each configuration key means, for the JSON Schema and ``docs/configuration.md``.

Sits beside ``schema``: `describe` fills in every property the models leave undescribed, by
section (the model's name in the schema) and key. A description written on a model's field
wins; sections that are models of their own keep their docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TOP = "<file>"  # the file's own keys (the root of the schema)

GLOBAL: Mapping[str, Mapping[str, str]] = {
    _TOP: {
        "sources": (
            "where postmortems are read from, at least one: a folder (`- path: postmortems/`,"
            " read recursively; `.md`, `.markdown`, `.md.erb`, `.html`, `.htm`) or a GitHub"
            " repository (`- github: {repo: …}`, read through the REST API with a `kind: github`"
            " connection, only what changed after the first read); a folder that does not"
            " exist, or a repository that cannot be read, is named as skipped and the command"
            " exits 1"
        ),
        "trackers": (
            "tracker connections by name (teams pick one with `tracker.connection`), each with"
            " a `kind`: `jira` (Cloud or Data Center), `github` (github.com or Enterprise"
            " Server) or `sandbox` (the embedded simulator; the default when none is given)"
        ),
        "cache_dir": "where parsed postmortems are cached between runs",
    },
    "FolderSource": {
        "path": "a folder of postmortems, relative to the working directory",
        "base_url": (
            "where people read these documents (e.g. https://github.com/acme/postmortems/blob/main):"
            " each ticket links to this URL plus the document's path inside the folder"
        ),
    },
    "GitHubSourceSpec": {
        "repo": "the repository, owner/name",
        "path": "the folder inside the repository (default: the whole repository)",
        "ref": "the branch, tag or commit to read",
        "connection": (
            "the `kind: github` tracker connection whose token reads it (the embedded sandbox"
            " serves no repository contents)"
        ),
    },
    "JiraConnection": {
        "kind": "selects a Jira connection",
        "url": "the site, e.g. https://acme.atlassian.net (Data Center: the server's URL)",
        "deployment": "`cloud` (user e-mail + API token) or `datacenter` (personal access token)",
        "user": "the e-mail address the API token belongs to (Cloud only)",
        "search_lag_seconds": (
            "how long a new ticket may take to appear in searches; a write whose answer was"
            " lost is looked up only after this"
        ),
    },
    "GitHubConnection": {
        "kind": "selects a GitHub connection",
        "url": "https://api.github.com, or https://HOST/api/v3 for Enterprise Server",
    },
    "SandboxConnection": {
        "kind": "selects the embedded simulator",
        "state_file": (
            "where the simulator keeps its projects and issues between runs (default: beside"
            " the SQLite journal)"
        ),
    },
    "StoreSettings": {
        "sqlite_path": "the SQLite journal, used when no DSN is set (its folder is created)",
        "connect_timeout_seconds": "how long a PostgreSQL connection attempt may take",
        "statement_timeout_seconds": "the longest one journal statement may run on PostgreSQL",
        "lock_timeout_seconds": "the longest a journal statement waits for a row lock",
        "leader_lease_seconds": (
            "how long a silent leader keeps leadership: the server ends its session after"
            " this, and a standby takes over"
        ),
    },
    "ScheduleSettings": {"sync_every_minutes": "minutes between two sync cycles of the worker"},
    "SmtpSettings": {
        "host": "the mail relay's host name",
        "security": "`starttls` (port 587), `ssl` (465) or `plain` (25, a local relay only)",
        "username": "login name at the relay (then the password is required)",
        "sender": "the From address of report e-mails",
        "timeout_seconds": "how long to wait for the relay before the send counts as failed",
    },
    "HttpSettings": {
        "port": "the port of /healthz, /readyz, /metrics and the status page",
        "host": "the address to bind: 127.0.0.1, or 0.0.0.0 in a container that is probed",
        "read_timeout_seconds": "a request not fully received in this time is closed",
        "max_connections": "connections served at once; more are closed at once",
    },
    "LogSettings": {
        "format": "`console` for people, `json` for log collectors (one event per line)",
        "level": "the least severe events written",
    },
}

TEAM: Mapping[str, Mapping[str, str]] = {
    _TOP: {
        "name": "the team's name (default: the file name without .yaml)",
        "timezone": "the team's IANA time zone: business hours, reminder times and report weeks",
        "soak_days": (
            "days after the postmortem's date before its items become tickets (time to edit)"
        ),
        "done_items": (
            "items already done or dropped in the document: `create_closed` (a closed ticket"
            " for the record) or `skip` (no ticket)"
        ),
        "owner_policy": (
            "an owner the directory does not know: `needs_owner_label` (unassigned, labelled"
            " needs-owner), `assign_lead` (assigned to the lead) or `hold` (no ticket until"
            " the document names someone known)"
        ),
        "write_back": (
            "`pull_request`: for the team's documents read from a GitHub repository source,"
            " one pull request per document writes each item's ticket key into it (updated by"
            " later keys, never merged by followthrough); needs a `github:` source (documents"
            " in a folder: `followthrough annotate`). Default `off`"
        ),
    },
    "JiraTarget": {
        "project": "the project key, e.g. OPS",
        "issue_type": "the issue type of new tickets",
        "components": "components set on every new ticket",
        "labels": "labels added to every new ticket (besides followthrough's own)",
    },
    "GitHubTarget": {
        "repo": "the repository, owner/name",
        "labels": "labels added to every new issue (besides followthrough's own)",
    },
    "DueDefaults": {
        "priority_weeks": "weeks after the postmortem for a priority item without a due date",
        "default_weeks": "weeks after the postmortem for any other item without a due date",
        "horizons": "weeks by horizon group heading, e.g. `{short-term: 4, long-term: 26}`",
    },
    "LintSettings": {
        "severities": "a lint code's severity for this team: `error`, `warning` or `off`",
    },
    "ReminderSettings": {
        "enabled": "whether this team's tickets get reminders at all",
        "stale_days": "days without human activity before a ticket counts as stale",
        "due_soon_days": "days before the due date when a reminder is due",
        "first_after_days": "days after a ticket is created before its first reminder",
        "backoff_days": "days between reminders on one ticket; the last value repeats",
        "max_per_owner_per_week": "at most this many reminders reach one person per week",
        "business_days": "days on which reminders are posted",
        "business_hours": "hours (team time, HH:MM-HH:MM) in which reminders are posted",
        "holidays": "dates (YYYY-MM-DD) on which no reminder is posted",
        "snooze_label": "a ticket carrying this label gets no reminder",
        "templates_dir": "a folder whose templates replace the built-in reminder texts",
    },
    "ReportSettings": {
        "recipients": "who receives the team's weekly report by e-mail",
        "digest": "whether the recipients also get the all-teams digest",
        "weekday": "the day the weekly report goes out (default: schedule.report_weekday)",
        "at": "the time (team time, HH:MM) it goes out (default: schedule.report_at)",
    },
}


def describe(schema: dict[str, Any], table: Mapping[str, Mapping[str, str]]) -> None:
    """Fill in, in place, the descriptions of ``schema``'s properties that have none."""
    nodes = {_TOP: schema, **schema.get("$defs", {})}
    for section, node in nodes.items():
        texts = table.get(section, {})
        for key, prop in node.get("properties", {}).items():
            if key in texts and not prop.get("description"):
                prop["description"] = texts[key]
