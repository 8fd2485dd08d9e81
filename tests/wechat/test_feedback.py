"""One-key "Did this help?" on WeChat (issue 18 §1), end to end: real signed and encrypted pushes
to the real endpoint, the real conversation service over SQLite. After an FAQ answer a typed
"1" records 👍 and "2" records 👎, which offers the next closest entries and a person: the
same options the web chat's 👎 button gets, numbered."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.channels import numbered
from bot.core import texts
from bot.core.texts import t
from bot.core.types import Incoming, MerchantKey
from tests.wechat import wire
from tests.wechat.test_files import ME, OPENID, MakeBot, Stack, make_bot, stack

__all__ = ["make_bot", "stack"]

QUESTION = "保证金是多少？"
HINT = t("zh_Hans", numbered.FEEDBACK_HINT, yes="1", no="2")
WEB = MerchantKey("web", "feedback-web-merchant-token")


def feedback(db: Path) -> list[tuple[str, int, str]]:
    """(question, helpful, channel) of every stored 👍/👎, as the insights read them."""
    with sqlite3.connect(db) as sql:
        rows = sql.execute(
            "SELECT q.text, f.helpful, m.channel FROM feedback f "
            "JOIN messages q ON q.id = f.message_id JOIN merchants m ON m.id = f.merchant_id "
            "ORDER BY f.message_id"
        )
        return [(str(a), int(b), str(c)) for a, b, c in rows]


async def test_typing_1_after_an_answer_records_that_it_helped(
    make_bot: MakeBot, stack: Stack, tmp_path: Path
) -> None:
    bot = await make_bot(safe=True)
    answer = await bot.content(wire.text(OPENID, QUESTION))
    assert "500" in answer and f"\n\n{HINT}" in answer  # the answer, then the one-key question
    assert await bot.content(wire.text(OPENID, "1")) == t("zh_Hans", texts.THANKS)
    assert feedback(tmp_path / "bot.db") == [(QUESTION, 1, "wechat")]


async def test_typing_2_offers_what_the_web_chats_thumbs_down_offers_and_a_person(
    make_bot: MakeBot, stack: Stack, tmp_path: Path
) -> None:
    bot = await make_bot(safe=True)
    assert HINT in await bot.content(wire.text(OPENID, QUESTION))
    sorry = await bot.content(wire.text(OPENID, "２"))  # a full-width digit, as IMEs type it
    assert sorry.startswith(t("zh_Hans", texts.SORRY))
    assert feedback(tmp_path / "bot.db") == [(QUESTION, 0, "wechat")]

    # the web chat, same question, its 👎 button pressed
    web = await stack.service.handle(Incoming(WEB, "text", text=QUESTION, delivery_key="w1"))
    down = next(b for m in web.messages for b in m.buttons if b.payload.endswith(":0"))
    pressed = Incoming(WEB, "button", text=down.label, payload=down.payload, delivery_key="w2")
    web_sorry = await stack.service.handle(pressed)
    offered = [b for m in web_sorry.messages for b in m.buttons]
    assert any(b.payload.startswith("faq:") for b in offered)

    shown = numbered.last_options(await stack.service.history(ME))
    assert [b.payload for b in shown] == [b.payload for b in offered]
    for n, button in enumerate(shown, 1):
        assert f"\n{n}. {button.label}" in sorry
    assert HINT not in sorry  # nothing more to rate here

    person = next(n for n, b in enumerate(shown, 1) if b.payload.startswith("human"))
    await bot.content(wire.text(OPENID, str(person)))
    async with stack.store.uow() as uow:
        merchant = await uow.merchants.get_or_create(ME)
        ticket = await uow.tickets.latest_for(merchant.id)
    assert ticket is not None and ticket.status == "open"  # a person has it
