"""`GitHubTracker` against the GitHub simulator, through PyGithub's requester."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from github import Github

from followthrough.adapters.trackers import github_body as gb
from followthrough.adapters.trackers.github import GitHubTracker
from followthrough.adapters.trackers.github_http import status_error
from followthrough.adapters.trackers.memory import ProjectMemory
from followthrough.domain.tickets import (
    MARKER_LABEL,
    FieldChanges,
    Marker,
    Ticket,
    TicketFields,
    TicketSpec,
    TicketState,
)
from followthrough.ports import (
    TicketNotFoundError,
    TrackerPermanentError,
    TrackerTemporaryError,
)
from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.github import GitHubApp
from followthrough.sandbox.github_issues import Writer, add_comment
from tests.github_client import github_client

DUE = dt.date(2024, 6, 1)
NASTY_KEYS = (
    "ünïcødé ✓ 事後検証",
    "pm-7#item-3",
    "team/pm/2024-05-01/3",
    "ends with --> here",
    "<!-- followthrough:begin -->",
    "Item-A",
    "item-a",
)


def spec(key: str, title: str = "Rotate the TLS certificates", **fields: Any) -> TicketSpec:
    body = fields.pop("body", "Why: expired certificates took the API down.")
    url = fields.pop("postmortem_url", None)
    return TicketSpec(
        marker=Marker(item_key=key),
        fields=TicketFields(title=title, **fields),
        body=body,
        postmortem_url=url,
    )


def human_client(sandbox: Sandbox, path: str = "") -> Github:
    """PyGithub as a person would use it (the sandbox has one token)."""
    info = sandbox.info()
    return github_client(info["github"] + path, info["token"])


def set_body(sandbox: Sandbox, number: int, body: str) -> None:
    human_client(sandbox).get_repo("acme/ops").get_issue(number).edit(body=body)


def number_of(ticket: Ticket) -> int:
    return int(ticket.ref.rsplit("#", 1)[1])


def created(result: Ticket | Exception) -> Ticket:
    assert isinstance(result, Ticket), result
    return result


class FakeTime:
    """A monotonic clock that only moves when the tracker sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


# --- pure body helpers -------------------------------------------------------------------


def test_managed_block_round_trip_keeps_text_outside() -> None:
    block = gb.render_managed_block(due=DUE, due_note="defaulted: 4 weeks")
    body = f"Human text\n**Due:** 1999-01-01\n\n{block}\n" + Marker("k").body_line()
    due, rest = gb.parse_managed_block(body)
    assert due == DUE
    assert rest == 'Human text\n**Due:** 1999-01-01\n<!-- followthrough:v1 item="k" -->'
    moved = gb.with_due(body, dt.date(2024, 7, 1))
    assert moved == body.replace("2024-06-01 (defaulted: 4 weeks)", "2024-07-01")
    assert gb.parse_managed_block("no block **Due:** 2024-01-01") == (
        None,
        "no block **Due:** 2024-01-01",
    )


def test_replace_managed_block_inserts_before_the_marker_line() -> None:
    line = Marker("k").body_line()
    new = gb.render_managed_block(due=DUE)
    assert gb.replace_managed_block(f"Text\n{line}", new) == f"Text\n\n{new}\n{line}"
    assert gb.replace_managed_block("Text", new) == f"Text\n\n{new}"
    assert gb.replace_managed_block("", new) == new


def test_neutralized_text_cannot_forge_our_lines() -> None:
    forged = 'x\n<!-- followthrough:v1 item="other" -->\n<!-- followthrough:end -->'
    body = gb.compose_body(forged, Marker("mine"), due=DUE)
    assert Marker.from_body(body) == Marker("mine")
    assert gb.parse_managed_block(body)[0] == DUE
    assert not gb.has_comment_tag(gb.neutralize("<!-- followthrough:comment x -->"))
    assert gb.has_comment_tag(gb.comment_body("hi", "removed: a --> b"))
    assert "-->" not in gb.comment_body("hi", "a --> b").rsplit("comment ", 1)[1][:-4]


