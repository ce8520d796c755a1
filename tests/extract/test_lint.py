"""Every lint code, its default severity, and team overrides."""

from __future__ import annotations

import pytest

from followthrough.adapters.sources.markdown import parse_markdown
from followthrough.domain.extract import extract
from followthrough.domain.lint import CODES, DEFAULT_SEVERITIES, LintPolicy
from followthrough.domain.model import Severity
from tests.extract.helpers import codes, md, only_item

ERRORS = {"missing-owner", "multiple-owners", "missing-due", "unparseable-due", "unreadable-document", "bad-front-matter"}  # fmt: skip


def test_default_severities() -> None:
    assert set(CODES) == {
        "missing-owner",
        "team-owner",
        "multiple-owners",
        "missing-due",
        "unparseable-due",
        "vague-outcome",
        "duplicate-item",
        "no-action-items",
        "unreadable-item",
        "unreadable-document",
        "bad-front-matter",
        "earlier-promises",
        "no-prevention-or-detection",
    }
    assert {code for code, level in DEFAULT_SEVERITIES.items() if level is Severity.ERROR} == ERRORS
    assert {code for code, level in DEFAULT_SEVERITIES.items() if level is Severity.WARNING} == (
        set(CODES) - ERRORS
    )


def _one(line: str, policy: LintPolicy | None = None) -> list[tuple[str, Severity]]:
    pm = md(f"# Cache outage\n\n## Action items\n\n{line}\n", policy=policy)
    item = only_item(pm)
    assert all(f.item == item.key and f.line == 5 and f.path == "pm.md" for f in pm.findings)
    return [(f.code, f.severity) for f in pm.findings]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- Pin the client library version (owner: @alice, due: 2024-05-01)", []),
        (
            "- Pin the client library version (due: 2024-05-01)",
            [("missing-owner", Severity.ERROR)],
        ),
        (
            "- Pin the client library version (owner: TBD, due: 2024-05-01)",
            [("missing-owner", Severity.ERROR)],
        ),
        (
            "- Pin the client library version (owner: SRE, due: 2024-05-01)",
            [("team-owner", Severity.WARNING)],
        ),
        (
            "- Platform team to pin the client library version (due: 2024-05-01)",
            [("team-owner", Severity.WARNING)],
        ),
        (
            "- Pin the client library version (owner: alice and bob, due: 2024-05-01)",
            [("multiple-owners", Severity.ERROR)],
        ),
        (
            "- Pin the client library version (owner: alice, bob, due: 2024-05-01)",
            [("multiple-owners", Severity.ERROR)],
        ),
        (
            "- Pin the client library version (owner: @alice)",
            [("missing-due", Severity.ERROR)],
        ),
        (
            "- Pin the client library version (owner: @alice, due: next sprint)",
            [("unparseable-due", Severity.ERROR)],
        ),
        (
            "- Improve monitoring (owner: @alice, due: 2024-05-01)",
            [("vague-outcome", Severity.WARNING)],
        ),
        (
            "- Investigate the cache eviction (owner: @alice, due: 2024-05-01)",
            [("vague-outcome", Severity.WARNING)],
        ),
        (
            "- Pin the client library version",
            [("missing-owner", Severity.ERROR), ("missing-due", Severity.ERROR)],
        ),
    ],
)
def test_item_findings(line: str, expected: list[tuple[str, Severity]]) -> None:
    assert _one(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "- Improve p99 latency to under 200 ms (owner: @alice, due: 2024-05-01)",
        "- Investigate whether to shard the cache and write up a proposal (owner: @alice, due: 2024-05-01)",
    ],
)
def test_measurable_improvement_is_not_vague(line: str) -> None:
    assert _one(line) == []


@pytest.mark.parametrize(
    "line",
    [
        "- [x] Pin the client library version",
        "- ~~Pin the client library version~~",
        "- Pin the client library version (done)",
    ],
)
def test_done_and_dropped_items_need_no_owner_or_due(line: str) -> None:
    assert _one(line) == []


def test_messages_quote_the_author() -> None:
    pm = md(
        "# Cache outage\n\n## Action items\n\n"
        "- Pin the client library version (owner: TBD, due: end of sprint)\n"
    )
    assert [(f.code, f.message) for f in pm.findings] == [
        ("missing-owner", "owner “TBD” is a placeholder; name one person"),
        (
            "unparseable-due",
            "due date “end of sprint” is not a calendar date (write e.g. 2024-05-10)",
        ),
    ]


