"""The planner: a pure function from desired state and actual state to a `Plan`.

Inputs are the team's items (from postmortems), its policy, the tickets a tracker holds
(by marker), the journal's links with last-synced values, and the time. Nothing here does
I/O; the engine applies the plan. The rules, in order of precedence:

- an item with an unconfirmed write from an earlier cycle is held until it is confirmed;
- an item whose ticket is known is reconciled three-way per field: a value changed in the
  document since the last sync is pushed; a value changed only in the tracker is left alone;
  done/dropped items are closed but a closed ticket is never reopened;
- a ticket found by marker with no journal entry (journal lost) is adopted as the baseline;
- an item that names a ticket in this tracker adopts it, unless that ticket already tracks
  another item (its marker, or the journal, says so): then a finding names both items;
  a ticket named in another tracker is left there;
- a new item waits for the team's soak time, follows the owner policy, then is created;
- an item gone from a postmortem that was read keeps its ticket: it is renamed when an item
  of the same postmortem reads alike, otherwise its ticket gets one comment saying so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from followthrough.domain import markup
from followthrough.domain.keys import normalised_words
from followthrough.domain.model import ActionItem, Finding, ItemStatus, Postmortem, Severity
from followthrough.domain.policy import DoneItems, OwnerPolicy, TeamPolicy
from followthrough.domain.tickets import (
    NEEDS_OWNER_LABEL,
    FieldChanges,
    Marker,
    Ticket,
    TicketFields,
    TicketSpec,
    TicketState,
    ticket_title,
)

RENAME_SIMILARITY = 0.5


class OpKind(StrEnum):
    CREATE = "create"
    ADOPT = "adopt"
    UPDATE = "update"
    REKEY = "rekey"
    ANNOTATE = "annotate"
    NOOP = "noop"
    WAIT = "wait"
    HOLD = "hold"


WRITE_KINDS = frozenset({OpKind.CREATE, OpKind.ADOPT, OpKind.UPDATE, OpKind.REKEY, OpKind.ANNOTATE})


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """An item with the postmortem it came from and when followthrough first saw it."""

    item: ActionItem
    postmortem: Postmortem
    first_seen: dt.date | None = None


@dataclass(frozen=True, slots=True)
class LinkState:
    """The journal's view of an item's ticket (see `ports.Link`)."""

    ticket_ref: str
    postmortem_id: str
    synced: Mapping[str, Any] = field(default_factory=dict)
    removed_noted: bool = False


@dataclass(frozen=True, slots=True)
class Operation:
    """One step of a plan, with the reason a person reads in ``sync --dry-run``."""

    kind: OpKind
    item_key: str
    reason: str
    postmortem_id: str = ""
    title: str = ""
    ticket_ref: str | None = None
    spec: TicketSpec | None = None
    changes: FieldChanges | None = None
    text: str | None = None
    new_key: str | None = None
    until: dt.date | None = None
    synced: Mapping[str, Any] | None = None  # the baseline to journal once the write succeeds

    @property
    def writes(self) -> bool:
        return self.kind in WRITE_KINDS


@dataclass(frozen=True, slots=True)
class Plan:
    """What one sync cycle of one team will do."""

    team: str
    operations: tuple[Operation, ...]
    findings: tuple[Finding, ...] = ()

    def by_kind(self, kind: OpKind) -> list[Operation]:
        return [op for op in self.operations if op.kind == kind]

    @property
    def writes(self) -> list[Operation]:
        return [op for op in self.operations if op.writes]


@dataclass(frozen=True, slots=True)
class Desired:
    fields: TicketFields
    due_note: str | None
    owner_resolved: bool


CONFIRMING = "a write from an earlier cycle is being confirmed"


def plan_team(
    items: Sequence[PlannedItem],
    team: TeamPolicy,
    *,
    tickets: Mapping[str, Ticket],
    links: Mapping[str, LinkState],
    now: dt.datetime,
    pending: Collection[str] = (),
    unreadable_postmortems: Collection[str] = (),
    read_postmortems: Collection[str] = (),
    missing_refs: Collection[str] = (),
    vanished_postmortems: Collection[str] = (),
) -> Plan:
    """The plan for one team. ``tickets`` are keyed by marker item key; ``pending`` lists
    item keys with unconfirmed writes; postmortems in ``unreadable_postmortems`` change
    nothing for their items, and removal is judged only for ``read_postmortems``. A ticket in
    ``missing_refs`` was found not to exist lately: an item naming it is held, not retried.
    A postmortem in ``vanished_postmortems`` was linked and is no longer where it was read:
    its items move to a new postmortem with the very same outcomes (a renamed file), and the
    rest are judged removed."""
    today = now.date()
    current = {planned.item.key: planned for planned in items}
    judged = {*read_postmortems, *vanished_postmortems}
    renames = _renames(
        items,
        tickets=tickets,
        links=links,
        read=judged,
        skip=unreadable_postmortems,
        moved_from=vanished_postmortems,
    )
    renamed_new = {new for new, _ in renames.values()}
    claims = _claimed_refs(tickets, links)
    operations: list[Operation] = []
    findings: list[Finding] = []
    for planned in items:
        key = planned.item.key
        if key in renamed_new:
            continue
        op, item_findings = _plan_item(
            planned, team, tickets=tickets, links=links, today=today, pending=pending
        )
        if op.kind == OpKind.ADOPT and op.ticket_ref in missing_refs:
            op, gone = _named_missing(op, planned)
            item_findings = (*item_findings, gone)
        if op.kind == OpKind.ADOPT and op.ticket_ref is not None:
            op, claim = _claim(op, planned, claims)
            item_findings = (*item_findings, *claim)
        operations.append(op)
        findings.extend(item_findings)
    for old_key, (new_key, link) in renames.items():
        operations.append(_rekey(old_key, new_key, link, current[new_key], team))
    operations.extend(
        _removed(
            current,
            links=links,
            renamed=renames,
            read=judged,
            skip=unreadable_postmortems,
            tracker_kind=team.tracker_kind,
            pending=pending,
        )
    )
    return Plan(team=team.name, operations=tuple(operations), findings=tuple(findings))


def _named_missing(op: Operation, planned: PlannedItem) -> tuple[Operation, Finding]:
    """An item naming a ticket that does not exist: held, and the document asked to change."""
    message = (
        f"{op.ticket_ref} named for “{op.title}” does not exist or is not visible; the item"
        " waits until the document names a ticket that exists (or none)"
    )
    finding = Finding(
        code="ticket-not-found",
        severity=Severity.ERROR,
        message=message,
        path=planned.postmortem.path,
        line=planned.item.line,
        item=op.item_key,
    )
    held = replace(op, kind=OpKind.HOLD, reason=f"{op.ticket_ref} does not exist")
    return held, finding


def _plan_item(
    planned: PlannedItem,
    team: TeamPolicy,
    *,
    tickets: Mapping[str, Ticket],
    links: Mapping[str, LinkState],
    today: dt.date,
    pending: Collection[str],
) -> tuple[Operation, tuple[Finding, ...]]:
    item, pm = planned.item, planned.postmortem
    desired = desired_fields(planned, team)
    owner_finding = _owner_finding(planned, team, desired)
    finding = (owner_finding,) if owner_finding is not None else ()
    base: dict[str, Any] = {"item_key": item.key, "postmortem_id": pm.id, "title": item.title}
    if item.key in pending:
        return Operation(OpKind.HOLD, reason=CONFIRMING, **base), ()
    link = links.get(item.key)
    ticket = tickets.get(item.key)
    if ticket is not None and link is None:
        synced = synced_values(ticket.fields, pm)
        reason = f"found {ticket.ref} by its marker; journal entry rebuilt from the tracker"
        return Operation(
            OpKind.NOOP, reason=reason, ticket_ref=ticket.ref, synced=synced, **base
        ), ()
    if ticket is not None and link is not None:
        return _reconcile(planned, desired, ticket, link, base), finding
    if link is not None:
        reason = f"{link.ticket_ref} is in the journal but not in this listing; left alone"
        return Operation(OpKind.NOOP, reason=reason, ticket_ref=link.ticket_ref, **base), ()
    return _new_item(planned, team, desired, today, base), finding


def _claimed_refs(
    tickets: Mapping[str, Ticket], links: Mapping[str, LinkState]
) -> dict[str, tuple[str, str]]:
    """Ticket reference (case-folded) → (item key, title) of the item it tracks, by marker
    or by journal."""
    claims = {
        link.ticket_ref.casefold(): (key, str(link.synced.get("title", "")))
        for key, link in links.items()
    }
    claims.update({t.ref.casefold(): (key, t.fields.title) for key, t in tickets.items()})
    return claims


def _claim(
    op: Operation, planned: PlannedItem, claims: dict[str, tuple[str, str]]
) -> tuple[Operation, tuple[Finding, ...]]:
    """The adoption when the named ticket tracks no other item; otherwise a no-op and a
    finding naming both items: a reference in one item's text never takes another's ticket."""
    ref = op.ticket_ref or ""
    holder, holder_title = claims.setdefault(ref.casefold(), (op.item_key, op.title))
    if holder == op.item_key:
        return op, ()
    message = (
        f"“{planned.item.title}” ({op.item_key}) names {ref}, which already tracks "
        f"“{holder_title}” ({holder}); not adopted: name the right ticket or none"
    )
    finding = Finding(
        code="ticket-claimed",
        severity=Severity.ERROR,
        message=message,
        path=planned.postmortem.path,
        line=planned.item.line,
        item=op.item_key,
    )
    reason = f"{ref} already tracks another item ({holder}); not adopted"
    return replace(op, kind=OpKind.NOOP, reason=reason, ticket_ref=None), (finding,)


def _new_item(
    planned: PlannedItem, team: TeamPolicy, desired: Desired, today: dt.date, base: dict[str, Any]
) -> Operation:
    item, pm = planned.item, planned.postmortem
    named = adoptable_ref(item.tickets, team)
    if named is not None:
        return Operation(
            OpKind.ADOPT, reason=f"the document names {named}", ticket_ref=named, **base
        )
    elsewhere = [ref for ref in item.tickets if not ref.startswith("#")]
    if elsewhere:
        return Operation(OpKind.NOOP, reason=f"tracked elsewhere: {elsewhere[0]}", **base)
    start = pm.date or planned.first_seen or today
    soaked = team.soaked_on(start)
    if today < soaked:
        return Operation(
            OpKind.WAIT, reason=f"soak time: becomes a ticket on {soaked}", until=soaked, **base
        )
    if item.status != ItemStatus.OPEN and team.done_items == DoneItems.SKIP:
        return Operation(
            OpKind.NOOP, reason=f"{item.status.value} in the document; not tracked", **base
        )
    if not desired.owner_resolved and team.owner_policy == OwnerPolicy.HOLD:
        return Operation(
            OpKind.HOLD, reason="held until the document names an owner in the directory", **base
        )
    spec = ticket_spec(planned, team, desired)
    reason = (
        "new item"
        if item.status == ItemStatus.OPEN
        else f"new item, {item.status.value} in the document"
    )
    return Operation(
        OpKind.CREATE, reason=reason, spec=spec, synced=synced_values(desired.fields, pm), **base
    )


def _reconcile(
    planned: PlannedItem, desired: Desired, ticket: Ticket, link: LinkState, base: dict[str, Any]
) -> Operation:
    """Three-way per field: push what the document changed since the last sync, nothing else."""
    synced = dict(link.synced)
    want = synced_values(desired.fields, planned.postmortem)
    have = synced_values(ticket.fields, planned.postmortem)
    pushed: dict[str, Any] = {}
    for name in ("title", "assignee", "due"):
        if want[name] != synced.get(name) and want[name] != have[name]:
            pushed[name] = want[name]
    closing = want["state"] != TicketState.OPEN.value and have["state"] == TicketState.OPEN.value
    if closing and want["state"] != synced.get("state"):
        pushed["state"] = want["state"]  # closing only: a closed ticket is never reopened
    kept = ("title", "assignee", "due", "state", "path", "postmortem")
    new_synced = {**synced, **{k: want[k] for k in kept}}
    if not pushed:
        reason = (
            "up to date" if want == {**have, "path": want["path"]} else "tracker-side edits kept"
        )
        changed_baseline = new_synced != synced
        return Operation(
            OpKind.NOOP,
            reason=reason,
            ticket_ref=ticket.ref,
            synced=new_synced if changed_baseline else None,
            **base,
        )
    changes = _changes(pushed, desired, ticket)
    reason = "document changed: " + ", ".join(sorted(pushed))
    return Operation(
        OpKind.UPDATE,
        reason=reason,
        ticket_ref=ticket.ref,
        changes=changes,
        synced=new_synced,
        **base,
    )


def _changes(pushed: Mapping[str, Any], desired: Desired, ticket: Ticket) -> FieldChanges:
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    if "assignee" in pushed:
        if pushed["assignee"] is None and NEEDS_OWNER_LABEL not in ticket.fields.labels:
            add = (NEEDS_OWNER_LABEL,)
        if pushed["assignee"] is not None and NEEDS_OWNER_LABEL in ticket.fields.labels:
            remove = (NEEDS_OWNER_LABEL,)
    extra = {"due_note": desired.due_note} if "due" in pushed and desired.due_note else {}
    return FieldChanges(
        title=pushed.get("title"),
        assignee=pushed.get("assignee"),
        clear_assignee="assignee" in pushed and pushed["assignee"] is None,
        due=dt.date.fromisoformat(pushed["due"]) if pushed.get("due") else None,
        state=TicketState(pushed["state"]) if "state" in pushed else None,
        add_labels=add,
        remove_labels=remove,
        extra=extra,
    )


def desired_fields(planned: PlannedItem, team: TeamPolicy) -> Desired:
    """The ticket fields the document and the team's policy ask for."""
    item, pm = planned.item, planned.postmortem
    assignee = team.resolve_owner(item.owner)
    resolved = assignee is not None
    if not resolved and team.owner_policy == OwnerPolicy.ASSIGN_LEAD:
        assignee = team.lead
    labels = tuple(team.labels) + ((NEEDS_OWNER_LABEL,) if not resolved else ())
    due, note = item.due, None
    if due is None:
        start = pm.date or planned.first_seen
        weeks, why = team.due_defaults.weeks_for(priority=item.priority, horizon=item.horizon)
        if start is not None:
            due = start + dt.timedelta(weeks=weeks)
            note = f"defaulted: {why} after the postmortem of {start}"
    state = {ItemStatus.OPEN: TicketState.OPEN, ItemStatus.DONE: TicketState.DONE}.get(
        item.status, TicketState.DROPPED
    )
    # The title as the tracker will keep it (cut to its limit), so a long title is not
    # taken next cycle for an edit made in the tracker.
    title = ticket_title(item.title, team.tracker_kind)
    fields = TicketFields(title=title, assignee=assignee, due=due, state=state, labels=labels)
    return Desired(fields=fields, due_note=note, owner_resolved=resolved)