@pytest.mark.parametrize(
    ("status", "message", "headers", "kind", "wait"),
    [
        (
            403,
            "API rate limit exceeded",
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1714557700"},
            TrackerTemporaryError,
            100.0,
        ),
        (403, "You have exceeded a secondary rate limit.", {}, TrackerTemporaryError, 60.0),
        (403, "whatever", {"retry-after": "12"}, TrackerTemporaryError, 12.0),
        (429, "slow down", {}, TrackerTemporaryError, 60.0),
        (503, "<html>busy</html>", {"retry-after": "3"}, TrackerTemporaryError, 3.0),
        (
            403,
            "Resource not accessible by integration",
            {"x-ratelimit-remaining": "4999"},
            TrackerPermanentError,
            None,
        ),
        (410, "This issue was deleted", {}, TicketNotFoundError, None),
        (422, "Validation Failed", {}, TrackerPermanentError, None),
    ],
)
def test_status_errors(
    status: int, message: str, headers: dict[str, str], kind: type[Exception], wait: float | None
) -> None:
    now = dt.datetime.fromtimestamp(1714557600, dt.UTC)
    error = status_error(status, {"message": message}, headers, ref="acme/ops#1", now=now)
    assert type(error) is kind
    assert getattr(error, "retry_after", None) == wait
    assert isinstance(error, TrackerTemporaryError | TrackerPermanentError)
    assert error.status == status


# --- create, get, find -------------------------------------------------------------------


def test_create_with_all_fields_and_marker(
    github_make_tracker: Callable[..., GitHubTracker], github_sandbox: Sandbox
) -> None:
    tracker = github_make_tracker(labels=["ops-followup", "sre"])
    wanted = spec(
        "pm-1/item-1",
        assignee="alice",
        due=DUE,
        labels=("sre", "P1"),
        postmortem_url="https://wiki.example.com/pm/2024-05-01 db (outage).md",
    )
    ticket = tracker.create(wanted)
    assert ticket.ref == "acme/ops#1"
    assert ticket.url.endswith("/acme/ops/issues/1")
    assert ticket.fields == TicketFields(
        title="Rotate the TLS certificates",
        assignee="alice",
        due=DUE,
        state=TicketState.OPEN,
        labels=(MARKER_LABEL, "sre", "P1", "ops-followup"),
    )
    assert ticket.marker == Marker("pm-1/item-1")
    assert ticket.tracker_id
    assert ticket.body.startswith(wanted.body + "\n\n" + gb.BEGIN)
    assert "**Postmortem:** [https://wiki.example.com/pm/2024-05-01 db (outage).md]" in ticket.body
    assert "(https://wiki.example.com/pm/2024-05-01%20db%20%28outage%29.md)" in ticket.body
    assert ticket.body.endswith('\n<!-- followthrough:v1 item="pm-1/item-1" -->')
    assert tracker.get("acme/ops#1") == tracker.get("#1") == ticket
    assert github_sandbox.accounting.counts("github")["POST /repos/{owner}/{repo}/issues"] == 1


def test_create_closed_and_without_due(github_tracker: GitHubTracker) -> None:
    ticket = github_tracker.create(spec("k", state=TicketState.DROPPED))
    assert ticket.fields.state == TicketState.DROPPED
    assert ticket.fields.due is None
    assert "**Due:** none" in ticket.body


def test_find_right_after_create_without_search_lag(
    github_make_tracker: Callable[..., GitHubTracker], github_sandbox: Sandbox
) -> None:
    writer = github_make_tracker()
    writer.create(spec("pm-1/a"))
    reader = github_make_tracker()  # a fresh process: nothing indexed yet
    github_sandbox.accounting.reset()
    found = reader.find(Marker("pm-1/a"))
    assert found is not None
    assert found.ref == "acme/ops#1"
    assert reader.find(Marker("pm-1/b")) is None
    counts = github_sandbox.accounting.counts("github")
    assert "GET /search/issues" not in counts
    # Known keys are then read directly; unknown ones list again (a 304 when nothing changed).
    assert reader.find(Marker("pm-1/a")) == found
    assert (
        github_sandbox.accounting.counts("github")["GET /repos/{owner}/{repo}/issues/{number}"] == 1
    )


