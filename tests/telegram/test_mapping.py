"""The shared mapping: updates to core events (who is answered, with which key) and back."""

from __future__ import annotations

import pytest

from bot.channels.telegram.mapping import (
    chat_of,
    delivery_key,
    keyboard_for,
    to_inbound,
    to_requests,
)
from bot.channels.telegram.sends import (
    MAX_CAPTION,
    MAX_PHOTO,
    InlineButton,
    SendFile,
    SendText,
    SendVenue,
    shown_text,
)
from bot.channels.telegram.updates import (
    TgCallback,
    TgFile,
    TgLocation,
    TgMessage,
    TgUpdate,
    TgUser,
    command_of,
)
from bot.core.types import Attachment, Button, Location, MerchantKey, Outgoing, Venue

BOT = "777"
ALICE = TgUser(42, language_code="zh-hans")


def message(**fields: object) -> TgUpdate:
    values: dict[str, object] = {
        "message_id": 9,
        "chat_id": 42,
        "chat_type": "private",
        "user": ALICE,
    } | fields
    return TgUpdate(100, message=TgMessage(**values))  # type: ignore[arg-type]


def test_text_command_location_and_unsupported_become_events() -> None:
    text = to_inbound(message(text="保证金多少"), BOT)
    assert text is not None and text.chat_id == 42 and text.callback_id is None
    e = text.event
    assert (e.kind, e.text, e.merchant) == ("text", "保证金多少", MerchantKey("telegram", "42"))
    assert (e.lang_hint, e.message_id, e.delivery_key) == ("zh-hans", "9", "777:m:42:9")
    command = to_inbound(message(text="/start", command="start"), BOT)
    assert command is not None and (command.event.kind, command.event.text) == ("command", "start")
    point = to_inbound(message(location=TgLocation(22.5, 114.1)), BOT)
    assert point is not None and point.event.location == Location(22.5, 114.1)
    sticker = to_inbound(message(unsupported="sticker"), BOT)
    assert sticker is not None
    assert (sticker.event.kind, sticker.event.text) == ("unsupported", "[sticker]")


@pytest.mark.parametrize(
    "update",
    [
        message(chat_id=-100, chat_type="supergroup", text="hi"),
        message(chat_id=-5, chat_type="group", text="hi"),
        message(chat_type="channel", text="post", user=None),
        message(user=TgUser(43, is_bot=True), text="I am a bot"),
        message(),  # a service message: nothing we read
        TgUpdate(101),  # an update type we do not handle
        TgUpdate(102, callback=TgCallback("cb", ALICE, "menu", -100, "supergroup", 3)),
    ],
)
def test_groups_bots_and_other_updates_are_ignored(update: TgUpdate) -> None:
    assert to_inbound(update, BOT) is None


def test_button_press() -> None:
    press = TgUpdate(103, callback=TgCallback("cb-1", ALICE, "faq:fees", 42, "private", 8))
    inbound = to_inbound(press, BOT)
    assert inbound is not None and inbound.callback_id == "cb-1" and inbound.chat_id == 42
    assert (inbound.event.kind, inbound.event.payload) == ("button", "faq:fees")
    assert inbound.event.delivery_key == "777:cb:cb-1"
    old = TgUpdate(104, callback=TgCallback("cb-2", ALICE, "menu"))  # message inaccessible
    assert chat_of(old) == 42
    inbound = to_inbound(old, BOT)
    assert inbound is not None and inbound.chat_id == 42


def test_delivery_keys_repeat_with_the_update_and_differ_between_bots() -> None:
    first = message(text="hi")
    again = TgUpdate(999, message=first.message)  # same message, another update id
    assert delivery_key(BOT, first) == delivery_key(BOT, again)
    assert delivery_key(BOT, first) != delivery_key("888", first)
    assert delivery_key(BOT, first) != delivery_key(BOT, message(text="hi", message_id=10))


@pytest.mark.parametrize(
    ("text", "leading", "expected"),
    [
        ("/start", True, "start"),
        ("/Start@Seller_Bot deep-link", True, "start"),
        ("/help me", True, "help"),
        ("/start", False, None),
        ("hello /start", True, None),
        (None, True, None),
        ("/", True, None),
    ],
)
def test_command_of(text: str | None, leading: bool, expected: str | None) -> None:
    assert command_of(text, leading) == expected


