"""Environment overrides: ``FOLLOWTHROUGH_…`` variables, ``__`` between nested keys.

Sits under the loader. pydantic-settings reads the variables against the shape of the global
file plus ``teams.<name>.…``; the loader merges the result over the files' data, so a variable
always wins over a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict, SettingsError
from pydantic_settings.sources.utils import parse_env_vars

from followthrough.config.problems import (
    ENV_DELIMITER,
    ENV_PREFIX,
    ENVIRONMENT,
    Problem,
    suggestion,
)
from followthrough.config.settings import GlobalSettings
from followthrough.config.team import TeamSettings
from followthrough.config.yamlfile import KeyPath


class EnvShape(BaseSettings, GlobalSettings):
    """What the environment may set: the global file's keys, and ``teams.<name>.<key>``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        case_sensitive=False,
        extra="forbid",
    )

    teams: dict[str, TeamSettings] = Field(default_factory=dict)


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source reading a given mapping instead of ``os.environ``."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)
        super().__init__(EnvShape)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def env_values(environ: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """Nested values set by the environment, and problems (unknown or unparseable variables)."""
    problems = _unknown_variables(environ)
    try:
        values = _MappingEnvSource(environ)()
    except SettingsError as exc:
        reason = f"{exc}: {exc.__cause__}" if exc.__cause__ else str(exc)
        problems.append(Problem(ENVIRONMENT, "", None, reason))
        return {}, problems
    return dict(values), problems


def _unknown_variables(environ: Mapping[str, str]) -> list[Problem]:
    # Only nested names are ours for sure; other FOLLOWTHROUGH_* variables belong to tools.
    known = list(EnvShape.model_fields)
    problems = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or ENV_DELIMITER not in upper:
            continue
        first = upper[len(ENV_PREFIX) :].split(ENV_DELIMITER, 1)[0].lower()
        if first not in known:
            hint = suggestion(first, known)
            problems.append(Problem(ENVIRONMENT, name, None, f"unknown setting '{first}'{hint}"))
    return problems


def leaf_paths(values: Mapping[str, Any], prefix: KeyPath = ()) -> list[KeyPath]:
    """Key paths of every value the environment set (nested mappings are walked)."""
    found: list[KeyPath] = []
    for key, value in values.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and value:
            found.extend(leaf_paths(value, path))
        else:
            found.append(path)
    return found


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``over`` laid on top, mappings merged key by key (new dicts throughout)."""
    merged: dict[str, Any] = {
        k: deep_merge(v, {}) if isinstance(v, Mapping) else v for k, v in base.items()
    }
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        elif isinstance(value, Mapping):
            merged[key] = deep_merge(value, {})
        else:
            merged[key] = value
    return merged
