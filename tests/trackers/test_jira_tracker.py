"""`JiraTracker` against the Jira simulator, through the real ``jira`` client."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from jira import JIRA

from followthrough.adapters.trackers import jira_mapping as jm
from followthrough.adapters.trackers.errors import retry_after_seconds
from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.adapters.trackers.jira_http import WritePacer
from followthrough.adapters.trackers.memory import ProjectMemory
from followthrough.domain.tickets import (
    MARKER_LABEL,
    FieldChanges,
    Marker,
    Ticket,
    TicketFields,
    TicketSpec,
    TicketState,
    comment_tag,
)
from followthrough.ports import (
    TicketNotFoundError,
    TrackerPermanentError,
    TrackerTemporaryError,
)
from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.jira_model import USERS
from followthrough.sandbox.jql import tokenize

ALICE = USERS[1]["accountId"]
BOB = USERS[2]["accountId"]
NASTY_KEYS = (
    'say "hi"',
    "back\\slash",
    "trailing\\",
    '\\" OR project = PLAT OR "',
    "' OR labels is EMPTY OR '",
    "ünïcødé ✓ 事後検証",
    "Item-A",
    "item-a",
)


def spec(key: str, title: str = "Rotate the TLS certificates", **fields: Any) -> TicketSpec:
    return TicketSpec(
        marker=Marker(item_key=key), fields=TicketFields(title=title, **fields), body="Why: x"
    )


def settle(clock: SimClock) -> None:
    """Let the simulator's search index catch up (5 s lag)."""
    clock.advance(6)


def raw_client(sandbox: Sandbox) -> Any:
    info = sandbox.info()
    return JIRA(server=info["jira"], basic_auth=(info["user"], info["token"]), max_retries=0)


def created(result: Ticket | Exception) -> Ticket:
    assert isinstance(result, Ticket), result
    return result


# --- pure helpers ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*NASTY_KEYS, "", "tab\there", "new\nline", "a'b\"c\\d"])
def test_jql_string_is_one_literal_that_reads_back_exactly(value: str) -> None:
    tokens = tokenize(f"x = {jm.jql_string(value)}")
    assert [t.kind for t in tokens] == ["word", "op", "string", "eof"]
    assert tokens[2].value == value


def test_jql_string_escapes() -> None:
    assert jm.jql_string('a"b\\c') == '"a\\"b\\\\c"'


def test_retry_after_seconds_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    assert retry_after_seconds({"retry-after": "1.5"}) == 1.5
    dated = {
        "Retry-After": "Wed, 01 May 2024 10:00:30 GMT",
        "Date": "Wed, 01 May 2024 10:00:00 GMT",
    }
    assert retry_after_seconds(dated) == 30.0
    now = dt.datetime(2024, 5, 1, 10, 0, 50, tzinfo=dt.UTC)
    assert retry_after_seconds({"Retry-After": dated["Retry-After"]}, now=now) == 0.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize(
    ("category", "resolution", "state"),
    [
        ("new", None, TicketState.OPEN),
        ("indeterminate", None, TicketState.OPEN),
        ("done", "Done", TicketState.DONE),
        ("done", "Fixed", TicketState.DONE),
        ("done", None, TicketState.DONE),
        ("done", "Won't Do", TicketState.DROPPED),
        ("done", "Won’t Fix", TicketState.DROPPED),
        ("done", "Declined", TicketState.DROPPED),
        ("done", "Duplicate", TicketState.DROPPED),
        ("done", "Cannot Reproduce", TicketState.DROPPED),
    ],
)
def test_ticket_state_from_status_category_and_resolution(
    category: str, resolution: str | None, state: TicketState
) -> None:
    fields = {
        "status": {"statusCategory": {"key": category}},
        "resolution": {"name": resolution} if resolution else None,
    }
    assert jm.ticket_state(fields) == state


