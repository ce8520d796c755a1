"""Two teams must never claim the same postmortem: overlapping path globs or team names.

Sits under the loader, which runs it once every team file is valid. Without it both teams
would create a ticket for the same item in their own projects, silently; so an overlap is a
configuration error naming both teams, both patterns and a path both would take.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

from followthrough.config.problems import Problem
from followthrough.config.team import TeamSettings
from followthrough.config.yamlfile import YamlFile

# A pattern token: "*", "?", a literal character, or a bracket set (its characters, negated).
_Token = str | tuple[frozenset[str], bool]
_PROBES = "x0a_-./"


def _tokens(pattern: str) -> list[_Token]:
    """``fnmatch`` syntax as tokens; ``**`` is ``*`` (both match across ``/``)."""
    tokens: list[_Token] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        close = pattern.find("]", index + 2) if char == "[" else -1
        if close > 0:
            body = pattern[index + 1 : close]
            negated = body.startswith("!")
            tokens.append((frozenset(_expand(body[1:] if negated else body)), negated))
            index = close + 1
            continue
        if not (char == "*" and tokens and tokens[-1] == "*"):
            tokens.append(char)
        index += 1
    return tokens


def _expand(body: str) -> set[str]:
    chars: set[str] = set()
    index = 0
    while index < len(body):
        if index + 2 < len(body) and body[index + 1] == "-" and body[index] <= body[index + 2]:
            low, high = ord(body[index]), ord(body[index + 2])
            chars.update(chr(code) for code in range(low, min(high, low + 256) + 1))
            index += 3
        else:
            chars.add(body[index])
            index += 1
    return chars


def _matches(token: _Token, char: str) -> bool:
    if isinstance(token, tuple):
        chars, negated = token
        return (char in chars) != negated
    return token in ("?", char)


def _common_char(first: _Token, second: _Token) -> str | None:
    """A character both single-character tokens match, if any."""
    candidates = [t for t in (first, second) if isinstance(t, str) and t != "?"]
    for token in (first, second):
        if isinstance(token, tuple):
            candidates.extend(sorted(token[0]))
    candidates.extend(_PROBES)
    return next((c for c in candidates if _matches(first, c) and _matches(second, c)), None)


def shared_path(first: str, second: str) -> str | None:
    """The shortest path both glob patterns match, or ``None`` when they share none."""
    a, b = _tokens(first), _tokens(second)
    start = (0, 0)
    came_from: dict[tuple[int, int], tuple[tuple[int, int], str] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state == (len(a), len(b)):
            return _path(came_from, state)
        for following, char in _steps(a, b, *state):
            if following not in came_from:
                came_from[following] = (state, char)
                queue.append(following)
    return None


def _steps(
    a: list[_Token], b: list[_Token], i: int, j: int
) -> Iterator[tuple[tuple[int, int], str]]:
    left = a[i] if i < len(a) else None
    right = b[j] if j < len(b) else None
    if left == "*":
        yield (i + 1, j), ""
    if right == "*":
        yield (i, j + 1), ""
    if left == "*" and right is not None and right != "*":
        char = _common_char("?", right)
        if char is not None:
            yield (i, j + 1), char
    if right == "*" and left is not None and left != "*":
        char = _common_char(left, "?")
        if char is not None:
            yield (i + 1, j), char
    if left is not None and right is not None and "*" not in (left, right):
        char = _common_char(left, right)
        if char is not None:
            yield (i + 1, j + 1), char


def _path(
    came_from: Mapping[tuple[int, int], tuple[tuple[int, int], str] | None], end: tuple[int, int]
) -> str:
    chars: list[str] = []
    step = came_from[end]
    while step is not None:
        state, char = step
        chars.append(char)
        step = came_from[state]
    return "".join(reversed(chars))


def overlap_problems(
    teams: Mapping[str, TeamSettings], files: Mapping[str, YamlFile]
) -> list[Problem]:
    """One problem per pair of teams claiming the same postmortems, in the later team's file."""
    problems: list[Problem] = []
    names = sorted(teams)
    for position, first in enumerate(names):
        for second in names[position + 1 :]:
            problems.extend(_pair(teams[first], teams[second], files.get(second)))
    return problems


def _pair(first: TeamSettings, second: TeamSettings, file: YamlFile | None) -> Iterator[Problem]:
    label = file.label if file is not None else f"team {second.name}"
    for index, theirs in enumerate(second.postmortems.paths):
        for ours in first.postmortems.paths:
            example = shared_path(ours, theirs)
            if example is not None:
                line = file.line_of(("postmortems", "paths", str(index))) if file else None
                message = (
                    f"'{theirs}' overlaps '{ours}' of team '{first.name}': both teams would "
                    f"claim postmortems such as '{example}'; make the patterns disjoint"
                )
                yield Problem(label, f"teams.{second.name}.postmortems.paths", line, message)
    shared = sorted(_team_names(first) & _team_names(second))
    if shared:
        line = file.line_of(("postmortems", "aliases")) if file else None
        message = (
            f"team '{first.name}' also claims postmortems whose team is "
            f"{', '.join(repr(n) for n in shared)}; give each team name to one team only"
        )
        yield Problem(label, f"teams.{second.name}.postmortems", line, message)


def _team_names(team: TeamSettings) -> set[str]:
    wanted = team.postmortems
    names = {*wanted.aliases, team.name} if wanted.match_team else set(wanted.aliases)
    return {name.strip().casefold() for name in names}
