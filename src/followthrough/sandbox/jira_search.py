"""JQL field semantics for the Jira simulator: validation, matching and ordering of issues.

Follows Jira's quirks where they matter to callers: negative operators (``!=``, ``NOT IN``)
never match an empty field, unknown projects/statuses are a 400, and an unbounded query is
refused by ``/search/jql``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from followthrough.sandbox import jira_model as m
from followthrough.sandbox.jql import (
    Clause,
    Empty,
    FuncCall,
    JqlError,
    ListOf,
    Literal,
    OrderBy,
    Query,
    clauses,
    function_date,
    parse_date,
)

ALIASES = {
    "type": "issuetype",
    "due": "duedate",
    "resolved": "resolutiondate",
    "createddate": "created",
    "updateddate": "updated",
    "component": "components",
    "issuekey": "key",
    "issue": "key",
    "id": "key",
    "statuscategory": "statuscategory",
}
ENUM_FIELDS = {"project", "status", "statuscategory", "issuetype", "priority", "resolution"}
USER_FIELDS = {"assignee", "reporter", "creator"}
DATE_FIELDS = {"created", "updated", "resolutiondate", "duedate"}
LIST_FIELDS = {"labels", "components"}
TEXT_FIELDS = {"summary", "description", "comment", "text"}
KNOWN_FIELDS = ENUM_FIELDS | USER_FIELDS | DATE_FIELDS | LIST_FIELDS | TEXT_FIELDS | {"key"}
PROPERTY = re.compile(r"^issue\.property\[(?P<key>[^\]]+)\](?:\.(?P<path>.+))?$", re.IGNORECASE)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)


def canonical_field(name: str) -> str:
    """Lower-cased field name with Jira's aliases resolved."""
    lowered = name.strip().lower()
    if PROPERTY.match(name.strip()):
        return "property"
    return ALIASES.get(lowered, lowered)


def _identities(field: str) -> list[set[str]]:
    catalogue: dict[str, Any] = {
        "project": [{p["id"], p["key"], p["name"]} for p in m.PROJECTS],
        "status": [{s["id"], s["name"]} for s in m.STATUSES],
        "statuscategory": [
            {str(c["id"]), c["key"], c["name"]} for c in m.STATUS_CATEGORIES.values()
        ],
        "issuetype": [{t["id"], t["name"]} for t in m.ISSUE_TYPES],
        "priority": [{p["id"], p["name"]} for p in m.PRIORITIES],
        "resolution": [{r["id"], r["name"]} for r in m.RESOLUTIONS],
    }
    return [{v.lower() for v in ids} for ids in catalogue[field]]


def _literals(clause: Clause) -> list[Literal | FuncCall]:
    value = clause.value
    if isinstance(value, ListOf):
        return list(value.items)
    if isinstance(value, Literal | FuncCall):
        return [value]
    return []


def validate(query: Query) -> None:
    """Reject unknown fields, unknown enum values and unsupported operators like Jira."""
    for clause in clauses(query.where):
        field = canonical_field(clause.field)
        if field not in KNOWN_FIELDS and field != "property":
            raise JqlError(
                f"Field '{clause.field}' does not exist or you do not have permission to view it."
            )
        _check_operator(clause, field)
        if field in ENUM_FIELDS:
            _check_enum_values(clause, field)
    for term in query.order_by:
        field = canonical_field(term.field)
        if field not in KNOWN_FIELDS - {"text", "comment"} and field != "property":
            raise JqlError(
                f"Field '{term.field}' does not exist or you do not have permission to view it."
            )


def _check_operator(clause: Clause, field: str) -> None:
    text_ops = {"~", "!~", "is", "is not"}
    ordered = {">", ">=", "<", "<="}
    bad = (field in TEXT_FIELDS and clause.op not in text_ops) or (
        field not in TEXT_FIELDS and clause.op in {"~", "!~"}
    )
    bad = bad or (clause.op in ordered and field not in DATE_FIELDS | {"key", "property"})
    if bad:
        raise JqlError(
            f"The operator '{clause.op.upper()}' is not supported by the '{clause.field}' field."
        )


