"""JSON Schema of the configuration files, for editors (``followthrough config schema``).

Sits beside the loader. The schema describes files, not models: secret fields are left out
(a file may not hold them; ``*_file`` and the environment do) and a team's ``name`` is
optional (it defaults to the file name).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from followthrough.config.descriptions import GLOBAL, TEAM, describe
from followthrough.config.settings import GlobalSettings
from followthrough.config.team import TeamSettings

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schemas() -> dict[str, dict[str, Any]]:
    """``{"global": …, "team": …}``: one schema per kind of file."""
    return {
        "global": file_schema(
            GlobalSettings, title="followthrough global configuration", descriptions=GLOBAL
        ),
        "team": file_schema(
            TeamSettings,
            title="followthrough team configuration",
            optional=("name",),
            descriptions=TEAM,
        ),
    }


def file_schema(
    model: type[BaseModel],
    *,
    title: str,
    optional: tuple[str, ...] = (),
    descriptions: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """The schema of a file that ``model`` validates, without its secret fields."""
    schema = model.model_json_schema()
    describe(schema, descriptions or {})
    for node in [schema, *schema.get("$defs", {}).values()]:
        _drop_secrets(node)
    required = [name for name in schema.get("required", []) if name not in optional]
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)
    return {"$schema": DIALECT, **schema, "title": title}


def _drop_secrets(node: dict[str, Any]) -> None:
    properties = node.get("properties", {})
    for name in [n for n, prop in properties.items() if _is_secret(prop)]:
        del properties[name]
        if name in node.get("required", []):
            node["required"].remove(name)
        if f"{name}_file" in properties:
            properties[f"{name}_file"]["description"] = (
                f"file holding the {name} (or set it in the environment; never in this file)"
            )


def _is_secret(prop: dict[str, Any]) -> bool:
    options = [prop, *prop.get("anyOf", [])]
    return any(option.get("writeOnly") is True for option in options)
