"""Reading one YAML configuration file: its data, and the line of every key for messages.

Sits under the loader. YAML 1.1 quirks are turned off on purpose: ``off``/``no`` stay strings
(lint severities say ``off``) and ``10:30`` stays a time, not the base-60 number 630.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from followthrough.config.problems import Problem

KeyPath = tuple[str, ...]

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+)$")
_FLOAT = re.compile(
    r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
)
_REPLACED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


def _strict_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in entries if tag not in _REPLACED]
        if kept:
            table[first] = kept
    for tag, rx, firsts in (
        ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
        ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
        ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
    ):
        for first in firsts:
            table.setdefault(first, []).append((tag, rx))
    return table


class StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars: no yes/no/on/off booleans, no base-60 numbers."""

    yaml_implicit_resolvers = _strict_resolvers()


@dataclass(frozen=True, slots=True)
class YamlFile:
    """A parsed file: ``data`` (a mapping), and the line of each key path (1-based)."""

    label: str
    data: dict[str, Any]
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


# A configuration holds hundreds of values; aliases may repeat a block, not multiply it.
MAX_NODES = 100_000


def parse_yaml(text: str, *, label: str) -> YamlFile | list[Problem]:
    """Parse ``text``; problems when it is not YAML, repeats a key, or is not a mapping.

    Aliases are expanded only while the values they stand for stay under `MAX_NODES`, so a
    few lines of nested aliases cannot make the program build billions of values.
    """
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            check_expansion(node, limit=MAX_NODES)
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        reason = getattr(exc, "problem", None) or str(exc)
        return [Problem(label, "", line, f"not valid YAML: {reason}")]
    except RecursionError:
        return [Problem(label, "", None, "not valid YAML: nested too deeply")]
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return [Problem(label, "", 1, "the file must hold a mapping of keys to values")]
    lines: dict[KeyPath, int] = {(): 1}
    duplicates: list[Problem] = []
    if node is not None:
        _map_lines(node, (), lines, duplicates, label)
    if duplicates:
        return duplicates
    return YamlFile(label=label, data=data, lines=lines)


class TooManyValuesError(yaml.YAMLError):
    """Aliases that expand to more values than a configuration can hold."""

    def __init__(self, node: yaml.Node, limit: int) -> None:
        self.problem = f"aliases expand to more than {limit} values (an alias bomb?)"
        self.problem_mark = node.start_mark
        super().__init__(self.problem)


def check_expansion(root: yaml.Node, *, limit: int) -> None:
    """Raise `TooManyValuesError` at the first node whose expansion exceeds ``limit`` values.

    Aliases point at the node they repeat, so each node's expanded size is counted once; a
    node that contains itself expands without end.
    """
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            if known < 0:
                raise TooManyValuesError(node, limit)  # an alias inside its own anchor
            return known
        sizes[id(node)] = -1
        total = 1 + sum(size(child) for child in _children(node))
        if total > limit:
            raise TooManyValuesError(node, limit)
        sizes[id(node)] = total
        return total

    size(root)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def read_yaml(path: Path, *, label: str | None = None) -> YamlFile | list[Problem]:
    """Read and parse one file; unreadable files are a `Problem` too."""
    name = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(name, "", None, f"cannot read the file: {exc}")]
    return parse_yaml(text, label=name)


def _map_lines(
    node: yaml.Node,
    path: KeyPath,
    lines: dict[KeyPath, int],
    duplicates: list[Problem],
    label: str,
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                line = key_node.start_mark.line + 1
                duplicates.append(Problem(label, ".".join(child), line, "key given twice"))
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _map_lines(value_node, child, lines, duplicates, label)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, str(index))
            lines[child] = item.start_mark.line + 1
            _map_lines(item, child, lines, duplicates, label)
