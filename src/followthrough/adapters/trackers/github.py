"""GitHub tracker adapter: one repository's issues behind the `Tracker` port, over PyGithub.

Identity: our issues carry the label ``followthrough`` and, as the body's last line, the
hidden marker ``<!-- followthrough:v1 item="<key>" -->``; the due date and the postmortem
link live in a managed block just above it (``github_body.py``). People may edit anything
outside that block: we never rewrite it, and a due-date change rewrites only the block.

`GitHubTracker.find` never uses the search API (its index lags, and item text must never
reach a query). It looks the key up in an index built from the last listing and, when the
key is unknown there, lists the labelled issues (``state=all``, newest first) and reads the
markers. The issue list is consistent, so `consistency_window` is zero.

Listings send ``If-None-Match`` for pages seen before: a quiet repeat of the same listing is
answered 304, which does not count against GitHub's rate limit. A listing is complete up to
GitHub's own time (the first page's ``Date``), which is what the "since" cursor is kept in.
Every write answers with the issue; a due-date change rewrites the body the process's last
listings showed (``memory.py``) rather than reading it first. Transport, pacing, call
counting and error translation are in ``github_http.py``; JSON mapping in
``github_mapping.py``.

History: when a listing of changes shows an issue this process did not know as it now is, the
repository's issue events (newest first, down to the cursor) and its comments updated since
the cursor are read, a call each for all such issues; a quiet cycle reads neither. Due dates
live in the body, so their moves are seen by the journal's listings, not in events.

Due-date notes: `update` writes ``FieldChanges.extra["due_note"]`` next to a new due date in
the block. `create` writes no note (``TicketSpec`` has no slot for one, and its body already
explains a defaulted date).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from followthrough.adapters.trackers import github_body as gb
from followthrough.adapters.trackers import github_mapping as gm
from followthrough.adapters.trackers.github_http import GitHubHttp, PageCache, next_link
from followthrough.adapters.trackers.memory import ProjectMemory, Remembered, project_memory
from followthrough.domain.ticket_history import TicketChange
from followthrough.domain.tickets import (
    MARKER_LABEL,
    Comment,
    FieldChanges,
    Marker,
    Ticket,
    TicketSpec,
    TicketState,
    ticket_title,
)
from followthrough.ports import (
    TicketBatch,
    TicketNotFoundError,
    TrackerCalls,
    TrackerError,
    TrackerPermanentError,
    TrackerTemporaryError,
)

DEFAULT_BASE_URL = "https://api.github.com"
PAGE_SIZE = 100
MAX_EVENT_PAGES = 50
EVENTS_MARGIN = dt.timedelta(minutes=2)  # events are dated to the second; clocks differ a bit
_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_STOPPING_STATUSES = frozenset({401, 403})  # the rest of a bulk create would fail alike


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _issue_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict) or "number" not in data:
        raise TrackerTemporaryError(f"GitHub sent an unexpected issue body: {str(data)[:200]!r}")
    return data


class GitHubTracker:
    """One GitHub repository as the engine uses it (see the module docstring for the design).

    ``repo`` is ``owner/name``; ``base_url`` may be an Enterprise ``https://host/api/v3``.
    ``labels`` go on every issue this tracker creates, besides the spec's. ``timeout`` is
    rounded up to whole seconds (PyGithub's requirement). ``clock`` gives listing times and
    measures rate-limit resets; ``monotonic`` and ``sleep`` pace writes, so tests can inject
    both. Setting an assignee replaces all assignees (a ticket has one owner).
    """

    kind = "github"

    def __init__(
        self,
        *,
        token: str,
        repo: str,
        base_url: str = DEFAULT_BASE_URL,
        labels: Sequence[str] = (),
        timeout: float = 30,
        min_write_interval: float = 1.0,
        clock: Callable[[], dt.datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        memory: ProjectMemory | None = None,
        listener: TrackerCalls | None = None,
    ) -> None:
        if not _REPO.match(repo):
            raise ValueError(f"repo must be 'owner/name', not {repo!r}")
        self.project = repo
        self._labels = tuple(labels)
        self._clock = clock
        self._http = GitHubHttp(
            token=token,
            base_url=base_url,
            timeout=timeout,
            min_write_interval=min_write_interval,
            clock=clock,
            monotonic=monotonic,
            sleep=sleep,
            listener=listener,
        )
        owner, name = repo.split("/", 1)
        self._path = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
        self._index: dict[str, int] = {}  # item key → issue number, from the last listings
        self._full_pages = PageCache()
        self._since_pages = PageCache()
        self._me: str | None = None
        self._memory = memory or project_memory("github", self._http.base_url, repo)

    @property
    def calls(self) -> int:
        """HTTP calls made so far (for API cost reports)."""
        return self._http.calls

    def consistency_window(self) -> dt.timedelta:
        """Zero: the issue list (unlike search) shows a write as soon as it is answered."""
        return dt.timedelta(0)

    # reads ---------------------------------------------------------------------------

    def ping(self) -> None:
        """``GET /repos/{o}/{r}``: the token works, the repository is visible, issues are on."""
        answer = self._http.request("GET", self._path)
        if isinstance(answer.data, Mapping) and answer.data.get("has_issues") is False:
            raise TrackerPermanentError(f"{self.project}: issues are disabled in this repository")

    def get(self, ref: str) -> Ticket:
        """One issue by ``owner/repo#N`` (or ``#N``)."""
        number = gm.issue_number(ref, self.project)
        return gm.issue_ticket(self._issue(number, ref), repo=self.project)

    def find(self, marker: Marker) -> Ticket | None:
        """The oldest labelled issue whose marker names the item exactly (never a search)."""
        known = self._index.get(marker.item_key)
        if known is not None:
            ref = gm.ticket_ref(self.project, known)
            try:
                raw = self._issue(known, ref)
            except TicketNotFoundError:
                raw = None
            if raw is not None and gm.is_ours(raw):
                ticket = gm.issue_ticket(raw, repo=self.project)
                if ticket.marker is not None and ticket.marker.item_key == marker.item_key:
                    return ticket
        tickets, _as_of, _news = self._list(since=None)
        return self._oldest_with(tickets, marker.item_key)

    def list_tickets(self, *, updated_since: dt.datetime | None) -> TicketBatch:
        """Issues with our label (pull requests skipped), all or those updated since a moment.

        ``updated_since`` and the batch's ``as_of`` are in GitHub's clock: ``as_of`` is the
        ``Date`` of the first page's answer (ours only if GitHub sent none).
        """
        before = self.calls
        tickets, as_of, news = self._list(since=updated_since)
        history = self._events(news, since=updated_since) if news and updated_since else ()
        return TicketBatch(
            tickets=tuple(tickets), as_of=as_of, calls=self.calls - before, history=history
        )

    def _events(self, refs: set[str], *, since: dt.datetime) -> tuple[TicketChange, ...]:
        """The issue events and comments of ``refs`` since a moment: the repository's events,
        newest first, page by page until one is older, and its comments since then (a call
        each when a page covers them; never a call per issue). Asked only when a listing of
        changes shows an issue this process did not know as it is now, so a quiet cycle asks
        nothing."""
        start = since - EVENTS_MARGIN
        me = self._login()
        found: list[TicketChange] = self._comment_changes(refs, since=start, me=me)
        answer = self._http.request(
            "GET", f"{self._path}/issues/events", params={"per_page": PAGE_SIZE}
        )
        for _ in range(MAX_EVENT_PAGES):
            raws = [raw for raw in answer.data or () if isinstance(raw, Mapping)]
            found += gm.event_changes(raws, repo=self.project, me=me, since=start, refs=refs)
            following = next_link(answer.headers)
            oldest = min(
                (gm.parse_time(r.get("created_at")) for r in raws), default=None, key=_moment
            )
            if following is None or oldest is None or oldest < start:
                break
            answer = self._http.request("GET", following)
        return tuple(found)

    def comments(self, ref: str) -> list[Comment]:
        """Every comment, oldest first; ours by hidden tag or by the API user's login."""
        number = gm.issue_number(ref, self.project)
        raws = self._http.all_pages(
            f"{self._path}/issues/{number}/comments", {"per_page": PAGE_SIZE}, ref=ref
        )
        me = self._login()
        return [gm.comment_from(raw, me=me) for raw in raws if isinstance(raw, Mapping)]

    # writes --------------------------------------------------------------------------

    def create(self, spec: TicketSpec) -> Ticket:
        """``POST /issues`` with title, body (block and marker), labels and assignee.

        One call; a spec that is not open adds a ``PATCH`` to close the new issue.
        """
        payload = self._create_payload(spec)
        answer = self._http.request("POST", f"{self._path}/issues", body=payload)
        raw = _issue_object(answer.data)
        self._index.setdefault(spec.marker.item_key, int(raw["number"]))
        if spec.fields.state != TicketState.OPEN:
            # The issue exists: if the close fails, report it as it is (open) rather than
            # hide the create behind the error; the next sync closes it.
            with contextlib.suppress(TrackerError):
                raw = self._patch(int(raw["number"]), gm.STATE_PAYLOADS[spec.fields.state])
        return self._written(raw)

    def create_many(self, specs: Sequence[TicketSpec]) -> list[Ticket | TrackerError]:
        """Sequential paced creates; per-item failures are returned in place.

        A rate limit, an outage or an authorisation failure stands for every spec not yet
        sent, and nothing further is sent.
        """
        results: list[Ticket | TrackerError] = []
        for index, spec in enumerate(specs):
            try:
                results.append(self.create(spec))
            except TrackerError as error:
                if not _stops_batch(error):
                    results.append(error)
                    continue
                results += [error] * (len(specs) - index)
                break
        return results

    def update(self, ref: str, changes: FieldChanges) -> Ticket:
        """Change the set fields; the body only inside the block (or as ``changes.body`` asks).

        Costs: 1 ``PATCH`` (it answers with the issue) for title, assignee, state, due date
        and body. A due date or body change rewrites the body this process last listed
        (see ``memory.py``), or reads it first when the process has not listed it lately.
        Each label change is one call (add: ``POST`` of all added labels, remove: one
        ``DELETE`` each), plus a read when nothing is patched afterwards.
        """
        number = gm.issue_number(ref, self.project)
        if changes.is_empty():
            return self.get(ref)
        patch = _field_patch(changes)
        current: Ticket | None = None
        if changes.due is not None or changes.body is not None:
            current = self._current(number, ref)
            body = _rewritten_body({"body": current.body}, changes)
            if body != current.body:
                patch["body"] = body
        if self._change_labels(number, ref, changes.add_labels, changes.remove_labels):
            current = None
        if patch:
            return self._written(self._patch(number, patch, ref=ref))
        return current or self._written(self._issue(number, ref))

    def adopt(self, ref: str, marker: Marker, *, labels: Sequence[str]) -> Ticket:
        """Add our label (and ``labels``), and make the body carry exactly this marker.

        Any other marker line is replaced (a rekey); a block is added when there is none;
        the text people wrote is kept. Costs: one ``PATCH`` for an issue the last listings
        showed (a rekey); a read and one ``PATCH`` for a person's issue.
        """
        number = gm.issue_number(ref, self.project)
        known = self._memory.recall(gm.ticket_ref(self.project, number))
        current = known.ticket if known else self._written(self._issue(number, ref))
        have = {name.casefold() for name in current.fields.labels}
        missing = [x for x in gm.label_list([MARKER_LABEL], labels) if x.casefold() not in have]
        try:
            body = gb.with_marker(current.body, marker)
        except ValueError as error:
            raise TrackerPermanentError(str(error)) from error
        self._index[marker.item_key] = number
        patch: dict[str, Any] = {"body": body} if body != current.body else {}
        if missing and known is None:
            # Just read: setting the whole list is as safe as adding to it, and saves a call.
            patch["labels"] = [*current.fields.labels, *missing]
        elif missing:
            self._change_labels(number, ref, tuple(missing), ())
        if patch:
            return self._written(self._patch(number, patch, ref=ref))
        return self._written(self._issue(number, ref)) if missing else current

    def comment(self, ref: str, text: str, *, marker: str) -> Comment:
        """A comment ending in a hidden ``<!-- followthrough:comment <marker> -->`` line."""
        number = gm.issue_number(ref, self.project)
        answer = self._http.request(
            "POST",
            f"{self._path}/issues/{number}/comments",
            body={"body": gb.comment_body(text, marker)},
            ref=ref,
        )
        if not isinstance(answer.data, Mapping):
            raise TrackerTemporaryError(f"GitHub sent an unexpected comment: {answer.data!r}")
        found = gm.comment_from(answer.data, me=None)
        return replace(found, ours=True)

    # helpers -------------------------------------------------------------------------

    def _current(self, number: int, ref: str) -> Ticket:
        """The issue as this process last listed it (see ``memory.py``), else as read now."""
        known = self._memory.recall(gm.ticket_ref(self.project, number))
        if known is not None:
            return known.ticket
        return self._written(self._issue(number, ref))

    def _written(self, raw: Mapping[str, Any]) -> Ticket:
        """A ticket from an issue a write answered with, remembered for the next write."""
        ticket = gm.issue_ticket(raw, repo=self.project)
        self._memory.wrote(Remembered(ticket))
        return ticket

    def _issue(self, number: int, ref: str) -> dict[str, Any]:
        answer = self._http.request("GET", f"{self._path}/issues/{number}", ref=ref)
        return _issue_object(answer.data)

    def _patch(
        self, number: int, payload: Mapping[str, Any], *, ref: str | None = None
    ) -> dict[str, Any]:
        ref = ref or gm.ticket_ref(self.project, number)
        path = f"{self._path}/issues/{number}"
        return _issue_object(self._http.request("PATCH", path, body=dict(payload), ref=ref).data)

    def _change_labels(
        self, number: int, ref: str, add: Sequence[str], remove: Sequence[str]
    ) -> bool:
        """Add labels in one ``POST`` (object form) and remove each by ``DELETE``."""
        path = f"{self._path}/issues/{number}/labels"
        added = gm.label_list(add)
        if added:
            self._http.request("POST", path, body={"labels": added}, ref=ref)
        removed = gm.label_list(remove)
        for name in removed:
            # A 404 here means the issue lacks the label already, which is what we want;
            # a missing issue was reported by the POST or shows in the next call.
            self._http.request(
                "DELETE", f"{path}/{quote(name, safe='')}", ref=ref, ok=frozenset({404})
            )
        return bool(added or removed)

    def _comment_changes(
        self, refs: set[str], *, since: dt.datetime, me: str | None
    ) -> list[TicketChange]:
        """The comments on ``refs`` since a moment: the repository's comments updated since
        then (one call for all of them), each a person's unless ours."""
        params = {"since": gm.since_param(since), "per_page": PAGE_SIZE}
        raws = self._http.all_pages(f"{self._path}/issues/comments", params)
        return gm.comment_changes(
            (raw for raw in raws if isinstance(raw, Mapping)), repo=self.project, me=me, refs=refs
        )

    def _list(self, *, since: dt.datetime | None) -> tuple[list[Ticket], dt.datetime, set[str]]:
        """Our issues (all, or changed since a moment), the moment the list is good to, and
        the issues that changed since this process last saw them."""
        params: dict[str, Any] = {
            "labels": MARKER_LABEL,
            "state": "all",
            "sort": "created",
            "direction": "desc",
            "per_page": PAGE_SIZE,
        }
        if since is not None:
            params["since"] = gm.since_param(since)
        cache = self._full_pages if since is None else self._since_pages
        raws, answered = self._http.cached_pages(f"{self._path}/issues", params, cache)
        as_of = answered or self._clock()
        issues = [raw for raw in raws if isinstance(raw, Mapping) and not gm.is_pull_request(raw)]
        tickets = [gm.issue_ticket(raw, repo=self.project) for raw in issues]
        news = {t.ref for t in tickets if not self._known_as(t)}
        self._remember(tickets, full=since is None)
        self._memory.listed((Remembered(t) for t in tickets), since=since, as_of=as_of)
        return tickets, as_of, news

    def _known_as(self, ticket: Ticket) -> bool:
        """Whether this process last saw the issue as it is now (listed or written by us)."""
        seen = self._memory.recall(ticket.ref)
        return seen is not None and seen.ticket.updated == ticket.updated

    def _remember(self, tickets: Sequence[Ticket], *, full: bool) -> None:
        """Refresh the key → number index (a full listing replaces it)."""
        index: dict[str, int] = {} if full else dict(self._index)
        for ticket in sorted(tickets, key=lambda t: -_number(t)):
            if ticket.marker is not None:
                index[ticket.marker.item_key] = _number(ticket)  # the oldest wins
        self._index = index

    def _oldest_with(self, tickets: Sequence[Ticket], key: str) -> Ticket | None:
        exact = [t for t in tickets if t.marker is not None and t.marker.item_key == key]
        return min(exact, key=_number, default=None)

    def _create_payload(self, spec: TicketSpec) -> dict[str, Any]:
        try:
            body = gb.compose_body(
                spec.body, spec.marker, due=spec.fields.due, postmortem_url=spec.postmortem_url
            )
        except ValueError as error:  # an item key a marker cannot carry
            raise TrackerPermanentError(str(error)) from error
        labels = gm.label_list([MARKER_LABEL], spec.fields.labels, self._labels)
        title = ticket_title(spec.fields.title, self.kind)
        payload: dict[str, Any] = {"title": title, "body": body, "labels": labels}
        if spec.fields.assignee:
            payload["assignees"] = [spec.fields.assignee]
        return payload

    def _login(self) -> str | None:
        """The API user's login (one ``GET /user`` per tracker)."""
        if self._me is None:
            answer = self._http.request("GET", "/user")
            if isinstance(answer.data, Mapping) and isinstance(answer.data.get("login"), str):
                self._me = str(answer.data["login"])
        return self._me


def _moment(value: dt.datetime | None) -> dt.datetime:
    return value or dt.datetime.min.replace(tzinfo=dt.UTC)


def _number(ticket: Ticket) -> int:
    return int(ticket.ref.rsplit("#", 1)[1])


def _stops_batch(error: TrackerError) -> bool:
    if isinstance(error, TrackerTemporaryError):
        return True
    return isinstance(error, TrackerPermanentError) and error.status in _STOPPING_STATUSES


def _field_patch(changes: FieldChanges) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    if changes.title is not None:
        patch["title"] = ticket_title(changes.title, "github")
    if changes.assignee is not None:
        patch["assignees"] = [changes.assignee]
    elif changes.clear_assignee:
        patch["assignees"] = []
    if changes.state is not None:
        patch.update(gm.STATE_PAYLOADS[changes.state])
    return patch


def _rewritten_body(raw: Mapping[str, Any], changes: FieldChanges) -> str:
    body = gb.normalize_newlines(raw.get("body"))
    if changes.body is not None:
        body = gb.with_human_text(body, changes.body)
    if changes.due is not None:
        body = gb.with_due(body, changes.due, changes.extra.get("due_note"))
    return body