def synced_values(fields: TicketFields, pm: Postmortem) -> dict[str, Any]:
    """The per-field values the journal keeps for three-way comparison."""
    return {
        "title": fields.title,
        "assignee": fields.assignee,
        "due": fields.due.isoformat() if fields.due else None,
        "state": fields.state.value,
        "path": pm.path,
        "postmortem": pm.title,
    }


def ticket_spec(planned: PlannedItem, team: TeamPolicy, desired: Desired) -> TicketSpec:
    """The ticket to create for an item: fields, body with the link back, and the marker."""
    return TicketSpec(
        marker=Marker(item_key=planned.item.key),
        fields=desired.fields,
        body=ticket_body(planned, team, desired),
        postmortem_url=planned.postmortem.url,
        components=team.components,
        issue_type=team.issue_type,
        priority=planned.item.priority,
    )


def ticket_body(planned: PlannedItem, team: TeamPolicy, desired: Desired) -> str:
    """The body in the tracker's markup: what, where from, owner as written, due and why.

    Every piece of document text is escaped for the tracker (`markup.escape`): shown
    literally, it cannot format, link, embed HTML, mention anyone or reference an issue.
    Only our own link back to the postmortem is markup.
    """
    item, pm = planned.item, planned.postmortem
    kind = team.tracker_kind
    url = pm.line_url.replace("{line}", str(item.line)) if pm.line_url else pm.url
    where = markup.link(kind, pm.path, url) if url else _path_text(kind, pm.path)
    owner = markup.escape(kind, item.owner) if item.owner else "none named"
    lines = [
        markup.escape(kind, item.title),
        "",
        f"Action item from the postmortem “{markup.escape(kind, pm.title)}”"
        + (f" ({pm.date})" if pm.date else "")
        + ".",
        f"Postmortem: {where} (line {item.line})",
        f"Owner in the document: {owner}",
    ]
    if desired.fields.due is not None:
        note = f" ({markup.escape(kind, desired.due_note)})" if desired.due_note else ""
        lines.append(f"Due: {desired.fields.due}{note}")
    if not desired.owner_resolved:
        lines.append("This item needs an owner: please name one person in the postmortem.")
    if item.notes:
        notes = (f"- {markup.escape(kind, note)}" for note in item.notes)
        lines += ["", "Notes from the document:", *notes]
    return "\n".join(lines)


