"""A vanished postmortem's items follow its renamed copy word for word, and nothing else."""

from __future__ import annotations

from dataclasses import replace

from followthrough.domain.keys import item_key
from followthrough.domain.model import ActionItem, Postmortem
from followthrough.domain.plan import OpKind, PlannedItem
from tests.plan.test_plan import PM, link, run, ticket

MOVED = replace(PM, id="pm-1-renamed", path="payments/archive/pm-1-renamed.md")
OTHER = replace(PM, id="pm-9", path="payments/pm-9.md", title="Another outage")


def _in(pm: Postmortem, title: str) -> PlannedItem:
    return PlannedItem(
        item=ActionItem(key=item_key(pm.id, title), title=title, line=10), postmortem=pm
    )


def _plan(items: list[PlannedItem], **links: object):  # type: ignore[no-untyped-def]
    old = item_key(PM.id, "Alert on pool usage")
    return run(
        items,
        links=link(old) | dict(links),  # type: ignore[arg-type]
        tickets={old: ticket(old)},
        read_postmortems={p.postmortem.id for p in items},
        vanished_postmortems={PM.id},
    )


def test_the_renamed_copy_takes_the_ticket() -> None:
    moved = _in(MOVED, "Alert on pool usage")
    (op,) = _plan([moved]).operations
    assert (op.kind, op.item_key, op.new_key) == (
        OpKind.REKEY,
        item_key(PM.id, "Alert on pool usage"),
        moved.item.key,
    )
    assert op.postmortem_id == MOVED.id  # the new link belongs to the new document
    assert op.reason == f"postmortem moved to {MOVED.path}: ticket kept"


def test_an_edited_outcome_in_another_document_is_a_new_item_and_the_old_one_removed() -> None:
    elsewhere = _in(MOVED, "Alert on pool usage above 80%")
    kinds = sorted(op.kind.value for op in _plan([elsewhere]).operations)
    assert kinds == ["annotate", "create"]


def test_a_document_holding_one_of_several_outcomes_by_chance_does_not_take_them() -> None:
    old_titles = ("Alert on pool usage", "Validate pool sizes", "Write the failover runbook")
    links: dict[str, object] = {}
    for number, title in enumerate(old_titles, 1):
        (state,) = link("x", title=title, postmortem="Card timeouts").values()
        links[item_key(PM.id, title)] = replace(state, ticket_ref=f"OPS-{number}")
    same_words = _in(OTHER, "Alert on pool usage")  # one of three, another title
    plan = run(
        [same_words],
        links=links,
        tickets={},
        read_postmortems={OTHER.id},
        vanished_postmortems={PM.id},
    )
    kinds = sorted(op.kind.value for op in plan.operations)
    assert kinds == ["annotate", "annotate", "annotate", "create"]


def test_a_move_cut_short_is_completed_by_the_next_cycle() -> None:
    titles = ("Alert on pool usage", "Validate pool sizes")
    moved_first = _in(MOVED, titles[0])
    (state,) = link("x", title=titles[0], path=MOVED.path).values()
    links = {moved_first.item.key: replace(state, postmortem_id=MOVED.id)}  # moved already
    (rest,) = link("x", title=titles[1]).values()
    links[item_key(PM.id, titles[1])] = replace(rest, ticket_ref="OPS-2")
    second = _in(MOVED, titles[1])
    plan = run(
        [moved_first, second],
        links=links,
        tickets={},
        read_postmortems={MOVED.id},
        vanished_postmortems={PM.id},
    )
    rekeyed = [op for op in plan.operations if op.kind == OpKind.REKEY]
    assert [(op.ticket_ref, op.new_key) for op in rekeyed] == [("OPS-2", second.item.key)]
    assert OpKind.CREATE not in {op.kind for op in plan.operations}


def test_without_knowing_the_document_vanished_nothing_moves_or_is_removed() -> None:
    moved = _in(MOVED, "Alert on pool usage")
    old = item_key(PM.id, "Alert on pool usage")
    plan = run([moved], links=link(old), tickets={old: ticket(old)}, read_postmortems={MOVED.id})
    assert [op.kind for op in plan.operations] == [OpKind.CREATE]  # the caller must say
