"""End to end in Chromium: a merchant escalates in the web chat, an agent answers in the console.

Nothing is faked: Debian's Chromium, uvicorn, the real app over SQLite, accounts made with the
real ``merchant-bot staff add``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from bot.core.outbound import DeliveryError
from bot.core.types import MerchantKey, Outgoing
from tests.conftest import FAQ_DIR, ROOT
from tests.staff.stack import whole_app
from tests.web.browsing import ServerThread, ask_for_a_person, browser, free_port

__all__ = ["browser"]  # the Chromium fixture of the web chat's browser tests

pytestmark = pytest.mark.slow
PASSWORD = "a long enough secret"
SCREENSHOT = Path("/tmp/staff-console.png")
REFUSED = "net::ERR_CONNECTION_REFUSED"  # polls while the server restarts


def add_staff(db_url: str, *argv: str) -> None:
    """``merchant-bot staff add`` in its own process, the password piped to it."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "staff", "add", *argv, "--database-url", db_url],
        input=f"{PASSWORD}\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def watch(page: Page, problems: list[str]) -> Page:
    """Collect script errors and console errors (a CSP violation is one)."""
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and REFUSED not in message.text:
            problems.append(message.text)

    page.on("console", console)
    page.set_default_timeout(15_000)
    return page


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/")
    expect(page).to_have_url(f"{url}/staff/login?next=%2Fstaff%2F")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(f"{url}/staff/")


def test_escalate_answer_resolve_and_rate_across_two_browsers(
    db_url: str, browser: Browser
) -> None:
    add_staff(db_url, "mei", "--role", "agent", "--team", "default")
    port = free_port()
    server = ServerThread(whole_app(db_url, FAQ_DIR), port)
    server.start()
    problems: list[str] = []
    try:
        # The merchant asks for a person in the web chat.
        merchant = watch(browser.new_context(locale="en-US").new_page(), problems)
        chat = ask_for_a_person(merchant, server.url)

        # The server restarts (a deploy): the escalation is in the database and survives.
        server.stop()
        server = ServerThread(whole_app(db_url, FAQ_DIR), port)
        server.start()

        # The agent signs in and finds the ticket in the queue.
        agent = watch(browser.new_context(locale="en-GB").new_page(), problems)
        sign_in(agent, server.url, "mei")
        rows = agent.locator("#queue-rows tr.row")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("asked for a person")
        expect(rows.first).to_contain_text("English")
        expect(rows.first).to_contain_text("open")
        rows.first.get_by_role("link").click()
        expect(agent.locator("h1")).to_have_text("Ticket #1")
        thread = agent.locator("#thread")
        expect(thread.locator(".item.merchant")).to_contain_text("I want to talk to a real person")

        # Claim; a canned reply in the merchant's language, then the agent's own words.
        agent.get_by_role("button", name="Claim").click()
        expect(agent.locator("#ticket-assignee")).to_have_text("mei")
        expect(thread).to_contain_text("mei claimed the ticket")
        agent.get_by_label("Insert a canned reply").select_option(label="Taking a look")
        reply = agent.locator("#reply-text")
        expect(reply).to_have_value("Hello, thank you for waiting. " + (
            "I'm from the seller-support team and I'm looking into your question now. "
            "I'll get back to you right here shortly."))  # fmt: skip
        expect(reply).to_be_focused()
        reply.fill("Hi, I'm Mei from seller support. What is your store ID?")
        reply.press("Control+Enter")
        mine = thread.locator(".item.staff")
        expect(mine).to_contain_text("What is your store ID?")
        expect(mine.locator(".delivery")).to_have_text("sent")
        expect(reply).to_have_value("")

        # The merchant sees the reply without reloading, and answers.
        expect(chat).to_contain_text("What is your store ID?")
        merchant.locator("#input").fill("My store ID is 778899")
        merchant.locator("#input").press("Enter")
        expect(thread.locator(".item.merchant").last).to_contain_text("778899")  # polled

        # An internal note: staff see it, the merchant never does.
        agent.get_by_label("Internal note").fill("Store 778899 checked: deposit was refunded")
        agent.get_by_role("button", name="Add note").click()
        expect(thread.locator(".item.note")).to_contain_text("deposit was refunded")

        # Resolve: the merchant is asked to rate, and the rating shows up for the agent.
        agent.get_by_role("button", name="Resolve").click()
        expect(agent.locator("#ticket-status")).to_have_text("resolved")
        expect(agent.locator(".resolved-note")).to_be_visible()
        five = chat.get_by_role("button", name="⭐⭐⭐⭐⭐")
        expect(five).to_be_visible()
        assert "deposit was refunded" not in chat.inner_text()
        five.click()
        expect(chat.locator(".msg.out").last).to_contain_text("Thank you for your rating")
        expect(agent.locator("#ticket-rating")).to_contain_text("5/5")
        agent.screenshot(path=str(SCREENSHOT), full_page=True)

        agent.goto(f"{server.url}/staff/?status=resolved")
        expect(agent.locator("#queue-rows tr.row")).to_have_count(1)
        # The console in the agent's language: chosen in the top bar, the page comes back in it.
        agent.get_by_label("Console language").select_option("zh_Hans")
        expect(agent.locator("h1")).to_contain_text("队列")
        expect(agent.locator("#queue-rows tr.row")).to_contain_text("已解决")
        expect(agent).to_have_url(f"{server.url}/staff/?status=resolved")
        agent.get_by_role("button", name="退出登录").click()
        expect(agent).to_have_url(f"{server.url}/staff/login")
        expect(agent.get_by_role("button", name="登录")).to_be_visible()
        assert problems == []
    finally:
        server.stop()