def test_pick_transition_uses_the_screen_resolution_only_when_offered() -> None:
    done = {"key": "done"}
    bare = [{"id": "5", "to": {"statusCategory": {"key": "new"}}}]
    bare.append({"id": "7", "to": {"statusCategory": done}})
    assert jm.pick_transition(bare, TicketState.DROPPED) == ("7", {})
    assert jm.pick_transition(bare, TicketState.OPEN) == ("5", {})
    screen = {"resolution": {"allowedValues": [{"name": "Done"}, {"name": "Declined"}]}}
    with_screen = [{"id": "9", "to": {"statusCategory": done}, "fields": screen}]
    assert jm.pick_transition(with_screen, TicketState.DROPPED) == (
        "9",
        {"resolution": {"name": "Declined"}},
    )
    assert jm.pick_transition(with_screen, TicketState.DONE) == (
        "9",
        {"resolution": {"name": "Done"}},
    )
    assert jm.pick_transition(with_screen, TicketState.OPEN) is None


def test_comment_ownership_by_tag_or_author() -> None:
    raw: dict[str, Any] = {"id": "1", "author": {"accountId": BOB}, "body": "please update"}
    assert not jm.comment_from(raw, cloud=True, me=ALICE).ours
    assert jm.comment_from(raw, cloud=True, me=BOB).ours
    body = jm.comment_body("nudge", "nudge:a]b\nc")
    assert body.endswith("[followthrough:nudge:a_b_c]")
    tagged = jm.comment_from({**raw, "body": body}, cloud=True, me=ALICE)
    assert tagged.ours
    assert tagged.tag == comment_tag("nudge:a]b\nc") == "nudge:a_b_c"
    assert jm.comment_from(raw, cloud=True, me=BOB).tag is None


# --- create and find --------------------------------------------------------------------


def test_create_with_all_fields_and_marker(
    jira_make_tracker: Callable[..., JiraTracker], jira_sandbox: Sandbox
) -> None:
    tracker = jira_make_tracker(components=["api"])
    wanted = TicketSpec(
        marker=Marker(item_key="2024-05-01-db/rotate-certs"),
        fields=TicketFields(
            title="Rotate the TLS certificates",
            assignee=ALICE,
            due=dt.date(2024, 6, 1),
            labels=("sev1", "team ops"),
        ),
        body="Action item from the postmortem.",
        priority="P1",
    )
    ticket = tracker.create(wanted)
    assert tracker.calls == 1  # the identity property travels in the create request
    read = tracker.get(ticket.ref)
    assert read.fields == ticket.fields
    assert read.fields.labels == (MARKER_LABEL, wanted.marker.search_label(), "sev1", "team-ops")
    assert read.fields.assignee == ALICE
    assert read.fields.due == dt.date(2024, 6, 1)
    assert read.marker == wanted.marker
    assert read.body == ticket.body
    # Jira shows HTML comments as text: the identity is the property and label, not a line.
    assert read.body == "Action item from the postmortem."
    issue = raw_client(jira_sandbox).issue(ticket.ref, properties=jm.PROPERTY_KEY)
    assert [c.name for c in issue.fields.components] == ["api"]
    assert issue.fields.priority.name == "High"
    assert issue.raw["properties"][jm.PROPERTY_KEY] == {
        "version": 1,
        "item": wanted.marker.item_key,
    }


def test_find_only_after_the_search_lag(jira_tracker: JiraTracker, jira_clock: SimClock) -> None:
    ticket = jira_tracker.create(spec("pm/a"))
    jira_tracker.create(spec("pm/b"))
    assert jira_tracker.find(Marker("pm/a")) is None  # not indexed yet
    settle(jira_clock)
    found = jira_tracker.find(Marker("pm/a"))
    assert found is not None
    assert found.ref == ticket.ref
    assert found.marker == Marker("pm/a")
    assert jira_tracker.find(Marker("pm/none")) is None
    assert jira_tracker.consistency_window() == dt.timedelta(seconds=5)


def test_nasty_item_keys_round_trip_through_find(
    jira_make_tracker: Callable[..., JiraTracker], jira_sandbox: Sandbox, jira_clock: SimClock
) -> None:
    tracker = jira_make_tracker()
    created(jira_make_tracker(project="PLAT").create(spec("decoy")))
    results = tracker.create_many([spec(key) for key in NASTY_KEYS])
    refs = {key: created(result).ref for key, result in zip(NASTY_KEYS, results, strict=True)}
    settle(jira_clock)
    client = raw_client(jira_sandbox)
    for key in NASTY_KEYS:
        found = tracker.find(Marker(key))
        assert found is not None, key
        assert (found.ref, found.marker) == (refs[key], Marker(key))
        # The query itself matches nothing else: no quote or backslash escapes the literal.
        jql = f"issue.property[{jm.PROPERTY_KEY}].item = {jm.jql_string(key)}"
        hits = client.enhanced_search_issues(jql, fields="key", json_result=True)["issues"]
        same = {refs[k] for k in NASTY_KEYS if k.lower() == key.lower()}  # the index folds case
        assert {hit["key"] for hit in hits} == same