def test_find_ignores_unlabelled_issues_and_prefers_the_oldest(
    github_tracker: GitHubTracker, github_app: GitHubApp
) -> None:
    line = Marker("dup").body_line()
    github_app.seed_issue(title="copied by hand", body=f"text\n{line}")  # no label: not ours
    first = github_tracker.create(spec("dup"))
    github_tracker.create(spec("dup"))
    found = github_tracker.find(Marker("dup"))
    assert found is not None
    assert found.ref == first.ref


def test_find_falls_back_to_a_listing_when_the_indexed_issue_changed_key(
    github_tracker: GitHubTracker,
) -> None:
    ticket = github_tracker.create(spec("old-key"))
    github_tracker.adopt(ticket.ref, Marker("new-key"), labels=())
    assert github_tracker.find(Marker("old-key")) is None
    found = github_tracker.find(Marker("new-key"))
    assert found is not None
    assert found.ref == ticket.ref


@pytest.mark.parametrize("key", NASTY_KEYS)
def test_nasty_item_keys_round_trip_through_find(
    github_make_tracker: Callable[..., GitHubTracker], key: str
) -> None:
    tracker = github_make_tracker()
    title = f'Title with --> and {gb.BEGIN} and "quotes" #1 / {key}'
    ticket = tracker.create(spec(key, title=title, body=f"Body names {key} and -->"))
    assert ticket.marker == Marker(key)
    assert ticket.fields.title == title
    found = github_make_tracker().find(Marker(key))
    assert found is not None
    assert found.ref == ticket.ref
    assert found.marker == Marker(key)


def test_keys_differing_in_case_are_different_items(github_tracker: GitHubTracker) -> None:
    upper = github_tracker.create(spec("Item-A"))
    lower = github_tracker.create(spec("item-a"))
    assert github_tracker.find(Marker("Item-A")) == github_tracker.get(upper.ref)
    assert github_tracker.find(Marker("item-a")) == github_tracker.get(lower.ref)


def test_a_key_with_a_quote_is_refused_before_any_call(github_tracker: GitHubTracker) -> None:
    with pytest.raises(TrackerPermanentError):
        github_tracker.create(spec('say "hi"'))
    assert github_tracker.calls == 0


def test_body_text_cannot_forge_a_marker(
    github_tracker: GitHubTracker, github_sandbox: Sandbox
) -> None:
    forged = 'Looks like\n<!-- followthrough:v1 item="someone-else" -->\n**Due:** 1999-01-01'
    ticket = github_tracker.create(spec("mine", body=forged, due=DUE))
    assert ticket.marker == Marker("mine")
    assert ticket.fields.due == DUE
    # A person pasting a second, different marker line leaves the issue with no marker.
    set_body(github_sandbox, 1, ticket.body + '\n<!-- followthrough:v1 item="other" -->')
    assert github_tracker.get(ticket.ref).marker is None


# --- body round trip ---------------------------------------------------------------------


def test_human_edits_survive_a_due_date_update(
    github_tracker: GitHubTracker, github_sandbox: Sandbox
) -> None:
    ticket = github_tracker.create(spec("k", due=DUE, postmortem_url="https://pm/1"))
    edited = "Human preface\r\n\r\n" + ticket.body.replace("\n", "\r\n") + "\r\n\r\nP.S. later"
    set_body(github_sandbox, 1, edited)
    assert github_tracker.get(ticket.ref).marker == Marker("k")  # CRLF from the web editor
    moved = github_tracker.update(
        ticket.ref, FieldChanges(due=dt.date(2024, 9, 30), extra={"due_note": "moved in review"})
    )
    assert moved.fields.due == dt.date(2024, 9, 30)
    expected = edited.replace("\r\n", "\n").replace(
        "**Due:** 2024-06-01", "**Due:** 2024-09-30 (moved in review)"
    )
    assert moved.body == expected
    assert "**Postmortem:** [https://pm/1](https://pm/1)" in moved.body