@dataclass
class Flaky:
    """A channel whose sends fail (permanently) until it is fixed."""

    channel: str = "web"
    broken: bool = True
    sent: list[str] = field(default_factory=list)

    async def send(self, merchant: MerchantKey, messages: list[Outgoing], locale: str) -> None:
        if self.broken:
            raise DeliveryError("the merchant blocked the bot", permanent=True)
        self.sent += [m.text for m in messages]


@pytest.fixture
def flaky_server(db_url: str) -> Iterator[tuple[str, Flaky]]:
    add_staff(db_url, "root", "--role", "admin")
    flaky = Flaky()
    server = ServerThread(whole_app(db_url, FAQ_DIR, {"web": flaky}), free_port())
    server.start()
    yield server.url, flaky
    server.stop()


def test_a_reply_that_cannot_be_delivered_is_shown_failed_and_retried(
    flaky_server: tuple[str, Flaky], browser: Browser
) -> None:
    url, flaky = flaky_server
    problems: list[str] = []
    agent = watch(browser.new_context().new_page(), problems)
    sign_in(agent, url, "root")
    expect(agent.locator("#queue-rows")).to_contain_text("No tickets match")
    merchant = watch(browser.new_context(locale="ko-KR").new_page(), problems)
    merchant.goto(url)
    merchant.locator("#input").fill("상담원 연결해 주세요")
    merchant.locator("#input").press("Enter")
    expect(merchant.locator("#log .msg.out").last).to_contain_text("2시간")
    # The open queue page picks the new ticket up by itself.
    expect(agent.locator("#queue-rows tr.row")).to_contain_text("한국어")
    expect(agent.locator("#queue-count")).to_have_text("1")
    agent.locator("#queue-rows a").first.click()
    expect(agent.get_by_label("Insert a canned reply")).to_contain_text("확인 중")
    agent.locator("#reply-text").fill("안녕하세요, 확인해 보겠습니다.")
    agent.get_by_role("button", name="Send reply").click()
    mine = agent.locator("#thread .item.staff")
    expect(mine.locator(".delivery")).to_have_text("failed")
    expect(mine).to_contain_text("Not delivered: the merchant blocked the bot")
    flaky.broken = False
    mine.get_by_role("button", name="Retry").click()
    expect(agent.locator("#thread .item.staff .delivery")).to_have_text("sent")
    assert flaky.sent == ["안녕하세요, 확인해 보겠습니다."]
    expect(agent.locator("#thread")).to_contain_text("root sent a failed message again")
    assert problems == []