# A path of letters, digits and "./_-" carries no mention, HTML, link or reference, so it is
# shown as it is (readers search for it); any other path is escaped like document text.
_PLAIN_PATH = re.compile(r"[\w./-]+")
_ISSUE_SHORTHAND = re.compile(r"\bgh-\d", re.I)


def _path_text(tracker_kind: str, path: str) -> str:
    if _PLAIN_PATH.fullmatch(path) and not _ISSUE_SHORTHAND.search(path):
        return path
    return markup.escape(tracker_kind, path)


def adoptable_ref(refs: Sequence[str], team: TeamPolicy) -> str | None:
    """A ticket the document names that lives in this team's tracker project."""
    for ref in refs:
        if team.tracker_kind == "jira" and re.fullmatch(rf"{re.escape(team.project)}-\d+", ref):
            return ref
        if team.tracker_kind == "github":
            if ref.startswith("#"):
                return f"{team.project}{ref}"
            if ref.lower().startswith(team.project.lower() + "#"):
                return ref
    return None


def _owner_finding(planned: PlannedItem, team: TeamPolicy, desired: Desired) -> Finding | None:
    item = planned.item
    if desired.owner_resolved or item.status != ItemStatus.OPEN:
        return None
    if item.owner is None:
        message = f"“{item.title}” has no owner: " + _policy_words(team)
    else:
        message = f"owner “{item.owner}” is not in the {team.name} directory: " + _policy_words(
            team
        )
    return Finding(
        code="owner-unresolved",
        severity=Severity.WARNING,
        message=message,
        path=planned.postmortem.path,
        line=item.line,
        item=item.key,
    )