def test_a_deleted_block_comes_back_only_with_a_due_date(
    github_tracker: GitHubTracker, github_sandbox: Sandbox
) -> None:
    ticket = github_tracker.create(spec("k", due=DUE))
    block = gb.managed_block(ticket.body)
    assert block is not None
    stripped = ticket.body.replace(block + "\n", "")
    set_body(github_sandbox, 1, stripped)
    assert github_tracker.get(ticket.ref).fields.due is None
    retitled = github_tracker.update(ticket.ref, FieldChanges(title="New title"))
    assert retitled.body == stripped
    pushed = github_tracker.update(ticket.ref, FieldChanges(due=DUE))
    assert pushed.fields.due == DUE
    assert pushed.marker == Marker("k")
    assert pushed.body.endswith(gb.render_managed_block(due=DUE) + "\n" + Marker("k").body_line())
    assert pushed.body.startswith(spec("k").body)


def test_body_change_replaces_only_the_human_text(github_tracker: GitHubTracker) -> None:
    ticket = github_tracker.create(spec("k", due=DUE))
    changed = github_tracker.update(ticket.ref, FieldChanges(body="New description"))
    assert changed.body == "New description\n\n" + ticket.body.split("\n\n", 1)[1]
    assert changed.fields.due == DUE
    assert changed.marker == Marker("k")


# --- listing -----------------------------------------------------------------------------


def seed_ours(app: GitHubApp, count: int) -> None:
    for n in range(count):
        body = gb.compose_body(f"item {n}", Marker(f"k{n}"), due=DUE)
        app.seed_issue(
            title=f"Item {n}", body=body, labels=(MARKER_LABEL,), user="followthrough-bot"
        )


def test_list_full_and_incremental_with_more_than_a_page(
    github_tracker: GitHubTracker,
    github_app: GitHubApp,
    github_clock: SimClock,
    github_sandbox: Sandbox,
) -> None:
    seed_ours(github_app, 130)
    github_app.seed_issue(title="not ours", body="x")
    full = github_tracker.list_tickets(updated_since=None)
    assert len(full.tickets) == 130
    assert full.calls == 2
    assert full.as_of == github_clock.now()
    assert {t.marker.item_key for t in full.tickets if t.marker} == {f"k{n}" for n in range(130)}
    assert all(t.fields.due == DUE for t in full.tickets)

    # A quiet repeat of the full listing costs 304s, which use no rate limit.
    used = github_app.state.rate["core"].used
    quiet = github_tracker.list_tickets(updated_since=None)
    assert quiet.calls == 2
    assert github_app.state.rate["core"].used == used
    assert quiet.tickets == full.tickets

    github_clock.advance(60)
    since = github_clock.now()
    github_tracker.update("acme/ops#5", FieldChanges(title="Changed"))
    github_tracker.update("acme/ops#120", FieldChanges(state=TicketState.DONE))
    batch = github_tracker.list_tickets(updated_since=since)
    assert sorted(t.ref for t in batch.tickets) == ["acme/ops#120", "acme/ops#5"]
    assert batch.calls == 1

    # After a change the pages are read again, and show it.
    again = github_tracker.list_tickets(updated_since=None)
    assert {t.ref: t.fields.title for t in again.tickets}["acme/ops#5"] == "Changed"
    # The index built by the listing serves find with one read.
    before = github_tracker.calls
    assert github_tracker.find(Marker("k77")) is not None
    assert github_tracker.calls - before == 1


def test_listing_maps_states_and_skips_pull_requests(
    github_tracker: GitHubTracker, github_sandbox: Sandbox
) -> None:
    done = github_tracker.create(spec("done"))
    github_tracker.update(done.ref, FieldChanges(state=TicketState.DONE))
    dropped = github_tracker.create(spec("dropped"))
    github_tracker.update(dropped.ref, FieldChanges(state=TicketState.DROPPED))
    github_tracker.create(spec("open"))
    states = {
        t.marker.item_key: t.fields.state
        for t in github_tracker.list_tickets(updated_since=None).tickets
        if t.marker
    }
    assert states == {
        "done": TicketState.DONE,
        "dropped": TicketState.DROPPED,
        "open": TicketState.OPEN,
    }


# --- update, adopt, comments -------------------------------------------------------------