def test_keyboard_pairs_short_labels_and_keeps_long_ones_alone() -> None:
    buttons = [
        Button("Browse topics", "topics"),
        Button("Nearest centre", "centre"),
        Button("How much is the security deposit?", "faq:security-deposit"),
        Button("👍 Helpful", "fb:1:1"),
        Button("👎 Not helpful", "fb:1:0"),
        Button("转人工", "human"),
    ]
    rows = keyboard_for(buttons)
    assert [[b.data for b in row] for row in rows] == [
        ["topics", "centre"],
        ["faq:security-deposit"],
        ["fb:1:1", "fb:1:0"],
        ["human"],
    ]
    too_long = Button("x", "faq:" + "y" * 61)
    assert keyboard_for([too_long, Button("ok", "menu")]) == ((InlineButton("ok", "menu"),),)


def test_requests_split_text_and_put_buttons_last() -> None:
    long = "\n\n".join(["p" * 3000, "q" * 3000])
    venue = Venue("Centre", "1 Road", 1.5, 2.5)
    out = to_requests(42, [Outgoing(long, (Button("Menu", "menu"),)), Outgoing("Here:", (), venue)])
    assert [type(r) for r in out] == [SendText, SendText, SendText, SendVenue]
    assert [r.keyboard != () for r in out] == [False, True, False, False]
    assert out[3] == SendVenue(42, 1.5, 2.5, "Centre", "1 Road")
    assert to_requests(42, [Outgoing("  ")]) == []


# -- files (issue 17) --------------------------------------------------------------------------

PHOTO = TgFile("AgAC-big", 52_000, "photo-9.jpg", photo=True)


def test_a_photo_or_document_is_a_file_event_to_fetch_when_files_are_on() -> None:
    sent = message(file=PHOTO, caption="店铺截图", unsupported="photo")
    inbound = to_inbound(sent, BOT, files=True)
    assert inbound is not None and inbound.fetch == PHOTO and inbound.chat_id == 42
    e = inbound.event
    assert (e.kind, e.text, e.attachment, e.delivery_key) == (
        "file",
        "店铺截图",
        None,
        "777:m:42:9",
    )
    document = to_inbound(
        message(file=TgFile("BQAC", None, "a.pdf"), unsupported="document"), BOT, True
    )
    assert document is not None and (document.event.kind, document.event.text) == ("file", "")
    # files off (no FILES store wired): the polite "text only" reply, as before
    off = to_inbound(sent, BOT)
    assert off is not None and off.fetch is None
    assert (off.event.kind, off.event.text) == ("unsupported", "[photo]")
    group = message(chat_id=-100, chat_type="supergroup", file=PHOTO)
    assert to_inbound(group, BOT, files=True) is None


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


def test_an_attachment_goes_with_its_text_as_the_caption() -> None:
    image = Attachment("image/png", PNG, "label.png")
    menu = (Button("Menu", "menu"),)
    (photo,) = to_requests(42, [Outgoing("Your label", menu, attachment=image)], thread_id=5)
    assert photo == SendFile(42, PNG, "label.png", True, "Your label", keyboard_for(menu), 5)
    pdf = Attachment("application/pdf", PDF_BYTES, "form.pdf")
    (document,) = to_requests(42, [Outgoing("", attachment=pdf)])
    assert document == SendFile(42, PDF_BYTES, "form.pdf", False, "")
    assert shown_text(document) == "[form.pdf]"


def test_a_text_too_long_for_a_caption_goes_first_and_a_huge_image_as_a_document() -> None:
    long = "长" * (MAX_CAPTION + 1)
    pdf = Attachment("application/pdf", PDF_BYTES, "form.pdf")
    texts, file = to_requests(42, [Outgoing(long, attachment=pdf)])
    assert texts == SendText(42, long) and isinstance(file, SendFile) and file.caption == ""
    fits = "長" * MAX_CAPTION
    (alone,) = to_requests(42, [Outgoing(fits, attachment=pdf)])
    assert isinstance(alone, SendFile) and alone.caption == fits
    huge = Attachment("image/jpeg", b"\xff\xd8\xff" + b"\x00" * MAX_PHOTO, "scan.jpg")
    (sent,) = to_requests(42, [Outgoing("", attachment=huge)])
    assert isinstance(sent, SendFile) and not sent.photo  # sendPhoto takes up to 10 MB
