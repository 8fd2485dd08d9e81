"""Issue 17's alerts in the console: overdue tickets sorted by time left, and the opt-in
alerts' settings in every signed-in page (the script reads them; see console.js)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.staff.conftest import Console, sign_in
from tests.web.browsing import browser

__all__ = ["browser"]  # the Chromium fixture


@pytest.fixture
def staffed(console: Console) -> Console:
    console.add("alice", "agent", "default")
    console.add("root", "admin")
    return console


def rows(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/staff/queue.json{query}")
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()["tickets"]
    return found


def test_overdue_tickets_are_flagged_and_sorted_by_time_left(
    staffed: Console, client: TestClient
) -> None:
    target = staffed.desk.policy.first_response
    csrf = sign_in(client, "root")
    # The first ticket is answered at once: first by age but last by time left, so the two
    # orders differ and the sort is what puts it last.
    answered = staffed.escalate("m-1").id
    reply = client.post(
        f"/staff/tickets/{answered}/reply",
        data={"csrf": csrf, "text": "On it"},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    staffed.clock.advance(timedelta(minutes=5))
    oldest = staffed.escalate("m-2").id
    staffed.clock.advance(target - timedelta(minutes=30))
    middle = staffed.escalate("m-3").id
    staffed.clock.advance(timedelta(minutes=10))
    newest = staffed.escalate("m-4").id
    staffed.clock.advance(timedelta(minutes=40))  # oldest: 20 minutes past its target

    by_age = rows(client)
    assert [r["id"] for r in by_age] == [answered, oldest, middle, newest]
    left = {r["id"]: r for r in by_age}
    assert left[oldest]["overdue"] and left[oldest]["left_seconds"] < 0
    assert left[oldest]["left"] == ""  # the badge says it
    assert not left[middle]["overdue"] and left[middle]["left_seconds"] > 0
    assert left[newest]["left"].endswith(" left")
    assert left[answered]["left_seconds"] is None
    assert left[oldest]["last_merchant_ts"] > 0

    # Least time left first: the overdue one, then the nearest targets; answered ones last.
    by_left = [r["id"] for r in rows(client, "?sort=left")]
    assert by_left == [oldest, middle, newest, answered]
    staffed.clock.advance(timedelta(minutes=11))  # middle passes its target too
    assert [r["id"] for r in rows(client, "?sort=left")][:2] == [oldest, middle]

    page = client.get("/staff/?sort=left").text
    assert '<option value="left" selected>' in page
    assert 'data-poll="/staff/queue.json?status=active&amp;sort=left"' in page
    assert page.index(f'data-ticket="{oldest}"') < page.index(f'data-ticket="{answered}"')
    assert rows(client, "?sort=nonsense") == rows(client)  # an unknown sort is the default


def test_every_page_offers_the_opt_in_alerts_in_the_agents_language(
    staffed: Console, client: TestClient
) -> None:
    sign_in(client, "alice")
    page = client.get("/staff/").text
    box = re.search(r'<details class="alerts" id="alerts" hidden ([^>]*)>', page)
    assert box is not None  # hidden until the script shows it: nothing to alert with without
    assert 'data-me="alice"' in box.group(1)
    assert 'data-new-ticket="New ticket #{ticket}"' in box.group(1)
    for name in ("notify", "sound", "badge"):
        assert f'<input type="checkbox" name="{name}">' in page  # off until the agent opts in
    # The default queue's poll is what the script watches for alerts.
    assert 'data-poll="/staff/queue.json?status=active"' in page
    shown = client.get("/staff/", headers={"Accept-Language": "zh-TW"}).text
    assert "瀏覽器通知" in shown and 'data-new-ticket="新工單 #{ticket}"' in shown


# Records what the console raises: notifications by title (Chromium shows none headless) and
# each sound started, through the real AudioContext, which plays it too.
RECORDER = """
window.shown = [];
window.beeps = 0;
window.Notification = class {
  constructor(title) { window.shown.push(title); }
  static permission = 'granted';
  static requestPermission() { return Promise.resolve('granted'); }
};
window.AudioContext = class extends window.AudioContext {
  createOscillator() {
    const tone = super.createOscillator();
    const start = tone.start.bind(tone);
    tone.start = (...when) => { window.beeps += 1; return start(...when); };
    return tone;
  }
};
"""
ALL_ACTIVE = "/staff/queue.json?status=active"  # the poll alerts come from


@pytest.mark.slow
def test_opted_in_alerts_in_chromium(db_url: str, browser: Any) -> None:
    """The agent switches on notifications and the title count; a new ticket sets off both."""
    from playwright.sync_api import expect

    from tests.conftest import FAQ_DIR
    from tests.staff.stack import whole_app
    from tests.staff.test_console_browser import add_staff, sign_in, watch
    from tests.web.browsing import ServerThread, free_port

    add_staff(db_url, "mei", "--role", "agent", "--team", "default")
    server = ServerThread(whole_app(db_url, FAQ_DIR), free_port())
    server.start()
    problems: list[str] = []
    try:
        context = browser.new_context(locale="en-GB")
        context.add_init_script(RECORDER)
        agent = watch(context.new_page(), problems)
        sign_in(agent, server.url, "mei")
        agent.locator("#alerts summary").click()
        agent.get_by_label("Browser notification").check()
        agent.get_by_label("Count in the tab title").check()
        expect(agent).to_have_title("Queue · merchant-bot")  # nothing unseen yet
        merchant = watch(browser.new_context(locale="en-US").new_page(), problems)
        merchant.goto(server.url)
        merchant.locator("#input").fill("I want to talk to a real person")
        merchant.locator("#input").press("Enter")
        expect(agent.locator("#queue-rows tr.row")).to_have_count(1)
        expect(agent).to_have_title("(1) Queue · merchant-bot")
        assert agent.evaluate("window.shown") == ["New ticket #1"]
        agent.reload()  # the choices are kept in this browser
        assert agent.get_by_label("Count in the tab title").is_checked()
        assert problems == []
    finally:
        server.stop()


@pytest.mark.slow
def test_a_merchant_writing_alerts_the_holder_only_if_opted_in(db_url: str, browser: Any) -> None:
    """Two agents each hold a ticket and both merchants write: the one who opted in gets a
    notification, a sound and the title count for hers alone; the other gets nothing."""
    from playwright.sync_api import expect

    from tests.conftest import FAQ_DIR
    from tests.staff.stack import whole_app
    from tests.staff.test_console_browser import add_staff, sign_in, watch
    from tests.web.browsing import ServerThread, ask_for_a_person, free_port

    add_staff(db_url, "mei", "--role", "agent", "--team", "default")
    add_staff(db_url, "lin", "--role", "agent", "--team", "default")
    server = ServerThread(whole_app(db_url, FAQ_DIR), free_port())
    server.start()
    problems: list[str] = []
    try:
        merchants = [watch(browser.new_context(locale="en-US").new_page(), problems)]
        merchants.append(watch(browser.new_context(locale="en-US").new_page(), problems))
        for merchant in merchants:  # tickets #1 and #2
            ask_for_a_person(merchant, server.url)
        agents = []
        for name, ticket in (("mei", 1), ("lin", 2)):
            context = browser.new_context(locale="en-GB")
            context.add_init_script(RECORDER)
            agent = watch(context.new_page(), problems)
            sign_in(agent, server.url, name)
            agent.goto(f"{server.url}/staff/tickets/{ticket}")
            agent.get_by_role("button", name="Claim").click()
            expect(agent.locator("#ticket-assignee")).to_have_text(name)
            agents.append(agent)
        mei, lin = agents

        # Mei opts in on her ticket's page, which then polls her active tickets; the first poll
        # is what later messages count from, so the merchants write only after it.
        mei.locator("#alerts summary").click()
        with mei.expect_response(lambda r: r.url.endswith(ALL_ACTIVE)):
            for label in ("Browser notification", "Sound", "Count in the tab title"):
                mei.get_by_label(label).check()
        expect(mei).to_have_title("#1 · merchant-bot")
        beeps = mei.evaluate("window.beeps")
        assert beeps == 1  # switching the sound on plays it once
        # Lin opted in to nothing and watches the queue, which observes every poll.
        lin.goto(f"{server.url}/staff/")
        row = lin.locator('#queue-rows tr[data-ticket="2"]')
        expect(lin).to_have_title("(2) Queue · merchant-bot")  # the queue's count: polled
        before = row.get_attribute("data-merchant-at")

        # Lin's merchant writes first: once mei hears of her own, both messages are in a poll.
        merchants[1].locator("#input").fill("Are you still there?")
        merchants[1].locator("#input").press("Enter")
        expect(row).not_to_have_attribute("data-merchant-at", before or "")
        merchants[0].locator("#input").fill("My store ID is 778899")
        merchants[0].locator("#input").press("Enter")

        expect(mei).to_have_title("(1) #1 · merchant-bot")
        assert mei.evaluate("window.shown") == ["The merchant wrote on #1"]
        assert mei.evaluate("window.beeps") == beeps + 1
        # Lin's queue poll has seen her merchant's message and alerted nothing.
        assert lin.evaluate("window.shown") == []
        assert lin.evaluate("window.beeps") == 0
        assert lin.title() == "(2) Queue · merchant-bot"  # still the queue's count, not unseen
        assert problems == []
    finally:
        server.stop()


@pytest.mark.slow
def test_alert_choices_are_kept_per_agent_in_a_shared_browser(db_url: str, browser: Any) -> None:
    """What one agent switched on is not on for the next agent in the same browser, and is
    still on when the first comes back."""
    from playwright.sync_api import expect

    from tests.conftest import FAQ_DIR
    from tests.staff.stack import whole_app
    from tests.staff.test_console_browser import add_staff, sign_in, watch
    from tests.web.browsing import ServerThread, free_port

    add_staff(db_url, "mei", "--role", "agent", "--team", "default")
    add_staff(db_url, "lin", "--role", "agent", "--team", "default")
    server = ServerThread(whole_app(db_url, FAQ_DIR), free_port())
    server.start()
    problems: list[str] = []
    labels = ("Browser notification", "Sound", "Count in the tab title")
    try:
        context = browser.new_context(locale="en-GB")
        context.add_init_script(RECORDER)
        page = watch(context.new_page(), problems)
        sign_in(page, server.url, "mei")
        page.locator("#alerts summary").click()
        for label in labels:
            page.get_by_label(label).check()
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{server.url}/staff/login")

        sign_in(page, server.url, "lin")
        expect(page.locator("#alerts")).to_be_visible()  # the script has read the settings
        for label in labels:
            assert not page.get_by_label(label).is_checked(), label
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{server.url}/staff/login")

        sign_in(page, server.url, "mei")
        expect(page.locator("#alerts")).to_be_visible()
        for label in labels:
            assert page.get_by_label(label).is_checked(), label
        assert problems == []
    finally:
        server.stop()
