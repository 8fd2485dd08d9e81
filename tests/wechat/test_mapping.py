"""WeChat messages to core events; replies to text with numbered menus; menu numbers back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels import numbered as menu
from bot.channels.wechat.mapping import (
    Media,
    chunks,
    delivery_key,
    media_of,
    render,
    to_incoming,
)
from bot.channels.wechat.xml import WechatMessage
from bot.core.ports import StoredMessage
from bot.core.types import Button, Incoming, Location, MerchantKey, Outgoing, Venue

ME = MerchantKey("wechat", "oUser")


def msg(msg_type: str, **fields: object) -> WechatMessage:
    return WechatMessage("gh_acc", "oUser", 1700000000, msg_type, **fields)  # type: ignore[arg-type]


def test_text_location_and_unsupported() -> None:
    text = to_incoming(msg("text", msg_id="42", content=" 保证金\x00多少？ "))
    assert text == Incoming(
        ME, "text", text="保证金多少？", message_id="42", delivery_key="msg:42", lang_hint="zh"
    )
    where = to_incoming(msg("location", msg_id="43", latitude=22.5, longitude=114.1))
    assert where is not None and where.kind == "location"
    assert where.location == Location(22.5, 114.1) and where.delivery_key == "msg:43"
    nowhere = to_incoming(msg("location", msg_id="44"))
    assert nowhere is not None and nowhere.kind == "unsupported"
    image = to_incoming(msg("image", msg_id="45"))
    assert image is not None and (image.kind, image.text) == ("unsupported", "[image]")
    voice = to_incoming(msg("voice", msg_id="46", recognition="转人工"))
    assert voice is not None and (voice.kind, voice.text) == ("text", "转人工")


def test_images_and_files_carry_the_media_to_fetch_and_nothing_else_does() -> None:
    image = msg("image", msg_id="45", media_id="MEDIA_abc")
    assert media_of(image) == Media("MEDIA_abc", "wechat-image-45")
    assert media_of(msg("file", msg_id="46", media_id="MEDIA_pdf")) == Media(
        "MEDIA_pdf", "wechat-file-46"
    )
    # Until it is fetched, the event is today's "unsupported" one (files off, no API access).
    before = to_incoming(image)
    assert before is not None and before.kind == "unsupported" and before.delivery_key == "msg:45"
    assert media_of(msg("image", msg_id="47")) is None  # no MediaId: nothing to fetch
    for kind in ("voice", "video", "shortvideo"):
        assert media_of(msg(kind, msg_id="48", media_id="MEDIA_v")) is None
    assert media_of(msg("text", msg_id="49", content="hi")) is None


def test_events() -> None:
    sub = to_incoming(msg("event", event="subscribe", event_key="qrscene_1"))
    assert sub == Incoming(
        ME, "command", text="start", delivery_key="evt:oUser:1700000000", lang_hint="zh"
    )
    click = to_incoming(msg("event", event="CLICK", event_key="topics"))
    assert click is not None and (click.kind, click.payload) == ("button", "topics")
    for name in ("unsubscribe", "VIEW", "LOCATION", "SCAN"):
        assert to_incoming(msg("event", event=name, event_key="x")) is None
    assert to_incoming(msg("event", event="CLICK")) is None  # a click without a key


def test_delivery_keys() -> None:
    assert delivery_key(msg("text", msg_id="6054768590064713728")) == "msg:6054768590064713728"
    assert delivery_key(msg("event", event="subscribe")) == "evt:oUser:1700000000"


def test_text_is_truncated_to_the_core_limit() -> None:
    event = to_incoming(msg("text", msg_id="1", content="字" * 5000))
    assert event is not None and len(event.text) == 2000


def test_render_numbers_buttons_across_messages_and_adds_the_hint() -> None:
    reply = (
        Outgoing("Answer.", (Button("Fees?", "faq:fees"),)),
        Outgoing("Also:", (Button("Deposit?", "faq:deposit"),)),
    )
    assert render(reply, "en") == (
        "Answer.\n\nAlso:\n\n1. Fees?\n2. Deposit?\nReply with a number to choose."
    )
    assert render(reply, "ko").endswith("번호를 보내 선택하세요.")
    assert render(reply, "zh_Hant").endswith("回覆數字即可選擇。")
    assert render((Outgoing("Just text."),), "en") == "Just text."


FEEDBACK = (Button("👍 Helpful", "fb:7:1"), Button("👎 Not helpful", "fb:7:0"))


def test_did_this_help_is_always_1_and_2_in_one_sentence_before_the_other_options() -> None:
    answer = (Outgoing("Answer.", (Button("Fees?", "faq:fees"), *FEEDBACK)),)
    assert render(answer, "en") == (
        "Answer.\n\nDid this help? Reply 1 👍 or 2 👎.\n\n3. Fees?\nReply with a number to choose."
    )
    assert "回复 1 👍" in render(answer, "zh_Hans") and "回覆 2 👎" in render(answer, "zh_Hant")
    assert "👍 1번, 👎 2번" in render(answer, "ko")
    assert menu.options(answer) == (*FEEDBACK, Button("Fees?", "faq:fees"))
    alone = (Outgoing("Answer.", FEEDBACK),)
    assert render(alone, "en") == "Answer.\n\nDid this help? Reply 1 👍 or 2 👎."


def test_a_number_after_an_answer_presses_the_numbers_as_shown() -> None:
    history = [stored("in", i=1), stored("out", (A, *FEEDBACK), reply_to=1, i=2)]
    assert menu.last_options(history) == (*FEEDBACK, A)
    one, two, three = (Incoming(ME, "text", text=n) for n in ("1", "2", "3"))
    assert menu.choose(one, history).payload == "fb:7:1"
    assert menu.choose(two, history).payload == "fb:7:0"
    assert menu.choose(three, history).payload == A.payload


def test_render_shows_a_venue_as_text() -> None:
    venue = Venue("Shenzhen centre", "1 Futian Rd", 22.5, 114.1)
    assert render((Outgoing("Nearest:", venue=venue),), "en") == (
        "Nearest:\n\n📍 Shenzhen centre\n1 Futian Rd"
    )


def test_chunks_split_at_lines_and_within_overlong_lines() -> None:
    text = "\n".join(["a" * 1000, "b" * 1000, "c" * 1000])
    assert chunks(text, 2048) == ["a" * 1000 + "\n" + "b" * 1000, "c" * 1000]
    wide = "字" * 1000  # 3,000 bytes on one line
    pieces = chunks(wide, 2048)
    assert "".join(pieces) == wide and all(len(p.encode()) <= 2048 for p in pieces)
    assert chunks("", 2048) == [] and chunks("short", 2048) == ["short"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("1", 1), (" 2 ", 2), ("１", 1), ("３。", 3), ("10", 10), ("4)", 4), ("1.", 1)],
)
def test_menu_numbers(text: str, number: int) -> None:
    assert menu.number(text) == number


@pytest.mark.parametrize("text", ["", "one", "1 2", "123", "-1", "1a", "第1个"])
def test_not_menu_numbers(text: str) -> None:
    assert menu.number(text) is None


def stored(
    direction: str, buttons: tuple[Button, ...] = (), reply_to: int | None = None, i: int = 0
) -> StoredMessage:
    return StoredMessage(
        1, direction, "text", "t", reply_to=reply_to, buttons=buttons, id=i,  # type: ignore[arg-type]
        created_at=datetime.now(UTC),
    )  # fmt: skip


A, B, C = Button("A", "topics"), Button("B", "human"), Button("C", "faq:x")


def test_last_options_are_the_latest_reply_numbered_across_its_messages() -> None:
    history = [
        stored("in", i=1),
        stored("out", (C,), reply_to=1, i=2),
        stored("in", i=3),
        stored("out", (A,), reply_to=3, i=4),
        stored("out", (B,), reply_to=3, i=5),
    ]
    assert menu.last_options(history) == (A, B)
    assert menu.last_options(history[:2]) == (C,)
    assert menu.last_options([]) == ()
    staff = [*history, stored("out", (), reply_to=None, i=6)]
    assert menu.last_options(staff) == ()  # a staff message without options ends the menu


def test_choose_turns_a_number_into_that_button() -> None:
    history = [stored("in", i=1), stored("out", (A, B), reply_to=1, i=2)]
    two = Incoming(ME, "text", text="2", delivery_key="msg:9")
    chosen = menu.choose(two, history)
    assert (chosen.kind, chosen.payload, chosen.text, chosen.delivery_key) == (
        "button", "human", "B", "msg:9",
    )  # fmt: skip
    three = Incoming(ME, "text", text="3")
    assert menu.choose(three, history) == three  # no third option: free text
    zero = Incoming(ME, "text", text="0")
    assert menu.choose(zero, history) == zero
    words = Incoming(ME, "text", text="deposit")
    assert menu.choose(words, history) == words
