"""The blocks a parser builds, and the walk's candidates and table rows, are frozen values,
compiled or not: built, compared, hashed, shown, pickled and refused a change as a frozen
dataclass would be."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from followthrough.domain.document import (
    Block,
    Heading,
    ListBlock,
    ListEntry,
    Opaque,
    Paragraph,
    Table,
    Text,
)
from followthrough.domain.model import Category, ItemStatus
from followthrough.domain.sections import GroupTraits
from followthrough.domain.tables import TableRow
from followthrough.domain.walk import Candidate

TEXT = Text("Add an alert", 3)
BLOCKS: tuple[Block, ...] = (
    Heading(2, Text("Action items", 1)),
    Paragraph(TEXT),
    ListBlock(True, (ListEntry(TEXT, (Paragraph(Text("note", 4)),)), ListEntry(TEXT)), 3),
    Table((Text("Action", 7),), ((Text("Add an alert", 9, ("https://x.test/1",)),),), 7),
    Opaque(12),
)
ROW = TableRow(TEXT, 3, owner="@ana", status=ItemStatus.DONE, category=Category.DETECTION)
CANDIDATE = Candidate(TEXT, GroupTraits(), row=ROW)
WALK_VALUES: tuple[object, ...] = (ROW, CANDIDATE, Candidate(TEXT, GroupTraits(owner="@bo")))


def test_a_text_holds_its_fields_and_defaults() -> None:
    assert (TEXT.raw, TEXT.line, TEXT.links, TEXT.lines_follow_source) == (
        "Add an alert",
        3,
        (),
        True,
    )
    assert Text(raw="Add an alert", line=3, links=(), lines_follow_source=True) == TEXT
    assert Text("a", 1, lines_follow_source=False).lines_follow_source is False


def test_a_row_and_a_candidate_hold_their_fields_and_defaults() -> None:
    row = TableRow(TEXT, 3)
    assert (row.action, row.line, row.owner, row.due, row.ticket, row.status) == (
        TEXT,
        3,
        None,
        None,
        None,
        None,
    )
    assert (row.category, row.category_text, row.priority) == (None, None, None)
    assert (ROW.owner, ROW.status, ROW.category) == ("@ana", ItemStatus.DONE, Category.DETECTION)
    candidate = Candidate(TEXT, GroupTraits())
    assert (candidate.text, candidate.traits, candidate.notes) == (TEXT, GroupTraits(), ())
    assert (candidate.row, candidate.title_override) == (None, None)
    assert CANDIDATE.row is ROW
    assert Candidate(text=TEXT, traits=GroupTraits(), notes=(), row=ROW) == CANDIDATE


def test_values_compare_and_hash_by_their_fields() -> None:
    assert Text("Add an alert", 3) == TEXT
    assert hash(Text("Add an alert", 3)) == hash(TEXT)
    assert Text("Add an alert", 4) != TEXT
    assert Text("Add an alert", 3, ("https://x.test/1",)) != TEXT
    assert Paragraph(TEXT) != Heading(1, TEXT)
    assert Opaque(3) != 3
    assert ListEntry(TEXT) == ListEntry(Text("Add an alert", 3), ())
    assert len({Paragraph(TEXT), Paragraph(Text("Add an alert", 3))}) == 1
    same_row = TableRow(TEXT, 3, "@ana", None, None, ItemStatus.DONE, Category.DETECTION)
    assert same_row == ROW
    assert hash(same_row) == hash(ROW)
    assert TableRow(TEXT, 3, owner="@bo", status=ItemStatus.DONE) != ROW
    assert Candidate(TEXT, GroupTraits(), (), ROW, None) == CANDIDATE
    assert hash(Candidate(TEXT, GroupTraits(), row=ROW)) == hash(CANDIDATE)
    assert Candidate(TEXT, GroupTraits(), title_override="Alert") != CANDIDATE
    assert CANDIDATE != ROW


def test_repr_names_every_field_in_order() -> None:
    assert repr(TEXT) == "Text(raw='Add an alert', line=3, links=(), lines_follow_source=True)"
    assert repr(BLOCKS[0]) == (
        "Heading(level=2, text=Text(raw='Action items', line=1, links=(), "
        "lines_follow_source=True))"
    )
    assert repr(Opaque(12)) == "Opaque(line=12)"
    assert repr(ListBlock(False, (), 5)) == "ListBlock(ordered=False, entries=(), line=5)"
    assert repr(Table((), (), 7)) == "Table(header=(), rows=(), line=7)"
    assert repr(ListEntry(TEXT)).endswith(", children=())")
    shown_text = "Text(raw='Add an alert', line=3, links=(), lines_follow_source=True)"
    shown_row = (
        f"TableRow(action={shown_text}, line=3, owner='@ana', due=None, ticket=None, "
        "status=<ItemStatus.DONE: 'done'>, category=<Category.DETECTION: 'detection'>, "
        "category_text=None, priority=None)"
    )
    assert repr(ROW) == shown_row
    assert repr(CANDIDATE) == (
        f"Candidate(text={shown_text}, traits=GroupTraits(category=None, status=None, "
        f"horizon=None, owner=None), notes=(), row={shown_row}, title_override=None)"
    )


# Not a Candidate: its GroupTraits, a frozen dataclass in a compiled module, neither pickles
# nor copies in the compiled build.
@pytest.mark.parametrize("block", [*BLOCKS, ROW], ids=lambda block: type(block).__name__)
def test_every_block_survives_pickling_and_copying(block: object) -> None:
    assert pickle.loads(pickle.dumps(block)) == block
    assert copy.deepcopy(block) == block
    assert copy.copy(block) == block


@pytest.mark.parametrize(
    "block", [TEXT, *BLOCKS, *WALK_VALUES], ids=lambda value: type(value).__name__
)
def test_no_field_can_be_changed_or_deleted(block: object) -> None:
    name = "line" if hasattr(block, "line") else "text"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(block, name, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(block, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        block.other = 1  # type: ignore[attr-defined]


def test_arguments_are_checked() -> None:
    with pytest.raises(TypeError):
        Text("Add an alert")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Text("Add an alert", 3, nonsense=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Heading(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        TableRow(TEXT)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Candidate(TEXT, GroupTraits(), nonsense=1)  # type: ignore[call-arg]
