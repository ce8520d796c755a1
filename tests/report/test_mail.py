"""Report e-mail through a real SMTP server on loopback, parsed back with ``email``."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from followthrough.adapters import chart
from followthrough.adapters.chart import png_size
from followthrough.adapters.mail import MailPermanentError, ReportRenderer, SmtpMailer
from followthrough.app.report_command import compose
from followthrough.domain.report_document import report_document, team_report
from followthrough.retry import RetryPolicy

from .helpers import W18, fixture_inputs

NOW = dt.datetime(2024, 5, 6, 8, tzinfo=dt.UTC)
SENDER = "followthrough@acme.example"


class Inbox:
    def __init__(self, refuse_first_rcpt: int = 0) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refusals = refuse_first_rcpt

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server():
    servers = []

    def start(handler, **options):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
        controller.start()
        servers.append(controller)
        return controller

    yield start
    for controller in servers:
        controller.stop()


def report_mail(recipients):
    document = report_document(
        kind="team", week=W18, generated_at=NOW, teams=[team_report(fixture_inputs())]
    )
    return compose(ReportRenderer(), document, sender=SENDER, recipients=recipients, now=NOW)


def test_report_mail_arrives_with_both_parts_and_the_inline_chart(smtp_server):
    inbox = Inbox()
    server = smtp_server(inbox)
    mailer = SmtpMailer(host="127.0.0.1", port=server.port, security="plain", timeout=5)
    mail = report_mail(["payments-leads@acme.example", "sre@acme.example"])
    assert mailer.send(mail.message) == mail.message_id
    [(rcpts, raw)] = inbox.messages
    assert rcpts == ["payments-leads@acme.example", "sre@acme.example"]
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    plain, related = parsed.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.get_payload()
    html = html_part.get_content()
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    assert image.get_content_type() == "image/png"
    assert png_size(image.get_content()) == (chart.WIDTH, chart.HEIGHT)
    assert '<a href="https://jira.example.com/browse/OPS-6"' in html
    assert "<script" not in html.lower()
    assert "https://jira.example.com/browse/OPS-6" in plain.get_content()
    assert re.search(r"Item f\s+owner: acc-1; due 2024-04-20 \(16 days ago\)", plain.get_content())
    assert parsed["Subject"] == "Action-item follow-through for payments, week 2024-W18"


def test_transient_refusal_is_retried(smtp_server):
    inbox = Inbox(refuse_first_rcpt=1)
    server = smtp_server(inbox)
    mailer = SmtpMailer(
        host="127.0.0.1",
        port=server.port,
        security="plain",
        timeout=5,
        retry=RetryPolicy.no_wait(4),
    )
    mailer.send(report_mail(["a@acme.example"]).message)
    assert len(inbox.messages) == 1


def test_login_and_wrong_password(smtp_server):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password in (b"s3cret", "s3cret")
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    server = smtp_server(
        inbox,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    good = SmtpMailer(
        host="127.0.0.1",
        port=server.port,
        security="plain",
        allow_plain_auth=True,
        username="ft",
        password="s3cret",
    )
    good.send(report_mail(["a@acme.example"]).message)
    bad = SmtpMailer(
        host="127.0.0.1",
        port=server.port,
        security="plain",
        allow_plain_auth=True,
        username="ft",
        password="nope",
    )
    with pytest.raises(MailPermanentError, match="Authentication"):
        bad.send(report_mail(["a@acme.example"]).message)
    assert len(inbox.messages) == 1


def test_a_password_is_not_sent_over_plain_smtp_without_the_opt_in(smtp_server):
    attempts: list[object] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        attempts.append(auth_data)
        return AuthResult(success=True, handled=False)

    inbox = Inbox()
    server = smtp_server(inbox, authenticator=authenticator, auth_require_tls=False)
    mailer = SmtpMailer(
        host="127.0.0.1", port=server.port, security="plain", username="ft", password="s3cret"
    )
    with pytest.raises(MailPermanentError, match="unencrypted"):
        mailer.send(report_mail(["a@acme.example"]).message)
    assert attempts == []
    assert inbox.messages == []