# --- listing and bulk create ------------------------------------------------------------


def test_list_tickets_full_and_incremental_with_pagination(
    jira_tracker: JiraTracker, jira_sandbox: Sandbox, jira_clock: SimClock
) -> None:
    specs = [spec(f"pm/item-{n:03d}", title=f"Item {n}") for n in range(120)]
    results = jira_tracker.create_many(specs)
    assert jira_tracker.calls == 3  # 50 + 50 + 20
    assert [created(r).marker for r in results] == [s.marker for s in specs]
    raw_client(jira_sandbox).create_issue(
        project="OPS", issuetype={"name": "Task"}, summary="Not ours"
    )
    settle(jira_clock)

    full = jira_tracker.list_tickets(updated_since=None)
    assert len(full.tickets) == 120
    assert full.calls == 2  # pages of 100
    assert {t.marker.item_key for t in full.tickets if t.marker} == {
        s.marker.item_key for s in specs
    }
    assert full.as_of == jira_clock.now()

    jira_clock.advance(600)
    since = jira_clock.now()
    changed = [created(results[7]).ref, created(results[110]).ref]
    for ref in changed:
        jira_tracker.update(ref, FieldChanges(title="Renamed"))
    settle(jira_clock)
    before = jira_tracker.calls
    recent = jira_tracker.list_tickets(updated_since=since)
    assert sorted(t.ref for t in recent.tickets) == sorted(changed)
    assert all(t.fields.title == "Renamed" for t in recent.tickets)
    assert recent.calls == jira_tracker.calls - before == 2  # the user's time zone, then one page


def test_bulk_create_reports_an_invalid_spec_in_place(jira_tracker: JiraTracker) -> None:
    specs = [spec("pm/1"), spec("pm/2", assignee="no-such-account"), spec("pm/3", assignee=BOB)]
    results = jira_tracker.create_many(specs)
    assert jira_tracker.calls == 1
    first, failed, third = results
    assert created(first).marker == Marker("pm/1")
    assert isinstance(failed, TrackerPermanentError)
    assert failed.status == 400
    assert "pm/2" in str(failed)
    assert "assignee" in str(failed)
    assert created(third).fields.assignee == BOB


def test_bulk_create_where_every_spec_fails(jira_tracker: JiraTracker) -> None:
    results = jira_tracker.create_many([spec("pm/1", assignee="nobody"), spec("pm/2", title=" ")])
    assert all(isinstance(r, TrackerPermanentError) for r in results)
    assert jira_tracker.create_many([]) == []


def test_bulk_create_stops_at_a_chunk_that_fails_as_a_whole(
    jira_tracker: JiraTracker, jira_sandbox: Sandbox
) -> None:
    jira_sandbox.add_fault("rate_limit", "jira", count=1, params={"retry_after": 3})
    results = jira_tracker.create_many([spec(f"pm/{n}") for n in range(60)])
    assert len(results) == 60
    assert all(isinstance(r, TrackerTemporaryError) and r.retry_after == 3 for r in results)
    assert jira_tracker.calls == 1


# --- updates, adoption, comments --------------------------------------------------------


def test_update_each_field(jira_tracker: JiraTracker) -> None:
    ref = jira_tracker.create(spec("pm/u", labels=("sev2",))).ref
    ticket = jira_tracker.update(ref, FieldChanges(title="New title"))
    assert ticket.fields.title == "New title"
    ticket = jira_tracker.update(ref, FieldChanges(due=dt.date(2024, 7, 1), assignee=ALICE))
    assert (ticket.fields.due, ticket.fields.assignee) == (dt.date(2024, 7, 1), ALICE)
    ticket = jira_tracker.update(
        ref, FieldChanges(clear_assignee=True, add_labels=("needs-owner",), remove_labels=("sev2",))
    )
    assert ticket.fields.assignee is None
    assert ticket.fields.labels == (MARKER_LABEL, Marker("pm/u").search_label(), "needs-owner")
    ticket = jira_tracker.update(ref, FieldChanges(body="A new body"))
    assert ticket.body == "A new body"
    assert ticket.marker == Marker("pm/u")  # the property, not the body, is the identity
    before = jira_tracker.calls
    jira_tracker.update(ref, FieldChanges(title="Once more"))
    assert jira_tracker.calls - before == 2  # edit, then the marker property (not in its answer)


