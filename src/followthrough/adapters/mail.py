"""Report e-mail: Jinja2 rendering (HTML, plain text, Markdown), MIME assembly, SMTP delivery.

Sits beside the other adapters; the app layer renders a report document here, builds one
message (multipart/alternative: plain text, then HTML in multipart/related with the trend
chart as an inline ``cid:`` image) and sends it. Delivery retries transient failures only
(4xx replies, dropped connections and timeouts before the message data went out). A failure
while the data is being transferred may or may not have delivered the message: it raises
`MailOutcomeUnknownError` and is never retried, so a report is not sent twice.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from followthrough.adapters.chart import week_label
from followthrough.ports import TransientError
from followthrough.retry import RetryLog, RetryPolicy, call_with_retry

Security = Literal["starttls", "ssl", "plain"]
Format = Literal["html", "md", "txt"]
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


class MailError(Exception):
    """A report e-mail could not be sent."""


class MailTemporaryError(MailError, TransientError):
    """Worth retrying: a 4xx reply, or the connection failed before the data was sent."""


class MailPermanentError(MailError):
    """Not worth retrying: authentication, 5xx replies, every recipient refused, TLS errors."""


class MailLoginRefusedError(MailPermanentError):
    """The server answered but refused the username and password."""


class MailOutcomeUnknownError(MailError):
    """The connection broke while the message data was sent: it may have been delivered."""


def percent(value: Any) -> str:
    """A share (0-1) as ``73%``; ``—`` when there is nothing to measure."""
    return "—" if value is None else f"{round(float(value) * 100)}%"


def trend_value(point: Mapping[str, Any]) -> str:
    """One week of the trend in words: ``67% (2 of 3)``, ``none due``, or ``no data``."""
    due, done = point.get("due_in_period"), point.get("done_of_due")
    if due is None:
        return "no data"
    if not due:
        return "none due"
    return f"{percent(point.get('completion_rate'))} ({done} of {due})"


def days(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    return f"{number:g} day" + ("" if number == 1 else "s")


def web_url(value: Any) -> str:
    """An http(s) URL, or ``""``: a link in a report never runs script or opens a file."""
    text = str(value or "")
    return text if text.lower().startswith(("https://", "http://")) else ""


def escape_markdown(value: Any) -> str:
    """Text shown literally in Markdown (titles come from documents we did not write)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value)).replace("\n", " ")


class ReportRenderer:
    """Renders report documents with the templates in ``followthrough/templates/report``."""

    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("followthrough", "templates/report"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._env.filters.update(
            percent=percent,
            days=days,
            md=escape_markdown,
            web_url=web_url,
            trend_value=trend_value,
            week_label=week_label,
        )

    def render(
        self,
        document: Mapping[str, Any],
        fmt: Format,
        *,
        chart_src: str = "",
        chart_svg: Markup | None = None,
    ) -> str:
        """The document as HTML, Markdown or text. The HTML shows the chart inline when given
        ``chart_svg`` (``chart_svg.trend_svg``), else as an image from ``chart_src`` (a URL or
        ``cid:``)."""
        template = self._env.get_template(f"report.{fmt}.j2")
        return template.render(doc=document, chart_src=chart_src, chart_svg=chart_svg or "")

    def subject(self, document: Mapping[str, Any]) -> str:
        if document["kind"] == "digest":
            return f"Action-item follow-through, all teams, week {document['week']}"
        team = document["teams"][0]["team"]
        return f"Action-item follow-through for {team}, week {document['week']}"


@dataclass(frozen=True, slots=True)
class ReportMail:
    """A report ready to be sent, and its Message-ID (recorded when it went out)."""

    message: EmailMessage
    message_id: str


def new_content_id(sender: str) -> str:
    """A ``<…@domain>`` Content-ID for the chart (``cid:`` takes it without the brackets)."""
    return make_msgid("trend", domain=sender.rpartition("@")[2] or None)


def build_message(
    *,
    sender: str,
    recipients: Sequence[str],
    subject: str,
    text: str,
    html: str,
    images: Mapping[str, bytes],
    now: float,
) -> ReportMail:
    """multipart/alternative (text, then multipart/related HTML + inline PNG images by cid)."""
    message = EmailMessage()
    message_id = make_msgid("report", domain=sender.rpartition("@")[2] or None)
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(now, localtime=False)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # no vacation auto-replies to the relay
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = list(message.iter_parts())[1]
    for cid, png in images.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=cid, filename="trend.png")
    return ReportMail(message=message, message_id=message_id)


