"""The staff side on both frameworks: a forum topic per ticket, staff acting from it, restarts.

The real conversation service, desk and delivery loop run behind the channel (as the bot
wires them); the staff chat is a forum supergroup of the fake Bot API. Staff replies reach the
merchant through the outbox and the channel's outbound, as in production.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from bot.channels.telegram import TelegramConfigError
from bot.channels.telegram.pacing import Rate
from bot.channels.telegram.staff_input import ANONYMOUS_ADMIN, NO_LOGIN
from bot.channels.telegram.topics import SYSTEM
from bot.core import texts
from bot.core.accounts import StaffAccount
from bot.core.texts import t
from bot.staff.passwords import Passwords
from bot.storage.uow import SqlStore
from tests.telegram import builders as b
from tests.telegram.conftest import FAST_LIMITS, STAFF_CHAT, Harness
from tests.telegram.fake_api import BOT_ID, Call, chat_json

pytestmark = pytest.mark.slow

MERCHANT = 8001
STAFF = 7001
OUTSIDER = 7666


def thread_of(h: Harness, ticket_id: int = 1) -> int:
    """The ticket's topic, as stored through the core's ticket_refs."""
    ref = h.store.committed.refs[(ticket_id, SYSTEM)]
    chat, thread = ref.rsplit(":", 1)
    assert int(chat) == STAFF_CHAT
    return int(thread)


async def topic_has(h: Harness, thread: int, count: int) -> list[str]:
    """Wait until a topic holds ``count`` posts; its posts."""
    await h.fake.wait_until(lambda: len(h.fake.in_topic(STAFF_CHAT, thread)) >= count)
    return h.fake.in_topic(STAFF_CHAT, thread)


async def send(h: Harness, body: dict[str, Any]) -> None:
    """An update from Telegram: pushed to the webhook when one is set, else queued for polling."""
    if h.fake.webhook is None:
        await h.fake.add_update(body)
    else:
        assert await h.fake.push(h.fake.new_update(body)) == 200


async def escalate(h: Harness, merchant: int = MERCHANT, lang: str = "zh-hans") -> int:
    """The merchant asks for a person; the topic of the new ticket, once its header is there."""
    tickets = len(h.store.committed.tickets)
    await send(h, b.command(merchant, "human", lang))
    await h.fake.wait_until(lambda: len(h.store.committed.tickets) > tickets)
    ticket_id = max(h.store.committed.tickets)
    await h.fake.wait_until(lambda: (ticket_id, SYSTEM) in h.store.committed.refs)
    thread = thread_of(h, ticket_id)
    await topic_has(h, thread, 1)
    return thread


async def staff_says(h: Harness, thread: int, text: str, user: int = STAFF) -> None:
    await send(h, b.staff_text(STAFF_CHAT, thread, user, text))


def buttons(call: Call) -> list[tuple[str, str]]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
async def test_escalation_to_a_staff_topic_and_back_to_a_rating(
    harness: Harness, webhook: bool
) -> None:
    await harness.staffed(webhook=webhook)
    harness.fake.members[STAFF] = "member"
    thread = await escalate(harness)
    ticket = harness.store.committed.tickets[1]
    name = harness.fake.topics[STAFF_CHAT][thread]
    assert name == f"#1 · S** · zh_Hans · {ticket.reason}"  # the merchant is "Seller 8001"
    (header,) = harness.fake.in_topic(STAFF_CHAT, thread)
    assert "Ticket #1" in header and "telegram" in header and "Team: seller-support" in header
    assert header.endswith("S**: /human")  # the merchant's message, copied

    await send(harness, b.text(MERCHANT, "我的货款被冻结了", "zh-hans"))
    assert (await topic_has(harness, thread, 2))[-1] == "S**: 我的货款被冻结了"
    # The merchant hears that the team has it (issue 17), in their language, with "close".
    added = t("zh_Hans", texts.ACK_FIRST, notice="")
    await harness.fake.wait_until(lambda: added in harness.fake.texts(MERCHANT)[-1])
    assert dict(buttons(harness.fake.delivered(MERCHANT)[-1])) == {
        t("zh_Hans", texts.CLOSE_BUTTON): "close:1"
    }
    answered = len(harness.fake.delivered(MERCHANT))
    assert answered == len(harness.fake.texts(MERCHANT))

    await staff_says(harness, thread, "/claim")
    assert (await topic_has(harness, thread, 3))[-1] == "Claimed by Staff 7001 (tg-7001)."
    await staff_says(harness, thread, "您好，我们正在核实，请稍等。")
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) > answered)
    assert harness.fake.texts(MERCHANT)[-1] == "您好，我们正在核实，请稍等。"
    await staff_says(harness, thread, "/note finance says 3 days")
    await harness.fake.wait_until(
        lambda: any(e.action == "note" for e in harness.store.committed.events)
    )
    await staff_says(harness, thread, "/resolve")
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) > answered + 1)
    rating = harness.fake.delivered(MERCHANT)[-1]
    assert rating.params["text"] == t("zh_Hans", texts.TICKET_RESOLVED)
    stars = dict(buttons(rating))
    assert len(stars) == 5
    await send(harness, b.callback(MERCHANT, stars["⭐" * 5], "zh-hans"))
    thanks = t("zh_Hans", texts.RATING_THANKS)
    await harness.fake.wait_until(lambda: harness.fake.texts(MERCHANT)[-1] == thanks)
    ticket = harness.store.committed.tickets[1]
    assert (ticket.status, ticket.assignee, ticket.rating) == ("resolved", "tg-7001", 5)
    note = next(e for e in harness.store.committed.events if e.action == "note")
    assert (note.actor, note.detail) == ("tg-7001", "finance says 3 days")
    assert "finance" not in " ".join(harness.fake.texts(MERCHANT))  # notes stay internal
    posts = await topic_has(harness, thread, 5)
    assert posts[-2].startswith("✅ Resolved by Staff 7001 (tg-7001)")
    assert posts[-1] == "⭐ The merchant rated the help 5/5."
    assert not any("finance" in p or "请稍等" in p for p in posts)  # not echoed back
    account = harness.store.committed.staff["tg-7001"]
    assert (account.role, account.password_hash) == ("admin", "!")


async def test_a_non_member_is_refused_and_console_replies_are_mirrored(
    harness: Harness,
) -> None:
    stack = await harness.staffed()
    thread = await escalate(harness, lang="en")
    before = len(harness.fake.delivered(MERCHANT))
    await staff_says(harness, thread, "I am not staff, but hello", user=OUTSIDER)
    await staff_says(harness, thread, "/resolve", user=OUTSIDER)
    anonymous = b.staff_text(STAFF_CHAT, thread, ANONYMOUS_ADMIN, "/resolve")  # as Telegram
    anonymous["message"]["from"] |= {"is_bot": True, "username": "GroupAnonymousBot"}
    anonymous["message"]["sender_chat"] = chat_json(STAFF_CHAT)  # sends it for an anonymous admin
    await harness.fake.add_update(anonymous)
    posts = await topic_has(harness, thread, 4)
    assert posts[1:3] == ["⛔ Only members of this staff chat can act on tickets."] * 2
    assert posts[3].startswith("⛔ Anonymous admins cannot act on tickets")
    assert len(harness.fake.called("getChatMember")) == 2  # the bot's own check + one (cached)
    assert "tg-7666" not in harness.store.committed.staff
    assert harness.store.committed.tickets[1].status == "open"

    mei = StaffAccount("mei", "agent", "x", teams=("default",))
    await stack.desk.reply(mei, 1, "Hello from the console")
    assert (await topic_has(harness, thread, 5))[-1] == "↪ mei: Hello from the console"
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) > before)
    assert harness.fake.texts(MERCHANT)[-1] == "Hello from the console"


async def test_a_deleted_topic_is_created_again_and_the_ticket_goes_on(
    harness: Harness,
) -> None:
    await harness.staffed()
    harness.fake.members[STAFF] = "administrator"
    old = await escalate(harness, lang="ko")
    harness.fake.delete_topic(STAFF_CHAT, old)  # someone deleted it in the app
    await harness.fake.add_update(b.text(MERCHANT, "아직 기다리고 있어요", "ko"))
    await harness.fake.wait_until(lambda: thread_of(harness) != old)
    new = thread_of(harness)
    (post,) = await topic_has(harness, new, 1)
    assert "Ticket #1 (the previous topic was deleted)" in post
    assert post.endswith("S**: 아직 기다리고 있어요")
    assert harness.store.committed.tickets[1].status == "open"
    await staff_says(harness, new, "확인 중입니다")
    await harness.fake.wait_until(lambda: harness.fake.texts(MERCHANT)[-1] == "확인 중입니다")


async def test_a_repeated_staff_message_reaches_the_merchant_once(harness: Harness) -> None:
    await harness.staffed()
    harness.fake.members[STAFF] = "creator"
    thread = await escalate(harness, lang="en")
    update = await harness.fake.add_update(b.staff_text(STAFF_CHAT, thread, STAFF, "On it"))
    await harness.fake.wait_until(lambda: harness.fake.texts(MERCHANT)[-1] == "On it")
    await harness.fake.requeue(update)
    await staff_says(harness, thread, "Done")
    await harness.fake.wait_until(lambda: harness.fake.texts(MERCHANT)[-1] == "Done")
    assert harness.fake.texts(MERCHANT).count("On it") == 1


# -- restart -----------------------------------------------------------------------------


async def sent(store: SqlStore, ticket_id: int = 1) -> None:
    """Wait until every staff message of the ticket is marked sent in the outbox."""
    deadline = asyncio.get_running_loop().time() + 30  # only so that a broken test ends
    while asyncio.get_running_loop().time() < deadline:
        async with store.uow() as uow:
            items = await uow.outbox.for_ticket(ticket_id)
        if items and all(i.status == "sent" for i in items):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not sent: {items}")


def last_offset(h: Harness) -> int:
    """The offset of the latest getUpdates call (0 for none)."""
    calls = h.fake.called("getUpdates")
    return int(calls[-1].params.get("offset") or 0) if calls else 0


async def test_restart_in_the_middle_of_a_ticket(harness: Harness, sqlite_url: str) -> None:
    first = SqlStore(sqlite_url)
    second = SqlStore(sqlite_url)
    try:
        stack = await harness.staffed(uow=first.uow)
        harness.fake.members[STAFF] = "member"
        human = await harness.fake.add_update(b.command(MERCHANT, "human", "en"))
        await harness.fake.wait_until(lambda: bool(harness.fake.topics.get(STAFF_CHAT)))
        (thread,) = harness.fake.topics[STAFF_CHAT]
        await topic_has(harness, thread, 1)
        # The merchant's answer is out: the poller waits in a long poll past that update.
        await harness.fake.wait_until(lambda: last_offset(harness) > human["update_id"])
        # Telegram hands out the staff message but never hears it confirmed: the new process
        # gets it again, already handled. (Failing every confirming call instead lost the
        # message whenever the long poll ended before it was queued, on a busy machine.)
        reply = harness.fake.new_update(b.staff_text(STAFF_CHAT, thread, STAFF, "Hi!"))
        harness.fake.fail(
            "getUpdates", 502, "Bad Gateway", times=1000, offset_above=reply["update_id"]
        )
        await harness.fake.requeue(reply)
        await harness.fake.wait_until(lambda: harness.fake.texts(MERCHANT)[-1:] == ["Hi!"])
        await sent(first)  # the outbox knows (a stop before that would send it again)
        await harness.stop(stack.channel)
        assert reply in harness.fake.pending
        harness.fake.failures.clear()

        await harness.staffed(uow=second.uow)  # a new process over the same database
        await harness.fake.add_update(b.text(MERCHANT, "Thanks, one more question"))
        assert (await topic_has(harness, thread, 2))[-1] == "S**: Thanks, one more question"
        await staff_says(harness, thread, "Go ahead")
        await harness.fake.wait_until(lambda: harness.fake.texts(MERCHANT)[-1] == "Go ahead")
        assert harness.fake.texts(MERCHANT).count("Hi!") == 1
        assert len(harness.fake.called("createForumTopic")) == 1  # the mapping survived
        async with second.uow() as uow:
            assert await uow.ticket_refs.ticket_for(SYSTEM, f"{STAFF_CHAT}:{thread}") == 1
    finally:
        for channel in list(harness.channels):
            await harness.stop(channel)
        await first.close()
        await second.close()


async def test_posts_still_queued_at_shutdown_go_out_at_the_next_start(harness: Harness) -> None:
    stack = await harness.staffed(drain_seconds=0.3)
    thread = await escalate(harness, lang="en")
    harness.fake.fail("sendMessage", 502, "Bad Gateway", times=10_000, chat_id=STAFF_CHAT)
    await send(harness, b.text(MERCHANT, "Order 123 is the one", "en"))
    await harness.fake.wait_until(
        lambda: any(e.action == "message" for e in harness.store.committed.events)
    )
    await harness.stop(stack.channel)  # Telegram is down for the group: the post is left over
    assert len(harness.fake.in_topic(STAFF_CHAT, thread)) == 1
    harness.fake.failures.clear()
    await harness.staffed()  # the next start posts it, in the same topic
    assert (await topic_has(harness, thread, 2))[-1] == "S**: Order 123 is the one"
    await asyncio.sleep(0.3)
    assert len(harness.fake.in_topic(STAFF_CHAT, thread)) == 2  # and only it, once
    assert len(harness.fake.called("createForumTopic")) == 1


async def test_tickets_opened_while_away_get_their_topic_at_start(harness: Harness) -> None:
    merchant = MERCHANT + 1
    await harness.polling()  # no staff chat yet
    await harness.ask(b.command(merchant, "human", "en"))
    for channel in list(harness.channels):
        await harness.stop(channel)
    await harness.staffed()
    await harness.fake.wait_until(lambda: (1, SYSTEM) in harness.store.committed.refs)
    (post,) = await topic_has(harness, thread_of(harness), 1)
    assert "Ticket #1" in post
    assert post.endswith("Opened before this topic existed.\nS**: /human")  # the stored name


# -- the group's pace --------------------------------------------------------------------


async def test_topics_under_the_group_limit_are_queued_not_lost(harness: Harness) -> None:
    # Virtual time: the pace is exact whatever the machine's load, and a minute takes no time.
    # How long merchants and staff wait in real time: python -m benchmarks.telegram_staff.
    harness.virtual_time()
    window = 60.0
    limits = replace(FAST_LIMITS, per_group=Rate(2, window))
    await harness.staffed(limits=limits)
    harness.fake.fail("createForumTopic", 429, retry_after=1, times=1)  # Telegram's own limit
    merchants = [MERCHANT + 10 + i for i in range(5)]
    for m in merchants:
        await harness.fake.add_update(b.command(m, "human", "en"))
    for m in merchants:  # the merchants are answered, whatever the group's queue
        await harness.fake.wait_until(lambda m=m: len(harness.fake.delivered(m)) >= 1)
    await harness.fake.wait_until(
        lambda: (
            all(
                len(harness.fake.in_topic(STAFF_CHAT, thread)) == 1
                for thread in harness.fake.topics.get(STAFF_CHAT, {1: ""})
            )
            and len(harness.fake.topics.get(STAFF_CHAT, {})) == 5
        ),
        timeout=10,
    )
    names = sorted(harness.fake.topics[STAFF_CHAT].values())
    assert [n.split(" · ")[0] for n in names] == [f"#{i}" for i in range(1, 6)]
    group = [c for c in harness.fake.calls if _to_group(c)]  # the 429 counts at Telegram too
    assert len([c for c in group if c.params.get("_ok")]) == 10  # 5 topics, 5 headers, once
    for i in range(len(group) - 2):
        assert group[i].at + window <= group[i + 2].at  # never 3 in one window


def _to_group(call: Call) -> bool:
    return str(call.params.get("chat_id")) == str(STAFF_CHAT) and call.method.lower() in (
        "createforumtopic",
        "sendmessage",
    )


async def test_start_up_stops_when_the_bot_is_no_admin_of_the_staff_chat(
    harness: Harness,
) -> None:
    harness.fake.members[BOT_ID] = "member"
    with pytest.raises(TelegramConfigError) as exc:
        await harness.staffed()
    assert str(exc.value).startswith("TELEGRAM_STAFF_CHAT_ID: the bot is member there")
    assert "\n" not in str(exc.value) and not harness.fake.called("createForumTopic")


def test_telegram_staff_accounts_can_never_sign_in() -> None:
    passwords = Passwords()
    assert not passwords.verify(NO_LOGIN, "")
    assert not passwords.verify(NO_LOGIN, "!")
    assert not passwords.verify(NO_LOGIN, "any password at all")