def test_update_state_by_transitions(jira_tracker: JiraTracker, jira_sandbox: Sandbox) -> None:
    done = jira_tracker.create(spec("pm/done")).ref
    before = jira_tracker.calls
    assert jira_tracker.update(done, FieldChanges(state=TicketState.DONE)).fields.state == "done"
    assert jira_tracker.calls - before == 3  # read, transitions, transition
    dropped = jira_tracker.create(spec("pm/dropped")).ref
    ticket = jira_tracker.update(dropped, FieldChanges(state=TicketState.DROPPED, title="Dropped"))
    assert (ticket.fields.state, ticket.fields.title) == (TicketState.DROPPED, "Dropped")
    assert jira_tracker.update(dropped, FieldChanges(state=TicketState.OPEN)).fields.state == "open"
    client = raw_client(jira_sandbox)
    client.transition_issue(dropped, "21")  # someone starts work on it: In Progress
    jira_tracker.update(dropped, FieldChanges(state=TicketState.OPEN))
    assert client.issue(dropped).fields.status.name == "In Progress"  # not moved back to To Do
    before = jira_tracker.calls
    assert jira_tracker.update(done, FieldChanges(state=TicketState.DONE)).fields.state == "done"
    assert jira_tracker.calls - before == 1  # already there: a read, no transition


def test_adopt_puts_the_marker_on_an_existing_issue(
    jira_tracker: JiraTracker, jira_sandbox: Sandbox, jira_clock: SimClock
) -> None:
    issue = raw_client(jira_sandbox).create_issue(
        project="OPS", issuetype={"name": "Task"}, summary="Filed by hand", labels=["db"]
    )
    assert jira_tracker.get(issue.key).marker is None
    ticket = jira_tracker.adopt(issue.key, Marker("pm/adopted"), labels=("team-ops",))
    assert ticket.marker == Marker("pm/adopted")
    search_label = Marker("pm/adopted").search_label()
    assert ticket.fields.labels == ("db", MARKER_LABEL, search_label, "team-ops")
    settle(jira_clock)
    found = jira_tracker.find(Marker("pm/adopted"))
    assert found is not None
    assert found.ref == issue.key


def test_comments_ours_and_paging(jira_tracker: JiraTracker, jira_sandbox: Sandbox) -> None:
    ref = jira_tracker.create(spec("pm/c")).ref
    ours = jira_tracker.comment(ref, "This item left the postmortem.", marker="removed:pm/c")
    assert ours.ours
    assert ours.body.endswith("[followthrough:removed:pm/c]")
    client = raw_client(jira_sandbox)
    for n in range(104):
        client.add_comment(ref, f"comment {n}")
    before = jira_tracker.calls
    comments = jira_tracker.comments(ref)
    assert jira_tracker.calls - before == 3  # /myself once, then two pages of 100
    assert len(comments) == 105
    assert comments[0] == ours
    assert comments[1].body == "comment 0"
    # The simulator writes every comment as the API user, so all of them are ours here;
    # `test_comment_ownership_by_tag_or_author` covers someone else's comment.
    assert all(c.ours for c in comments)


def test_get_unknown_and_malformed_refs(jira_tracker: JiraTracker) -> None:
    with pytest.raises(TicketNotFoundError) as missing:
        jira_tracker.get("OPS-999")
    assert missing.value.status == 404
    with pytest.raises(TicketNotFoundError):
        jira_tracker.update("../project/OPS", FieldChanges(title="x"))
    assert jira_tracker.calls == 1  # the malformed ref never reached a URL


# --- errors -----------------------------------------------------------------------------


def test_rate_limit_carries_retry_after(jira_tracker: JiraTracker, jira_sandbox: Sandbox) -> None:
    jira_sandbox.add_fault("rate_limit", "jira", count=1, params={"retry_after": 7})
    with pytest.raises(TrackerTemporaryError) as limited:
        jira_tracker.ping()
    assert (limited.value.status, limited.value.retry_after) == (429, 7.0)
    jira_tracker.ping()