MAIL_RETRY = RetryPolicy(attempts=4, max_seconds=120.0, base_seconds=1.0, cap_seconds=30.0)


@dataclass(frozen=True, slots=True)
class SmtpMailer:
    """Sends messages over SMTP: STARTTLS, implicit TLS (``ssl``) or plain, with retries.

    A password is never sent over a plain connection unless ``allow_plain_auth`` says so.
    """

    host: str
    port: int
    security: Security = "starttls"
    allow_plain_auth: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    retry: RetryPolicy = MAIL_RETRY
    on_retry: RetryLog | None = None
    tls_context: ssl.SSLContext | None = None

    def send(self, message: EmailMessage) -> str:
        """Deliver ``message``; returns its Message-ID. Raises only `MailError` subclasses.

        Retried by the same policy as tracker calls; a send is not idempotent, so only a
        failure that surely delivered nothing is tried again."""
        if self.username and self.security == "plain" and not self.allow_plain_auth:
            raise MailPermanentError(
                f"refusing to send the SMTP password to {self.host}:{self.port} unencrypted "
                "(security: plain); use starttls or ssl, or set allow_plain_auth"
            )
        call_with_retry(
            lambda: self._attempt(message),
            policy=self.retry,
            what="smtp_send",
            on_retry=self.on_retry,
            idempotent=False,
        )
        return str(message["Message-ID"])

    def probe(self) -> None:
        """Connect, EHLO (and STARTTLS) and log in, then quit; sends nothing. Raises `MailError`."""
        try:
            with self._connect() as smtp:
                self._handshake(smtp)
        except smtplib.SMTPAuthenticationError as error:
            raise MailLoginRefusedError(f"the server refused the login: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise _classified(error) from error

    def _attempt(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                self._handshake(smtp)
                accepted = self._envelope(smtp, message)
                self._data(smtp, message, accepted)
        except MailError:
            raise
        except (smtplib.SMTPException, OSError) as error:
            raise _classified(error) from error

    def _connect(self) -> smtplib.SMTP:
        context = self.tls_context or ssl.create_default_context()
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _handshake(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo_or_helo_if_needed()
        if self.security == "starttls":
            smtp.starttls(context=self.tls_context or ssl.create_default_context())
            smtp.ehlo()
        if self.username:
            smtp.login(self.username, self.password or "")

    @staticmethod
    def _envelope(smtp: smtplib.SMTP, message: EmailMessage) -> list[str]:
        sender = str(message["From"])
        recipients = [r.strip() for r in str(message["To"]).split(",") if r.strip()]
        code, reply = smtp.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused: dict[str, tuple[int, bytes]] = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)
        return [r for r in recipients if r not in refused]

    @staticmethod
    def _data(smtp: smtplib.SMTP, message: EmailMessage, accepted: list[str]) -> None:
        payload = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        try:
            code, reply = smtp.data(payload)
        except smtplib.SMTPResponseException:
            raise  # the server answered: nothing was accepted
        except (smtplib.SMTPException, OSError) as error:
            raise MailOutcomeUnknownError(
                f"connection lost while sending the message to {', '.join(accepted)}: {error}"
            ) from error
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)


def _classified(error: BaseException) -> MailError:
    message = f"{type(error).__name__}: {error}"
    permanent = smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError | ssl.SSLError
    if isinstance(error, permanent):
        return MailPermanentError(message)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        if all(400 <= code < 500 for code in codes):
            return MailTemporaryError(message, status=codes[0])
        return MailPermanentError(message)
    if isinstance(error, smtplib.SMTPResponseException):
        if 400 <= error.smtp_code < 500:  # refused before any data: safe to resend
            return MailTemporaryError(message, status=error.smtp_code)
        return MailPermanentError(message)
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return MailTemporaryError(message, status=421)  # nothing was accepted: safe to resend
    return MailPermanentError(message)