def _check_enum_values(clause: Clause, field: str) -> None:
    known = set().union(*_identities(field))
    for literal in _literals(clause):
        if isinstance(literal, FuncCall):
            continue
        text = literal.text.lower()
        if field == "resolution" and text == "unresolved":
            continue
        if text not in known:
            raise JqlError(f"The value '{literal.text}' does not exist for the field '{field}'.")


class Matcher:
    """Evaluates clauses against stored issue records."""

    def __init__(
        self,
        *,
        now: datetime,
        current_user: str,
        comments_of: Callable[[str], list[dict[str, Any]]],
        zone: tzinfo = UTC,
    ) -> None:
        self.now = now
        self.zone = zone
        self.current_user = current_user
        self.comments_of = comments_of

    # values --------------------------------------------------------------------------

    def identities(self, issue: dict[str, Any], field: str) -> list[set[str]]:
        """One identity set per value of the field (empty list = EMPTY)."""
        if field == "key":
            return [{issue["id"], issue["key"].lower()}]
        if field in USER_FIELDS:
            user = m.user_by_account(issue[field])
            if user is None:
                return []
            ids = {user["accountId"], user["emailAddress"], user["displayName"]}
            return [{v.lower() for v in ids}]
        if field == "labels":
            return [{label.lower()} for label in issue["labels"]]
        if field == "components":
            project = m.find(m.PROJECTS, issue["project"])
            assert project is not None
            comps = [c for c in project["components"] if c["id"] in issue["components"]]
            return [{c["id"], c["name"].lower()} for c in comps]
        return self._enum_identities(issue, field)

    def _enum_identities(self, issue: dict[str, Any], field: str) -> list[set[str]]:
        ref = {
            "project": issue["project"],
            "status": issue["status"],
            "statuscategory": str(
                m.STATUS_CATEGORIES[m.status_by_id(issue["status"])["category"]]["id"]
            ),
            "issuetype": issue["issuetype"],
            "priority": issue["priority"],
            "resolution": issue["resolution"],
        }[field]
        if ref is None:
            return []
        return [ids for ids in _identities(field) if ref.lower() in ids]

    def wanted(self, literal: Literal | FuncCall, field: str) -> str:
        """A literal as a lower-case identity."""
        if isinstance(literal, FuncCall):
            if literal.name.lower() == "currentuser":
                return self.current_user.lower()
            raise JqlError(f"Unable to find JQL function '{literal.name}()'.")
        text = literal.text.lower()
        return "" if field == "resolution" and text == "unresolved" else text

    # matching ------------------------------------------------------------------------

    def match(self, issue: dict[str, Any], clause: Clause) -> bool:
        """Whether one clause holds for the issue."""
        field = canonical_field(clause.field)
        if field == "property":
            return self._match_values(self._property_values(issue, clause.field), clause, field)
        if field in DATE_FIELDS:
            return self._match_date(issue, field, clause)
        if field in TEXT_FIELDS:
            return self._match_text(issue, field, clause)
        if field == "key" and clause.op in {">", ">=", "<", "<="}:
            return _compare(_key_number(issue["key"]), clause.op, _key_number(_one(clause)))
        return self._match_values(self.identities(issue, field), clause, field)

    def _match_values(self, values: list[set[str]], clause: Clause, field: str) -> bool:
        op = clause.op
        if op in {"is", "is not"} or isinstance(clause.value, Empty):
            empty = not values
            return empty if op in {"is", "="} else not empty
        wanted = [self.wanted(lit, field) for lit in _literals(clause)]
        if field == "resolution" and "" in wanted:
            hit = not values or any(w in ids for w in wanted for ids in values)
            return hit if op in {"=", "in"} else not hit
        hit = any(w in ids for w in wanted for ids in values)
        if op in {"=", "in"}:
            return hit
        if op in {"!=", "not in"}:
            return bool(values) and not hit
        if op in {">", ">=", "<", "<="} and values:
            return any(_compare(v, op, w) for ids in values for v in ids for w in wanted)
        return False

    def _property_values(self, issue: dict[str, Any], field: str) -> list[set[str]]:
        found = PROPERTY.match(field.strip())
        assert found is not None
        value: Any = issue["properties"].get(found.group("key"))
        for part in (found.group("path") or "").split(".") if found.group("path") else []:
            value = value.get(part) if isinstance(value, dict) else None
        items = value if isinstance(value, list) else [value]
        return [{_scalar(item)} for item in items if item is not None]

    def _match_date(self, issue: dict[str, Any], field: str, clause: Clause) -> bool:
        stored = issue[field]
        if clause.op in {"is", "is not"} or isinstance(clause.value, Empty):
            return (stored is None) == (clause.op in {"is", "="})
        if stored is None:
            return False
        moment = _as_moment(stored)
        targets = [self._date_of(lit) for lit in _literals(clause)]
        if clause.op in {"in", "not in"}:
            return (moment in targets) == (clause.op == "in")
        return _compare(moment, clause.op, targets[0])

    def _date_of(self, literal: Literal | FuncCall) -> datetime:
        if isinstance(literal, FuncCall):
            return function_date(literal, now=self.now)
        return parse_date(literal.text, now=self.now, zone=self.zone)

    def _match_text(self, issue: dict[str, Any], field: str, clause: Clause) -> bool:
        haystack = self._text_of(issue, field).lower()
        if clause.op in {"is", "is not"}:
            return (not haystack) == (clause.op == "is")
        words = re.findall(r"\w+", _one(clause).lower())
        hit = bool(words) and all(word in haystack for word in words)
        return hit if clause.op == "~" else not hit

    def _text_of(self, issue: dict[str, Any], field: str) -> str:
        parts: list[str] = []
        if field in {"summary", "text"}:
            parts.append(issue["summary"])
        if field in {"description", "text"} and issue["description"]:
            parts.append(issue["description"]["text"])
        if field in {"comment", "text"}:
            parts.extend(c["body"]["text"] for c in self.comments_of(issue["id"]))
        return "\n".join(parts)

    # ordering ------------------------------------------------------------------------

    def sort(
        self, issues: list[dict[str, Any]], order: tuple[OrderBy, ...]
    ) -> list[dict[str, Any]]:
        """Issues in ORDER BY order (default: created DESC), ties broken by id."""
        terms = order or (OrderBy("created", descending=True),)
        result = sorted(issues, key=lambda i: int(i["id"]), reverse=terms[0].descending)
        for term in reversed(terms):
            field = canonical_field(term.field)
            result.sort(key=self._sort_key_for(field), reverse=term.descending)
        return result

    def _sort_key_for(self, field: str) -> Callable[[dict[str, Any]], tuple[int, Any]]:
        return lambda issue: self._sort_key(issue, field)

    def _sort_key(self, issue: dict[str, Any], field: str) -> tuple[int, Any]:
        if field == "key":
            return (0, (issue["key"].split("-")[0], _key_number(issue["key"])))
        if field in DATE_FIELDS:
            stored = issue[field]
            return (1, 0) if stored is None else (0, _as_moment(stored).timestamp())
        if field == "priority":
            return (0, -int(issue["priority"]))
        if field in USER_FIELDS:
            user = m.user_by_account(issue[field])
            return (1, "") if user is None else (0, user["displayName"].lower())
        if field == "status":
            return (0, m.status_by_id(issue["status"])["name"].lower())
        if field == "summary":
            return (0, issue["summary"].lower())
        values = (
            sorted(min(ids) for ids in self.identities(issue, field)) if field != "property" else []
        )
        return (1, "") if not values else (0, values[0])


def _one(clause: Clause) -> str:
    value = clause.value
    if isinstance(value, Literal):
        return value.text
    raise JqlError(f"The operator '{clause.op.upper()}' needs a single value for '{clause.field}'.")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


def _key_number(key: str) -> int:
    tail = key.rsplit("-", 1)[-1]
    if not tail.isdigit():
        raise JqlError(f"The issue key '{key}' for field 'key' is invalid.")
    return int(tail)


def _as_moment(stored: str) -> datetime:
    if len(stored) == 10:
        return datetime.strptime(stored, "%Y-%m-%d").replace(tzinfo=UTC)
    return datetime.fromisoformat(stored)


def _compare(left: Any, op: str, right: Any) -> bool:
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: bool(a == b),
        "!=": lambda a, b: bool(a != b),
        ">": lambda a, b: bool(a > b),
        ">=": lambda a, b: bool(a >= b),
        "<": lambda a, b: bool(a < b),
        "<=": lambda a, b: bool(a <= b),
    }
    return ops[op](left, right)
