"""The conformance suite: the same merchant scenarios on aiogram and on python-telegram-bot.

Each test drives the real framework client against the fake Bot API over HTTP (tests/telegram/
fake_api.py), with the real conversation service over the shipped FAQ; storage is the
in-memory store of tests/fakes.py. Delivery guarantees are in test_delivery.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.centres.holder import CentresHolder
from bot.channels.telegram.sends import MAX_CALLBACK_DATA
from bot.core import payloads, texts
from bot.core.conversation import ConversationService
from bot.core.texts import t
from bot.core.types import Button, MerchantKey, Outgoing, Venue
from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher
from bot.i18n import UiLocale
from tests.telegram import builders as b
from tests.telegram.conftest import Harness
from tests.telegram.fake_api import Call

pytestmark = pytest.mark.slow

MERCHANT = 5001
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def centres() -> CentresHolder:
    """The shipped centres (the gazetteer loads once per module)."""
    holder = CentresHolder(ROOT / "faq" / "centres.yaml")
    assert holder.reload()
    return holder


def buttons(call: Call) -> list[tuple[str, str]]:
    """(label, callback_data) of a sent message's inline keyboard, row by row."""
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def menu(locale: UiLocale) -> list[str]:
    return [
        t(locale, m)
        for m in (texts.MENU_TOPICS, texts.MENU_CENTRE, texts.MENU_HUMAN, texts.MENU_LANGUAGE)
    ]


@pytest.mark.parametrize(
    ("lang", "locale"),
    [("en", "en"), ("ko", "ko"), ("zh-hans", "zh_Hans"), ("zh-tw", "zh_Hant"), (None, "en")],
)
async def test_start_greets_in_the_language_of_the_telegram_app(
    harness: Harness, lang: str | None, locale: UiLocale
) -> None:
    await harness.polling()
    assert await harness.ask(b.command(MERCHANT, "start", lang)) == [t(locale, texts.GREETING)]
    sent = harness.fake.delivered(MERCHANT)[0]
    assert [label for label, _ in buttons(sent)] == menu(locale)
    assert "parse_mode" not in sent.params  # plain text: FAQ text is shown as written


async def test_command_menu_is_registered_per_language_for_private_chats(
    harness: Harness,
) -> None:
    await harness.polling()
    menus = harness.fake.commands
    assert set(menus) == {"", "ko", "zh"}
    for code, locale in (("", "en"), ("ko", "ko"), ("zh", "zh_Hans")):
        assert [c["command"] for c in menus[code]] == [
            "start",
            "help",
            "language",
            "centre",
            "human",
        ]
        assert menus[code][2]["description"] == t(locale, texts.MENU_LANGUAGE)
    assert menus["ko"][0]["description"] != menus[""][0]["description"]
    scopes = {c.params["scope"]["type"] for c in harness.fake.called("setMyCommands")}
    assert scopes == {"all_private_chats"}
    assert harness.fake.called("deleteWebhook"), "polling clears a webhook left behind"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("help", texts.HELP),
        ("centre", texts.CENTRE_ASK),
        ("human", texts.HUMAN_REQUESTED),
        ("language", texts.PICK_LANGUAGE),
    ],
)
async def test_commands(harness: Harness, name: str, expected: str) -> None:
    await harness.polling()
    assert await harness.ask(b.command(MERCHANT, name, "ko")) == [t("ko", expected)]


async def test_a_command_addressed_to_the_bot_by_name_is_a_command(harness: Harness) -> None:
    await harness.polling()
    sent = await harness.ask(b.command(MERCHANT, "start", "en", "@seller_support_test_bot x"))
    assert sent == [t("en", texts.GREETING)]


@pytest.mark.parametrize(
    ("question", "lang", "locale"),
    [
        ("How much is the security deposit?", "en", "en"),
        ("보증금은 얼마 내야 하나요?", "ko", "ko"),
        ("保证金要交多少？", "zh", "zh_Hans"),
    ],
)
async def test_faq_answers_with_related_and_feedback_buttons(
    harness: Harness, question: str, lang: str, locale: UiLocale
) -> None:
    await harness.polling()
    sent = await harness.ask(b.text(MERCHANT, question, "en"))  # the text decides the language
    assert sent == [harness.answer(question, lang)]
    keyboard = buttons(harness.fake.delivered(MERCHANT)[0])
    assert [label for label, _ in keyboard][-2:] == [
        t(locale, texts.HELPFUL_YES),
        t(locale, texts.HELPFUL_NO),
    ]
    assert any(data.startswith("faq:") for _, data in keyboard)
    assert all(len(data.encode()) <= MAX_CALLBACK_DATA for _, data in keyboard)