def test_update_fields_labels_and_states(github_tracker: GitHubTracker) -> None:
    ticket = github_tracker.create(spec("k", assignee="alice", labels=("sre",)))
    changed = github_tracker.update(
        ticket.ref,
        FieldChanges(
            title="Renamed", assignee="bob", add_labels=("P1", "sre"), remove_labels=("sre",)
        ),
    )
    assert changed.fields.title == "Renamed"
    assert changed.fields.assignee == "bob"
    assert changed.fields.labels == (MARKER_LABEL, "P1")
    cleared = github_tracker.update(ticket.ref, FieldChanges(clear_assignee=True))
    assert cleared.fields.assignee is None
    unchanged = github_tracker.update(ticket.ref, FieldChanges(remove_labels=("not-there",)))
    assert unchanged.fields.labels == (MARKER_LABEL, "P1")
    assert github_tracker.update(ticket.ref, FieldChanges(state=TicketState.DONE)).fields.state == (
        TicketState.DONE
    )
    assert github_tracker.update(
        ticket.ref, FieldChanges(state=TicketState.DROPPED)
    ).fields.state == (TicketState.DROPPED)
    reopened = github_tracker.update(ticket.ref, FieldChanges(state=TicketState.OPEN))
    assert reopened.fields.state == TicketState.OPEN
    assert github_tracker.update(ticket.ref, FieldChanges()) == reopened


def test_update_costs(github_tracker: GitHubTracker) -> None:
    ticket = github_tracker.create(spec("k", due=DUE))
    costs = []
    for changes in (
        FieldChanges(title="t", assignee="bob", state=TicketState.DONE),
        FieldChanges(due=dt.date(2024, 7, 1)),
        FieldChanges(add_labels=("a", "b")),
        FieldChanges(due=dt.date(2024, 8, 1), add_labels=("c",), remove_labels=("a",)),
    ):
        before = github_tracker.calls
        github_tracker.update(ticket.ref, changes)
        costs.append(github_tracker.calls - before)
    assert costs == [1, 2, 2, 4]


def test_adopt_an_issue_a_person_wrote(
    github_tracker: GitHubTracker, github_app: GitHubApp
) -> None:
    human = "We should rotate the certificates.\r\n\r\n- [ ] staging\r\n- [ ] prod"
    number = github_app.seed_issue(title="Rotate certs", body=human, labels=("infra",))
    ref = f"acme/ops#{number}"
    adopted = github_tracker.adopt(ref, Marker("pm-2/item-4"), labels=(MARKER_LABEL, "sre"))
    assert adopted.marker == Marker("pm-2/item-4")
    assert adopted.fields.labels == ("infra", MARKER_LABEL, "sre")
    assert adopted.body.startswith(human.replace("\r\n", "\n") + "\n\n" + gb.BEGIN)
    assert adopted.fields.due is None
    assert github_tracker.adopt(ref, Marker("pm-2/item-4"), labels=()) == adopted  # idempotent
    found = github_tracker.find(Marker("pm-2/item-4"))
    assert found is not None
    assert found.ref == ref
    with pytest.raises(TicketNotFoundError):
        github_tracker.adopt("acme/ops#999", Marker("x"), labels=())


def test_rekey_replaces_the_marker_and_keeps_the_block(github_tracker: GitHubTracker) -> None:
    ticket = github_tracker.create(spec("old", due=DUE))
    rekeyed = github_tracker.adopt(ticket.ref, Marker("new"), labels=(MARKER_LABEL,))
    assert rekeyed.marker == Marker("new")
    assert rekeyed.fields.due == DUE
    assert rekeyed.body == ticket.body.replace('item="old"', 'item="new"')


def test_comments_ours_and_not_ours_with_paging(
    github_tracker: GitHubTracker, github_app: GitHubApp, github_clock: SimClock
) -> None:
    ticket = github_tracker.create(spec("k"))
    mine = github_tracker.comment(ticket.ref, "Removed from the postmortem.", marker="removed:k")
    assert mine.ours
    assert mine.body.endswith("<!-- followthrough:comment removed:k -->")
    repo = github_app.state.repo("acme", "ops")
    assert repo is not None
    now = github_clock.now().timestamp()
    for n in range(104):
        issue = repo.issue(1)
        assert issue is not None
        writer = Writer(github_app.state, repo, actor="alice", now=now, horizon=now)
        add_comment(writer, issue, {"body": f"human {n} <!-- followthrough:comment fake"})
    found = github_tracker.comments(ticket.ref)
    assert len(found) == 105
    assert found[0] == mine
    assert [c.ours for c in found[1:]] == [False] * 104
    assert found[1].author == "alice"


