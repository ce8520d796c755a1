"""Turning model validation into `Problem` values: key paths, lines, and readable reasons.

Sits under the loader. Also holds the checks pydantic cannot make alone: secrets written in a
file (refused), and secrets read from ``*_file`` paths (Kubernetes Secret mounts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import ErrorDetails

from followthrough.config.fields import PATTERN_HINTS
from followthrough.config.problems import ENVIRONMENT, Problem, dotted, env_name, suggestion
from followthrough.config.shapes import fields_at, models_in, secret_names
from followthrough.config.yamlfile import KeyPath, YamlFile


@dataclass(frozen=True, slots=True)
class Origin:
    """Where validated data came from: a parsed file, the key prefix of its values, env paths."""

    file: YamlFile
    prefix: KeyPath = ()
    from_env: Sequence[KeyPath] = ()

    def in_file(self, path: KeyPath, message: str) -> Problem:
        """A problem at ``path`` in the file itself, whatever the environment says."""
        full = (*self.prefix, *path)
        return Problem(self.file.label, dotted(full), self.file.line_of(path), message)

    def problem(self, path: KeyPath, message: str) -> Problem:
        """A problem at ``path`` (relative to the file), blamed on a variable when one set it."""
        full = (*self.prefix, *path)
        written = path in self.file.lines
        for env_path in self.from_env:
            inside = full[: len(env_path)] == env_path
            if inside or (not written and env_path[: len(full)] == full):
                return Problem(
                    ENVIRONMENT, dotted(full), None, f"{message} (from {env_name(env_path)})"
                )
        return Problem(self.file.label, dotted(full), self.file.line_of(path), message)


def secrets_in_file(root: type[BaseModel], origin: Origin) -> list[Problem]:
    """Refuse secrets written in the file, and drop them from its data."""
    problems = []
    for model, value, path in list(models_in(root, origin.file.data)):
        for name in secret_names(model):
            if name in value:
                full = (*origin.prefix, *path, name)
                message = (
                    "secrets may not be written in configuration files; set the environment "
                    f"variable {env_name(full)} or {name}_file (e.g. a mounted Kubernetes Secret)"
                )
                problems.append(origin.in_file((*path, name), message))
                del value[name]
    return problems


def read_secret_files(
    root: type[BaseModel], data: dict[str, Any], origin: Origin, *, base_dir: Path
) -> list[Problem]:
    """Fill each unset secret from its ``<name>_file``; a variable set for it wins."""
    problems = []
    for model, value, path in list(models_in(root, data)):
        for name in secret_names(model):
            file_value = value.get(f"{name}_file")
            if value.get(name) is not None or not isinstance(file_value, str | Path):
                continue
            secret_path = base_dir / Path(file_value).expanduser()
            try:
                value[name] = SecretStr(secret_path.read_text(encoding="utf-8").strip())
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                message = f"cannot read the secret file {secret_path}: {reason}"
                problems.append(origin.problem((*path, f"{name}_file"), message))
                value[name] = SecretStr("")  # reported above; not "unset" as well
    return problems


def validation_problems(
    error: ValidationError, root: type[BaseModel], data: Mapping[str, Any], origin: Origin
) -> list[Problem]:
    """One problem per validation error, at the key path as written in the data."""
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        path = data_path(detail["loc"], data, missing=detail["type"] == "missing")
        if detail["type"] == "missing_secret":
            path = (*path, str((detail.get("ctx") or {}).get("field", "token")))
        problems.append(origin.problem(path, _reason(detail, path, root, data, origin)))
    return problems


def data_path(loc: Sequence[int | str], data: Any, *, missing: bool = False) -> KeyPath:
    """A pydantic location as the key path in the data.

    Union tags and ``[key]`` markers are not in the data and are dropped; the last element is
    kept when it names a ``missing`` field.
    """
    path: list[str] = []
    value = data
    for index, part in enumerate(loc):
        found, child = _child(value, part)
        if found:
            value = child
        elif not (missing and index == len(loc) - 1):
            continue
        path.append(str(part))
    return tuple(path)


def _child(value: Any, part: int | str) -> tuple[bool, Any]:
    if isinstance(value, Mapping) and part in value:
        return True, value[part]
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return True, value[part]
    return False, None


_BOUNDS = {
    "less_than_equal": "at most",
    "less_than": "less than",
    "greater_than_equal": "at least",
    "greater_than": "more than",
}


def _reason(
    detail: ErrorDetails,
    path: KeyPath,
    root: type[BaseModel],
    data: Mapping[str, Any],
    origin: Origin,
) -> str:
    kind = detail["type"]
    if kind == "extra_forbidden" and path:
        return "unknown key" + suggestion(path[-1], fields_at(root, data, path[:-1]))
    if kind == "missing":
        return "required"
    if kind == "missing_secret":
        variable = env_name((*origin.prefix, *path))
        return f"not set: set the environment variable {variable} or {path[-1]}_file"
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(str((detail.get("ctx") or {}).get("pattern")))
        if hint is not None:
            return f"must be {hint}"
    bound = _BOUNDS.get(kind)
    if bound is not None:
        limit = next(iter((detail.get("ctx") or {}).values()), "?")
        return f"must be {bound} {limit}"
    if "[key]" in detail["loc"]:
        return f"invalid name: {detail['msg']}"
    message = detail["msg"]
    return message.removeprefix("Value error, ")
