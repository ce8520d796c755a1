"""The faster constructor keeps everything a frozen dataclass promises."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field

import pytest

from followthrough.domain.document import Text
from followthrough.domain.frozen import quick_init
from followthrough.domain.model import ActionItem, Postmortem


def test_values_are_built_compared_and_replaced_as_before() -> None:
    text = Text("Add an alert", 3)
    assert (text.raw, text.line, text.links, text.lines_follow_source) == (
        "Add an alert",
        3,
        (),
        True,
    )
    assert text == Text(raw="Add an alert", line=3, links=(), lines_follow_source=True)
    assert hash(text) == hash(Text("Add an alert", 3))
    assert dataclasses.replace(text, line=4) == Text("Add an alert", 4)
    assert pickle.loads(pickle.dumps(text)) == text
    assert repr(text) == "Text(raw='Add an alert', line=3, links=(), lines_follow_source=True)"
    item = ActionItem("pm:1", "Add an alert", 3, owner="ravi")
    assert (item.owner, item.status.value, item.tickets) == ("ravi", "open", ())


def test_a_field_cannot_be_changed_afterwards() -> None:
    text = Text("Add an alert", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        text.raw = "other"  # type: ignore[misc]


def test_a_default_factory_gives_each_value_its_own() -> None:
    first, second = Postmortem("a", "a.md", "A"), Postmortem("b", "b.md", "B")
    assert first.extra == {}
    assert first.extra is not second.extra


def test_arguments_are_checked_as_a_dataclass_checks_them() -> None:
    with pytest.raises(TypeError):
        Text("Add an alert")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Text("Add an alert", 3, nonsense=1)  # type: ignore[call-arg]


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
