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


def test_a_document_that_already_has_tickets_does_not_take_another_s() -> None:
    same_words = _in(OTHER, "Alert on pool usage")
    paging = _in(OTHER, "Page the on-call")
    (state,) = link("x", title="Page the on-call", path=OTHER.path).values()
    other_link = {paging.item.key: replace(state, ticket_ref="OPS-2", postmortem_id=OTHER.id)}
    ops = _plan([same_words, paging], **other_link).operations
    kinds = sorted(op.kind.value for op in ops)
    assert "rekey" not in kinds
    assert "create" in kinds  # its own item, its own ticket
    assert "annotate" in kinds  # the vanished one's item is noted removed


def test_without_knowing_the_document_vanished_nothing_moves_or_is_removed() -> None:
    moved = _in(MOVED, "Alert on pool usage")
    old = item_key(PM.id, "Alert on pool usage")
    plan = run([moved], links=link(old), tickets={old: ticket(old)}, read_postmortems={MOVED.id})
    assert [op.kind for op in plan.operations] == [OpKind.CREATE]  # the caller must say