async def test_clarify_buttons_answer_the_chosen_question(harness: Harness) -> None:
    await harness.polling()
    await harness.ask(b.text(MERCHANT, "정산 언제 돼요??", "ko"))
    options = [d for _, d in buttons(harness.fake.delivered(MERCHANT)[0]) if d.startswith("faq:")]
    assert len(options) >= 2
    press = b.callback(MERCHANT, options[1], "ko")
    sent = await harness.ask(press)
    chosen = harness.matcher.faq.get(options[1].split(":", 1)[1])
    assert sent[-1] == chosen.answer["ko"]
    answered = [c.params["callback_query_id"] for c in harness.fake.called("answerCallbackQuery")]
    assert answered == [press["callback_query"]["id"]]


async def test_related_and_feedback_buttons(harness: Harness) -> None:
    await harness.polling()
    await harness.ask(b.text(MERCHANT, "How much is the security deposit?"))
    keyboard = dict((d, label) for label, d in buttons(harness.fake.delivered(MERCHANT)[0]))
    related = next(d for d in keyboard if d.startswith("faq:"))
    sent = await harness.ask(b.callback(MERCHANT, related))
    assert sent[-1] == harness.matcher.faq.get(related[4:]).answer["en"]
    helpful = next(d for d in keyboard if d.startswith("fb:") and d.endswith(":1"))
    assert (await harness.ask(b.callback(MERCHANT, helpful)))[-1] == t("en", texts.THANKS)
    assert len(harness.fake.called("answerCallbackQuery")) == 2


async def test_language_button_pins_the_language(harness: Harness) -> None:
    await harness.polling()
    await harness.ask(b.command(MERCHANT, "language", "en"))
    choices = dict(buttons(harness.fake.delivered(MERCHANT)[0]))
    assert choices["한국어"] == payloads.encode("lang", "ko")
    sent = await harness.ask(b.callback(MERCHANT, choices["한국어"], "en"))
    assert sent[-1] == t("ko", texts.LANGUAGE_SET)
    assert (await harness.ask(b.command(MERCHANT, "start", "en")))[-1] == t("ko", texts.GREETING)


async def test_a_stale_or_forged_button_gets_the_menu_again(harness: Harness) -> None:
    await harness.polling()
    assert await harness.ask(b.callback(MERCHANT, "nonsense:x")) == [t("en", texts.STALE_BUTTON)]


async def test_a_shared_location_is_answered_by_the_core(harness: Harness) -> None:
    await harness.polling()
    sent = await harness.ask(b.location(MERCHANT, 22.5431, 114.0579, "zh-hans"))
    assert sent == [t("zh_Hans", texts.LOCATION_SAVED)]


async def test_a_shared_location_gets_the_nearest_centre_as_a_venue(
    harness: Harness, centres: CentresHolder
) -> None:
    service = ConversationService(
        lambda: harness.matcher, harness.store.uow, centres=centres.finder
    )
    await harness.polling(service)
    sent = await harness.ask(b.location(MERCHANT, 22.55, 114.06, "zh-hans"), replies=2)
    assert sent[0].startswith("离您最近的商家发展中心是深圳商家发展中心")
    text, venue = harness.fake.delivered(MERCHANT)
    assert (text.method, venue.method) == ("sendMessage", "sendVenue")
    assert (venue.params["title"], venue.params["address"]) == (
        "深圳商家发展中心",
        "广东省深圳市福田区",
    )
    assert (float(venue.params["latitude"]), float(venue.params["longitude"])) == (
        22.5431,
        114.0579,
    )
    (merchant,) = harness.store.committed.merchants.values()
    assert merchant.centre_id == "shenzhen"  # a later ticket goes to this centre's team


