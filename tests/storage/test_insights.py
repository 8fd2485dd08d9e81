"""The insights' figures on a small known data set, on SQLite and PostgreSQL, and from the CLI."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.cli.main import main
from bot.core.insights import InsightsQuery, compute, percentile
from bot.core.ports import NewMessage, UnitOfWork
from bot.core.tickets import NewTicket, utcnow
from bot.core.types import MerchantKey
from bot.storage.insights import SqlInsights
from tests.storage.conftest import SqlUnderTest, StoreUnderTest

FIRST_RESPONSE = timedelta(minutes=120)


async def _ask(
    uow: UnitOfWork, merchant_id: int, text: str, locale: str, action: str, faq_id: str | None
) -> int:
    """One question and the bot's reply (two messages: the decision is on both)."""
    inbound = await uow.messages.add(NewMessage(merchant_id, "in", "text", text, locale=locale))
    for part in ("answer", "more"):
        await uow.messages.add(
            NewMessage(
                merchant_id, "out", "text", part, reply_to=inbound.id, locale=locale,
                action=action, faq_id=faq_id, score=0.8,
            )
        )  # fmt: skip
    return inbound.id


async def _seed(store: StoreUnderTest) -> None:
    """Three merchants: web/en answered twice (one 👍, one 👎), web/ko a fallback then a
    ticket answered in 30 min and resolved in 3 h, rated 4; wechat/zh_Hans a did-you-mean,
    an escalation and an open ticket answered in 4 h."""
    now = utcnow()
    async with store.uow() as uow:
        ann = await uow.merchants.get_or_create(MerchantKey("web", "ann"))
        bo = await uow.merchants.get_or_create(MerchantKey("web", "bo"))
        chen = await uow.merchants.get_or_create(MerchantKey("wechat", "chen"))
        q1 = await _ask(uow, ann.id, "fees?", "en", "answer", "fees")
        q2 = await _ask(uow, ann.id, "refund?", "en", "answer", "refunds")
        await uow.feedback.record(q1, ann.id, True)
        await uow.feedback.record(q2, ann.id, False)
        await _ask(uow, bo.id, "뭐지", "ko", "fallback", None)
        await _ask(uow, chen.id, "费用", "zh_Hans", "clarify", None)
        await _ask(uow, chen.id, "人工", "zh_Hans", "escalate", "talk-to-person")
        await _ask(uow, chen.id, "hi", "zh_Hans", "smalltalk", None)  # not a question
        opened = now - timedelta(hours=5)
        t1 = await uow.tickets.add(NewTicket(bo.id, "web", "no_answer", "ko", "seoul", opened))
        await uow.tickets.update(
            replace(
                t1, status="resolved", rating=4,
                first_response_at=opened + timedelta(minutes=30),
                resolved_at=opened + timedelta(hours=3),
            )
        )  # fmt: skip
        t2 = await uow.tickets.add(
            NewTicket(chen.id, "wechat", "asked_for_person", "zh_Hans", "default", opened)
        )
        await uow.tickets.update(replace(t2, first_response_at=opened + timedelta(hours=4)))
        await uow.commit()


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
async def test_the_figures_of_a_known_data_set(store: StoreUnderTest) -> None:
    assert isinstance(store, SqlUnderTest)
    await _seed(store)
    now = utcnow()
    query = InsightsQuery(now - timedelta(days=1), now + timedelta(minutes=1))
    rows = await SqlInsights(store.store.engine).rows(query)
    found = compute(query, rows, first_response=FIRST_RESPONSE)
    t = found.total
    assert (t.conversations, t.deflected) == (3, 1)  # only ann needed no one
    assert t.actions == {"answer": 2, "clarify": 1, "fallback": 1, "escalate": 1}
    assert t.questions == 5
    assert (t.tickets_opened, t.tickets_resolved) == (2, 1)
    assert t.first_response.count == 2
    assert t.first_response.median == pytest.approx((30 + 240) / 2 * 60)
    assert t.first_response.within == 1
    assert t.resolution.median == pytest.approx(3 * 3600)
    assert t.csat == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0} and t.csat_mean == 4
    assert t.deflection == pytest.approx(1 / 3)
    assert t.first_response.p90 == pytest.approx((30 + 0.9 * (240 - 30)) * 60)  # interpolated
    assert (t.first_response.target, t.resolution.target) == (2 * 3600, 24 * 3600)
    assert (t.resolution.count, t.resolution.p90, t.resolution.within) == (1, 3 * 3600, 1)
    seoul, default = found.by_team["seoul"], found.by_team["default"]
    assert (seoul.tickets_opened, seoul.tickets_resolved, seoul.rated) == (1, 1, 1)
    assert (seoul.first_response.median, seoul.resolution.median) == (30 * 60, 3 * 3600)
    assert (default.tickets_opened, default.tickets_resolved, default.rated) == (1, 0, 0)
    assert (default.first_response.median, default.first_response.within) == (240 * 60, 0)
    assert found.by_language["ko"].deflection == 0 and found.by_language["en"].deflection == 1
    assert {(f.faq_id, f.up, f.down) for f in found.feedback} == {("fees", 1, 0), ("refunds", 0, 1)}
    assert found.feedback[0].faq_id == "refunds"  # most 👎 first
    assert set(found.by_language) == {"en", "ko", "zh_Hans"}
    assert found.by_language["zh_Hans"].actions["clarify"] == 1
    assert found.by_channel["wechat"].conversations == 1
    assert found.by_channel["web"].deflected == 1
    assert found.by_team["seoul"].tickets_resolved == 1
    assert sum(n for _day, n in found.daily) == 5

    narrowed = InsightsQuery(query.since, query.until, locale="en", channel="web")
    only = compute(narrowed, await SqlInsights(store.store.engine).rows(narrowed),
                   first_response=FIRST_RESPONSE)  # fmt: skip
    assert (only.total.conversations, only.total.questions, only.total.tickets_opened) == (1, 2, 0)
    later = InsightsQuery(now + timedelta(days=1), now + timedelta(days=2))
    empty = compute(later, await SqlInsights(store.store.engine).rows(later),
                    first_response=FIRST_RESPONSE)  # fmt: skip
    assert empty.total.questions == 0 and empty.total.deflection is None

    disliked = await SqlInsights(store.store.engine).disliked(None)
    assert [(q.text, q.candidates[0][0]) for q in disliked] == [("refund?", "refunds")]


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
async def test_report_stats_prints_the_figures_as_json(
    store: StoreUnderTest, store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await _seed(store)
    day = utcnow().date()
    argv = ["report", "stats", "--database-url", store_url, "--json",
            "--since", (day - timedelta(days=1)).isoformat(),
            "--until", (day + timedelta(days=1)).isoformat()]  # fmt: skip

    assert await asyncio.to_thread(main, argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"]["questions"] == 5
    assert data["total"]["fallback"] == 1 and data["total"]["did_you_mean"] == 1
    assert data["total"]["conversations"] == 3
    assert data["total"]["csat"]["4"] == 1
    assert data["by_channel"]["wechat"]["escalated"] == 1
    assert await asyncio.to_thread(main, [*argv, "--channel", "web"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("{")
    assert await asyncio.to_thread(main, ["report", "stats", "--database-url", store_url]) == 0
    assert "Questions: 5" in capsys.readouterr().out


def test_percentiles() -> None:
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([0.0, 10.0], 0.9) == pytest.approx(9.0)