def _policy_words(team: TeamPolicy) -> str:
    return {
        OwnerPolicy.NEEDS_OWNER_LABEL: f"the ticket is unassigned and labelled {NEEDS_OWNER_LABEL}",
        OwnerPolicy.ASSIGN_LEAD: "the ticket goes to the team lead for triage",
        OwnerPolicy.HOLD: "no ticket until the document names one",
    }[team.owner_policy]


def _similarity(a: str, b: str) -> float:
    left, right = set(normalised_words(a).split()), set(normalised_words(b).split())
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def _renames(
    items: Sequence[PlannedItem],
    *,
    tickets: Mapping[str, Ticket],
    links: Mapping[str, LinkState],
    read: Collection[str],
    skip: Collection[str],
    moved_from: Collection[str] = (),
) -> dict[str, tuple[str, LinkState]]:
    """Old key → (new key, link) for items whose text was edited (same postmortem, alike),
    and for items of a vanished postmortem found word for word in a postmortem that has no
    tickets yet (the file was renamed or moved)."""
    current = {planned.item.key for planned in items}
    orphans = {
        key: link
        for key, link in links.items()
        if key not in current
        and link.postmortem_id in read
        and link.postmortem_id not in skip
        and not link.removed_noted
    }
    fresh = [p for p in items if p.item.key not in links and p.item.key not in tickets]
    destinations = _destinations(orphans, fresh, moved_from)
    pairs = sorted(
        (
            (
                1.0  # moved word for word
                if p.postmortem.id != link.postmortem_id
                else _similarity(str(link.synced.get("title", "")), p.item.title),
                old,
                p.item.key,
            )
            for old, link in orphans.items()
            for p in fresh
            if p.postmortem.id == link.postmortem_id
            or (
                destinations.get(link.postmortem_id) == p.postmortem.id
                and _same_outcome(old, p.item.key)
            )
        ),
        reverse=True,
    )
    chosen: dict[str, tuple[str, LinkState]] = {}
    used: set[str] = set()
    for score, old, new in pairs:
        if score >= RENAME_SIMILARITY and old not in chosen and new not in used:
            chosen[old] = (new, orphans[old])
            used.add(new)
    return chosen


