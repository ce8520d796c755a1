"""A faster constructor for frozen, slotted dataclasses that are built by the thousand.

A frozen dataclass's generated ``__init__`` stores each field through
``object.__setattr__`` (its own ``__setattr__`` refuses), which costs about three times a
plain attribute store. Parsing a document builds dozens of `Text`, block and item values, so
`quick_init` replaces that ``__init__`` with one that stores through each slot's own
descriptor, bound once. Everything else stays the dataclass's: fields, defaults, ``repr``,
equality, hashing, `dataclasses.replace`, and the refusal to change a field afterwards.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Give a ``@dataclass(frozen=True, slots=True)`` class the faster ``__init__``."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init is for frozen, slotted dataclasses")
    fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    if len(fields) != len(dataclasses.fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument")
    namespace: dict[str, Any] = {"MISSING": dataclasses.MISSING}
    arguments: list[str] = []
    stores: list[str] = []
    for index, f in enumerate(fields):
        setter = f"_set{index}"
        namespace[setter] = getattr(cls, f.name).__set__
        if f.default is not dataclasses.MISSING:
            namespace[f"_default{index}"] = f.default
            arguments.append(f"{f.name}=_default{index}")
            stores.append(f"{setter}(self, {f.name})")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{index}"] = f.default_factory
            arguments.append(f"{f.name}=MISSING")
            stores.append(f"{setter}(self, _factory{index}() if {f.name} is MISSING else {f.name})")
        else:
            arguments.append(f.name)
            stores.append(f"{setter}(self, {f.name})")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: __post_init__ is not supported")
    # The setters are the factory's locals, so the generated __init__ reads them as cells.
    factory = (
        f"def make({', '.join(namespace)}):\n"
        f"    def __init__(self, {', '.join(arguments)}):\n"
        + "".join(f"        {store}\n" for store in stores or ["pass"])
        + "    return __init__\n"
    )
    scope: dict[str, Any] = {}
    exec(factory, scope)  # noqa: S102 - source built above from the class's own field names
    init = scope["make"](**namespace)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
