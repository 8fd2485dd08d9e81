"""End to end: the web chat in a real headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from starlette.applications import Starlette

from tests.web.browsing import ServerThread, browser, chromium_path, free_port
from tests.web.conftest import ANSWER, GREETING, LANGUAGE_SET, FakeService

__all__ = ["browser"]  # the Chromium fixture, from tests/web/browsing.py

SCREENSHOT = Path("/tmp/webchat.png")
QUESTIONS = {
    "en": "How much is the security deposit?",
    "ko": "보증금은 얼마인가요?",
    "zh_Hans": "保证金要交多少？",
    "zh_Hant": "關店後多久退保證金？",
}

pytestmark = pytest.mark.slow


@pytest.fixture
def server(app: Starlette) -> Iterator[ServerThread]:
    running = ServerThread(app, free_port())
    running.start()
    yield running
    running.stop()


def test_chromium_missing_fails_with_install_hint(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        chromium_path(tmp_path / "chromium")


def test_web_chat_in_chromium(server: ServerThread, browser: Browser, service: FakeService) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    # First visit: the greeting and its buttons, sent as a "start" with the browser's language.
    page.goto(server.url)
    log = page.locator("#log")
    expect(log.locator(".msg.out").first).to_contain_text(GREETING["en"])
    expect(log.get_by_role("button", name="Browse topics")).to_be_visible()
    expect(log.get_by_role("button", name="Talk to a person")).to_be_visible()
    start = service.events[0]
    assert (start.kind, start.text, start.lang_hint) == ("command", "start", "en-US")

    # A question in each language, sent with Enter; the page shows it is waiting for the reply.
    service.hold = threading.Event()  # the first answer waits until the page has shown that
    for lang, question in QUESTIONS.items():
        page.locator("#input").fill(question)
        page.locator("#input").press("Enter")
        expect(log.locator(".msg.in").last).to_contain_text(question)
        if lang == "en":
            expect(page.locator("#typing")).to_be_visible()
            expect(log.locator(".msg.in.pending")).to_have_count(1)
            service.hold.set()
        expect(log.locator(".msg.out").last).to_contain_text(ANSWER[lang])
    expect(page.locator("#input")).to_have_value("")
    expect(page.locator("#typing")).to_be_hidden()
    expect(log.locator(".msg.in.pending")).to_have_count(0)
    assert [e.text for e in service.events if e.kind == "text"] == list(QUESTIONS.values())

    # A button press goes to the core as its payload and shows its label.
    log.get_by_role("button", name="Browse topics").click()
    expect(log.locator(".msg.in").last).to_have_text(
        "我: Browse topics"
    )  # the page is in zh_Hant now
    expect(log.locator(".msg.out").last).to_contain_text("請選擇主題：")
    expect(log.locator(".msg.out").last.get_by_role("button", name="Shipping")).to_be_visible()
    assert (service.events[-1].kind, service.events[-1].payload) == ("button", "topics")

    # The language picker: the core is told, and the page's own words change.
    page.get_by_label("語言").select_option("ko")  # the label follows the page
    expect(log.locator(".msg.out").last).to_contain_text(LANGUAGE_SET["ko"])
    assert service.events[-1].payload == "lang:ko"
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("h1")).to_have_text("판매자 지원")
    expect(page.locator("#input")).to_have_attribute("placeholder", "질문을 입력하세요…")

    # The server restarts while a message is on its way: it is retried with the same id.
    server.stop()
    page.locator("#input").fill("How long does shipping take?")
    page.locator("#input").press("Enter")
    expect(page.locator("#banner")).to_contain_text("다시 연결하는 중")
    server.start()
    expect(log.locator(".msg.out").last).to_contain_text(ANSWER["ko"], timeout=20_000)
    expect(page.locator("#banner")).to_be_hidden()
    delivered = [e for e in service.events if e.text == "How long does shipping take?"]
    assert len(delivered) == 1 and delivered[0].delivery_key

    # Reload: the conversation comes back from the server, in the chosen language, no new start.
    shown = log.locator(".msg").all_inner_texts()
    events = len(service.events)
    page.reload()
    expect(log.locator(".msg")).to_have_count(len(shown))
    assert log.locator(".msg").all_inner_texts() == shown
    assert len(service.events) == events
    expect(page.get_by_label("언어")).to_have_value("ko")
    expect(log.locator(".msg.in").nth(4)).to_have_text("나: Browse topics")

    # What a merchant sees on a phone; nothing sticks out at 360 px either.
    page.screenshot(path=str(SCREENSHOT))
    page.set_viewport_size({"width": 360, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Malformed requests to the live server get a 4xx, and it goes on serving.
    api, headers = f"{server.url}/api/chat", {"content-type": "application/json"}
    assert context.request.post(api, data="{oops", headers=headers).status == 400
    assert context.request.post(api, data="x" * 20_000, headers=headers).status == 413
    assert context.request.get(f"{server.url}/api/history").ok

    refused = "net::ERR_CONNECTION_REFUSED"  # the attempts while the server was down
    assert [p for p in problems if refused not in p] == []
    context.close()


def test_no_greeting_lands_after_an_answer_to_what_was_typed_while_the_page_loaded(
    server: ServerThread, browser: Browser, service: FakeService
) -> None:
    page = browser.new_context(locale="en-US").new_page()
    page.set_default_timeout(10_000)
    history: list[object] = []
    chats: list[object] = []

    def first_held(held: list[object]):  # type: ignore[no-untyped-def]
        def handle(route) -> None:  # type: ignore[no-untyped-def]
            if held:
                route.continue_()
            else:
                held.append(route)

        return handle

    page.route("**/api/history*", first_held(history))
    page.route("**/api/chat", first_held(chats))
    page.goto(server.url)
    # The merchant types while the page still loads its (empty) history ...
    page.locator("#input").fill(QUESTIONS["en"])
    page.locator("#input").press("Enter")
    expect(page.locator("#log .msg.in")).to_have_count(1)
    assert len(history) == 1 and len(chats) == 1
    # ... the empty history arrives before the question is stored ...
    history[0].continue_()  # type: ignore[attr-defined]
    # the page marks its log busy while the question waits, and not busy once the history is in
    expect(page.locator("#log")).to_have_attribute("aria-busy", "false")
    chats[0].continue_()  # type: ignore[attr-defined]
    # ... and the answer stays the last thing said: no greeting is sent after it.
    expect(page.locator("#log .msg.out").last).to_contain_text(ANSWER["en"])
    page.locator("#input").fill(QUESTIONS["ko"])
    page.locator("#input").press("Enter")  # sends go one at a time: after any greeting queued
    expect(page.locator("#log .msg.out").last).to_contain_text(ANSWER["ko"])
    assert [e.kind for e in service.events] == ["text", "text"]