def test_server_error_burst(jira_tracker: JiraTracker, jira_sandbox: Sandbox) -> None:
    jira_sandbox.add_fault("server_error", "jira", count=1, params={"status": 503, "burst": 3})
    for _ in range(3):
        with pytest.raises(TrackerTemporaryError) as unavailable:
            jira_tracker.list_tickets(updated_since=None)
        assert unavailable.value.status == 503
    assert jira_tracker.list_tickets(updated_since=None).tickets == ()


@pytest.mark.parametrize("status", [500, 502])
def test_other_server_errors_are_temporary(
    jira_tracker: JiraTracker, jira_sandbox: Sandbox, status: int
) -> None:
    jira_sandbox.add_fault("server_error", "jira", count=1, params={"status": status})
    with pytest.raises(TrackerTemporaryError) as failed:
        jira_tracker.create(spec("pm/x"))
    assert failed.value.status == status


@pytest.mark.parametrize("when", ["after", "before"])
def test_dropped_connection_is_temporary(
    jira_tracker: JiraTracker, jira_sandbox: Sandbox, when: str
) -> None:
    ref = jira_tracker.create(spec("pm/d")).ref
    jira_sandbox.add_fault("drop", "jira", count=1, params={"when": when, "fraction": 0.3})
    with pytest.raises(TrackerTemporaryError):
        jira_tracker.get(ref)
    assert jira_tracker.get(ref).ref == ref


def test_timeout_is_temporary(
    jira_make_tracker: Callable[..., JiraTracker], jira_sandbox: Sandbox
) -> None:
    tracker = jira_make_tracker(timeout=0.1)
    jira_sandbox.add_fault("latency", "jira", count=1, params={"seconds": 0.3})
    with pytest.raises(TrackerTemporaryError):
        tracker.ping()
    time.sleep(0.3)  # let the slow answer finish before the sandbox stops


def test_unauthorized_is_permanent(
    jira_make_tracker: Callable[..., JiraTracker], jira_sandbox: Sandbox
) -> None:
    with pytest.raises(TrackerPermanentError) as refused:
        jira_make_tracker(token="wrong").ping()
    assert refused.value.status == 401
    jira_sandbox.add_fault("unauthorized", "jira", count=1)
    with pytest.raises(TrackerPermanentError) as faulted:
        jira_make_tracker().create(spec("pm/x"))
    assert faulted.value.status == 401


def test_not_found_on_an_issue_and_on_a_project(
    jira_make_tracker: Callable[..., JiraTracker], jira_sandbox: Sandbox
) -> None:
    tracker = jira_make_tracker()
    ref = tracker.create(spec("pm/n")).ref
    jira_sandbox.add_fault("not_found", "jira", count=1, route_prefix="/rest/api/2/issue/")
    with pytest.raises(TicketNotFoundError):
        tracker.get(ref)
    jira_sandbox.add_fault("not_found", "jira", count=1, route_prefix="/rest/api/2/search")
    with pytest.raises(TrackerPermanentError) as search_404:
        tracker.list_tickets(updated_since=None)
    assert not isinstance(search_404.value, TicketNotFoundError)
    nowhere = jira_make_tracker(project="NOPE")
    with pytest.raises(TrackerPermanentError) as unknown_project:
        nowhere.list_tickets(updated_since=None)
    assert unknown_project.value.status == 400  # JQL naming an unknown project is a 400
    with pytest.raises(TrackerPermanentError):
        nowhere.create(spec("pm/n"))


def test_data_center_uses_a_bearer_token_and_the_v2_search(
    jira_make_tracker: Callable[..., JiraTracker],
) -> None:
    tracker = jira_make_tracker(deployment="datacenter")
    tracker.ping()
    ticket = tracker.create(spec("pm/dc"))
    assert tracker.get(ticket.ref).marker == Marker("pm/dc")
    # The simulator is a Cloud site, where GET /rest/api/2/search is gone (410).
    with pytest.raises(TrackerPermanentError) as gone:
        tracker.list_tickets(updated_since=None)
    assert gone.value.status == 410


