"""The 48-hour / 5-message customer-service window, per merchant."""

from __future__ import annotations

from bot.channels.wechat.window import MAX_SENDS, WINDOW_SECONDS, Window


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_unknown_merchants_are_not_refused_here() -> None:
    window = Window(Clock())
    assert not window.known("o1") and window.closed_reason("o1") is None


def test_open_for_48_hours_after_the_merchant_writes() -> None:
    clock = Clock()
    window = Window(clock)
    window.opened("o1")
    clock.now += WINDOW_SECONDS - 1
    assert window.closed_reason("o1") is None
    clock.now += 1
    assert "48 hours" in (window.closed_reason("o1") or "")
    window.opened("o1")  # they wrote again
    assert window.closed_reason("o1") is None


def test_five_messages_per_window() -> None:
    window = Window(Clock())
    window.opened("o1")
    for _ in range(MAX_SENDS):
        assert window.closed_reason("o1") is None
        window.sent("o1")
    assert "5 messages" in (window.closed_reason("o1") or "")
    assert window.closed_reason("o2") is None  # per merchant
    window.opened("o1")
    assert window.closed_reason("o1") is None


def test_closed_by_the_api_until_the_merchant_writes() -> None:
    window = Window(Clock())
    window.opened("o1")
    window.close("o1")
    assert window.closed_reason("o1") == "the customer-service window is closed"
    window.opened("o1")
    assert window.closed_reason("o1") is None


def test_an_older_seed_does_not_undo_a_newer_message() -> None:
    clock = Clock()
    window = Window(clock)
    window.opened("o1")
    window.opened("o1", at=clock.now - 3 * WINDOW_SECONDS)
    assert window.closed_reason("o1") is None
