"""Recurring promises across an archive, found by meaning and not by look-alike wording."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.lint import LintPolicy
from followthrough.domain.recurrence import (
    flag_earlier_promises,
    recurrences,
    same_promise,
    stems,
)

ARCHIVE = Path(__file__).parent / "recurrence"


def _archive() -> list:  # type: ignore[type-arg]
    return list(DocumentReader(workers=1).read([str(ARCHIVE)]))


def test_the_archive_s_recurring_promises_with_each_earlier_state() -> None:
    found = recurrences(_archive())
    assert [(r.title, r.summary()) for r in found] == [
        (
            "Document the payout replay procedure in the runbook, including partial replays",
            "promised in 2025-03 and 2025-11; still open",
        ),
        (
            "Split the payout queue by merchant to contain one merchant's backlog",
            "promised in 2025-03 and 2025-09; still open",
        ),
        ("Add alerting on a stuck payout queue", "promised in 2025-03 and 2025-09; still open"),
    ]
    runbook = found[0]
    assert [p.state for p in runbook.promises] == ["done", "still open"]
    split = found[1]
    assert [p.state for p in split.promises] == ["dropped", "still open"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (
            "Add an alert on disk usage for the ledger database",
            "Add an alert on disk usage for the search cluster",
        ),
        (
            "Alert on queue depth for the webhook workers",
            "Alert when the payout queue is stuck for 10 minutes",
        ),
        ("Make the payout replay job idempotent", "Document the payout replay procedure"),
        (
            "Rotate the ledger database credentials",
            "Add an alert on disk usage for the ledger database",
        ),
    ],
)
def test_look_alikes_are_not_the_same_promise(one: str, other: str) -> None:
    assert not same_promise(stems(one), stems(other))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (
            "Alert when the payout queue is stuck for 10 minutes",
            "Add alerting on a stuck payout queue",
        ),
        ("Rotate the ledger DB credentials", "Rotating ledger DB credentials quarterly"),
        ("Expire search snapshots older than 14 days", "Expire old search snapshots"),
    ],
)
def test_rewordings_are_the_same_promise(one: str, other: str) -> None:
    assert same_promise(stems(one), stems(other))


def test_lint_names_earlier_open_or_dropped_promises_where_and_when() -> None:
    archive = _archive()
    (again,) = [pm for pm in archive if pm.path.endswith("2025-09-02-payouts-delayed-again.md")]
    flagged = flag_earlier_promises(again, archive, policy=LintPolicy())
    found = [f for f in flagged.findings if f.code == "earlier-promises" and f.item]
    assert [(f.line, f.severity.value) for f in found] == [(9, "warning"), (12, "warning")]
    assert found[0].message == (
        "promised before: “Alert when the payout queue is stuck for 10 minutes”"
        f" ({ARCHIVE}/payments/2025-03-10-payout-queue-stall.md:9, 2025-03-10, still open)"
    )
    assert found[1].message.endswith("2025-03-10, dropped)")
    (about,) = [f for f in flagged.findings if f.code == "earlier-promises" and not f.item]
    assert about.message == (  # the same service's other open item, not those named above
        "earlier items about payouts still open or dropped: “Add an alert on disk usage for"
        f" the ledger database” ({ARCHIVE}/payments/2025-03-10-payout-queue-stall.md:11,"
        " 2025-03-10, still open)"
    )


def test_a_done_earlier_promise_and_a_later_one_are_not_flagged() -> None:
    archive = _archive()
    (replay,) = [pm for pm in archive if pm.path.endswith("2025-11-20-payout-replay-failed.md")]
    flagged = flag_earlier_promises(replay, archive, policy=LintPolicy())
    assert [f for f in flagged.findings if f.code == "earlier-promises" and f.item] == []
    (first,) = [pm for pm in archive if pm.path.endswith("2025-03-10-payout-queue-stall.md")]
    assert flag_earlier_promises(first, archive, policy=LintPolicy()) == first  # none before it


def test_a_team_can_turn_the_finding_off() -> None:
    archive = _archive()
    policy = LintPolicy.with_overrides({"earlier-promises": "off"})
    assert all(flag_earlier_promises(pm, archive, policy=policy) == pm for pm in archive)


def test_lint_archive_option_prints_the_finding(tmp_path: Path) -> None:
    target = ARCHIVE / "payments" / "2025-09-02-payouts-delayed-again.md"
    ran = subprocess.run(
        [sys.executable, "-m", "followthrough", "lint", str(target), "--archive", str(ARCHIVE),
         "--cache-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    lines = [line for line in ran.stdout.splitlines() if "earlier-promises" in line]
    assert len(lines) == 3, ran.stdout + ran.stderr
    assert lines[0].startswith(f"{target}:1: earlier-promises: earlier items about payouts")
    assert lines[1].startswith(f"{target}:9: earlier-promises: promised before: ")
    without = subprocess.run(
        [sys.executable, "-m", "followthrough", "lint", str(target), "--cache-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "earlier-promises" not in without.stdout


NEW = Path(__file__).parent / "recurrence_new"


def _new(name: str):  # type: ignore[no-untyped-def]
    (pm,) = [pm for pm in DocumentReader(workers=1).read([str(NEW)]) if pm.path.endswith(name)]
    return pm


def test_a_new_postmortem_about_a_service_sees_its_open_and_dropped_items() -> None:
    new = _new("2025-12-01-webhook-retries.md")
    flagged = flag_earlier_promises(new, _archive(), policy=LintPolicy())
    (about,) = flagged.findings[-1:]
    assert about.message.startswith("earlier items about payouts, webhooks still open or dropped:")
    listed = about.message.split(": ", 1)[1]
    assert listed.count("(") == 5  # five shown
    assert listed.endswith("and 4 more")  # 9 open or dropped items of the payout postmortems
    assert "search" not in listed  # another service's items are not shown
    assert "Document the payout replay procedure in the runbook (" not in listed  # done


def test_the_same_words_about_another_service_are_not_the_same_promise() -> None:
    new = _new("2025-12-02-notifications-stuck.md")
    assert flag_earlier_promises(new, _archive(), policy=LintPolicy()) == new
    both = recurrences([*_archive(), new])
    assert all("notifications" not in p.path for r in both for p in r.promises)
