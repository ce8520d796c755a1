"""Walking configuration data alongside its model types: which model holds which mapping.

Sits under the loader. Used to find secret fields written in files, to resolve ``*_file``
secrets, and to suggest the nearest known key for an unknown one.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

KeyPath = tuple[str, ...]


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any]:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_members(arg))
        return [a for a in found if a is not type(None)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _kind_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("kind")
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return None
    return str(typing.get_args(field.annotation)[0])


def pick(annotation: Any, value: Any) -> Any:
    """The member of a union that ``value`` is meant as (by ``kind``, else by shared keys)."""
    members = _members(annotation)
    models = [m for m in members if _is_model(m)]
    if not models or not isinstance(value, Mapping):
        return members[0] if members else None
    kind = value.get("kind")
    by_kind = [m for m in models if _kind_of(m) is not None and _kind_of(m) == kind]
    if by_kind:
        return by_kind[0]
    return max(models, key=lambda m: len(set(value) & set(m.model_fields)))


def is_secret(annotation: Any) -> bool:
    """Whether a field holds a secret (``SecretStr``, optional or not)."""
    return SecretStr in _members(annotation)


def secret_names(model: type[BaseModel]) -> list[str]:
    """Names of a model's secret fields."""
    return [name for name, f in model.model_fields.items() if is_secret(f.annotation)]


def models_in(
    annotation: Any, value: Any, path: KeyPath = ()
) -> Iterator[tuple[type[BaseModel], dict[str, Any], KeyPath]]:
    """Every mapping in ``value`` that is meant as a model, with that model and its key path."""
    chosen = pick(annotation, value)
    origin = typing.get_origin(chosen)
    if _is_model(chosen) and isinstance(value, dict):
        yield chosen, value, path
        for name, field in chosen.model_fields.items():
            if name in value:
                yield from models_in(field.annotation, value[name], (*path, name))
    elif origin is dict and isinstance(value, dict):
        inner = typing.get_args(chosen)[1]
        for key, item in value.items():
            yield from models_in(inner, item, (*path, str(key)))
    elif origin is list and isinstance(value, list):
        inner = typing.get_args(chosen)[0]
        for index, item in enumerate(value):
            yield from models_in(inner, item, (*path, str(index)))


def fields_at(root: type[BaseModel], data: Any, path: KeyPath) -> list[str]:
    """Field names of the model that the mapping at ``path`` is meant as (empty if none)."""
    for model, _value, where in models_in(root, data):
        if where == path:
            return list(model.model_fields)
    return []
