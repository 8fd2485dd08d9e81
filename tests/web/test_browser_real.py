"""End to end with nothing faked: Chromium -> the web chat -> the real core, FAQ and SQLite."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot import bootstrap
from bot.settings import Settings
from tests.web.browsing import ServerThread, browser, free_port

__all__ = ["browser"]  # the Chromium fixture, shared with the fake-service browser test

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def real_app(tmp_path: Path) -> bootstrap.LateApp:
    """The app ``merchant-bot serve`` runs, built by the composition root in uvicorn's loop."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", faq_dir=ROOT / "faq"
    )
    return bootstrap.LateApp(settings)


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[ServerThread]:
    running = ServerThread(real_app(tmp_path), free_port())
    running.start()
    yield running
    running.stop()


def ask(page: Page, text: str) -> None:
    before = page.locator("#log .msg.out").count()
    page.locator("#input").fill(text)
    page.locator("#input").press("Enter")
    expect(page.locator("#log .msg.out")).to_have_count(before + 1)


def test_real_stack_in_chromium(real_server: ServerThread, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(real_server.url)
    log = page.locator("#log")
    # The greeting follows the browser's language (ko-KR -> Korean), with the menu.
    expect(log.locator(".msg.out").first).to_contain_text("셀러 지원 도우미")
    expect(log.get_by_role("button", name="주제별로 보기")).to_be_visible()

    # One question per language: each answered from the FAQ, in the language it was asked in.
    ask(page, "보증금은 얼마 내야 해요?")
    expect(log.locator(".msg.out").last).to_contain_text("500")
    ask(page, "How much is the security deposit?")
    expect(log.locator(".msg.out").last).to_contain_text("USD 500")
    ask(page, "保证金要交多少钱")
    expect(log.locator(".msg.out").last).to_contain_text("保证金")
    ask(page, "保證金可以退嗎？")
    expect(log.locator(".msg.out").last).to_contain_text("保證金")

    # "Did this help?" once for the burst: on the first answer only. Its 👍, pressed after the
    # later answers, is still stored as feedback and thanked for, in the language now in use.
    helpful = log.get_by_role("button", name=re.compile("^👍"))
    expect(helpful).to_have_count(1)
    expect(
        log.locator(".msg.out").last.get_by_role("button", name=re.compile("^👍"))
    ).to_have_count(0)
    helpful.click()
    expect(log.locator(".msg.out").last).to_contain_text("謝謝")

    # Switching language sticks: an English question now gets a Korean answer.
    page.locator("#lang").select_option("ko")
    expect(log.locator(".msg.out").last).to_contain_text("한국어로 답변할게요")
    ask(page, "How long do I have to dispatch an order?")
    assert any("가" <= ch <= "힣" for ch in log.locator(".msg.out").last.inner_text())

    # A reload brings the whole conversation back from the database.
    shown = log.locator(".msg").count()
    page.reload()
    expect(log.locator(".msg.out").first).to_be_visible()
    expect(log.locator(".msg")).to_have_count(shown)
    expect(log.locator(".msg.in").first).to_contain_text("보증금은 얼마 내야 해요?")
    assert errors == []
