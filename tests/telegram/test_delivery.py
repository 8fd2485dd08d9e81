"""Delivery guarantees on both frameworks: stored before acknowledged, handled once, paced,
retried, failures visible, order kept; webhook secret; restart."""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import replace

import pytest

from bot.channels.telegram import TelegramChannel, TelegramConfigError, build_channel
from bot.channels.telegram.pacing import Rate
from bot.core import texts
from bot.core.outbound import DeliveryError
from bot.core.texts import t
from bot.core.types import Incoming, MerchantKey, Outgoing, Reply
from tests.telegram import builders as b
from tests.telegram.conftest import FAST_LIMITS, SECRET, Harness, fast_config
from tests.telegram.fake_api import TOKEN

pytestmark = pytest.mark.slow

MERCHANT = 6001
QUESTION = "How much is the security deposit?"


class FailsOnce:
    """The real service, except that storing one given text fails once (the database blinked)."""

    def __init__(self, inner: object, text: str) -> None:
        self.inner, self.text, self.failed = inner, text, 0

    async def handle(self, event: Incoming) -> Reply:
        if event.text == self.text and not self.failed:
            self.failed += 1
            raise ConnectionError("database unavailable")
        return await self.inner.handle(event)  # type: ignore[attr-defined,no-any-return]

    async def sent(self, event: Incoming) -> None:
        await self.inner.sent(event)  # type: ignore[attr-defined]


def offsets(h: Harness) -> list[int]:
    """The offsets of every getUpdates call so far (0 for none)."""
    return [int(c.params.get("offset") or 0) for c in h.fake.called("getUpdates")]


def inbound(h: Harness, text: str) -> int:
    """How many times a merchant text was stored."""
    return sum(m.direction == "in" and m.text == text for m in h.store.committed.messages)


# -- handled once ------------------------------------------------------------------------


async def test_polling_a_repeated_update_is_answered_once(harness: Harness) -> None:
    await harness.polling()
    update = await harness.fake.add_update(b.text(MERCHANT, QUESTION))
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) == 1)
    await harness.fake.requeue(update)  # the same update_id again
    await harness.ask(b.command(MERCHANT, "help"))  # answered after the repeat was processed
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION), t("en", texts.HELP)]
    assert inbound(harness, QUESTION) == 1


async def test_a_repeated_button_press_is_answered_and_acknowledged_once(
    harness: Harness,
) -> None:
    await harness.polling()
    update = await harness.fake.add_update(b.callback(MERCHANT, "topics"))
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) == 1)
    await harness.fake.requeue(update)
    await harness.fake.requeue(update)
    await harness.ask(b.sticker(MERCHANT))  # a non-text update, also keyed once
    assert harness.fake.texts(MERCHANT) == [t("en", texts.PICK_TOPIC), t("en", texts.UNSUPPORTED)]
    assert len(harness.fake.called("answerCallbackQuery")) == 1


async def test_webhook_a_repeated_update_is_answered_once_even_concurrently(
    harness: Harness,
) -> None:
    await harness.webhook()
    update = harness.fake.new_update(b.text(MERCHANT, QUESTION))
    statuses = await asyncio.gather(*(harness.fake.push(update) for _ in range(3)))
    assert statuses == [200, 200, 200]
    assert await harness.fake.push(update) == 200
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) >= 1)
    await asyncio.sleep(0.1)  # time for a wrong second answer to show up
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]
    assert inbound(harness, QUESTION) == 1


# -- webhook ---------------------------------------------------------------------------


async def test_webhook_is_registered_with_the_secret(harness: Harness) -> None:
    channel = await harness.webhook()
    assert harness.fake.webhook == (channel.config.webhook_url, SECRET)
    (call,) = harness.fake.called("setWebhook")
    assert call.params["allowed_updates"] == ["message", "callback_query"]


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong", 403), (SECRET + "x", 403)])
async def test_webhook_refuses_a_missing_or_wrong_secret(
    harness: Harness, secret: str | None, status: int
) -> None:
    await harness.webhook()
    update = harness.fake.new_update(b.text(MERCHANT, QUESTION))
    assert await harness.fake.push(update, secret=secret) == status
    assert harness.store.committed.messages == []
    await asyncio.sleep(0.05)
    assert harness.fake.sent(MERCHANT) == []


