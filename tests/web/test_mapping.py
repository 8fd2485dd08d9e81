"""Core types to the page's JSON, and stored history to what the page shows."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.ports import StoredMessage
from bot.core.types import Button, Incoming, Location, MerchantKey, Outgoing, Reply, Venue
from bot.web.mapping import history_json, reply_json, to_incoming
from bot.web.validation import ChatRequest

KEY = MerchantKey("web", "abc")


def stored(
    direction: str, kind: str, text: str = "", payload: str = "", **kw: object
) -> StoredMessage:
    return StoredMessage(1, direction, kind, text, payload, **kw)  # type: ignore[arg-type]


def test_reply_with_a_venue() -> None:
    venue = Venue("Shenzhen centre", "1 Futian Rd", 22.54, 114.06)
    reply = Reply((Outgoing("Nearest:", (Button("Menu", "menu"),), venue),), "zh_Hans")
    at = datetime(2031, 5, 6, 1, 2, tzinfo=UTC)  # the service's clock, shown in Shanghai time
    data = reply_json(reply, "Asia/Shanghai", at)
    time = data["messages"][0].pop("time")
    assert time == "09:02"  # Babel's zh_Hans short time: 24-hour clock
    assert data == {
        "messages": [
            {
                "direction": "out",
                "text": "Nearest:",
                "buttons": [{"label": "Menu", "payload": "menu"}],
                "venue": {
                    "title": "Shenzhen centre",
                    "address": "1 Futian Rd",
                    "lat": 22.54,
                    "lon": 114.06,
                },
            }
        ],
        "duplicate": False,
        "locale": "zh_Hans",
    }


def test_requests_become_events() -> None:
    start = to_incoming(ChatRequest("start", client_id="id-12345", lang="zh-TW"), KEY)
    assert start == Incoming(KEY, "command", text="start", message_id="id-12345",
                             delivery_key="id-12345", lang_hint="zh-TW")  # fmt: skip
    where = to_incoming(ChatRequest("location", location=Location(1.5, 2.5)), KEY)
    assert (where.kind, where.location, where.delivery_key) == (
        "location",
        Location(1.5, 2.5),
        None,
    )


def test_history_labels() -> None:
    messages = [
        stored("in", "command", "start"),
        stored("out", "text", "Hi", buttons=(Button("Fees", "cat:fees"),), locale="en"),
        stored("in", "button", "", "cat:fees"),
        stored("in", "button", "", "faq:gone"),
        stored("in", "button", "", "lang:zh_Hant"),
        stored("in", "location", "22.540000,114.060000"),
        stored("out", "text", "好的", locale="zh_Hant"),
    ]
    data = history_json(messages)
    assert [(m["direction"], m["text"]) for m in data["messages"]] == [
        ("out", "Hi"),
        ("in", "Fees"),
        ("in", "faq:gone"),
        ("in", "繁體中文"),
        ("in", "📍 22.540000,114.060000"),
        ("out", "好的"),
    ]
    assert data["locale"] == "zh_Hant"


def test_history_times_follow_locale_and_zone() -> None:
    from datetime import UTC, datetime

    from bot.core.ports import StoredMessage

    at = datetime(2026, 11, 25, 1, 5, tzinfo=UTC)
    stored = [
        StoredMessage(1, "in", "text", "hi", id=1, created_at=at),
        StoredMessage(1, "out", "text", "안녕", locale="ko", id=2, created_at=at),
        StoredMessage(1, "out", "text", "你好", locale="zh_Hans", id=3, created_at=at),
    ]
    shown = history_json(stored, "Asia/Seoul")["messages"]
    assert "time" not in shown[0]  # the merchant's own messages, as shown live, carry none
    assert "10:05" in shown[1]["time"] and shown[2]["time"] == "10:05"
    assert history_json(stored, "Not/AZone")["messages"][2]["time"] == "01:05"  # UTC


def test_history_keeps_the_map_point_and_marks_staff_replies() -> None:
    venue = Venue("Busan centre", "Jung-gu, Busan", 35.1, 129.03)
    shown = history_json(
        [
            stored("in", "text", "I'm in Busan", id=1),
            stored("out", "text", "Nearest: Busan centre", venue=venue, reply_to=1, id=2),
            stored("out", "staff", "Hi, this is Jin from Busan.", id=3),
        ]
    )["messages"]
    assert shown[1]["venue"] == {"title": "Busan centre", "address": "Jung-gu, Busan",
                                 "lat": 35.1, "lon": 129.03}  # fmt: skip
    assert "from" not in shown[1] and shown[2]["from"] == "staff"
