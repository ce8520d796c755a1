"""A report is sent at most once per team and week, even across crashes and failures."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest

from followthrough.adapters.mail import (
    MailOutcomeUnknownError,
    MailTemporaryError,
    ReportMail,
)
from followthrough.adapters.stores import SqliteStore
from followthrough.app.report_command import deliver_once

NOW = dt.datetime(2024, 5, 6, 8, tzinfo=dt.UTC)


class Crash(BaseException):
    """The process dies between the claim and the result."""


class FakeMailer:
    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return "<id@example.com>"


@pytest.fixture
def store(tmp_path):
    journal = SqliteStore(tmp_path / "journal.db")
    journal.migrate()
    yield journal
    journal.close()


def mail() -> ReportMail:
    message = EmailMessage()
    message["Subject"] = "report"
    return ReportMail(message=message, message_id="<id@example.com>")


def deliver(store, mailer):
    return deliver_once(
        store, mailer, mail(), team="payments", week="2024-W18", kind="team", clock=lambda: NOW
    )


def test_sent_once(store):
    mailer = FakeMailer()
    assert deliver(store, mailer).state == "sent"
    assert deliver(store, mailer).state == "already-sent"
    assert len(mailer.sent) == 1
    assert store.report_state("payments", "2024-W18", "team").message_id == "<id@example.com>"


def test_no_resend_after_a_crash_between_claim_and_result(store):
    with pytest.raises(Crash):
        deliver(store, FakeMailer(Crash()))
    mailer = FakeMailer()
    outcome = deliver(store, mailer)
    assert outcome.state == "interrupted"
    assert "check" in outcome.detail.lower()
    assert mailer.sent == []


def test_lost_connection_during_data_is_not_resent(store):
    assert deliver(store, FakeMailer(MailOutcomeUnknownError("lost"))).state == "interrupted"
    mailer = FakeMailer()
    assert deliver(store, mailer).state == "interrupted"
    assert mailer.sent == []


def test_a_failed_send_is_retried_next_run(store):
    assert deliver(store, FakeMailer(MailTemporaryError("451"))).state == "failed"
    assert store.report_state("payments", "2024-W18", "team").state == "failed"
    mailer = FakeMailer()
    assert deliver(store, mailer).state == "sent"
    assert len(mailer.sent) == 1