async def test_webhook_stores_before_the_2xx(harness: Harness) -> None:
    await harness.webhook()
    assert await harness.fake.push(harness.fake.new_update(b.text(MERCHANT, QUESTION))) == 200
    assert inbound(harness, QUESTION) == 1  # committed by the time Telegram has its 200


async def test_webhook_answers_500_when_not_stored_and_the_retry_is_answered(
    harness: Harness,
) -> None:
    await harness.webhook(FailsOnce(harness.service(), QUESTION))
    update = harness.fake.new_update(b.text(MERCHANT, QUESTION))
    assert await harness.fake.push(update) == 500
    assert inbound(harness, QUESTION) == 0
    assert await harness.fake.push(update) == 200  # Telegram's retry
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) == 1)
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]


async def test_webhook_rejects_what_is_not_an_update(harness: Harness) -> None:
    await harness.webhook()
    assert await harness.fake.push({}, raw=b"not json") == 400
    assert await harness.fake.push({}, raw=b"[1, 2]") == 400
    assert await harness.fake.push({"update_id": "x"}) == 400
    assert await harness.fake.push({"update_id": 5, "message": {"text": "no chat"}}) == 400
    assert harness.store.committed.messages == []


# -- polling offsets and restart -------------------------------------------------------


async def test_polling_offset_does_not_pass_an_update_that_was_not_stored(
    harness: Harness,
) -> None:
    await harness.polling(FailsOnce(harness.service(), QUESTION))
    update = await harness.fake.add_update(b.text(MERCHANT, QUESTION))
    uid = update["update_id"]
    await harness.fake.wait_until(lambda: uid + 1 in offsets(harness))
    offsets_seen = offsets(harness)
    first_past = next(i for i, o in enumerate(offsets_seen) if o > uid)
    assert uid in offsets_seen[:first_past], "the failed update was fetched again before confirming"
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]
    assert inbound(harness, QUESTION) == 1


async def test_a_failed_update_holds_back_its_chat_but_not_other_chats(
    harness: Harness,
) -> None:
    other = MERCHANT + 1
    await harness.polling(FailsOnce(harness.service(), QUESTION))
    await harness.fake.add_update(b.text(MERCHANT, QUESTION))
    await harness.fake.add_update(b.command(MERCHANT, "help"))
    await harness.fake.add_update(b.command(other, "start"))
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) == 2)
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION), t("en", texts.HELP)]
    assert harness.fake.texts(other) == [t("en", texts.GREETING)]


async def test_restart_continues_without_answering_twice(harness: Harness) -> None:
    first = await harness.polling()
    # From now on Telegram never hears our confirmations (the network broke after we stored).
    harness.fake.fail("getUpdates", 502, "Bad Gateway", times=1000, when_offset=True)
    await harness.ask(b.text(MERCHANT, QUESTION))
    await harness.stop(first)  # its confirmation at shutdown fails as well
    assert harness.fake.pending, "Telegram still holds the answered update"
    harness.fake.failures.clear()
    await harness.polling()  # a new process, same database
    sent = await harness.ask(b.command(MERCHANT, "help"))
    assert sent == [harness.answer(QUESTION), t("en", texts.HELP)]
    assert inbound(harness, QUESTION) == 1
    await harness.fake.wait_until(lambda: harness.fake.pending == [])  # confirmed this time


async def crash(harness: Harness, channel: TelegramChannel) -> None:
    """End a channel as SIGKILL would: no drain, no confirmation, nothing reported."""
    harness.channels.remove(channel)
    channel.sender._on_failure = None  # a killed process reports nothing
    tasks = [t for t in (channel._polling, *channel.sender._workers.values()) if t is not None]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await channel.api.close()


async def test_a_crash_before_the_answer_went_out_loses_nothing(harness: Harness) -> None:
    first = await harness.polling()
    sending = asyncio.Event()

    async def stuck(request: object) -> int:  # the answer's request never reaches Telegram
        sending.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    first.api.send = stuck  # type: ignore[method-assign,assignment]
    update = await harness.fake.add_update(b.text(MERCHANT, QUESTION))
    await sending.wait()  # stored and answered by the core, the answer on its way
    polls = len(harness.fake.called("getUpdates"))
    await harness.fake.wait_until(lambda: len(harness.fake.called("getUpdates")) > polls + 1)
    assert inbound(harness, QUESTION) == 1
    await crash(harness, first)
    assert harness.fake.pending == [update], "Telegram must still hold the unanswered update"
    await harness.polling()  # a new process, same database: Telegram delivers it again
    sent = await harness.ask(b.command(MERCHANT, "help"), replies=2)
    assert sent == [harness.answer(QUESTION), t("en", texts.HELP)]  # once, in order
    assert inbound(harness, QUESTION) == 1
    await harness.fake.wait_until(lambda: harness.fake.pending == [])
    assert harness.fake.texts(MERCHANT) == sent


