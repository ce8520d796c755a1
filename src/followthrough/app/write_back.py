"""After a team's sync: pull requests that write its ticket keys into its repository documents.

For a team with ``write_back: pull_request``, every document read from a GitHub repository
source whose items have tickets the document does not name yet gets one pull request
(`adapters.sources.github_writeback`). What happened is a line of the sync's output; a
proposal that failed is a problem (exit status 1); one a person declined is said, not
retried. A process remembers what it proposed: a document whose source commit and notes are
unchanged is not asked about again, so a worker's quiet cycles cost no calls for it. At most
`PER_CYCLE` documents get a write in one cycle (GitHub's limits on content creation); the
rest are named and wait for the next.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from followthrough.app.wiring import Documents, team_policy
from followthrough.config import Config, GitHubConnection, GitHubSource, TeamSettings
from followthrough.domain.annotate import TicketNote, missing_keys
from followthrough.ports import Store

PER_CYCLE = 10
# Per document (api, repo, path), the commit and notes of this process's last proposal: one
# entry a document, however long the worker runs.
_PROPOSED: dict[tuple[str, str, str], tuple[str, frozenset[TicketNote]]] = {}
_LOCK = threading.Lock()


@dataclass
class WriteBackOutcome:
    """Lines to show (one per document acted on) and problems (each fails the run)."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def write_back_team(
    config: Config, team: TeamSettings, docs: Documents, store: Store, *, dry_run: bool
) -> WriteBackOutcome:
    outcome = WriteBackOutcome()
    if team.write_back != "pull_request":
        return outcome
    wanted = _notes(team, docs, store)
    if dry_run:
        outcome.lines += [
            f"{team.name}: write-back would propose {len(notes)} ticket key(s) for {path}"
            for (_, path), notes in sorted(wanted.items(), key=lambda kv: kv[0][1])
        ]
        return outcome
    writes = 0
    for (source, path), notes in sorted(wanted.items(), key=lambda kv: kv[0][1]):
        if writes >= PER_CYCLE:
            outcome.lines.append(
                f"{team.name}: write-back for {path} waits for the next cycle"
                f" (at most {PER_CYCLE} documents a cycle)"
            )
            continue
        result = _propose(config, source, docs, path, notes)
        if result is None:
            continue
        line, failed, wrote = result
        writes += wrote
        (outcome.problems if failed else outcome.lines).append(f"{team.name}: {line}")
    return outcome


def _notes(
    team: TeamSettings, docs: Documents, store: Store
) -> dict[tuple[GitHubSource, str], list[TicketNote]]:
    """Per (source, document path), the keys its items' tickets have and it does not name."""
    tickets = {key: link.ticket_ref for key, link in store.links(team.name).items()}
    policy = team_policy(team)
    wanted: dict[tuple[GitHubSource, str], list[TicketNote]] = defaultdict(list)
    for pm in docs.for_team(team):
        source = docs.repo_sources.get(pm.path)
        if source is None:
            continue
        notes = missing_keys(pm, tickets, policy)
        if notes:  # a file of several incidents: one document, one pull request
            wanted[(source, pm.path)].extend(notes)
    return wanted


def _propose(
    config: Config, source: GitHubSource, docs: Documents, path: str, notes: Sequence[TicketNote]
) -> tuple[str, bool, bool] | None:
    """(line, failed, wrote) for one document, or None when this process already asked."""
    from followthrough.adapters.sources.github_writeback import (  # noqa: PLC0415 - requests loads on use
        TicketKeyPullRequests,
    )

    spec = source.github
    connection = config.settings.trackers.get(spec.connection)
    if not isinstance(connection, GitHubConnection):
        return f"write-back for {path}: skipped, no github connection reads it", True, False
    inside = path.removeprefix(f"{spec.repo}/")
    commit = docs.commits.get(path, "")
    key = (connection.url, spec.repo, inside)
    asked = (commit, frozenset(notes))
    with _LOCK:
        if commit and _PROPOSED.get(key) == asked:
            return None
    writer = TicketKeyPullRequests(
        api=connection.url,
        token=connection.token.get_secret_value() if connection.token else "",
        repo=spec.repo,
        base=spec.ref,
    )
    proposal = writer.propose(inside, notes)
    where = f"#{proposal.pull}" if proposal.pull else "a pull request"
    keys = len(proposal.written)
    skipped = "".join(f"; line {s.note.line} not annotated: {s.reason}" for s in proposal.skipped)
    if proposal.outcome == "failed":
        return f"write-back for {path} failed: {proposal.detail}{skipped}", True, False
    with _LOCK:
        _PROPOSED[key] = asked
    if proposal.outcome == "declined":
        return f"write-back for {path}: {proposal.detail}", False, False
    if proposal.outcome == "unchanged":
        return f"write-back for {path}: {where} already carries the keys{skipped}", False, False
    verb = "opened" if proposal.outcome == "opened" else "updated"
    return f"write-back for {path}: {verb} {where} with {keys} key(s){skipped}", False, True