def test_call_counter_matches_the_sandbox_accounting(
    jira_tracker: JiraTracker, jira_sandbox: Sandbox, jira_clock: SimClock
) -> None:
    ref = jira_tracker.create(spec("pm/a")).ref
    jira_tracker.create_many([spec("pm/b"), spec("pm/c")])
    settle(jira_clock)
    jira_tracker.find(Marker("pm/a"))
    jira_tracker.list_tickets(updated_since=jira_clock.now() - dt.timedelta(hours=1))
    jira_tracker.update(ref, FieldChanges(state=TicketState.DONE, add_labels=("x",)))
    jira_tracker.comment(ref, "note", marker="m")
    jira_tracker.comments(ref)
    jira_sandbox.add_fault("drop", "jira", count=1)
    with pytest.raises(TrackerTemporaryError):
        jira_tracker.get(ref)
    jira_sandbox.add_fault("rate_limit", "jira", count=1)
    with pytest.raises(TrackerTemporaryError):
        jira_tracker.ping()
    assert jira_tracker.calls == jira_sandbox.accounting.total("jira") == 12


def test_writes_are_paced_and_reads_are_not() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = WritePacer(0.5, monotonic=lambda: now[0], sleep=sleep)
    pacer.before("POST", "http://jira/rest/api/2/issue")
    pacer.before("GET", "http://jira/rest/api/2/issue/OPS-1")
    pacer.before("POST", "http://jira/rest/api/2/search/jql")
    now[0] += 0.2
    pacer.before("PUT", "http://jira/rest/api/2/issue/OPS-1")
    assert slept == [0.3]


# --- cost of a change ------------------------------------------------------------------


def listed(tracker: JiraTracker, clock: SimClock) -> dict[str, Ticket]:
    """A full listing (after the search lag), by reference: the process has seen them all."""
    settle(clock)
    return {t.ref: t for t in tracker.list_tickets(updated_since=None).tickets}


def test_a_field_change_after_a_listing_is_one_call_and_answers_the_whole_ticket(
    jira_tracker: JiraTracker, jira_clock: SimClock, jira_sandbox: Sandbox
) -> None:
    ref = jira_tracker.create(spec("pm/one", assignee=ALICE)).ref
    rekeyed = jira_tracker.create(spec("pm/old-key")).ref
    jira_tracker.adopt(rekeyed, Marker("pm/new-key"), labels=(MARKER_LABEL,))
    listed(jira_tracker, jira_clock)
    for target, changes in (
        (ref, FieldChanges(due=dt.date(2024, 8, 1))),
        (ref, FieldChanges(body="Rewritten by the document")),
        (ref, FieldChanges(title="Renamed", clear_assignee=True)),
        (rekeyed, FieldChanges(title="Rekeyed, then renamed")),
    ):
        before = jira_sandbox.accounting.total("jira")
        ticket = jira_tracker.update(target, changes)
        assert jira_sandbox.accounting.total("jira") - before == 1
        assert ticket == jira_tracker.get(target)
    assert jira_tracker.get(rekeyed).marker == Marker("pm/new-key")


def test_a_field_change_unseen_by_this_process_reads_the_marker_only_when_in_doubt(
    jira_make_tracker: Callable[..., JiraTracker], jira_sandbox: Sandbox
) -> None:
    writer = jira_make_tracker()
    plain = writer.create(spec("pm/plain")).ref
    written_before = writer.create(spec("pm/old")).ref
    # Tickets written before descriptions dropped the marker line still carry it.
    old_body = f"Why: x\n\n{Marker('pm/old').body_line()}"
    raw_client(jira_sandbox).issue(written_before).update(fields={"description": old_body})
    rekeyed = writer.create(spec("pm/was")).ref
    writer.adopt(rekeyed, Marker("pm/is"), labels=(MARKER_LABEL,))
    other = jira_make_tracker(memory=ProjectMemory())  # another process: it has seen nothing
    before = jira_sandbox.accounting.total("jira")
    assert other.update(written_before, FieldChanges(title="A")).marker == Marker("pm/old")
    assert jira_sandbox.accounting.total("jira") - before == 1  # marker line and label agree
    before = jira_sandbox.accounting.total("jira")
    assert other.update(plain, FieldChanges(title="A")).marker == Marker("pm/plain")
    assert jira_sandbox.accounting.total("jira") - before == 2  # no line: edit, then property
    before = jira_sandbox.accounting.total("jira")
    assert other.update(rekeyed, FieldChanges(title="B")).marker == Marker("pm/is")
    assert jira_sandbox.accounting.total("jira") - before == 2  # edit, then the property