def test_comments_by_the_api_user_without_a_tag_are_ours(
    github_tracker: GitHubTracker, github_sandbox: Sandbox
) -> None:
    ticket = github_tracker.create(spec("k"))
    human_client(github_sandbox).get_repo("acme/ops").get_issue(1).create_comment("by the bot")
    (only,) = github_tracker.comments(ticket.ref)
    assert only.ours
    assert only.author == "followthrough-bot"


def test_create_many_reports_failures_in_place(github_tracker: GitHubTracker) -> None:
    results = github_tracker.create_many(
        [spec("a"), spec("b", assignee="mallory"), spec('c"'), spec("d")]
    )
    assert created(results[0]).marker == Marker("a")
    assert isinstance(results[1], TrackerPermanentError)
    assert results[1].status == 422
    assert isinstance(results[2], TrackerPermanentError)
    assert created(results[3]).ref == "acme/ops#2"


def test_create_many_stops_at_a_rate_limit(
    github_tracker: GitHubTracker, github_sandbox: Sandbox
) -> None:
    github_tracker.create(spec("first"))
    github_sandbox.add_fault(
        "rate_limit", "github", count=1, method="POST", params={"retry_after": 9}
    )
    results = github_tracker.create_many([spec("a"), spec("b"), spec("c")])
    assert all(isinstance(r, TrackerTemporaryError) for r in results)
    assert github_sandbox.accounting.counts("github")["POST /repos/{owner}/{repo}/issues"] == 2


# --- pacing, counting, Enterprise ------------------------------------------------------------


def test_writes_are_paced_with_the_injected_sleeper(
    github_make_tracker: Callable[..., GitHubTracker],
) -> None:
    fake = FakeTime()
    tracker = github_make_tracker(
        min_write_interval=1.0, monotonic=fake.monotonic, sleep=fake.sleep
    )
    tracker.create_many([spec("a"), spec("b"), spec("c")])
    assert fake.sleeps == [1.0, 1.0]
    tracker.list_tickets(updated_since=None)
    tracker.get("acme/ops#1")
    assert fake.sleeps == [1.0, 1.0]  # reads are not paced
    fake.now += 5
    tracker.update("acme/ops#1", FieldChanges(title="x"))
    assert fake.sleeps == [1.0, 1.0]


def test_call_counter_matches_the_sandbox_accounting(
    github_tracker: GitHubTracker, github_sandbox: Sandbox
) -> None:
    github_tracker.ping()
    ticket = github_tracker.create(spec("k", due=DUE))
    github_tracker.update(ticket.ref, FieldChanges(due=dt.date(2024, 7, 1), add_labels=("x",)))
    github_tracker.list_tickets(updated_since=None)
    github_tracker.list_tickets(updated_since=None)
    github_tracker.find(Marker("k"))
    github_tracker.find(Marker("unknown"))
    github_tracker.comment(ticket.ref, "hi", marker="m")
    github_tracker.comments(ticket.ref)
    github_sandbox.add_fault("server_error", "github", count=1)
    with pytest.raises(TrackerTemporaryError):
        github_tracker.get(ticket.ref)
    assert github_tracker.calls == github_sandbox.accounting.total("github")


def test_enterprise_base_url(
    github_make_tracker: Callable[..., GitHubTracker], github_sandbox: Sandbox
) -> None:
    base = github_sandbox.info()["github"]
    tracker = github_make_tracker(base_url=base + "/api/v3/")
    tracker.ping()
    ticket = tracker.create(spec("k", due=DUE))
    assert ticket.url == f"{base}/acme/ops/issues/1"
    seed = tracker.list_tickets(updated_since=None)
    assert [t.ref for t in seed.tickets] == [ticket.ref]
    assert tracker.find(Marker("k")) == ticket
    assert tracker.comments(ticket.ref) == []


def test_consistency_window_is_zero(github_tracker: GitHubTracker) -> None:
    assert github_tracker.consistency_window() == dt.timedelta(0)


