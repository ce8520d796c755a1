"""The faster constructor keeps everything a frozen dataclass promises."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from followthrough.domain.frozen import quick_init
from followthrough.domain.model import ActionItem, Postmortem


def test_values_are_built_compared_and_replaced_as_before() -> None:
    item = ActionItem("pm:1", "Add an alert", 3, owner="ravi")
    assert (item.key, item.title, item.line, item.owner, item.status.value, item.tickets) == (
        "pm:1",
        "Add an alert",
        3,
        "ravi",
        "open",
        (),
    )
    assert item == ActionItem(key="pm:1", title="Add an alert", line=3, owner="ravi")
    assert hash(item) == hash(ActionItem("pm:1", "Add an alert", 3, owner="ravi"))
    assert dataclasses.replace(item, line=4) == ActionItem("pm:1", "Add an alert", 4, owner="ravi")
    assert pickle.loads(pickle.dumps(item)) == item
    assert repr(item).startswith(
        "ActionItem(key='pm:1', title='Add an alert', line=3, owner='ravi',"
    )


def test_a_field_cannot_be_changed_afterwards() -> None:
    item = ActionItem("pm:1", "Add an alert", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.title = "other"  # type: ignore[misc]


def test_a_default_factory_gives_each_value_its_own() -> None:
    first, second = Postmortem("a", "a.md", "A"), Postmortem("b", "b.md", "B")
    assert first.extra == {}
    assert first.extra is not second.extra


def test_arguments_are_checked_as_a_dataclass_checks_them() -> None:
    with pytest.raises(TypeError):
        ActionItem("pm:1", "Add an alert")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ActionItem("pm:1", "Add an alert", 3, nonsense=1)  # type: ignore[call-arg]


def test_only_frozen_slotted_dataclasses_are_accepted() -> None:
    @dataclass(slots=True)
    class Open:
        x: int

    @dataclass(frozen=True, slots=True)
    class Later:
        x: int = field(init=False, default=0)

    for cls in (Open, Later):
        with pytest.raises(TypeError):
            quick_init(cls)