async def test_a_crash_after_the_answer_went_out_sends_it_once(harness: Harness) -> None:
    first = await harness.polling()
    # Telegram never hears our confirmations: after the crash it delivers the update again.
    harness.fake.fail("getUpdates", 502, "Bad Gateway", times=1000, when_offset=True)
    await harness.ask(b.text(MERCHANT, QUESTION))
    await asyncio.sleep(0.1)  # the answer recorded as sent
    await crash(harness, first)
    assert harness.fake.pending, "Telegram still holds the answered update"
    harness.fake.failures.clear()
    await harness.polling()
    sent = await harness.ask(b.command(MERCHANT, "help"))
    assert sent == [harness.answer(QUESTION), t("en", texts.HELP)]
    await harness.fake.wait_until(lambda: harness.fake.pending == [])
    assert harness.fake.texts(MERCHANT) == sent


async def test_webhook_answers_telegram_after_the_answer_went_out(harness: Harness) -> None:
    await harness.webhook()
    assert await harness.fake.push(harness.fake.new_update(b.text(MERCHANT, QUESTION))) == 200
    assert harness.fake.texts(MERCHANT) == [harness.answer(QUESTION)]  # before the 200


async def test_polling_survives_a_malformed_response(harness: Harness) -> None:
    harness.fake.garble("getUpdates", times=2)
    await harness.polling()
    assert await harness.ask(b.command(MERCHANT, "start")) == [t("en", texts.GREETING)]


async def test_graceful_stop_confirms_the_offset(harness: Harness) -> None:
    channel = await harness.polling()
    update = await harness.fake.add_update(b.command(MERCHANT, "start"))
    await harness.fake.wait_until(lambda: len(harness.fake.delivered(MERCHANT)) == 1)
    await harness.stop(channel)
    last = harness.fake.called("getUpdates")[-1]
    assert int(last.params["offset"]) == update["update_id"] + 1
    assert harness.fake.pending == []


# -- pacing, 429, retries, failures ----------------------------------------------------


async def test_429_waits_retry_after_and_delivers_once(harness: Harness) -> None:
    harness.virtual_time()  # Call.at: the channel's clock, which moves only when it waits
    await harness.polling()
    harness.fake.fail("sendMessage", 429, retry_after=1, chat_id=MERCHANT)
    await harness.ask(b.command(MERCHANT, "start"))
    refused, accepted = harness.fake.sent(MERCHANT)
    assert refused.at + 1 <= accepted.at
    assert harness.fake.texts(MERCHANT) == [t("en", texts.GREETING)]
    assert harness.failures == []


async def test_a_transient_failure_is_retried(harness: Harness) -> None:
    await harness.polling()
    harness.fake.fail("sendMessage", 500, times=2, chat_id=MERCHANT)
    await harness.ask(b.command(MERCHANT, "start"))
    assert len(harness.fake.sent(MERCHANT)) == 3
    assert harness.failures == []


async def test_a_send_that_keeps_failing_is_reported_not_dropped(harness: Harness) -> None:
    await harness.polling()
    harness.fake.fail("sendMessage", 502, "Bad Gateway", times=3, chat_id=MERCHANT)
    await harness.fake.add_update(b.command(MERCHANT, "start"))
    await harness.fake.wait_until(lambda: len(harness.failures) == 1)
    (failure,) = harness.failures
    assert len(harness.fake.sent(MERCHANT)) == 3  # FAST_RETRY: 3 attempts
    assert failure.merchant == MerchantKey("telegram", str(MERCHANT))
    assert failure.texts == (t("en", texts.GREETING),) and not failure.permanent
    assert "Bad Gateway" in failure.reason


async def test_a_blocked_user_is_reported_at_once_as_permanent(harness: Harness) -> None:
    await harness.polling()
    harness.fake.blocked.add(MERCHANT)
    await harness.fake.add_update(b.command(MERCHANT, "start"))
    await harness.fake.wait_until(lambda: len(harness.failures) == 1)
    assert harness.failures[0].permanent
    assert len(harness.fake.sent(MERCHANT)) == 1  # no point retrying