def _destinations(
    orphans: Mapping[str, LinkState], fresh: Sequence[PlannedItem], moved_from: Collection[str]
) -> dict[str, str]:
    """Vanished postmortem → the postmortem it moved to: the one holding most of its
    remaining outcomes word for word, provided that is at least half of them or it has the
    same title. Chosen again each cycle, so a move cut short by a fault is completed."""
    chosen: dict[str, str] = {}
    for vanished in moved_from:
        left = [(key, link) for key, link in orphans.items() if link.postmortem_id == vanished]
        if not left:
            continue
        found: dict[str, int] = {}
        titles: dict[str, str] = {}
        for p in fresh:
            if any(_same_outcome(key, p.item.key) for key, _ in left):
                found[p.postmortem.id] = found.get(p.postmortem.id, 0) + 1
                titles[p.postmortem.id] = p.postmortem.title
        if not found:
            continue
        best = max(sorted(found), key=lambda pm_id: found[pm_id])
        same_title = titles[best] == str(left[0][1].synced.get("postmortem", ""))
        if found[best] * 2 >= len(left) or same_title:
            chosen[vanished] = best
    return chosen


def _same_outcome(old_key: str, new_key: str) -> bool:
    """Keys are ``<postmortem id>:<digest of the outcome's words>``: the same digest."""
    return old_key.rpartition(":")[2].split("~")[0] == new_key.rpartition(":")[2].split("~")[0]


