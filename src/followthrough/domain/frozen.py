"""A faster constructor for frozen, slotted dataclasses that are built by the thousand.

A frozen dataclass's generated ``__init__`` stores each field through
``object.__setattr__`` (its own ``__setattr__`` refuses), which costs about three times a
plain attribute store. Extracting a document builds dozens of item values, so
`quick_init` replaces that ``__init__`` with one that stores through each slot's own
descriptor, bound once. Everything else stays the dataclass's: fields, defaults, ``repr``,
equality, hashing, `dataclasses.replace`, and the refusal to change a field afterwards.
"""

from __future__ import annotations

import dataclasses
import types
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


def stores_through_slots(cls: type, names: tuple[str, ...]) -> None:
    """Let a frozen value class run as Python: its ``__init__`` stores each of ``names``
    (its parameters, in order) through the slot's own descriptor.

    The class refuses every ``__setattr__``. Compiled, its ``__init__`` stores into the
    native fields directly and is left as it is; as Python, its ``__init__`` would meet that
    refusal, and is replaced by one with the same parameters and defaults.
    """
    init = cls.__dict__.get("__init__")
    if not isinstance(init, types.FunctionType):
        return  # compiled: the native __init__ stores the fields itself
    code = init.__code__
    if code.co_varnames[1 : code.co_argcount] != names or code.co_kwonlyargcount:
        raise TypeError(f"{cls.__name__}: __init__ must take exactly {names}, in that order")
    defaults = init.__defaults__ or ()
    namespace: dict[str, Any] = {
        f"_set{index}": getattr(cls, name).__set__ for index, name in enumerate(names)
    }
    arguments = list(names)
    for offset, default in enumerate(defaults, start=len(names) - len(defaults)):
        namespace[f"_default{offset}"] = default
        arguments[offset] = f"{names[offset]}=_default{offset}"
    factory = (
        f"def make({', '.join(namespace)}):\n"
        f"    def __init__(self, {', '.join(arguments)}):\n"
        + "".join(f"        _set{index}(self, {name})\n" for index, name in enumerate(names))
        + "    return __init__\n"
    )
    scope: dict[str, Any] = {}
    exec(factory, scope)  # noqa: S102 - source built above from the class's own field names
    fast = scope["make"](**namespace)
    fast.__qualname__ = init.__qualname__
    fast.__doc__ = init.__doc__
    cls.__init__ = fast  # type: ignore[misc]
