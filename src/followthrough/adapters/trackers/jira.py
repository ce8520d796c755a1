"""Jira tracker adapter: one Jira project behind the `Tracker` port, over the ``jira`` client.

Identity: our tickets carry the label ``followthrough`` and the issue property
``followthrough`` = ``{"version": 1, "item": <item key>}``; `JiraTracker.find` searches the
property by JQL and never the item's text. The property is sent inside the create request
itself, so a ticket never exists without it (a create costs one call, a bulk create one call
per 50). Search is eventually consistent: a ticket may be missing from `find` for up to
`consistency_window`; the engine keeps unconfirmed creates as open intents and looks again
once that window has passed, so a write whose answer was lost is found rather than repeated.

A change costs its write alone: an edit asks Jira to answer with the issue
(``returnIssue``), a transition reuses the way this process last took from that status
(``memory.py``), and what an answer leaves out (the identity property; after a transition,
everything) comes from the process's memory of the project's last listings. Listings are
complete up to Jira's own time (the answer's ``Date``), so the "updated since" cursor is
in Jira's clock, written in the API user's time zone.

History rides on the listing: its search expands the changelog and asks for the comment
field, so the changes people made (assignee, due date, resolution and workflow moves,
comments) cost no call of their own. A search expands only an issue's 40 most recent changes;
only for a ticket that changed more than that since the cursor is the rest read from its
changelog.

Writes use REST v2 (plain-text bodies, accepted by Cloud and Data Center). Searches use
``/rest/api/2/search/jql`` with ``nextPageToken`` on Cloud and ``/rest/api/2/search`` with
``startAt`` on Data Center. The mapping between Jira JSON and tickets is in
``jira_mapping.py``; transport, call counting and error translation in ``jira_http.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from followthrough.adapters.trackers import jira_mapping as jm
from followthrough.adapters.trackers.jira_http import (
    JiraHttp,
    WritePacer,
    json_object,
    status_error,
)
from followthrough.adapters.trackers.memory import (
    ProjectMemory,
    Remembered,
    TransitionChoice,
    project_memory,
)
from followthrough.domain.ticket_history import TicketChange
from followthrough.domain.tickets import (
    MARKER_LABEL,
    Comment,
    FieldChanges,
    Marker,
    Ticket,
    TicketSpec,
    TicketState,
)
from followthrough.ports import (
    TicketBatch,
    TicketNotFoundError,
    TrackerCalls,
    TrackerError,
    TrackerPermanentError,
    TrackerTemporaryError,
)

SEARCH_PAGE = 100  # Cloud's largest page when fields are requested
DC_SEARCH_PAGE = 1000  # Data Center's default ceiling (jira.search.views.default.max)
COMMENT_PAGE = 100
BULK_CHUNK = 50  # POST /issue/bulk takes at most 50 issues
MAX_PAGES = 10_000  # a guard against a server that keeps handing out the same token
LISTING_MARGIN = dt.timedelta(minutes=1)
CHANGELOG_PAGE = 100  # JQL dates have minute precision
NEW_ISSUE = "(new issue)"  # the status a create leaves, before we know its id
SEARCH_LABEL_PREFIX = "ft-"  # `Marker.search_label`


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JiraTracker:
    """One Jira project as the engine uses it (see the module docstring for the design)."""

    kind = "jira"

    def __init__(
        self,
        *,
        url: str,
        user: str,
        token: str,
        project: str,
        issue_type: str = "Task",
        deployment: Literal["cloud", "datacenter"] = "cloud",
        components: Sequence[str] = (),
        search_lag: dt.timedelta = dt.timedelta(seconds=60),
        timeout: float = 30,
        priorities: Mapping[str, str] = jm.DEFAULT_PRIORITY_NAMES,
        clock: Callable[[], dt.datetime] = _utc_now,
        min_write_interval: float = 0.0,
        memory: ProjectMemory | None = None,
        listener: TrackerCalls | None = None,
    ) -> None:
        if deployment not in ("cloud", "datacenter"):
            raise ValueError(f"deployment must be 'cloud' or 'datacenter', not {deployment!r}")
        self.project = project
        self._cloud = deployment == "cloud"
        self._issue_type = issue_type
        self._components = tuple(components)
        self._search_lag = search_lag
        self._priorities = dict(priorities)
        self._clock = clock
        self._http = JiraHttp(
            url=url,
            user=user,
            token=token,
            cloud=self._cloud,
            timeout=timeout,
            pacer=WritePacer(min_write_interval),
            listener=listener,
        )
        self._me: Mapping[str, Any] | None = None
        self._memory = memory or project_memory("jira", self._http.base, project)

    @property
    def calls(self) -> int:
        """HTTP calls made so far (for API cost reports)."""
        return self._http.calls

    def consistency_window(self) -> dt.timedelta:
        """How long a search may lag behind a write."""
        return self._search_lag

    # reads ---------------------------------------------------------------------------

    def ping(self) -> None:
        """``GET /myself``: 401/403 raise a permanent error, 5xx and timeouts a temporary one."""
        self._me = self._myself()

    def get(self, ref: str) -> Ticket:
        """One ticket with the fields we manage and its identity property."""
        key = _checked_ref(ref)
        raw = self._http.call(
            lambda: (
                self._http.client.issue(
                    key, fields=",".join(jm.TICKET_FIELDS), properties=jm.PROPERTY_KEY
                ).raw
            ),
            ref=key,
        )
        return jm.issue_ticket(raw, base=self._http.base, cloud=self._cloud)

    def find(self, marker: Marker) -> Ticket | None:
        """The oldest ticket of this project whose identity property names the item exactly.

        Jira indexes only issue properties that an installed app declares, so the search goes
        by the item's search label (always indexed) and the property decides.
        """
        jql = (
            f"project = {jm.jql_string(self.project)} AND "
            f"labels = {jm.jql_string(marker.search_label())}"
        )
        issues = self._search(jql + " ORDER BY created ASC")
        tickets = [jm.issue_ticket(raw, base=self._http.base, cloud=self._cloud) for raw in issues]
        # The index may compare loosely (case, normalisation); the property value decides.
        exact = [
            t for t in tickets if t.marker is not None and t.marker.item_key == marker.item_key
        ]
        return min(exact, key=lambda t: int(t.tracker_id or 0), default=None)

    def list_tickets(self, *, updated_since: dt.datetime | None) -> TicketBatch:
        """Tickets with our label, all or those updated since a moment (a minute earlier).

        ``updated_since`` and the batch's ``as_of`` are in Jira's clock: ``as_of`` is the
        ``Date`` of the first page's answer (ours only if Jira sent none), and the JQL date
        is written in the API user's time zone, which Jira reads it in.
        """
        before = self.calls
        jql = f"project = {jm.jql_string(self.project)} AND labels = {jm.jql_string(MARKER_LABEL)}"
        if updated_since is not None:
            since = jm.jql_minute(updated_since - LISTING_MARGIN, self._time_zone())
            jql += f' AND updated >= "{since}"'
        issues, answered = self._search_dated(
            jql + " ORDER BY key ASC", expand="changelog", extra=("comment",)
        )
        as_of = answered or self._clock()
        seen = [self._remembered(raw) for raw in issues]
        self._memory.listed(seen, since=updated_since, as_of=as_of)
        tickets = tuple(found.ticket for found in seen)
        return TicketBatch(
            tickets=tickets,
            as_of=as_of,
            calls=self.calls - before,
            history=self._changes(issues, since=updated_since),
        )

    def _changes(
        self, issues: Sequence[Mapping[str, Any]], *, since: dt.datetime | None
    ) -> tuple[TicketChange, ...]:
        """The changelog and comments the listing carried (the API user is looked up only
        when there are some, once per tracker); for a listing of changes, only those since."""
        if not any(jm.has_history(raw) for raw in issues):
            return ()
        me = self._identity()
        start = since - LISTING_MARGIN if since is not None else None
        return tuple(
            change
            for raw in issues
            for change in (
                *jm.issue_changes(
                    self._whole_changelog(raw, start), cloud=self._cloud, me=me, since=start
                ),
                *jm.comment_changes(raw, cloud=self._cloud, me=me, since=start),
            )
        )

    def _whole_changelog(
        self, raw: Mapping[str, Any], start: dt.datetime | None
    ) -> Mapping[str, Any]:
        """The issue with every changelog entry since ``start``. A search expands only the
        40 most recent; when more changed since the cursor (a rare, busy ticket) the rest is
        read from ``GET /issue/{key}/changelog``, newest pages first, down to the cursor. A
        full listing (no cursor) keeps what the search gave."""
        log = raw.get("changelog") or {}
        shown = log.get("histories") or []
        if start is None or int(log.get("total") or 0) <= len(shown):
            return raw
        oldest = jm.parse_time((shown[0] or {}).get("created")) if shown else None
        if oldest is not None and oldest < start:
            return raw
        key = _checked_ref(str(raw.get("key") or ""))
        total, entries = int(log["total"]), list[Mapping[str, Any]]()
        for _ in range(MAX_PAGES):
            first = max(total - CHANGELOG_PAGE, 0)
            params = {"startAt": first, "maxResults": total - first}
            page = json_object(
                self._http.request("GET", f"issue/{key}/changelog", params=params, ref=key),
                what="changelog page",
            )
            values = [v for v in page.get("values") or [] if isinstance(v, Mapping)]
            entries[:0] = values
            created = jm.parse_time(values[0].get("created")) if values else None
            if first == 0 or not values or (created is not None and created < start):
                break
            total = first
        return {**raw, "changelog": {"histories": entries}}

    def comments(self, ref: str) -> list[Comment]:
        """Every comment, oldest first, paging through all of them."""
        key = _checked_ref(ref)
        me = self._identity()
        found: list[Comment] = []
        for _ in range(MAX_PAGES):
            params = {"startAt": len(found), "maxResults": COMMENT_PAGE, "orderBy": "created"}
            page = json_object(
                self._http.request("GET", f"issue/{key}/comment", params=params, ref=key),
                what="comment page",
            )
            raws = page.get("comments") or []
            found += [jm.comment_from(raw, cloud=self._cloud, me=me) for raw in raws]
            if not raws or len(found) >= int(page.get("total") or 0):
                break
        return found

    # writes --------------------------------------------------------------------------

    def create(self, spec: TicketSpec) -> Ticket:
        """One ``POST /issue`` carrying the fields, the marker label and the identity property."""
        payload = self._create_payload(spec)
        created = json_object(self._http.request("POST", "issue", body=payload), what="create")
        if "key" not in created:
            raise TrackerPermanentError(f"Jira did not return the created issue: {created!r}")
        return self._closed_if_asked(
            spec, jm.created_ticket(spec, payload, created, base=self._http.base)
        )

    def _link_back(self, spec: TicketSpec, ticket: Ticket) -> None:
        """A remote link to the postmortem: Jira's own "links to elsewhere" panel.

        Best effort beside the link in the description (the record): keyed by a global id,
        so a repeat updates it rather than adding a second; a refusal is counted with the
        tracker's errors and leaves the created issue as it is.
        """
        url = spec.postmortem_url
        if not url:
            return
        body = {
            "globalId": f"followthrough:{spec.marker.item_key}",
            "object": {"url": url, "title": f"Postmortem: {ticket.fields.title}"[:255]},
        }
        try:
            self._http.exchange("POST", f"issue/{ticket.ref}/remotelink", body=body, ref=ticket.ref)
        except TrackerError:
            return

    def _closed_if_asked(self, spec: TicketSpec, ticket: Ticket) -> Ticket:
        """Items already done or dropped in the document are created, then moved by transition."""
        self._link_back(spec, ticket)
        created = Remembered(ticket=ticket, status=NEW_ISSUE, property_marker=spec.marker)
        if spec.fields.state == TicketState.OPEN:
            self._memory.wrote(created)
            return ticket
        try:
            moved = self._move(ticket.ref, spec.fields.state, created)
        except TrackerError:
            # The issue exists: report it as it is (open) rather than hide the create
            # behind the failed transition; the next sync closes it.
            return _with_state(ticket, TicketState.OPEN)
        self._memory.wrote(moved)
        return moved.ticket

    def create_many(self, specs: Sequence[TicketSpec]) -> list[Ticket | TrackerError]:
        """``POST /issue/bulk`` per 50 specs; per-item failures are returned in place.

        When a whole chunk fails (rate limit, outage, auth), that error stands for every
        spec not yet sent and nothing further is sent.
        """
        results: list[Ticket | TrackerError] = []
        for start in range(0, len(specs), BULK_CHUNK):
            chunk = specs[start : start + BULK_CHUNK]
            try:
                results += self._create_chunk(chunk)
            except TrackerError as error:
                results += [error] * (len(specs) - start)
                break
        return results

    def update(self, ref: str, changes: FieldChanges) -> Ticket:
        """Edit the set fields in one ``PUT`` that answers with the issue; move state by a
        transition.

        Costs: 1 call for fields; a state change is the transition's ``POST`` (plus, the
        first time this process takes that way from that status, the ``GET`` of the
        transitions). When the process has not seen the ticket lately, a read is added: of
        the marker property after an edit (unless the description's marker line and the
        item's search label agree), of the issue before a transition.
        """
        key = _checked_ref(ref)
        known = self._memory.recall(key)
        body = jm.edit_payload(changes, cloud=self._cloud)
        seen = self._edit(key, body, known) if body else known
        if changes.state is not None:
            seen = self._move(key, changes.state, seen)
        if seen is None:
            return self.get(key)
        self._memory.wrote(seen)
        return seen.ticket

    def adopt(self, ref: str, marker: Marker, *, labels: Sequence[str]) -> Ticket:
        """Put our label(s) and identity property on an existing ticket: one ``PUT``."""
        key = _checked_ref(ref)
        ops = [{"add": label} for label in jm.marker_labels(labels, marker)]
        body = {
            "update": {"labels": ops},
            "properties": [{"key": jm.PROPERTY_KEY, "value": jm.marker_value(marker)}],
        }
        answer = self._http.exchange(
            "PUT", f"issue/{key}", params={"returnIssue": "true"}, body=body, ref=key
        )
        raw = _issue_or_none(answer.data)
        if raw is None:  # a server without returnIssue
            return self.get(key)
        seen = self._remembered(raw, marker=marker)
        self._memory.wrote(seen)
        return seen.ticket

    def comment(self, ref: str, text: str, *, marker: str) -> Comment:
        """A plain-text comment ending in a ``[followthrough:<marker>]`` tag line."""
        key = _checked_ref(ref)
        body = jm.comment_body(text, marker)
        raw = self._http.call(lambda: self._http.client.add_comment(key, body).raw, ref=key)
        found = jm.comment_from(raw, cloud=self._cloud, me=None)
        return replace(found, ours=True)

    # helpers -------------------------------------------------------------------------

    def _create_payload(self, spec: TicketSpec) -> dict[str, Any]:
        return jm.create_payload(
            spec,
            project=self.project,
            issue_type=self._issue_type,
            components=self._components,
            cloud=self._cloud,
            priorities=self._priorities,
        )

    def _create_chunk(self, chunk: Sequence[TicketSpec]) -> list[Ticket | TrackerError]:
        payloads = [self._create_payload(spec) for spec in chunk]
        answer = json_object(
            self._http.request(
                "POST", "issue/bulk", body={"issueUpdates": payloads}, keep_body_of=frozenset({400})
            ),
            what="bulk create",
        )
        created = list(answer.get("issues") or [])
        failed = {int(e["failedElementNumber"]): e for e in answer.get("errors") or []}
        if not created and not failed:
            raise TrackerPermanentError(f"Jira bulk create answered without results: {answer!r}")
        results: list[Ticket | TrackerError] = []
        for index, (spec, payload) in enumerate(zip(chunk, payloads, strict=True)):
            if index in failed:
                results.append(_bulk_item_error(spec, failed[index]))
            elif created:
                issue = created.pop(0)
                ticket = jm.created_ticket(spec, payload, issue, base=self._http.base)
                results.append(self._closed_if_asked(spec, ticket))
            else:
                results.append(TrackerPermanentError(f"{spec.marker.item_key}: not created"))
        return results

    def _edit(self, key: str, body: Mapping[str, Any], known: Remembered | None) -> Remembered:
        """``PUT /issue`` with ``returnIssue``; the marker property from memory or a read."""
        answer = self._http.exchange(
            "PUT", f"issue/{key}", params={"returnIssue": "true"}, body=dict(body), ref=key
        )
        raw = _issue_or_none(answer.data)
        if raw is None:  # a server without returnIssue
            return self._read(key)
        if known is not None:
            return self._remembered(raw, marker=known.property_marker)
        ticket = jm.issue_ticket(raw, base=self._http.base, cloud=self._cloud)
        if _marker_line_confirmed(ticket):
            return self._remembered(raw, marker=ticket.marker)
        return self._remembered(raw, marker=self._marker_property(key))

    def _move(self, key: str, state: TicketState, seen: Remembered | None) -> Remembered:
        """Transition to ``state`` unless the ticket is there already; the ticket after it.

        A remembered way from this status is tried first; when Jira refuses it (the
        workflow changed, or so did the status), the issue and its transitions are read.
        """
        if seen is None:
            seen = self._read(key)
        if seen.ticket.fields.state == state:
            return seen
        cached = self._memory.transition(seen.status, state.value)
        if cached is not None:
            try:
                return self._transition(seen, state, cached)
            except TrackerPermanentError as error:
                if isinstance(error, TicketNotFoundError) or error.status != 400:
                    raise
                self._memory.learn_transition(seen.status, state.value, None)
                seen = self._read(key)
                if seen.ticket.fields.state == state:
                    return seen
        choice = self._choose_transition(key, seen.status, state)
        if choice is not None:
            return self._transition(seen, state, choice)
        if _reached(seen.ticket.fields.state, state):
            return seen
        raise TrackerPermanentError(f"{key}: no transition leads to a {state.value} status")

    def _choose_transition(
        self, key: str, status: str, state: TicketState
    ) -> TransitionChoice | None:
        """The transition (with its screen's resolution) to ``state``, learnt for ``status``."""
        offered = self._http.call(
            lambda: list(self._http.client.transitions(key, expand="transitions.fields")),
            ref=key,
        )
        picked = jm.pick_transition(offered, state)
        if picked is None:
            return None
        transition_id, fields = picked
        target = next((t.get("to") or {} for t in offered if str(t["id"]) == transition_id), {})
        choice = TransitionChoice(id=transition_id, fields=fields, to_status=str(target.get("id")))
        if status:
            self._memory.learn_transition(status, state.value, choice)
        return choice

    def _transition(
        self, seen: Remembered, state: TicketState, choice: TransitionChoice
    ) -> Remembered:
        """``POST /transitions``; the ticket is what we knew with the state it now has."""
        key = seen.ticket.ref
        body: dict[str, Any] = {"transition": {"id": choice.id}}
        if choice.fields:
            body["fields"] = choice.fields
        answer = self._http.exchange("POST", f"issue/{key}/transitions", body=body, ref=key)
        # The screen's resolution is a won't-do one exactly when `pick_transition` found one.
        reached = state
        if state == TicketState.DROPPED and not choice.fields:
            reached = TicketState.DONE
        ticket = seen.ticket
        when = answer.date or ticket.updated
        moved = replace(
            ticket,
            fields=replace(ticket.fields, state=reached),
            updated=when,
            # Jira stamps the resolution date when the transition sets a resolution.
            closed=None if reached == TicketState.OPEN else (ticket.closed or when),
        )
        after = replace(seen, ticket=moved, status=choice.to_status)
        if state == TicketState.DROPPED and not choice.fields:
            return self._set_wont_do(after)
        return after

    def _set_wont_do(self, seen: Remembered) -> Remembered:
        """Best effort when the Done screen has no resolution: set it by an edit."""
        key = seen.ticket.ref
        body = {"fields": {"resolution": {"name": "Won't Do"}}}
        try:
            answer = self._http.exchange(
                "PUT", f"issue/{key}", params={"returnIssue": "true"}, body=body, ref=key
            )
        except TicketNotFoundError:
            raise
        except TrackerPermanentError:
            return seen  # not editable here: the ticket stays Done, which `update` accepts
        raw = _issue_or_none(answer.data)
        if raw is None:
            return replace(seen, ticket=_with_state(seen.ticket, TicketState.DROPPED))
        return self._remembered(raw, marker=seen.property_marker)

    def _read(self, key: str) -> Remembered:
        """The issue with our fields, its status and the marker property (one ``GET``)."""
        raw = self._http.call(
            lambda: (
                self._http.client.issue(
                    key, fields=",".join(jm.TICKET_FIELDS), properties=jm.PROPERTY_KEY
                ).raw
            ),
            ref=key,
        )
        return self._remembered(raw)

    def _marker_property(self, key: str) -> Marker | None:
        """The identity property alone (``None`` when the issue has none)."""
        try:
            value = self._http.request("GET", f"issue/{key}/properties/{jm.PROPERTY_KEY}", ref=key)
        except TicketNotFoundError:
            return None  # no such property (a missing issue failed the edit before)
        value = value.get("value") if isinstance(value, Mapping) else None
        return jm.issue_marker({"properties": {jm.PROPERTY_KEY: value}}, "")

    def _remembered(self, raw: Mapping[str, Any], *, marker: Marker | None = None) -> Remembered:
        """A ticket from an issue; ``marker`` stands in for a property the answer left out."""
        ticket = jm.issue_ticket(raw, base=self._http.base, cloud=self._cloud)
        found = jm.issue_marker(raw, "") if "properties" in raw else marker
        if found is not None:
            ticket = replace(ticket, marker=found)
        status = ((raw.get("fields") or {}).get("status") or {}).get("id")
        return Remembered(ticket=ticket, status=str(status or ""), property_marker=found)

    def _search(self, jql: str) -> list[dict[str, Any]]:
        """All matching issues, with the fields a `Ticket` needs and our property."""
        return self._search_dated(jql)[0]

    def _search_dated(
        self, jql: str, *, expand: str | None = None, extra: tuple[str, ...] = ()
    ) -> tuple[list[dict[str, Any]], dt.datetime | None]:
        """All matching issues (with our fields and any ``extra`` ones), and Jira's time when
        it answered the first page."""
        fields = (*jm.TICKET_FIELDS, *extra)
        if self._cloud:
            return self._search_cloud(jql, expand, fields)
        return self._search_datacenter(jql, expand, fields)

    def _search_cloud(
        self, jql: str, expand: str | None, fields: tuple[str, ...]
    ) -> tuple[list[dict[str, Any]], dt.datetime | None]:
        body: dict[str, Any] = {
            "jql": jql,
            "fields": list(fields),
            "properties": [jm.PROPERTY_KEY],
            "maxResults": SEARCH_PAGE,
        }
        if expand:
            body["expand"] = expand
        issues: list[dict[str, Any]] = []
        first: dt.datetime | None = None
        for page_number in range(MAX_PAGES):
            answer = self._http.exchange("POST", "search/jql", body=body)
            first = answer.date if page_number == 0 else first
            page = json_object(answer.data, what="search")
            issues += page.get("issues") or []
            token = page.get("nextPageToken")
            if not token or page.get("isLast") or token == body.get("nextPageToken"):
                break
            body = {**body, "nextPageToken": token}
        return issues, first

    def _search_datacenter(
        self, jql: str, expand: str | None, fields: tuple[str, ...]
    ) -> tuple[list[dict[str, Any]], dt.datetime | None]:
        params: dict[str, Any] = {
            "jql": jql,
            "fields": ",".join(fields),
            "properties": jm.PROPERTY_KEY,
            "maxResults": DC_SEARCH_PAGE,
        }
        if expand:
            params["expand"] = expand
        issues: list[dict[str, Any]] = []
        first: dt.datetime | None = None
        for page_number in range(MAX_PAGES):
            answer = self._http.exchange("GET", "search", params={**params, "startAt": len(issues)})
            first = answer.date if page_number == 0 else first
            page = json_object(answer.data, what="search")
            batch = page.get("issues") or []
            issues += batch
            if not batch or len(issues) >= int(page.get("total") or 0):
                break
        return issues, first

    def _myself(self) -> Mapping[str, Any]:
        return self._http.call(lambda: dict(self._http.client.myself()))

    def _profile(self) -> Mapping[str, Any]:
        """The API user (one ``GET /myself`` per tracker, or none after `ping`)."""
        if self._me is None:
            self._me = self._myself()
        return self._me

    def _identity(self) -> str | None:
        return jm.user_identity(self._profile(), cloud=self._cloud)

    def _time_zone(self) -> dt.tzinfo:
        """The API user's zone: Jira reads absolute JQL dates in it."""
        name = str(self._profile().get("timeZone") or "UTC")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return dt.UTC


def _checked_ref(ref: str) -> str:
    """An issue key or id; anything else is refused before it reaches a URL path."""
    if not jm.ISSUE_REF.match(ref):
        raise TicketNotFoundError(f"not a Jira issue key: {ref!r}")
    return ref


def _issue_or_none(data: Any) -> dict[str, Any] | None:
    """The issue an edit answered with (``returnIssue``), or ``None`` for a bare 204."""
    if data is None:
        return None
    issue = json_object(data, what="edit answer")
    if "key" not in issue:
        raise TrackerTemporaryError(f"Jira sent an unexpected issue body: {str(data)[:200]!r}")
    return dict(issue)


def _reached(actual: TicketState, wanted: TicketState) -> bool:
    # Without a won't-do resolution in the workflow, a dropped item's ticket is Done.
    return actual == wanted or (wanted == TicketState.DROPPED and actual == TicketState.DONE)


def _with_state(ticket: Ticket, state: TicketState) -> Ticket:
    return replace(ticket, fields=replace(ticket.fields, state=state))


def _marker_line_confirmed(ticket: Ticket) -> bool:
    """The description's marker line names the item of the only search label on the issue.

    Our own rekey adds a second search label, and the property is written with the label,
    so a lone matching label means the property (if any) names the same item.
    """
    if ticket.marker is None:
        return False
    ours = {label for label in ticket.fields.labels if label.startswith(SEARCH_LABEL_PREFIX)}
    return ours == {ticket.marker.search_label()}


def _bulk_item_error(spec: TicketSpec, failure: Mapping[str, Any]) -> TrackerError:
    details = failure.get("elementErrors") or {}
    messages = [*(details.get("errorMessages") or []), *(details.get("errors") or {}).values()]
    status = failure.get("status")
    text = "; ".join(str(m) for m in messages) or "rejected"
    return status_error(
        status if isinstance(status, int) else 400, f"{spec.marker.item_key}: {text}"
    )
