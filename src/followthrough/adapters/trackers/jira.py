"""Jira tracker adapter: one Jira project behind the `Tracker` port, over the ``jira`` client.

Identity: our tickets carry the label ``followthrough`` and the issue property
``followthrough`` = ``{"version": 1, "item": <item key>}``; `JiraTracker.find` searches the
property by JQL and never the item's text. The property is sent inside the create request
itself, so a ticket never exists without it (a create costs one call, a bulk create one call
per 50). Search is eventually consistent: a ticket may be missing from `find` for up to
`consistency_window`; the engine keeps unconfirmed creates as open intents and looks again
once that window has passed, so a write whose answer was lost is found rather than repeated.

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
    TrackerError,
    TrackerPermanentError,
)

SEARCH_PAGE = 100  # Cloud's largest page when fields are requested
DC_SEARCH_PAGE = 1000  # Data Center's default ceiling (jira.search.views.default.max)
COMMENT_PAGE = 100
BULK_CHUNK = 50  # POST /issue/bulk takes at most 50 issues
MAX_PAGES = 10_000  # a guard against a server that keeps handing out the same token
LISTING_MARGIN = dt.timedelta(minutes=1)  # JQL dates have minute precision


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
        )
        self._me: Mapping[str, Any] | None = None

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
        """Tickets with our label, all or those updated since a moment (a minute earlier)."""
        as_of = self._clock()
        before = self.calls
        jql = f"project = {jm.jql_string(self.project)} AND labels = {jm.jql_string(MARKER_LABEL)}"
        if updated_since is not None:
            since = jm.jql_minute(updated_since - LISTING_MARGIN, self._time_zone())
            jql += f' AND updated >= "{since}"'
        issues = self._search(jql + " ORDER BY key ASC")
        tickets = tuple(
            jm.issue_ticket(raw, base=self._http.base, cloud=self._cloud) for raw in issues
        )
        return TicketBatch(tickets=tickets, as_of=as_of, calls=self.calls - before)

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

    def _closed_if_asked(self, spec: TicketSpec, ticket: Ticket) -> Ticket:
        """Items already done or dropped in the document are created, then moved by transition."""
        if spec.fields.state == TicketState.OPEN:
            return ticket
        try:
            self._transition(ticket.ref, spec.fields.state)
        except TrackerError:
            # The issue exists: report it as it is (open) rather than hide the create
            # behind the failed transition; the next sync closes it.
            return replace(ticket, fields=replace(ticket.fields, state=TicketState.OPEN))
        return replace(ticket, fields=replace(ticket.fields, state=spec.fields.state))

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
        """Edit the set fields in one ``PUT``, move state by a transition, then read back.

        Costs: 2 calls for fields only; a state change adds a read before and 2 calls for
        the transition (list with screens, then perform).
        """
        key = _checked_ref(ref)
        # A transition is chosen by target category only, so first make sure one is needed:
        # "open" must not move In Progress back to To Do, nor "done" move Done to Closed.
        moving = changes.state is not None and self.get(key).fields.state != changes.state
        body = jm.edit_payload(changes, cloud=self._cloud)
        if body:
            self._http.request("PUT", f"issue/{key}", body=body, ref=key)
        if moving and changes.state is not None:
            self._transition(key, changes.state)
        ticket = self.get(key)
        if changes.state is not None and not _reached(ticket.fields.state, changes.state):
            raise TrackerPermanentError(
                f"{key}: no transition leads to a {changes.state.value} status"
            )
        return ticket

    def adopt(self, ref: str, marker: Marker, *, labels: Sequence[str]) -> Ticket:
        """Put our label(s) and identity property on an existing ticket."""
        key = _checked_ref(ref)
        ops = [{"add": label} for label in jm.marker_labels(labels, marker)]
        self._http.request("PUT", f"issue/{key}", body={"update": {"labels": ops}}, ref=key)
        value = jm.marker_value(marker)
        self._http.call(
            lambda: self._http.client.add_issue_property(key, jm.PROPERTY_KEY, value), ref=key
        )
        return self.get(key)

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

    def _transition(self, key: str, state: TicketState) -> None:
        """Move to a status of the state's category; a won't-do resolution for DROPPED."""
        transitions = self._http.call(
            lambda: list(self._http.client.transitions(key, expand="transitions.fields")),
            ref=key,
        )
        choice = jm.pick_transition(transitions, state)
        if choice is None:
            return  # the workflow offers no way there; `update` reports it
        transition_id, fields = choice
        body: dict[str, Any] = {"transition": {"id": transition_id}}
        if fields:
            body["fields"] = fields
        self._http.request("POST", f"issue/{key}/transitions", body=body, ref=key)
        if state == TicketState.DROPPED and not fields:
            self._set_wont_do(key)

    def _set_wont_do(self, key: str) -> None:
        """Best effort when the Done screen has no resolution: set it by an edit."""
        body = {"fields": {"resolution": {"name": "Won't Do"}}}
        try:
            self._http.request("PUT", f"issue/{key}", body=body, ref=key)
        except TicketNotFoundError:
            raise
        except TrackerPermanentError:
            return  # not editable here: the ticket stays Done, which `update` accepts

    def _search(self, jql: str) -> list[dict[str, Any]]:
        """All matching issues, with the fields a `Ticket` needs and our property."""
        return self._search_cloud(jql) if self._cloud else self._search_datacenter(jql)

    def _search_cloud(self, jql: str) -> list[dict[str, Any]]:
        body: dict[str, Any] = {
            "jql": jql,
            "fields": list(jm.TICKET_FIELDS),
            "properties": [jm.PROPERTY_KEY],
            "maxResults": SEARCH_PAGE,
        }
        issues: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            page = json_object(self._http.request("POST", "search/jql", body=body), what="search")
            issues += page.get("issues") or []
            token = page.get("nextPageToken")
            if not token or page.get("isLast") or token == body.get("nextPageToken"):
                break
            body = {**body, "nextPageToken": token}
        return issues

    def _search_datacenter(self, jql: str) -> list[dict[str, Any]]:
        params: dict[str, Any] = {
            "jql": jql,
            "fields": ",".join(jm.TICKET_FIELDS),
            "properties": jm.PROPERTY_KEY,
            "maxResults": DC_SEARCH_PAGE,
        }
        issues: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            page = json_object(
                self._http.request("GET", "search", params={**params, "startAt": len(issues)}),
                what="search",
            )
            batch = page.get("issues") or []
            issues += batch
            if not batch or len(issues) >= int(page.get("total") or 0):
                break
        return issues

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


def _reached(actual: TicketState, wanted: TicketState) -> bool:
    # Without a won't-do resolution in the workflow, a dropped item's ticket is Done.
    return actual == wanted or (wanted == TicketState.DROPPED and actual == TicketState.DONE)


def _bulk_item_error(spec: TicketSpec, failure: Mapping[str, Any]) -> TrackerError:
    details = failure.get("elementErrors") or {}
    messages = [*(details.get("errorMessages") or []), *(details.get("errors") or {}).values()]
    status = failure.get("status")
    text = "; ".join(str(m) for m in messages) or "rejected"
    return status_error(
        status if isinstance(status, int) else 400, f"{spec.marker.item_key}: {text}"
    )