def test_bad_repo_names_and_refs(github_tracker: GitHubTracker) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        GitHubTracker(token="t", repo="acme")
    for ref in ("acme/other#1", "OPS-1", "acme/ops#0", "acme/ops#x", "acme/ops#1/../2"):
        with pytest.raises(TicketNotFoundError):
            github_tracker.get(ref)
    assert github_tracker.calls == 0


# --- errors ------------------------------------------------------------------------------


def test_primary_rate_limit_429_carries_retry_after(
    github_tracker: GitHubTracker, github_sandbox: Sandbox
) -> None:
    github_sandbox.add_fault("rate_limit", "github", count=1, params={"retry_after": 7})
    with pytest.raises(TrackerTemporaryError) as caught:
        github_tracker.list_tickets(updated_since=None)
    assert caught.value.status == 429
    assert caught.value.retry_after == 7


def test_primary_rate_limit_403_without_retry_after_waits_for_the_reset(
    github_tracker: GitHubTracker, github_app: GitHubApp
) -> None:
    github_app.configure({"enforce_rate_limit": True, "core_limit": 2})
    github_tracker.ping()
    github_tracker.ping()
    with pytest.raises(TrackerTemporaryError) as caught:
        github_tracker.ping()
    assert caught.value.status == 403
    assert caught.value.retry_after == 3600


def test_secondary_rate_limit_403(github_tracker: GitHubTracker, github_sandbox: Sandbox) -> None:
    github_sandbox.add_fault(
        "rate_limit", "github", count=1, params={"variant": "secondary", "retry_after": 61}
    )
    with pytest.raises(TrackerTemporaryError) as caught:
        github_tracker.create(spec("k"))
    assert caught.value.status == 403
    assert caught.value.retry_after == 61


def test_server_error_burst(github_tracker: GitHubTracker, github_sandbox: Sandbox) -> None:
    github_sandbox.add_fault("server_error", "github", count=1, params={"status": 502, "burst": 3})
    for _ in range(3):
        with pytest.raises(TrackerTemporaryError) as caught:
            github_tracker.ping()
        assert caught.value.status == 502
    github_tracker.ping()


@pytest.mark.parametrize("when", ["after", "before"])
def test_dropped_connection_is_temporary(
    github_tracker: GitHubTracker, github_sandbox: Sandbox, when: str
) -> None:
    github_tracker.create(spec("k"))
    github_sandbox.add_fault("drop", "github", count=1, params={"when": when, "fraction": 0.3})
    with pytest.raises(TrackerTemporaryError):
        github_tracker.list_tickets(updated_since=None)
    assert len(github_tracker.list_tickets(updated_since=None).tickets) == 1


def test_timeout_is_temporary(
    github_make_tracker: Callable[..., GitHubTracker], github_sandbox: Sandbox
) -> None:
    tracker = github_make_tracker(timeout=0.2)  # whole seconds for PyGithub: 1 s
    github_sandbox.add_fault("latency", "github", count=1, params={"seconds": 1.2})
    with pytest.raises(TrackerTemporaryError):
        tracker.ping()
    time.sleep(0.3)  # let the slow answer finish before the sandbox stops


def test_unauthorized_is_permanent(
    github_make_tracker: Callable[..., GitHubTracker], github_sandbox: Sandbox
) -> None:
    with pytest.raises(TrackerPermanentError) as caught:
        github_make_tracker(token="wrong").ping()
    assert caught.value.status == 401
    tracker = github_make_tracker()
    github_sandbox.add_fault("unauthorized", "github", count=1)
    with pytest.raises(TrackerPermanentError) as again:
        tracker.create(spec("k"))
    assert again.value.status == 401
    assert not isinstance(again.value, TicketNotFoundError)