async def test_a_venue_from_the_core_becomes_send_venue(harness: Harness) -> None:
    channel = await harness.polling()
    venue = Venue("Shenzhen centre", "1 Example Road, Futian", 22.5431, 114.0579)
    back = Button("Menu", payloads.encode("menu"))
    message = Outgoing("Your nearest centre:", (back,), venue)
    await channel.outbound.send(MerchantKey("telegram", str(MERCHANT)), [message], "en")
    text, sent_venue = harness.fake.delivered(MERCHANT)
    assert text.params["text"] == "Your nearest centre:" and "reply_markup" not in text.params
    assert sent_venue.method == "sendVenue"
    assert float(sent_venue.params["latitude"]) == 22.5431
    assert (sent_venue.params["title"], sent_venue.params["address"]) == (
        venue.title,
        venue.address,
    )
    assert buttons(sent_venue) == [("Menu", "menu")]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_unsupported_messages_get_a_polite_reply_in_the_merchants_language(
    harness: Harness, kind: str
) -> None:
    await harness.polling()
    body = getattr(b, kind)(MERCHANT, "ko")
    assert await harness.ask(body) == [t("ko", texts.UNSUPPORTED)]


async def test_group_messages_and_other_updates_are_ignored_but_confirmed(
    harness: Harness,
) -> None:
    await harness.polling()
    group = await harness.fake.add_update(b.group_text(-100123, MERCHANT, "hello bot"))
    edit = await harness.fake.add_update(b.edited(MERCHANT, "changed my mind"))
    await harness.ask(b.command(MERCHANT, "start"))  # answered after the ignored ones
    await harness.fake.wait_until(
        lambda: any(
            int(c.params.get("offset") or 0) > edit["update_id"]
            for c in harness.fake.called("getUpdates")
        )
    )
    assert harness.fake.sent(-100123) == []
    assert len(harness.fake.sent(MERCHANT)) == 1
    assert group["update_id"] < edit["update_id"]
    assert all(m.text != "hello bot" for m in harness.store.committed.messages)


async def test_a_long_answer_is_split_at_paragraph_boundaries(
    harness: Harness, tmp_path: Path
) -> None:
    paragraphs = [
        (f"Paragraph {i}. " + "Lorem ipsum dolor sit amet. " * 60).strip() for i in range(6)
    ]
    answer = "\n\n".join(paragraphs)  # ~10,000 characters
    folder = tmp_path / "faq"
    folder.mkdir()
    (folder / "long.yaml").write_text(_long_entry(answer), encoding="utf-8")
    faq, problems = load_faq(folder)
    assert faq is not None, problems
    harness.matcher = Matcher(faq)
    await harness.polling()
    sent = await harness.ask(b.text(MERCHANT, "Tell me everything about the long answer"), 3)
    assert len(sent) == 3
    assert all(len(s) <= 4096 for s in sent)
    assert "\n\n".join(sent) == answer
    calls = harness.fake.delivered(MERCHANT)
    assert [bool(buttons(c)) for c in calls] == [False, False, True]  # buttons on the last


def _long_entry(answer: str) -> str:
    block = "\n".join(f"        {line}" if line else "" for line in answer.split("\n"))
    questions = {
        "en": "Tell me everything about the long answer",
        "zh": "长答案是什么",
        "ko": "긴 답변은 무엇인가요",
    }
    lines = [
        "entries:",
        "  - id: long-answer",
        "    category: support",
        "    escalate: false",
        "    questions:",
    ]
    lines += [f'      {lang}: ["{q}"]' for lang, q in questions.items()]
    lines.append("    answer:")
    for lang in ("en", "zh", "ko"):
        lines += [f"      {lang}: |", block]
    return "\n".join(lines) + "\n"


async def test_a_centre_question_naming_a_place_and_across_turns(
    harness: Harness, centres: CentresHolder
) -> None:
    service = ConversationService(
        lambda: harness.matcher, harness.store.uow, centres=centres.finder
    )
    await harness.polling(service)
    # Place and question in one message (issue 13): the centre, with a venue.
    sent = await harness.ask(b.text(MERCHANT, "I am in Ningbo, which centre is closest?"), 2)
    assert "Ningbo Business Expansion Centre" in sent[-1]
    assert harness.fake.delivered(MERCHANT)[-1].method == "sendVenue"
    # Across turns, for a merchant whose place is not known yet: no place -> which city? ->
    # the city alone -> the centre.
    other = MERCHANT + 1
    sent = await harness.ask(b.text(other, "저희는 가까운 센터 가고 싶어요 어디예요?", "ko"))
    assert sent[-1] == t("ko", texts.CENTRE_ASK)
    sent = await harness.ask(b.text(other, "부산이에요", "ko"), 2)
    assert "부산 비즈니스 확장 센터" in sent[-1]
    centres_of = {m.centre_id for m in harness.store.committed.merchants.values()}
    assert centres_of == {"ningbo", "busan"}