def _rekey(
    old_key: str, new_key: str, link: LinkState, planned: PlannedItem, team: TeamPolicy
) -> Operation:
    desired = desired_fields(planned, team)
    synced = {**link.synced, "title": desired.fields.title, "path": planned.postmortem.path}
    return Operation(
        OpKind.REKEY,
        item_key=old_key,
        new_key=new_key,
        postmortem_id=planned.postmortem.id,
        title=planned.item.title,
        ticket_ref=link.ticket_ref,
        reason="item text edited: ticket kept, title updated"
        if planned.postmortem.id == link.postmortem_id
        else f"postmortem moved to {planned.postmortem.path}: ticket kept",
        changes=FieldChanges(title=desired.fields.title)
        if link.synced.get("title") != desired.fields.title
        else None,
        synced=synced,
    )


def _removed(
    current: Mapping[str, PlannedItem],
    *,
    links: Mapping[str, LinkState],
    renamed: Mapping[str, tuple[str, LinkState]],
    read: Collection[str],
    skip: Collection[str],
    tracker_kind: str,
    pending: Collection[str] = (),
) -> list[Operation]:
    operations = []
    for key, link in sorted(links.items()):
        if key in current or key in renamed or link.removed_noted:
            continue
        if link.postmortem_id not in read or link.postmortem_id in skip:
            continue  # the document was not read this cycle: its items are not gone
        base: dict[str, Any] = {
            "item_key": key,
            "postmortem_id": link.postmortem_id,
            "title": str(link.synced.get("title", "")),
            "ticket_ref": link.ticket_ref,
        }
        if key in pending:  # the note may have been posted: it is looked up first
            operations.append(Operation(OpKind.HOLD, reason=CONFIRMING, **base))
            continue
        text = (
            "This action item is no longer in its postmortem "
            f"({_path_text(tracker_kind, str(link.synced.get('path', link.postmortem_id)))}). "
            "The ticket is left as it is: "
            "close it if the work is no longer needed, or keep going if it still matters."
        )
        operations.append(
            Operation(OpKind.ANNOTATE, reason="removed from its postmortem", text=text, **base)
        )
    return operations