def test_a_state_change_costs_the_transition_once_the_way_is_known(
    jira_tracker: JiraTracker, jira_clock: SimClock, jira_sandbox: Sandbox
) -> None:
    first, second = (jira_tracker.create(spec(f"pm/s{n}")).ref for n in (1, 2))
    listed(jira_tracker, jira_clock)
    before = jira_sandbox.accounting.total("jira")
    done = jira_tracker.update(first, FieldChanges(state=TicketState.DONE))
    assert jira_sandbox.accounting.total("jira") - before == 2  # the transitions, the transition
    read = jira_tracker.get(first)
    assert done == replace(read, updated=done.updated, closed=done.closed)
    assert done.closed is not None
    assert read.closed is not None
    assert abs((done.closed - read.closed).total_seconds()) < 1  # the answer's Date header
    before = jira_sandbox.accounting.total("jira")
    jira_tracker.update(second, FieldChanges(state=TicketState.DONE))
    assert jira_sandbox.accounting.total("jira") - before == 1  # the way from To Do is known
    before = jira_sandbox.accounting.total("jira")
    both = jira_tracker.update(second, FieldChanges(state=TicketState.OPEN, title="Reopened"))
    assert jira_sandbox.accounting.total("jira") - before == 3  # edit, transitions, transition
    assert (both.fields.state, both.fields.title) == (TicketState.OPEN, "Reopened")
    assert jira_tracker.get(second).fields.state == TicketState.OPEN


def test_a_remembered_transition_that_jira_refuses_is_looked_up_again(
    jira_tracker: JiraTracker, jira_clock: SimClock, jira_sandbox: Sandbox
) -> None:
    first, second = (jira_tracker.create(spec(f"pm/r{n}")).ref for n in (1, 2))
    listed(jira_tracker, jira_clock)
    jira_tracker.update(first, FieldChanges(state=TicketState.DONE))  # learns To Do → Done
    raw_client(jira_sandbox).transition_issue(second, "31")  # a person closes it meanwhile
    ticket = jira_tracker.update(second, FieldChanges(state=TicketState.DONE))
    assert ticket.fields.state == TicketState.DONE
    assert raw_client(jira_sandbox).issue(second).fields.status.name == "Done"


def test_adopt_is_one_call(jira_tracker: JiraTracker, jira_sandbox: Sandbox) -> None:
    issue = raw_client(jira_sandbox).create_issue(
        project="OPS", issuetype={"name": "Task"}, summary="Filed by hand"
    )
    before = jira_sandbox.accounting.total("jira")
    ticket = jira_tracker.adopt(issue.key, Marker("pm/adopted"), labels=(MARKER_LABEL,))
    assert jira_sandbox.accounting.total("jira") - before == 1
    assert ticket == jira_tracker.get(issue.key)


# --- the tracker's clock -----------------------------------------------------------------


def test_a_listing_is_complete_up_to_jiras_time_not_ours(
    jira_make_tracker: Callable[..., JiraTracker], jira_clock: SimClock
) -> None:
    behind = dt.timedelta(minutes=-10)
    tracker = jira_make_tracker(clock=lambda: jira_clock.now() + behind)
    assert tracker.list_tickets(updated_since=None).as_of == jira_clock.now()


def test_the_listing_date_is_written_in_the_users_zone(
    jira_tracker: JiraTracker, jira_clock: SimClock, jira_sandbox: Sandbox
) -> None:
    app = jira_sandbox.app("jira")
    app.configure({"time_zone": "America/Los_Angeles"})  # type: ignore[attr-defined]
    ref = jira_tracker.create(spec("pm/zoned")).ref
    updated = jira_clock.now()
    settle(jira_clock)
    assert [t.ref for t in jira_tracker.list_tickets(updated_since=updated).tickets] == [ref]
    later = updated + dt.timedelta(minutes=2)  # past the listing's one-minute margin
    assert jira_tracker.list_tickets(updated_since=later).tickets == ()
