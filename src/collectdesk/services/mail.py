"""Sending email: through the configured SMTP server, or as ``.eml`` files in the outbox folder."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from types import TracebackType

from collectdesk.settings import Settings, data_dir
from collectdesk.store.secrets import ENV_VARS, SecretError, get_secret


class MailError(Exception):
    """A message could not be handed to the mail server; it will be tried again next time."""


@dataclass(frozen=True)
class Delivery:
    """Where a message went: ``smtp`` (the server accepted it) or ``outbox`` (a file)."""

    via: str
    path: Path | None


def outbox_dir(settings: Settings) -> Path:
    """The folder for ``.eml`` files and PDF letters."""
    return settings.reminders.outbox or data_dir() / "outbox"


def safe_name(text: str) -> str:
    """A file-name-safe version of ``text``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "message"


def build_email(
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    when: object,
    attachment: Path | None = None,
) -> EmailMessage:
    """A plain-text email from the configured sender, optionally with a PDF attached."""
    mail = settings.mail
    message = EmailMessage()
    message["From"] = formataddr((mail.sender_name, mail.sender))
    message["To"] = to
    message["Subject"] = subject
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Date"] = format_datetime(when)  # type: ignore[arg-type]
    message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or "localhost")
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(attachment.read_bytes(), maintype="application", subtype="pdf", filename=attachment.name)
    return message


class MailTransport:
    """Delivers messages over one SMTP connection, or to the outbox when no server is configured."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    @property
    def uses_smtp(self) -> bool:
        """Whether a mail server is configured (otherwise messages go to the outbox folder)."""
        return bool(self.settings.mail.host)

    def describe(self) -> str:
        """Where messages go, for reports."""
        mail = self.settings.mail
        if self.uses_smtp:
            return f"SMTP {mail.host}:{mail.effective_port()} ({mail.security})"
        return f"the outbox folder {outbox_dir(self.settings)}"

    def __enter__(self) -> MailTransport:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def check_credentials(self) -> str | None:
        """The mail password when a username is configured; raise :class:`SecretError` if missing."""
        mail = self.settings.mail
        if not self.uses_smtp or not mail.username:
            return None
        password = get_secret("mail-password")
        if not password:
            raise SecretError(
                f"[mail] username is set but no password was found: store it with "
                f"`collectdesk secrets set mail-password` or set {ENV_VARS['mail-password']}"
            )
        return password

    def _connect(self) -> smtplib.SMTP:
        mail = self.settings.mail
        assert mail.host
        password = self.check_credentials()
        try:
            smtp: smtplib.SMTP
            if mail.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    mail.host, mail.effective_port(), timeout=mail.timeout_seconds, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(mail.host, mail.effective_port(), timeout=mail.timeout_seconds)
                if mail.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if mail.username and password:
                smtp.login(mail.username, password)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"cannot connect to {self.describe()}: {exc}") from exc
        return smtp

    def deliver(self, message: EmailMessage, file_stem: str) -> Delivery:
        """Send the message (SMTP) or write it as ``file_stem.eml`` in the outbox."""
        if not self.uses_smtp:
            path = outbox_dir(self.settings) / f"{safe_name(file_stem)}.eml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(message))
            return Delivery("outbox", path)
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError(f"{self.describe()} refused the message to {message['To']}: {exc}") from exc
        return Delivery("smtp", None)

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None
