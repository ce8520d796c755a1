"""Listing and search rules of the simulated GitHub in the sandbox.

Issue-list filters (state, labels, assignee, creator, milestone, since, sort), page slicing with
RFC 5988 ``Link`` headers, and a parser for the ``/search/issues`` query language subset the
project uses (``repo:``, ``is:``, ``state:``, ``label:``, ``in:``, ``author:``, ``assignee:``,
``no:``, ``created:``/``updated:`` ranges, free text and quoted phrases, ``-`` negation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from urllib.parse import urlencode

from followthrough.sandbox.github_state import Comment, Issue, Repo

T = TypeVar("T")
Query = dict[str, list[str]]
Predicate = Callable[[Issue], bool]

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 30


class QueryError(ValueError):
    """A query parameter GitHub would reject with 422; ``field`` names it."""

    def __init__(self, field: str, message: str = "") -> None:
        super().__init__(message or f"invalid {field}")
        self.field = field
        self.message = message


def first(query: Query, name: str) -> str | None:
    """First value of a query parameter."""
    values = query.get(name)
    return values[0] if values else None


def parse_time(text: str, *, field: str) -> float:
    """ISO 8601 (``2024-05-01``, ``2024-05-01T10:00:00Z``) to epoch seconds, UTC if naive."""
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError as exc:
        raise QueryError(field) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


# pagination ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """Which slice of a listing was asked for."""

    number: int
    size: int

    @classmethod
    def from_query(cls, query: Query) -> Page:
        """``page``/``per_page`` with GitHub's defaults and cap; junk falls back to defaults."""
        return cls(
            number=max(_int(first(query, "page"), 1), 1),
            size=min(max(_int(first(query, "per_page"), DEFAULT_PER_PAGE), 1), MAX_PER_PAGE),
        )

    def slice(self, items: Sequence[T]) -> list[T]:
        """The items on this page."""
        start = (self.number - 1) * self.size
        return list(items[start : start + self.size])

    def last(self, total: int) -> int:
        """Number of the last page (at least 1)."""
        return max((total + self.size - 1) // self.size, 1)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def link_header(*, url: str, query: Query, page: Page, total: int) -> str | None:
    """``Link`` header (prev, next, last, first) for ``url``, keeping the other parameters."""
    last = page.last(total)
    if last <= 1:
        return None
    rels: list[tuple[str, int]] = []
    if page.number > 1:
        rels.append(("prev", min(page.number - 1, last)))
    if page.number < last:
        rels += [("next", page.number + 1), ("last", last)]
    if page.number > 1:
        rels.append(("first", 1))
    return ", ".join(f'<{_page_url(url, query, n)}>; rel="{rel}"' for rel, n in rels)


def _page_url(url: str, query: Query, number: int) -> str:
    pairs = [(k, v) for k, values in query.items() if k != "page" for v in values]
    pairs.append(("page", str(number)))
    return f"{url}?{urlencode(pairs)}"


# issue list ---------------------------------------------------------------------------------


def filter_issues(repo: Repo, query: Query) -> list[Issue]:
    """``GET /repos/{o}/{r}/issues`` filtering and ordering."""
    checks = [
        _state_check(first(query, "state") or "open"),
        *_label_checks(repo, first(query, "labels")),
        _assignee_check(first(query, "assignee")),
        _creator_check(first(query, "creator")),
        _milestone_check(first(query, "milestone")),
        _since_check(first(query, "since")),
    ]
    found = [i for i in repo.current_issues() if all(check(i) for check in checks)]
    return sort_issues(found, sort=first(query, "sort"), direction=first(query, "direction"))


def sort_issues(items: list[Issue], *, sort: str | None, direction: str | None) -> list[Issue]:
    """Order by created (default), updated or comments; descending unless ``asc``."""
    keys: dict[str, Callable[[Issue], tuple[float, int]]] = {
        "created": lambda i: (i.created_at, i.number),
        "updated": lambda i: (i.updated_at, i.number),
        "comments": lambda i: (float(i.comments), i.number),
    }
    key = keys.get(sort or "created", keys["created"])
    return sorted(items, key=key, reverse=(direction or "desc") != "asc")


def _state_check(state: str) -> Predicate:
    if state not in {"open", "closed", "all"}:
        raise QueryError("state")
    return lambda i: state in {"all", i.state}


def _label_checks(repo: Repo, labels: str | None) -> list[Predicate]:
    names = [n.strip() for n in (labels or "").split(",") if n.strip()]
    return [_has_label(repo, name) for name in names]


def _has_label(repo: Repo, name: str) -> Predicate:
    found = repo.label_named(name)
    if found is None:
        return lambda _i: False
    return lambda i: found.id in i.labels


def _assignee_check(assignee: str | None) -> Predicate:
    if assignee is None:
        return lambda _i: True
    if assignee == "none":
        return lambda i: not i.assignees
    if assignee == "*":
        return lambda i: bool(i.assignees)
    return lambda i: assignee.casefold() in {a.casefold() for a in i.assignees}


def _creator_check(creator: str | None) -> Predicate:
    if creator is None:
        return lambda _i: True
    return lambda i: i.user.casefold() == creator.casefold()


def _milestone_check(milestone: str | None) -> Predicate:
    if milestone is None:
        return lambda _i: True
    if milestone == "none":
        return lambda i: i.milestone is None
    if milestone == "*":
        return lambda i: i.milestone is not None
    return lambda i: str(i.milestone) == milestone


def _since_check(since: str | None) -> Predicate:
    if since is None:
        return lambda _i: True
    bound = parse_time(since, field="since")
    return lambda i: i.updated_at >= bound


def comments_since(comments: list[Comment], since: str | None) -> list[Comment]:
    """Comments updated at or after ``since``, oldest first."""
    bound = parse_time(since, field="since") if since else None
    kept = [c for c in comments if bound is None or c.updated_at >= bound]
    return sorted(kept, key=lambda c: c.id)


# search -------------------------------------------------------------------------------------

_TOKEN = re.compile(r'-?[\w.-]+:(?:"[^"]*"|\S+)|"[^"]*"|\S+')


@dataclass(frozen=True)
class Snapshot:
    """What the search index knows about one issue: its version and its comment bodies."""

    repo: Repo
    issue: Issue
    comment_bodies: tuple[str, ...] = ()


@dataclass
class SearchQuery:
    """A parsed ``q``: repositories named, field predicates, free-text terms and fields."""

    repos: list[str]
    checks: list[Callable[[Snapshot], bool]]
    terms: list[str]
    fields: set[str]

    def matches(self, snap: Snapshot) -> bool:
        """Whether an indexed issue satisfies every qualifier and term."""
        if self.repos and snap.repo.full_name.casefold() not in self.repos:
            return False
        if not all(check(snap) for check in self.checks):
            return False
        texts = _texts(snap, self.fields or {"title", "body"})
        return all(any(term in text for text in texts) for term in self.terms)


def _texts(snap: Snapshot, fields: set[str]) -> list[str]:
    texts: list[str] = []
    if "title" in fields:
        texts.append(snap.issue.title.casefold())
    if "body" in fields:
        texts.append((snap.issue.body or "").casefold())
    if "comments" in fields:
        texts += [body.casefold() for body in snap.comment_bodies]
    return texts


def parse_search(q: str) -> SearchQuery:
    """Parse the subset of GitHub's issue search syntax the simulator understands."""
    parsed = SearchQuery(repos=[], checks=[], terms=[], fields=set())
    for token in _TOKEN.findall(q):
        negate = token.startswith("-") and ":" in token
        key, sep, raw = token.lstrip("-").partition(":") if negate else token.partition(":")
        if not sep or key.casefold() not in _QUALIFIERS:
            parsed.terms.append(_unquote(token).casefold())
            continue
        _apply(parsed, key.casefold(), _unquote(raw), negate=negate)
    parsed.terms = [t for t in parsed.terms if t and t.upper() not in {"AND"}]
    return parsed


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _apply(parsed: SearchQuery, key: str, value: str, *, negate: bool) -> None:
    if key == "repo":
        parsed.repos.append(value.casefold())
        return
    if key == "in":
        parsed.fields.update(f.strip().casefold() for f in value.split(","))
        return
    check = _QUALIFIERS[key](value)
    parsed.checks.append((lambda s: not check(s)) if negate else check)


def _is(value: str) -> Callable[[Snapshot], bool]:
    wanted = value.casefold()
    if wanted in {"open", "closed"}:
        return lambda s: s.issue.state == wanted
    if wanted in {"pr", "pull-request"}:
        return lambda _s: False
    return lambda _s: wanted == "issue"


def _label(value: str) -> Callable[[Snapshot], bool]:
    names = {n.strip().casefold() for n in value.split(",") if n.strip()}

    def check(snap: Snapshot) -> bool:
        have = {
            snap.repo.labels[i].name.casefold() for i in snap.issue.labels if i in snap.repo.labels
        }
        return bool(names & have)

    return check


def _person(attr: str) -> Callable[[str], Callable[[Snapshot], bool]]:
    def build(value: str) -> Callable[[Snapshot], bool]:
        login = value.casefold()
        if attr == "user":
            return lambda s: s.issue.user.casefold() == login
        return lambda s: login in {a.casefold() for a in s.issue.assignees}

    return build


def _no(value: str) -> Callable[[Snapshot], bool]:
    missing = value.casefold()
    if missing == "label":
        return lambda s: not s.issue.labels
    if missing == "assignee":
        return lambda s: not s.issue.assignees
    if missing == "milestone":
        return lambda s: s.issue.milestone is None
    return lambda _s: True


def _dated(attr: str) -> Callable[[str], Callable[[Snapshot], bool]]:
    def build(value: str) -> Callable[[Snapshot], bool]:
        low, high = date_range(value)
        pick: Callable[[Issue], float] = (
            (lambda i: i.updated_at) if attr == "updated" else (lambda i: i.created_at)
        )
        return lambda s: low <= pick(s.issue) < high

    return build


def date_range(value: str) -> tuple[float, float]:
    """``>=2024-05-01``, ``<2024-05-01T10:00:00Z``, ``a..b``, ``2024-05-01`` as [low, high)."""
    if ".." in value:
        start, _, end = value.partition("..")
        low = _bound(start, upper=False) if start != "*" else float("-inf")
        high = _bound(end, upper=True) if end != "*" else float("inf")
        return low, high
    match = re.fullmatch(r"(>=|<=|>|<)?(.+)", value.strip())
    assert match is not None
    op, text = match.group(1) or "", match.group(2)
    ranges = {
        ">=": (_bound(text, upper=False), float("inf")),
        ">": (_bound(text, upper=True), float("inf")),
        "<=": (float("-inf"), _bound(text, upper=True)),
        "<": (float("-inf"), _bound(text, upper=False)),
        "": (_bound(text, upper=False), _bound(text, upper=True)),
    }
    return ranges[op]


def _bound(text: str, *, upper: bool) -> float:
    """Start of the day/second named by ``text``; with ``upper``, the start of the next one."""
    start = parse_time(text, field="q")
    step = timedelta(seconds=1) if "T" in text else timedelta(days=1)
    return start + step.total_seconds() if upper else start


_QUALIFIERS: dict[str, Callable[[str], Callable[[Snapshot], bool]]] = {
    "repo": _is,
    "in": _is,
    "is": _is,
    "type": _is,
    "state": _is,
    "label": _label,
    "author": _person("user"),
    "assignee": _person("assignees"),
    "no": _no,
    "created": _dated("created"),
    "updated": _dated("updated"),
}


def sort_hits(hits: list[Snapshot], *, sort: str | None, order: str | None) -> list[Snapshot]:
    """Order search hits by created/updated/comments; best match falls back to newest first."""
    keys: dict[str, Callable[[Snapshot], tuple[float, int]]] = {
        "created": lambda s: (s.issue.created_at, s.issue.number),
        "updated": lambda s: (s.issue.updated_at, s.issue.number),
        "comments": lambda s: (float(s.issue.comments), s.issue.number),
    }
    key = keys.get(sort or "", keys["created"])
    descending = (order or "desc") != "asc" if sort in keys else True
    return sorted(hits, key=key, reverse=descending)