async def test_outbound_raises_delivery_error_for_staff(harness: Harness) -> None:
    channel = await harness.polling()
    merchant = MerchantKey("telegram", str(MERCHANT))
    await channel.outbound.send(merchant, [Outgoing("A reply from staff")], "en")
    assert harness.fake.texts(MERCHANT) == ["A reply from staff"]
    harness.fake.blocked.add(MERCHANT)
    with pytest.raises(DeliveryError) as exc:
        await channel.outbound.send(merchant, [Outgoing("Another")], "en")
    assert exc.value.permanent
    with pytest.raises(DeliveryError):
        await channel.outbound.send(MerchantKey("web", "abc"), [Outgoing("x")], "en")
    assert harness.failures == []  # the caller was told; the hook is for replies


async def test_one_chat_is_paced_and_kept_in_order(harness: Harness) -> None:
    harness.virtual_time()  # Telegram's own pace, without waiting for it
    channel = await harness.polling(limits=replace(FAST_LIMITS, per_chat=Rate(1, 1.0)))
    merchant = MerchantKey("telegram", str(MERCHANT))
    await channel.outbound.send(merchant, [Outgoing(f"part {i}") for i in range(4)], "en")
    calls = harness.fake.delivered(MERCHANT)
    assert [c.params["text"] for c in calls] == [f"part {i}" for i in range(4)]
    for earlier, later in itertools.pairwise(calls):  # counted from when each request ended:
        assert earlier.at + 1.0 <= later.at  # exact, no slack for a busy machine


# -- start-up --------------------------------------------------------------------------


async def test_a_rejected_token_stops_start_up_with_one_line(harness: Harness) -> None:
    config = fast_config(harness.fake, harness.framework, token="42:not-the-token")
    channel = build_channel(config, harness.service())
    with pytest.raises(TelegramConfigError) as exc:
        await channel.start()
    assert str(exc.value).startswith("TELEGRAM_BOT_TOKEN:") and "\n" not in str(exc.value)
    assert "not-the-token" not in str(exc.value)


async def test_an_unreachable_api_is_retried_in_the_background_naming_the_url(
    harness: Harness,
) -> None:
    config = fast_config(harness.fake, harness.framework, api_url="http://127.0.0.1:9")
    channel = build_channel(config, harness.service(), sleep=_no_wait)
    await channel.start()  # returns: the rest of the bot goes on serving
    try:
        status = channel.status()
        assert status["ok"] is False and str(status["problem"]).startswith("TELEGRAM_API_URL:")
        with pytest.raises(DeliveryError) as exc:  # staff replies wait for the channel
            await channel.outbound.send(MerchantKey("telegram", "5"), [Outgoing("hi")], "en")
        assert exc.value.unavailable and not exc.value.permanent
        await asyncio.sleep(0.2)  # several retries (the waits are skipped), still down
        assert channel.status()["ok"] is False and not channel.connected
    finally:
        await channel.stop()


async def test_the_channel_comes_back_when_the_api_answers_again(harness: Harness) -> None:
    harness.fake.fail("getMe", 502, "Bad Gateway", times=3)
    config = fast_config(harness.fake, harness.framework)
    channel = build_channel(config, harness.service(), sleep=_no_wait)
    await channel.start()
    harness.channels.append(channel)
    await harness.fake.wait_until(lambda: channel.connected)
    assert channel.status() == {"ok": True}
    assert len([c for c in harness.fake.calls if c.method == "getMe"]) == 4
    replies = await harness.ask(b.text(MERCHANT, "How much is the security deposit?"))
    assert replies, "the channel answers once it is back"


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


async def test_the_token_never_reaches_the_logs(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await harness.polling()
    await harness.ask(b.command(MERCHANT, "start"))
    assert TOKEN.split(":")[1] not in caplog.text


async def test_health_names_failing_polls_until_they_succeed_again(harness: Harness) -> None:
    channel = await harness.polling()
    assert channel.status() == {"ok": True}
    harness.fake.fail("getUpdates", 502, "Bad Gateway", times=50)
    await harness.fake.wait_until(lambda: not channel.status()["ok"])
    assert "getUpdates failing" in str(channel.status()["problem"])
    harness.fake.failures.clear()
    await harness.fake.wait_until(lambda: bool(channel.status()["ok"]))
