"""Centres in the conversation: shared locations, place statements and the centre button.

Through ConversationService with in-memory storage (fakes, no mocks), the shipped FAQ and the
shipped centres, with the finder's clock pinned.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.centres.finder import CentreFinder
from bot.centres.holder import CentresHolder
from bot.core.conversation import ConversationService
from bot.core.types import Incoming, Location, MerchantKey, Reply, Venue
from bot.faq.matcher import Matcher
from tests.conversing import WEB, run, say
from tests.fakes import FakeStore

TELEGRAM = MerchantKey("telegram", "42")


@pytest.fixture
def service(
    shipped_matcher: Matcher, store: FakeStore, finder: CentreFinder
) -> ConversationService:
    return ConversationService(lambda: shipped_matcher, store.uow, centres=lambda: finder)


def share(service: ConversationService, lat: float, lon: float, who: MerchantKey = WEB) -> Reply:
    return run(service.handle(Incoming(who, "location", location=Location(lat, lon))))


def test_shared_location_gets_the_nearest_centre_with_a_map_point(
    service: ConversationService, store: FakeStore
) -> None:
    reply = share(service, 22.95, 113.70, TELEGRAM)
    message = reply.messages[0]
    assert "Guangzhou Business Expansion Centre" in message.text and "40 km" in message.text
    assert "Open now" in message.text
    assert message.venue == Venue(
        "Guangzhou Business Expansion Centre",
        "Tianhe District, Guangzhou, Guangdong, China",
        23.1248,
        113.3612,
    )
    merchant = store.committed.merchants[TELEGRAM]
    assert merchant.location == Location(22.95, 113.70) and merchant.centre_id == "guangzhou"
    stored = store.committed.messages
    assert [m.direction for m in stored] == ["in", "out"] and stored[1].text == message.text


@pytest.mark.parametrize(
    ("text", "locale", "centre", "words"),
    [
        ("我在东莞", "zh_Hans", "guangzhou", "广州商家发展中心"),
        ("我在東莞", "zh_Hant", "guangzhou", "廣州商家發展中心"),
        ("저는 부산에 있어요", "ko", "busan", "부산 비즈니스 확장 센터"),
        ("부산이에요", "ko", "busan", "부산 비즈니스 확장 센터"),
        ("I'm in Ningbo", "en", "ningbo", "Ningbo Business Expansion Centre"),
        ("which centre is near Shenzen", "en", "shenzhen", "Shenzhen Business Expansion Centre"),
        ("I'm in Guangzou", "en", "guangzhou", 'I took "Guangzou" to mean Guangzhou.'),
        ("义乌", "zh_Hans", "yiwu", "义乌商家发展中心"),
    ],
)
def test_place_statements_get_the_nearest_centre_in_the_merchants_language(
    service: ConversationService, store: FakeStore, text: str, locale: str, centre: str, words: str
) -> None:
    reply = say(service, text)
    assert reply.locale == locale
    assert words in reply.messages[0].text
    assert reply.messages[0].venue is not None
    merchant = store.committed.merchants[WEB]
    assert merchant.centre_id == centre and merchant.location is not None
    assert store.committed.unanswered == []  # not an unanswered FAQ question


def test_centre_button_answers_at_once_when_the_location_is_known(
    service: ConversationService, store: FakeStore
) -> None:
    first = run(service.handle(Incoming(WEB, "button", payload="centre")))
    assert "Tell me which city you are in" in first.messages[0].text
    assert store.committed.merchants[WEB].centre_id is None
    say(service, "我在宁波")
    again = run(service.handle(Incoming(WEB, "button", payload="centre")))
    assert "宁波商家发展中心" in again.messages[0].text and again.messages[0].venue is not None
    command = run(service.handle(Incoming(WEB, "command", text="/centre")))
    assert command.messages[0].text == again.messages[0].text


def test_asking_for_the_nearest_centre_without_a_place(service: ConversationService) -> None:
    asked = say(service, "Where is the nearest centre?")
    assert "Tell me which city you are in, or share your location" in asked.messages[0].text
    share(service, 36.07, 120.38)
    answered = say(service, "Where is the nearest centre?")
    assert "Qingdao Business Expansion Centre" in answered.messages[0].text


def test_unknown_place_asks_for_the_city_and_changes_nothing(
    service: ConversationService, store: FakeStore
) -> None:
    reply = say(service, "I'm in Narnia")
    assert 'couldn\'t find a place called "Narnia"' in reply.messages[0].text
    assert "share your location" in reply.messages[0].text
    merchant = store.committed.merchants[WEB]
    assert merchant.location is None and merchant.centre_id is None
    korea = say(service, "저는 한국에 있어요")
    assert "대한민국의 어느 도시에 계세요?" in korea.messages[0].text


def test_faq_questions_are_still_answered_by_the_faq(
    service: ConversationService, store: FakeStore
) -> None:
    texts = ("How much is the security deposit?", "保证金要交多少？", "I'm in trouble")
    for n, text in enumerate(texts):
        who = MerchantKey("web", f"faq-{n}")  # one merchant each: a hand-over would hold the next
        reply = say(service, text, who)
        assert all(m.venue is None for m in reply.messages), text
        assert store.committed.merchants[who].centre_id is None
    assert "500" in say(service, "How much is the security deposit?").messages[0].text


def test_without_centres_the_old_replies_stay(shipped_matcher: Matcher, store: FakeStore) -> None:
    plain = ConversationService(lambda: shipped_matcher, store.uow)
    saved = share(plain, 22.95, 113.70)
    assert "saved your location" in saved.messages[0].text
    assert store.committed.merchants[WEB].centre_id is None
    assert say(plain, "我在东莞").messages[0].venue is None


def test_a_broken_centres_file_from_the_start_falls_back(
    shipped_matcher: Matcher, store: FakeStore, tmp_path: Path
) -> None:
    broken = tmp_path / "centres.yaml"
    broken.write_text("centres: [\n", encoding="utf-8")
    holder = CentresHolder(broken)
    assert holder.reload() is False
    service = ConversationService(lambda: shipped_matcher, store.uow, centres=holder.finder)
    saved = share(service, 22.95, 113.70)
    assert "saved your location" in saved.messages[0].text
    button = run(service.handle(Incoming(WEB, "button", payload="centre")))
    assert "Tell me which city you are in" in button.messages[0].text
    assert "500" in say(service, "How much is the security deposit?").messages[0].text


def test_a_repeated_delivery_gets_the_map_point_again(service: ConversationService) -> None:
    event = Incoming(TELEGRAM, "text", text="I'm in Ningbo", delivery_key="u:1")
    first = run(service.handle(event))
    again = run(service.handle(event))
    assert again.duplicate and first.messages[0].venue is not None
    assert again.messages == first.messages  # the venue too, not only the text
    (stored,) = [m for m in run(service.history(TELEGRAM)) if m.direction == "out"]
    assert stored.venue == first.messages[0].venue


def test_a_country_without_a_centre_gets_the_nearest_one_and_a_video_call_button(
    service: ConversationService, store: FakeStore
) -> None:
    reply = say(service, "저는 베트남에 있어요 가까운 센터 어디예요?")
    message = reply.messages[0]
    assert "베트남에는 아직 센터가 없어서" in message.text and message.venue is not None
    assert [b.label for b in message.buttons] == ["화상 통화 예약"]
    assert store.committed.merchants[WEB].centre_id is not None
    pressed = run(service.handle(Incoming(WEB, "button", payload=message.buttons[0].payload)))
    assert pressed.messages, "the video-call button must hand over to a person"
    assert store.committed.tickets, "pressing it opens a ticket for the team"


def test_a_centre_question_while_people_hold_the_thread_names_the_centre_and_staff_see_it(
    service: ConversationService, store: FakeStore
) -> None:
    say(service, "I want to talk to a person")
    reply = say(service, "저는 부산에 있어요 가까운 센터 어디예요?")
    assert reply.messages[0].venue is not None, reply
    assert "부산 비즈니스 확장 센터" in reply.messages[0].text  # the centre, not an FAQ entry

    async def ticket_events() -> list[tuple[str, str]]:
        async with store.uow() as uow:
            merchant = await uow.merchants.get_or_create(WEB)
            ticket = await uow.tickets.active_for(merchant.id)
            assert ticket is not None  # still with people
            return [(e.action, e.detail) for e in await uow.tickets.events(ticket.id)]

    assert ("answered", "centre busan") in run(ticket_events())


def test_a_compliance_matter_with_a_centre_question_gets_the_centre_and_a_person(
    service: ConversationService, store: FakeStore
) -> None:
    reply = say(service, "我的资金被平台冻结了，我在深圳，最近的招商中心在哪？")
    assert reply.messages[0].venue is not None and "深圳" in reply.messages[0].text
    assert len(reply.messages) >= 2  # then the hand-over

    async def routed() -> tuple[str | None, str | None]:
        async with store.uow() as uow:
            merchant = await uow.merchants.get_or_create(WEB)
            ticket = await uow.tickets.active_for(merchant.id)
            assert ticket is not None  # a person takes it
            return merchant.centre_id, ticket.reason

    centre_id, reason = run(routed())
    assert centre_id == "shenzhen" and reason.startswith("compliance")
