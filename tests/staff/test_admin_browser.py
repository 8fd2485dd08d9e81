"""The admin's loop end to end in Chromium (issue 18): a merchant's question the bot could not
answer becomes, in a few clicks, a phrasing in the FAQ's YAML that the bot answers at once;
the insights show the same conversation, and the test pane how the bot would answer.

Nothing is faked: Debian's Chromium, uvicorn, the real app over SQLite (the lexical matcher, as
in the other tests), the admin account made with the real ``merchant-bot staff add``, a copy of
the shipped FAQ.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.core import texts
from bot.core.texts import t
from bot.faq.replies import FALLBACK
from tests.conftest import FAQ_DIR, ROOT
from tests.staff.stack import whole_app
from tests.staff.test_console_browser import add_staff, sign_in, watch
from tests.web.browsing import ServerThread, browser, free_port

__all__ = ["browser"]  # the Chromium fixture of the web chat's browser tests

pytestmark = pytest.mark.slow
ODD = "Could my parrot run the shop while I travel?"
DEPOSIT = "How much is the security deposit?"
FEE = "What is the commission fee?"
ENTRY = "individual-vs-company"
ANSWER = "You need a registered business to sell"  # the start of that entry's answer


@pytest.fixture
def admin_server(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The whole app over a copy of the shipped FAQ, with one admin account."""
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    add_staff(db_url, "root", "--role", "admin")
    server = ServerThread(whole_app(db_url, folder), free_port())
    server.start()
    yield server.url, folder
    server.stop()


def ask(page: Page, text: str, expected: str) -> None:
    """Send ``text`` in the web chat; the bot's last message then contains ``expected``."""
    page.locator("#input").fill(text)
    page.locator("#input").press("Enter")
    expect(page.locator("#log .msg.out").last).to_contain_text(expected)


def test_from_an_unanswered_question_to_a_reloaded_faq(
    admin_server: tuple[str, Path], browser: Browser
) -> None:
    url, folder = admin_server
    problems: list[str] = []
    merchant = watch(browser.new_context(locale="en-US").new_page(), problems)
    merchant.goto(url)
    ask(merchant, DEPOSIT, "deposit")
    merchant.locator("#log").get_by_role("button", name=re.compile("^👍")).click()
    expect(merchant.locator("#log .msg.out").last).to_contain_text(t("en", texts.THANKS))
    ask(merchant, FEE, "commission")  # a merchant who rated is asked again at once
    merchant.locator("#log .msg.out").last.get_by_role("button", name=re.compile("^👎")).click()
    expect(merchant.locator("#log .msg.out").last).to_contain_text(t("en", texts.SORRY))
    ask(merchant, ODD, t("en", FALLBACK)[:40])

    admin = watch(browser.new_context(locale="en-US").new_page(), problems)
    sign_in(admin, url, "root")
    admin.get_by_role("link", name="Insights", exact=True).click()
    expect(admin.locator('[data-figure="conversations"]')).to_have_text("1")
    expect(admin.locator('[data-figure="questions"]')).to_have_text("3")  # 👍/👎 are none
    expect(admin.locator('[data-figure="tickets_opened"]')).to_have_text("0")
    expect(admin.locator("#feedback tbody tr")).to_have_text(
        [re.compile(r"commission-rates\s*0\s*1"), re.compile(r"security-deposit\s*1\s*0")]
    )  # most 👎 first
    expect(admin.locator("svg")).to_have_count(3)  # outcomes, ratings, questions per day

    admin.get_by_role("link", name="Unanswered", exact=True).click()
    wording = admin.locator("li", has=admin.locator("q", has_text=ODD))
    expect(wording).to_have_count(1)
    expect(admin.locator("li q", has_text=DEPOSIT)).to_have_count(0)  # answered and liked
    disliked = admin.locator("li", has=admin.locator("q", has_text=FEE))
    expect(disliked.locator(".badge.danger")).to_have_text("👎 commission-rates")
    wording.get_by_label("Entry").fill(ENTRY)
    wording.get_by_role("button", name="Add as phrasing").click()
    expect(admin.get_by_role("status")).to_contain_text("Added to account.yaml.")
    expect(admin.get_by_role("status")).to_contain_text("now answers this wording")
    expect(admin.locator(".diff .add")).to_have_text([re.compile(re.escape(ODD))])

    ask(merchant, ODD, ANSWER)  # the reload is in service already: no restart
    admin.get_by_role("link", name="Unanswered", exact=True).click()
    expect(admin.locator("li q", has_text=ODD)).to_have_count(0)  # handled: it leaves the list
    admin.get_by_role("link", name="Also what the FAQ answers now").click()
    expect(admin.locator("li q", has_text=ODD)).to_have_count(1)  # kept as evidence

    admin.get_by_role("link", name="Test a question").click()
    admin.get_by_label("Question, in any language").fill("보증금은 얼마인가요?")
    admin.get_by_label("Question, in any language").press("Enter")
    expect(admin.locator("#decision [data-action]")).to_have_text("answer")
    top = admin.locator("#candidates tbody tr").first
    expect(top.locator("th")).to_have_text("security-deposit")
    expect(top.locator("td").nth(1)).to_have_text(re.compile(r"^\d\.\d{3}$"))  # lexical ranker
    expect(admin.locator("#render-buttons .keys").first).to_contain_text("👍")
    numbered = admin.locator("#render-numbered pre")  # WeChat's one-key feedback, then 3., 4.
    expect(numbered).to_contain_text("👍 1")
    expect(numbered).to_contain_text(re.compile(r"^3\. ", re.M))
    assert problems == []

    text = (folder / "account.yaml").read_text(encoding="utf-8")
    assert text.count(ODD) == 1
    check = subprocess.run(
        [sys.executable, "-m", "bot", "faq", "check", "--faq-dir", str(folder)],
        capture_output=True, text=True, cwd=ROOT, check=False, timeout=300,
    )  # fmt: skip
    assert check.returncode == 0 and "entries OK" in check.stdout, check.stderr
