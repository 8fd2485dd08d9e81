"""Files in Chromium, nothing faked: a merchant attaches a PDF with the paperclip and pastes a
screenshot into the message box of the web chat; both show in the chat, and the agent who
may see the ticket sees them in the console (the image without its GPS tag).

Debian's Chromium, uvicorn, the real app from the composition root over SQLite and a
temporary FILES_DIR.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.staff.conftest import PASSWORD, late_app_with_agents
from tests.web.browsing import ServerThread, ask_for_a_person, browser, free_port
from tests.web.test_files import GPS_TAG, PDF, png_with_gps

__all__ = ["browser"]  # the Chromium fixture, used by name

pytestmark = pytest.mark.slow

# Pastes a PNG (base64 in the argument) into the message box as a browser does for a copied
# screenshot: a paste event whose clipboard holds a file.
PASTE = """(b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], "screenshot.png", { type: "image/png" }));
  const input = document.getElementById("input");
  input.focus();
  const init = { clipboardData: data, bubbles: true, cancelable: true };
  return input.dispatchEvent(new ClipboardEvent("paste", init));
}"""
LOADED = "(img) => img.complete && img.naturalWidth"  # the image's bytes came and decoded


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerThread]:
    late = late_app_with_agents(tmp_path, {"ana": ["default"]}, matcher_encoder="none")
    running = ServerThread(late, free_port())
    running.start()
    yield running
    running.stop()


def watched(page: Page, problems: list[str]) -> Page:
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_default_timeout(15_000)
    return page


def test_a_pdf_attached_and_a_screenshot_pasted_reach_the_agent(
    server: ServerThread, browser: Browser
) -> None:
    problems: list[str] = []
    merchant = watched(browser.new_context(locale="en-US").new_page(), problems)
    chat = ask_for_a_person(merchant, server.url)

    # The paperclip: a PDF chosen in the file picker.
    merchant.locator("#file").set_input_files(
        files={"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(chat.locator(".msg.in a.file.pdf")).to_have_text("📄 invoice.pdf")

    # A screenshot pasted into the message box: sent as a file, shown as a thumbnail.
    merchant.locator("#input").fill("")
    not_cancelled = merchant.evaluate(PASTE, base64.b64encode(png_with_gps()).decode())
    assert not_cancelled is False  # the chat took the paste (nothing lands in the text box)
    thumb = chat.locator(".msg.in a.file.image img.thumb")
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_attribute("alt", "screenshot.png")
    merchant.wait_for_function(f"() => ({LOADED})(document.querySelector('#log img.thumb'))")
    assert thumb.evaluate("(img) => img.naturalWidth") == 32
    expect(merchant.locator("#input")).to_have_value("")
    expect(chat.locator(".msg.in.pending")).to_have_count(0)

    # The agent opens the ticket: both files in the thread, the image served to them only.
    agent = watched(browser.new_context(locale="en-GB").new_page(), problems)
    agent.goto(f"{server.url}/staff/login")
    agent.get_by_label("Username").fill("ana")
    agent.get_by_label("Password").fill(PASSWORD)
    agent.get_by_label("Password").press("Enter")
    expect(agent).to_have_url(f"{server.url}/staff/")
    agent.locator("#queue-rows tr.row").first.get_by_role("link").click()
    thread = agent.locator("#thread")
    expect(thread.locator(".attachment a.pdf")).to_have_text("📄 invoice.pdf")
    image = thread.locator(".attachment img.thumb")
    expect(image).to_have_attribute("alt", "screenshot.png")
    image.scroll_into_view_if_needed()
    agent.wait_for_function(f"() => ({LOADED})(document.querySelector('#thread img.thumb'))")
    src = image.get_attribute("src")
    assert src is not None and src.startswith("/staff/files/")
    seen = agent.request.get(f"{server.url}{src}")
    assert seen.ok and seen.headers["content-type"] == "image/png"
    assert GPS_TAG not in Image.open(io.BytesIO(seen.body())).getexif()
    stranger = browser.new_context().request.get(f"{server.url}{src}", max_redirects=0)
    assert not stranger.ok  # no session: no file
    assert problems == []
