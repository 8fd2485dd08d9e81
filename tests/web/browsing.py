"""Browser tests' shared parts: Debian's Chromium, and an app served by uvicorn in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from starlette.types import ASGIApp

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

def chromium_path(path: Path = CHROMIUM) -> str:
    """Debian's Chromium, or a failure that says how to install it (never a skip)."""
    if not path.exists():
        pytest.fail(
            f"{path} is missing: the web chat's browser test drives Debian's Chromium. "
            "Install it with: sudo apt-get update && sudo apt-get install -y chromium",
            pytrace=False,
        )
    return str(path)


_HELD: dict[int, socket.socket] = {}  # ports from free_port() not yet served


def free_port() -> int:
    """A free port on 127.0.0.1, kept bound until a ServerThread serves it: meanwhile no other
    process (another pytest worker, say) can be given it."""
    held = socket.socket()
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn's own: restartable
    held.bind(("127.0.0.1", 0))
    port: int = held.getsockname()[1]
    _HELD[port] = held
    return port


class ServerThread:
    """The app under uvicorn on 127.0.0.1 in a background thread; stoppable and restartable."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app, self.port = app, port
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        held = _HELD.pop(self.port, None)  # the first start serves the held socket itself
        sockets = {"sockets": [held]} if held is not None else {}
        self.thread = threading.Thread(target=self.server.run, kwargs=sockets, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30  # only so that a broken start does not hang
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(10)
            assert not self.thread.is_alive(), "uvicorn did not stop"
        self.server = self.thread = None


@pytest.fixture
def browser() -> Iterator[Browser]:
    path = chromium_path()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def ask_for_a_person(merchant: Page, url: str) -> Locator:
    """The merchant opens the web chat at ``url``, is greeted and asks for a person; the chat's
    log once the team is told, for the test to read on."""
    merchant.goto(url)
    chat = merchant.locator("#log")
    expect(chat.locator(".msg.out").first).to_contain_text("seller-support assistant")
    merchant.locator("#input").fill("I want to talk to a real person")
    merchant.locator("#input").press("Enter")
    expect(chat.locator(".msg.out").last).to_contain_text("seller-support team")
    return chat
