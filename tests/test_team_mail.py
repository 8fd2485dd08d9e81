"""E-mail to teams: a new ticket and a passed first-response target reach a real SMTP server
(aiosmtpd on 127.0.0.1), through the alerts' outbox, retried when the server refuses."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot import bootstrap
from bot.centres.loader import load_centres
from bot.channels.smtp import parse_smtp_url
from bot.core.types import Incoming, MerchantKey
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Inbox:
    """An SMTP handler keeping what it accepts; it refuses the next ``refuse`` messages."""

    refuse: int = 0
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class Clock:
    now: datetime = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai

    def __call__(self) -> datetime:
        return self.now


def centres_with_email(tmp_path: Path) -> Path:
    """The shipped centres, each with a team address."""
    text = (ROOT / "faq" / "centres.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  - id: ([a-z-]+)\n", r"  - id: \1\n    email: \1@example.com\n", text)
    path = tmp_path / "centres.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        faq_dir=ROOT / "faq",
        centres_file=centres_with_email(tmp_path),
        snapshot_dir=tmp_path / "snapshots",
        matcher_encoder="none",
        first_response_minutes=60,
        **values,
    )


async def escalate(services: bootstrap.Services, who: str) -> int:
    key = MerchantKey("web", who)
    await services.conversation.handle(Incoming(key, "text", text="I want a real person"))
    async with services.store.uow() as uow:
        merchant = await uow.merchants.get_or_create(key)
        ticket = await uow.tickets.active_for(merchant.id)
    assert ticket is not None
    return ticket.id


async def test_a_new_ticket_and_a_passed_target_are_mailed_to_the_team(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    clock = Clock()
    url = f"smtp://127.0.0.1:{port}"
    services = await bootstrap.build(
        settings(tmp_path, smtp_url=url, smtp_from="bot@example.com"), clock=clock
    )
    mail = services.mail
    assert mail is not None and mail in services.listeners
    try:
        ticket = await escalate(services, "a")
        assert await mail.deliver_due() == 1
        ((to, message),) = inbox.received
        async with services.store.uow() as uow:
            team = (await uow.tickets.get(ticket)).team  # type: ignore[union-attr]
        assert to == [f"{team}@example.com"]
        assert message["From"] == "bot@example.com"
        assert f"#{ticket}" in message["Subject"]
        assert f"/staff/tickets/{ticket}" in message.get_content()

        # Not yet past the target: nothing; a minute after it: one e-mail, and only one.
        clock.now += timedelta(minutes=59)
        assert await mail.check_overdue() == 0
        clock.now += timedelta(minutes=2)
        assert await mail.check_overdue() == 1
        assert await mail.check_overdue() == 0
        assert await mail.deliver_due() == 1
        assert len(inbox.received) == 2
        async with services.store.uow() as uow:
            alerts = await uow.alerts.for_ticket(ticket)
        assert [(a.kind, a.status) for a in alerts] == [("new_ticket", "sent"), ("overdue", "sent")]
        assert inbox.received[1][1]["Subject"] == alerts[1].email.subject
    finally:
        await services.store.close()


async def test_a_refused_e_mail_is_retried_until_it_goes_out(
    tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.refuse = 1
    clock = Clock()
    services = await bootstrap.build(
        settings(tmp_path, smtp_url=f"smtp://127.0.0.1:{port}"), clock=clock
    )
    mail = services.mail
    assert mail is not None
    try:
        ticket = await escalate(services, "b")
        assert await mail.deliver_due() == 0  # 451: kept for later
        async with services.store.uow() as uow:
            (alert,) = await uow.alerts.for_ticket(ticket)
        assert alert.status == "pending" and alert.attempts == 1 and "451" in alert.error
        assert await mail.deliver_due() == 0  # not due yet
        clock.now = alert.next_attempt_at.replace(tzinfo=UTC)
        assert await mail.deliver_due() == 1
        assert len(inbox.received) == 1
        async with services.store.uow() as uow:
            (alert,) = await uow.alerts.for_ticket(ticket)
        assert alert.status == "sent" and alert.attempts == 2
    finally:
        await services.store.close()


async def test_no_smtp_url_means_no_e_mail_and_no_error(tmp_path: Path) -> None:
    services = await bootstrap.build(settings(tmp_path))
    try:
        assert services.mail is None
        await escalate(services, "c")
        async with bootstrap.running(services):
            pass
    finally:
        await services.store.close()


def test_the_smtp_url_and_the_sender() -> None:
    server = parse_smtp_url("smtps://me%40x.org:p%2Fw@mail.example.org")
    assert (server.host, server.port, server.implicit_tls) == ("mail.example.org", 465, True)
    assert (server.user, server.password) == ("me@x.org", "p/w")
    assert server.sender == "merchant-bot@mail.example.org"
    assert parse_smtp_url("smtp://h", "a@b.c").port == 587
    with pytest.raises(ValueError, match="smtp_url"):
        Settings(smtp_url="http://example.org")


def test_a_malformed_team_address_is_a_problem_with_its_line(tmp_path: Path) -> None:
    path = centres_with_email(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "email: guangzhou@example.com", "email: not an address", 1
    )
    path.write_text(text, encoding="utf-8")
    centres, problems = load_centres(path)
    assert centres is None
    line = text.splitlines().index("    email: not an address") + 1
    assert [str(p) for p in problems] == [f"{path}:{line}: 'email' is malformed"]
    good, _problems = load_centres(centres_with_email(tmp_path))
    assert good is not None and good.get("guangzhou").email == "guangzhou@example.com"
