"""YAML front matter: split it from the body, parse it, and report it when broken."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Final

import yaml

from followthrough.domain.document import SourceProblem
from followthrough.domain.memo import remember

_OPEN: Final = re.compile(r"\A---[ \t]*\r?\n")
# The C loader (libyaml) when PyYAML was built with it: same results, far faster.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CLOSE: Final = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    data: dict[str, Any]
    body: str
    body_line: int
    problems: tuple[SourceProblem, ...] = field(default=())


def split_front_matter(text: str) -> FrontMatter:
    """Separate a leading ``---`` YAML block from the Markdown body.

    A block that does not parse is reported (with the YAML error's line) and dropped,
    so the body is still read: a typo in metadata must not hide the action items.
    """
    if not _OPEN.match(text):
        return FrontMatter(data={}, body=text, body_line=1)
    close = _CLOSE.search(text, _OPEN.match(text).end())  # type: ignore[union-attr]
    if close is None:
        problem = SourceProblem(
            "bad-front-matter", "front matter opened with --- is never closed", 1
        )
        return FrontMatter(data={}, body=text, body_line=1, problems=(problem,))
    raw = text[4 : close.start()]
    body_line = text.count("\n", 0, close.end()) + 2
    start = close.end()
    start += text.startswith("\r", start)
    start += text.startswith("\n", start)
    body = text[start:]
    flat = _flat_mapping(raw)
    if flat is not None:
        return FrontMatter(data=flat, body=body, body_line=body_line)
    try:
        data = _load_yaml(raw)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problem = SourceProblem(
            "bad-front-matter", f"front matter is not valid YAML: {reason}", line
        )
        return FrontMatter(data={}, body=body, body_line=body_line, problems=(problem,))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problem = SourceProblem("bad-front-matter", "front matter is not a mapping of keys", 2)
        return FrontMatter(data={}, body=body, body_line=body_line, problems=(problem,))
    return FrontMatter(data={str(k): v for k, v in data.items()}, body=body, body_line=body_line)


def _load_yaml(raw: str) -> Any:
    """Parse with the fast loader; a failure is re-read by the pure one for its exact message."""
    try:
        try:
            return _bounded_load(raw, _LOADER)
        except yaml.YAMLError:
            return _bounded_load(raw, yaml.SafeLoader)
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None


# A plain scalar with nothing YAML could read otherwise: printable ASCII without ``:``, ``#``
# or flow indicators, starting with a letter, digit or ``(``, ending with no space.
_PLAIN_CHARS: Final = re.escape(
    "".join(chr(code) for code in range(0x20, 0x7F) if chr(code) not in ":#[]{},")
)
_PLAIN: Final = rf"[A-Za-z0-9(](?:[{_PLAIN_CHARS}]*[{_PLAIN_CHARS.removeprefix(re.escape(' '))}])?"
_PLAIN_SCALAR: Final = re.compile(_PLAIN)
# A key is short: YAML ends a simple key at 1024 characters.
_FLAT_LINE: Final = re.compile(
    rf"([A-Za-z_][A-Za-z0-9_-]{{0,127}}): +(?:({_PLAIN})|\[([^\[\]{{}}]*)\])"
)
# Longer blocks go to the parser, whose value count check they might need.
_FLAT_LENGTH: Final = 4000
_CONSTRUCTOR: Final = yaml.constructor.SafeConstructor()
_STR_TAG: Final = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"


def _flat_mapping(raw: str) -> dict[str, Any] | None:
    """The mapping of a block of ``key: value`` lines (a value a plain scalar or a flow list
    of them), or ``None`` for any other block, which the YAML parser reads.

    Keys and values are resolved and constructed by the loader's own rules, so the mapping
    is the one the parser gives (its keys strings).
    """
    if len(raw) > _FLAT_LENGTH or not raw.isascii():
        return None
    data: dict[str, Any] = {}
    for line in raw.split("\n"):
        if not line:
            continue
        match = _FLAT_LINE.fullmatch(line)
        if match is None:
            return None
        key, scalar, items = match.groups()
        if _tag(key) != _STR_TAG:
            return None
        if scalar is not None:
            data[key] = _scalar(scalar)
            continue
        values: list[Any] = []
        if items.strip(" "):
            for part in items.split(","):
                item = part.strip(" ")
                if not _PLAIN_SCALAR.fullmatch(item):
                    return None
                values.append(_scalar(item))
        data[key] = values
    return data or None


# The tag of each plain scalar read: keys and many values repeat from one document to the
# next. A plain dictionary, read in the compiled build without a call (`memo`).
_TAGS: Final[dict[str, str]] = {}


def _tag(plain: str) -> str:
    """The tag YAML gives a plain scalar (``Resolver.resolve``, whose paths are never set)."""
    found = _TAGS.get(plain)
    if found is None:
        found = remember(_TAGS, plain, _resolved_tag(plain))
    return found


def _resolved_tag(plain: str) -> str:
    implicit = _LOADER.yaml_implicit_resolvers
    for tag, pattern in implicit.get(plain[0], []) + implicit.get(None, []):
        if pattern.match(plain):
            return str(tag)
    return _STR_TAG


def _scalar(plain: str) -> Any:
    tag = _tag(plain)
    if tag == _STR_TAG:
        return plain
    if tag == _TIMESTAMP_TAG and len(plain) == 10:
        # A date alone ("2024-05-09": the resolver's other form, with a time, is longer),
        # made as the loader's timestamp constructor makes it.
        return dt.date(int(plain[:4]), int(plain[5:7]), int(plain[8:]))
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, plain))


# Front matter holds a few dozen values; aliases may repeat a block, not multiply it.
MAX_NODES = 10_000
# A block this short without an alias (``*name``) holds far fewer values and levels of
# nesting than the check stops at: it is not walked.
_UNCHECKED_LENGTH: Final = 400


class _TooManyValuesError(yaml.YAMLError):
    def __init__(self, node: yaml.Node) -> None:
        self.problem = f"aliases expand to more than {MAX_NODES} values"
        self.problem_mark = node.start_mark
        super().__init__(self.problem)


def _bounded_load(raw: str, loader_class: type[yaml.SafeLoader]) -> Any:
    loader = loader_class(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in raw or len(raw) > _UNCHECKED_LENGTH:
            _check_expansion(node, {})
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_expansion(node: yaml.Node, sizes: dict[int, int]) -> int:
    """The node's size with aliases expanded; a node holding itself never ends."""
    known = sizes.get(id(node))
    if known is not None:
        if known < 0:
            raise _TooManyValuesError(node)
        return known
    sizes[id(node)] = -1
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    total = 1 + sum(_check_expansion(child, sizes) for child in children)
    if total > MAX_NODES:
        raise _TooManyValuesError(node)
    sizes[id(node)] = total
    return total
