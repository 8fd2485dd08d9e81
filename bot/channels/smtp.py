"""E-mail out through an SMTP server (``SMTP_URL``): the ``Mailer`` of team alerts.

``smtp://user:pass@host:587`` speaks STARTTLS when the server offers it, ``smtps://host:465``
TLS from the start; user and password (percent-encoded) log in when given. The standard
library's smtplib runs in a worker thread, so a slow server never holds up the event loop.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from bot.core.alerts import Email
from bot.core.outbound import DeliveryError
from bot.settings import Settings

TIMEOUT = 30.0  # seconds for each step of talking to the server


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send, from ``SMTP_URL`` and ``SMTP_FROM``."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    implicit_tls: bool = False


def parse_smtp_url(url: str, sender: str = "") -> SmtpServer:
    """``smtp[s]://[user[:pass]@]host[:port]`` as a server; ValueError when malformed."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:pass@host:port")
    implicit = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 587),
        sender=sender or f"merchant-bot@{parts.hostname}",
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        implicit_tls=implicit,
    )


def smtp_from(settings: Settings) -> SmtpMailer | None:
    """The mailer for the settings; None (no e-mail at all) when ``SMTP_URL`` is unset."""
    if not settings.smtp_url:
        return None
    return SmtpMailer(parse_smtp_url(settings.smtp_url, settings.smtp_from))


class SmtpMailer:
    """Sends each e-mail in one SMTP session; failures become ``DeliveryError``."""

    def __init__(self, server: SmtpServer, timeout: float = TIMEOUT) -> None:
        self.server = server
        self.timeout = timeout

    async def send(self, email: Email) -> None:
        """Hand the message to the server (a 5xx refusal is permanent, anything else not)."""
        await asyncio.to_thread(self._send, email)

    def _message(self, email: Email) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.server.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.server.host)
        message.set_content(email.body)
        return message

    def _send(self, email: Email) -> None:
        server = self.server
        try:
            if server.implicit_tls:
                context = ssl.create_default_context()
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=self.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
            with smtp:
                smtp.ehlo()
                if not server.implicit_tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if server.user:
                    smtp.login(server.user, server.password)
                smtp.send_message(self._message(email))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {codes}", permanent=all(c >= 500 for c in codes)
            ) from None
        except smtplib.SMTPResponseException as exc:
            said = exc.smtp_error
            text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
            raise DeliveryError(
                f"SMTP {exc.smtp_code} {text}".strip(), permanent=exc.smtp_code >= 500
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}") from None