def test_not_found_on_an_issue_and_on_a_repository(
    github_make_tracker: Callable[..., GitHubTracker], github_sandbox: Sandbox
) -> None:
    tracker = github_make_tracker()
    with pytest.raises(TicketNotFoundError):
        tracker.get("acme/ops#42")
    with pytest.raises(TicketNotFoundError):
        tracker.update("acme/ops#42", FieldChanges(title="x"))
    with pytest.raises(TicketNotFoundError):
        tracker.comments("acme/ops#42")
    github_sandbox.add_fault("not_found", "github", count=1, route_prefix="/repos/acme/ops/issues")
    with pytest.raises(TrackerPermanentError) as listing:
        tracker.list_tickets(updated_since=None)
    assert listing.value.status == 404
    assert not isinstance(listing.value, TicketNotFoundError)
    missing = github_make_tracker(repo="acme/missing")
    with pytest.raises(TrackerPermanentError) as repo:
        missing.ping()
    assert not isinstance(repo.value, TicketNotFoundError)


def test_validation_failure_is_permanent(github_tracker: GitHubTracker) -> None:
    with pytest.raises(TrackerPermanentError) as caught:
        github_tracker.create(spec("k", title="   "))
    assert caught.value.status == 422


# --- cost of a change, and the tracker's clock ------------------------------------------


def test_a_due_change_after_a_listing_is_one_call_and_keeps_a_persons_text(
    github_tracker: GitHubTracker, github_sandbox: Sandbox, github_clock: SimClock
) -> None:
    ticket = github_tracker.create(spec("k", due=DUE))
    number = int(ticket.ref.rsplit("#", 1)[1])
    edited = ticket.body.replace("Why:", "Why (a person's words):")
    set_body(github_sandbox, number, edited)
    github_clock.advance(60)
    listing = github_tracker.list_tickets(updated_since=None)
    assert [t.body for t in listing.tickets] == [edited]
    before = github_sandbox.accounting.total("github")
    changed = github_tracker.update(ticket.ref, FieldChanges(due=dt.date(2024, 7, 1)))
    assert github_sandbox.accounting.total("github") - before == 1
    assert changed == github_tracker.get(ticket.ref)
    assert changed.fields.due == dt.date(2024, 7, 1)
    assert "Why (a person's words):" in changed.body


def test_a_due_change_reads_the_body_first_when_no_listing_vouches_for_it(
    github_make_tracker: Callable[..., GitHubTracker],
    github_sandbox: Sandbox,
    github_clock: SimClock,
) -> None:
    tracker = github_make_tracker(memory=ProjectMemory())
    ticket = tracker.create(spec("k", due=DUE))
    tracker.list_tickets(updated_since=None)
    # Someone else's listing moved the shared cursor on: this one starts after a gap.
    github_clock.advance(600)
    tracker.list_tickets(updated_since=github_clock.now() - dt.timedelta(minutes=1))
    before = github_sandbox.accounting.total("github")
    tracker.update(ticket.ref, FieldChanges(due=dt.date(2024, 7, 1)))
    assert github_sandbox.accounting.total("github") - before == 2  # read, then write


def test_a_listing_is_complete_up_to_githubs_time_not_ours(
    github_make_tracker: Callable[..., GitHubTracker], github_clock: SimClock
) -> None:
    ahead = dt.timedelta(minutes=10)
    tracker = github_make_tracker(clock=lambda: github_clock.now() + ahead)
    assert tracker.list_tickets(updated_since=None).as_of == github_clock.now()
    assert tracker.list_tickets(updated_since=None).as_of == github_clock.now()  # a 304 too


def test_adopting_a_persons_issue_is_a_read_and_one_write_and_keeps_their_labels(
    github_tracker: GitHubTracker, github_app: GitHubApp, github_sandbox: Sandbox
) -> None:
    number = github_app.seed_issue(title="Rotate certs", body="By hand.", labels=("infra",))
    ref = f"acme/ops#{number}"
    before = github_sandbox.accounting.total("github")
    adopted = github_tracker.adopt(ref, Marker("pm-9/item-1"), labels=(MARKER_LABEL, "sre"))
    assert github_sandbox.accounting.total("github") - before == 2
    assert adopted == github_tracker.get(ref)
    assert adopted.fields.labels == ("infra", MARKER_LABEL, "sre")
    github_tracker.list_tickets(updated_since=None)
    before = github_sandbox.accounting.total("github")
    rekeyed = github_tracker.adopt(ref, Marker("pm-9/item-2"), labels=(MARKER_LABEL,))
    assert github_sandbox.accounting.total("github") - before == 1  # listed: no read first
    assert rekeyed.marker == Marker("pm-9/item-2")
