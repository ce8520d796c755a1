"""Value parsers: calendar dates, owners, owner kinds and ticket references."""

from __future__ import annotations

import datetime as dt

import pytest

from followthrough.domain.values import (
    find_tickets,
    normalise_owner,
    owner_kind,
    parse_calendar_date,
)

REFERENCE = dt.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-26", dt.date(2024, 4, 26)),
        ("2024/04/26", dt.date(2024, 4, 26)),
        ("2024.04.26", dt.date(2024, 4, 26)),
        ("May 10, 2024", dt.date(2024, 5, 10)),
        ("Sept 3 2024", dt.date(2024, 9, 3)),
        ("15 Nov 2024", dt.date(2024, 11, 15)),
        ("1st of June 2024", dt.date(2024, 6, 1)),
        ("10 May", dt.date(2024, 5, 10)),
        ("**2024-04-26**", dt.date(2024, 4, 26)),
        ("26/04/2024", dt.date(2024, 4, 26)),
        ("04/26/2024", dt.date(2024, 4, 26)),
        ("04/05/2024", None),
        ("2024-13-02", None),
        ("2024-02-30", None),
        ("Q3", None),
        ("next sprint", None),
        ("TBD", None),
        ("by 2024-04-26 or so", None),
    ],
)
def test_parse_calendar_date(text: str, expected: dt.date | None) -> None:
    assert parse_calendar_date(text, reference=REFERENCE) == expected


def test_day_and_month_need_a_reference_year() -> None:
    assert parse_calendar_date("10 May") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@alice", "alice"),
        ("  Bob Smith ", "Bob Smith"),
        ("carol@example.com", "carol@example.com"),
        ("**@dave**", "dave"),
        ("TBD", None),
        ("TODO", None),
        ("?", None),
        ("n/a", None),
        ("-", None),
        ("[owner]", None),
        (None, None),
    ],
)
def test_normalise_owner(text: str | None, expected: str | None) -> None:
    assert normalise_owner(text) == expected


@pytest.mark.parametrize(
    ("owner", "kind"),
    [
        ("alice", "person"),
        ("Bob Smith", "person"),
        ("carol@example.com", "person"),
        ("SRE team", "team"),
        ("SRE", "team"),
        ("platform", "team"),
        ("alice and bob", "multiple"),
        ("alice, bob", "multiple"),
        ("alice/bob", "multiple"),
    ],
)
def test_owner_kind(owner: str, kind: str) -> None:
    assert owner_kind(owner) == kind


@pytest.mark.parametrize(
    ("text", "links", "expected"),
    [
        ("see OPS-12 and OPS-13", (), ("OPS-12", "OPS-13")),
        ("https://acme.atlassian.net/browse/ops-14", (), ("OPS-14",)),
        ("https://jira.acme.io/jira/browse/OPS-15", (), ("OPS-15",)),
        ("https://github.com/acme/infra/issues/7", (), ("acme/infra#7",)),
        ("https://github.com/acme/infra/pull/8", (), ("acme/infra#8",)),
        ("acme/infra#9", (), ("acme/infra#9",)),
        ("#10", (), ("#10",)),
        ("[#11][ref]", ("https://github.com/acme/infra/issues/11",), ("acme/infra#11",)),
        ("bug 123456", (), ("bug 123456",)),
        ("UTF-8 and SHA-256 and SEV-2", (), ()),
        ("n/a", (), ()),
        ("TODO", (), ()),
        ("-", (), ()),
    ],
)
def test_find_tickets(text: str, links: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert find_tickets(text, links) == expected