def test_duplicate_item() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        - Pin the client library version (owner: @alice, due: 2024-05-01)
        - **Pin the client library version** (owner: @bob, due: 2024-05-02)
        """
    )
    assert [(f.code, f.severity, f.line) for f in pm.findings] == [
        ("duplicate-item", Severity.WARNING, 6)
    ]
    assert "line 5" in pm.findings[0].message


def test_no_action_section() -> None:
    pm = md("# Cache outage\n\nThe cache filled up and we restarted it.\n")
    assert [(f.code, f.severity, f.line, f.item) for f in pm.findings] == [
        ("no-action-items", Severity.WARNING, 1, None)
    ]
    assert not pm.has_action_section
    assert "no action-item section found" in pm.findings[0].message


def test_empty_action_section() -> None:
    pm = md("# Cache outage\n\n## Action items\n\n## Timeline\n\n- 10:00 alert fired\n")
    assert codes(pm) == [("no-action-items", 1)]
    assert pm.has_action_section
    assert "lists no items" in pm.findings[0].message


@pytest.mark.parametrize(
    "text",
    [
        "This is an accepted risk: the vendor fixes it upstream.",
        "We have no action items for this incident.",
        "No follow-ups needed; the change was reverted.",
    ],
)
def test_accepted_risk_outside_a_section_needs_no_items(text: str) -> None:
    pm = md(f"# Cache outage\n\n## Summary\n\n{text}\n")
    assert pm.action_items == ()
    assert pm.findings == ()


@pytest.mark.parametrize(
    "text",
    [
        "There are no action items; this is an accepted risk.",
        "None: this was an accepted risk.",
        "No follow-ups needed.",
    ],
)
def test_accepted_risk_inside_the_action_section(text: str) -> None:
    pm = md(f"# Cache outage\n\n## Action items\n\n{text}\n")
    assert pm.action_items == ()
    assert pm.findings == ()


def test_overrides_change_severity_and_turn_codes_off() -> None:
    policy = LintPolicy.with_overrides({"vague-outcome": "error", "team-owner": "off"})
    assert _one("- Improve monitoring (owner: SRE, due: 2024-05-01)") == [
        ("team-owner", Severity.WARNING),
        ("vague-outcome", Severity.WARNING),
    ]
    assert _one("- Improve monitoring (owner: SRE, due: 2024-05-01)", policy) == [
        ("vague-outcome", Severity.ERROR)
    ]


def test_override_to_warning_and_off_for_errors() -> None:
    policy = LintPolicy.with_overrides({"missing-owner": "warning", "missing-due": "off"})
    assert _one("- Pin the client library version", policy) == [("missing-owner", Severity.WARNING)]


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown lint code"):
        LintPolicy.with_overrides({"missing-ownr": "off"})


def test_bad_front_matter_keeps_the_body() -> None:
    pm = md(
        """
        ---
        title: [unclosed
        date: 2024-01-01
        ---
        # Cache outage

        ## Action items

        - Pin the client library version (owner: @alice, due: 2024-05-01)
        """
    )
    assert [(f.code, f.severity, f.line) for f in pm.findings] == [
        ("bad-front-matter", Severity.ERROR, 3)
    ]
    assert pm.findings[0].message.startswith("front matter is not valid YAML")
    assert [(i.title, i.line) for i in pm.action_items] == [("Pin the client library version", 9)]
    assert pm.title == "Cache outage"


def test_unclosed_front_matter() -> None:
    pm = md("---\ntitle: Cache outage\n\n# Cache outage\n\n## Action items\n\n- Pin the client\n")
    assert ("bad-front-matter", 1) in codes(pm)


def test_front_matter_that_is_not_a_mapping() -> None:
    pm = md("---\n- just\n- a list\n---\n# Cache outage\n\n## Action items\n\n- [x] Pin it\n")
    assert codes(pm) == [("bad-front-matter", 2)]
    assert pm.action_items[0].line == 9


def test_off_turns_off_document_codes_too() -> None:
    policy = LintPolicy.with_overrides({"no-action-items": "off", "bad-front-matter": "warning"})
    pm = md("---\nx: [\n---\n# Cache outage\n", policy=policy)
    assert [(f.code, f.severity) for f in pm.findings] == [("bad-front-matter", Severity.WARNING)]


def test_a_postmortem_whose_items_only_respond_gets_a_coverage_warning() -> None:
    def codes(items: str) -> list[str]:
        text = f"---\ndate: 2025-01-01\n---\n# Outage\n\n## Action items\n\n{items}"
        (pm,) = extract(parse_markdown(text, path="pm.md"))
        return [f.code for f in pm.findings if f.code == "no-prevention-or-detection"]

    responding = "### Response\n\n- Write the failover runbook (owner: @ana, due: 2025-02-01)\n"
    assert codes(responding) == ["no-prevention-or-detection"]
    guarded = (
        responding + "\n### Detection\n\n- Alert on replica lag (owner: @ana, due: 2025-02-01)\n"
    )
    assert codes(guarded) == []
    unknown = "- Talk to the vendor about quotas (owner: @ana, due: 2025-02-01)\n"
    assert codes(unknown) == []  # an item of unknown kind may prevent: nothing is claimed
    policy = LintPolicy.with_overrides({"no-prevention-or-detection": "error"})
    (pm,) = extract(
        parse_markdown("# Outage\n\n## Action items\n\n" + responding, path="pm.md"), policy=policy
    )
    assert [f.severity for f in pm.findings if f.code == "no-prevention-or-detection"] == [
        Severity.ERROR
    ]  # a team chooses its severity
