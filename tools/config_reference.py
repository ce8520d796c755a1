"""Write docs/configuration.md from the configuration's JSON Schema (``--check`` compares).

Usage: python tools/config_reference.py [--check]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
HEADER = """# Configuration reference

Generated from the JSON Schema (`followthrough config schema`) by `tools/config_reference.py`;
do not edit by hand. Every key can be overridden by an environment variable: `FOLLOWTHROUGH_`
followed by the key path joined with `__` (e.g. `FOLLOWTHROUGH_STORE__DSN`). Secrets (`token`,
`password`, `dsn`) are accepted only from the environment or from the matching `*_file` path.
"""


def schema() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "followthrough", "config", "schema"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        return resolve(defs[ref.rsplit("/", 1)[-1]], defs)
    for key in ("anyOf", "oneOf"):
        options = [o for o in node.get(key, []) if o.get("type") != "null"]
        if len(options) == 1:
            merged = {**node, **resolve(options[0], defs)}
            merged.pop(key, None)
            return merged
    return node


def type_of(node: dict[str, Any], defs: dict[str, Any]) -> str:
    node = resolve(node, defs)
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type")
    if kind == "array":
        return f"list of {type_of(node.get('items', {}), defs)}"
    if (
        kind == "object"
        and "additionalProperties" in node
        and isinstance(node["additionalProperties"], dict)
    ):
        return f"map of {type_of(node['additionalProperties'], defs)}"
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " or ".join(_name(o, defs) for o in node[key])
    return str(kind or "object") + _range(node)


def _range(node: dict[str, Any]) -> str:
    """`` 0…365`` for a bounded number (``>0`` for an exclusive bound)."""
    low = node.get("minimum", node.get("exclusiveMinimum"))
    high = node.get("maximum", node.get("exclusiveMaximum"))
    if low is None and high is None:
        return ""
    left = "" if low is None else (">" if "exclusiveMinimum" in node else "") + str(low)
    right = "" if high is None else ("<" if "exclusiveMaximum" in node else "") + str(high)
    return f" {left}…{right}"


def _name(node: dict[str, Any], defs: dict[str, Any]) -> str:
    """An alternative by its model's title (``JiraConnection``), else by its type."""
    ref = node.get("$ref")
    if isinstance(ref, str):
        return f"`{ref.rsplit('/', 1)[-1]}`"
    return type_of(node, defs)


def alternatives(
    node: dict[str, Any], defs: dict[str, Any], path: str
) -> list[tuple[str, dict[str, Any]]]:
    """The object alternatives of a list's items or a map's values, each with its row path:
    ``sources[] (FolderSource)``, ``trackers.<name> (JiraConnection)``."""
    kind = node.get("type")
    inner = node.get("items") if kind == "array" else node.get("additionalProperties")
    if not isinstance(inner, dict):
        return []
    prefix = f"{path}[]" if kind == "array" else f"{path}.<name>"
    options = inner.get("oneOf") or inner.get("anyOf") or ([inner] if "$ref" in inner else [])
    found = []
    for option in options:
        resolved = resolve(option, defs)
        if resolved.get("properties"):
            found.append((f"{prefix} ({_name(option, defs).strip('`')})", resolved))
    return found


def rows(node: dict[str, Any], defs: dict[str, Any], prefix: str) -> list[str]:
    node = resolve(node, defs)
    out: list[str] = []
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        resolved = resolve(child, defs)
        default = child.get("default", resolved.get("default"))
        shown = "" if default is None else f"`{json.dumps(default)}`"
        text = (child.get("description") or resolved.get("description") or "").replace("\n", " ")
        out.append(f"| `{path}` | {type_of(child, defs)} | {shown} | {text} |")
        if resolved.get("properties"):
            out.extend(rows(resolved, defs, path))
        for alternative, option in alternatives(resolved, defs, path):
            out.extend(rows(option, defs, alternative))
    return out


def render(data: dict[str, Any]) -> str:
    parts = [HEADER]
    for part, title in (
        ("global", "Global file: `config/followthrough.yaml`"),
        ("team", "Team file: `config/teams/<team>.yaml`"),
    ):
        doc = data[part]
        defs = doc.get("$defs", {})
        parts.append(
            f"\n## {title}\n\n| key | type | default | meaning |\n| --- | --- | --- | --- |"
        )
        parts.extend(rows(doc, defs, ""))
    return "\n".join(parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the file is out of date")
    args = parser.parse_args()
    text = render(schema())
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is out of date: run python tools/config_reference.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
