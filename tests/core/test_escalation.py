"""Hand-over to people through the conversation core and the desk, on in-memory storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.accounts import StaffAccount
from bot.core.conversation import ConversationService
from bot.core.desk import Desk, NotFound, Refused
from bot.core.escalation import Escalation
from bot.core.teams import DEFAULT, Availability, Team
from bot.core.tickets import Ticket, TicketEvent, TicketFilter
from bot.core.types import Incoming, MerchantKey, Reply
from bot.faq.matcher import Matcher
from tests.fakes import FakeStore

WEB = MerchantKey("web", "merchant-1")
SHANGHAI = ZoneInfo("Asia/Shanghai")
SEOUL = ZoneInfo("Asia/Seoul")
SHENZHEN = Team("shenzhen", {"en": "Shenzhen", "zh": "深圳", "ko": "선전"}, ("zh", "en"),
                "Asia/Shanghai")  # fmt: skip
SEOUL_TEAM = Team("seoul", {"en": "Seoul", "zh": "首尔", "ko": "서울"}, ("ko", "en"), "Asia/Seoul")


@dataclass
class Clock:
    now: datetime = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Shenzhen

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Teams:
    """Two centre teams working 09:00-18:00 Monday to Friday, local time, and the default."""

    closed: set[str] = field(default_factory=set)

    def teams(self) -> Sequence[Team]:
        return (SHENZHEN, SEOUL_TEAM, DEFAULT)

    def for_centre(self, centre_id: str) -> Team | None:
        return {"shenzhen": SHENZHEN, "seoul": SEOUL_TEAM}.get(centre_id)

    def availability(self, team_id: str, now: datetime) -> Availability:
        if team_id == DEFAULT.id:
            return Availability(True)
        tz = SHANGHAI if team_id == "shenzhen" else SEOUL
        local = now.astimezone(tz)
        if team_id not in self.closed and local.weekday() < 5 and 9 <= local.hour < 18:
            return Availability(True)
        day = local.date() + timedelta(days=1 if local.hour >= 9 else 0)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return Availability(False, datetime(day.year, day.month, day.day, 9, tzinfo=tz))


@dataclass
class World:
    store: FakeStore
    clock: Clock
    teams: Teams
    chat: ConversationService
    desk: Desk
    woken: list[int]

    async def say(self, text: str, key: MerchantKey = WEB, **kw: str) -> Reply:
        return await self.chat.handle(Incoming(key, "text", text=text, **kw))

    async def press(self, payload: str, key: MerchantKey = WEB) -> Reply:
        return await self.chat.handle(Incoming(key, "button", payload=payload))

    async def ticket(self, key: MerchantKey = WEB) -> Ticket:
        async with self.store.uow() as uow:
            merchant = await uow.merchants.get_or_create(key)
            found = await uow.tickets.latest_for(merchant.id)
        assert found is not None
        return found

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        async with self.store.uow() as uow:
            return await uow.tickets.events(ticket_id)

    async def add_staff(self, account: StaffAccount) -> StaffAccount:
        async with self.store.uow() as uow:
            await uow.staff.add(account)
            await uow.commit()
        return account


@pytest.fixture
def world(shipped_matcher: Matcher) -> World:
    store, clock, teams, woken = FakeStore(), Clock(), Teams(), []
    chat = ConversationService(
        lambda: shipped_matcher, store.uow, escalation=Escalation(lambda: teams, clock=clock)
    )
    desk = Desk(store.uow, lambda: teams, clock=clock, wake=lambda: woken.append(1))
    return World(store, clock, teams, chat, desk, woken)


def agent(name: str = "mei", *teams: str) -> StaffAccount:
    return StaffAccount(name, "agent", "x", teams or ("shenzhen",))


ADMIN = StaffAccount("root", "admin", "x")


def texts(reply: Reply) -> str:
    return "\n".join(m.text for m in reply.messages)


# -- opening tickets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "team", "words"),
    [
        ("I want to talk to a real person", "shenzhen", "Shenzhen team"),  # first zh/en team
        ("转人工客服", "shenzhen", "深圳"),
        ("상담원 연결해 주세요", "seoul", "서울"),
    ],
)
async def test_asking_for_a_person_opens_a_ticket_for_the_team_of_the_language(
    world: World, text: str, team: str, words: str
) -> None:
    reply = await world.say(text)
    ticket = await world.ticket()
    assert (ticket.reason, ticket.team, ticket.status) == ("asked_for_person", team, "open")
    assert words in texts(reply)
    assert "2" in reply.messages[-1].text  # "within about 2 hours", in the merchant's language
    (opened,) = await world.events(ticket.id)
    assert (opened.actor, opened.action) == ("merchant", "opened")


async def test_a_compliance_question_answers_from_the_faq_and_opens_a_compliance_ticket(
    world: World,
) -> None:
    reply = await world.say("Amazon froze my funds, can you help me get the money released?")
    ticket = await world.ticket()
    assert ticket.reason.startswith("compliance")
    assert len(texts(reply)) > 100  # the FAQ's answer and the hand-over notice


async def test_the_nearest_centres_team_gets_the_ticket(world: World) -> None:
    async with world.store.uow() as uow:
        merchant = await uow.merchants.get_or_create(WEB)
        merchant.centre_id = "seoul"
        await uow.merchants.update(merchant)
        await uow.commit()
    await world.say("human please")
    assert (await world.ticket()).team == "seoul"


async def test_talk_to_a_person_after_no_answer_records_that_reason(world: World) -> None:
    reply = await world.say("what's the weather in Seoul tomorrow")
    human = [b.payload for b in reply.messages[0].buttons if b.payload.startswith("human")]
    assert human == ["human:no_answer"]
    await world.press(human[0])
    assert (await world.ticket()).reason == "no_answer"


async def test_when_the_team_is_closed_the_merchant_is_told_when_it_opens(world: World) -> None:
    world.clock.now = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)  # Saturday noon in Shenzhen
    reply = await world.say("I need to talk to someone")
    notice = reply.messages[-1].text
    assert "Monday 09:00" in notice and "in 2 days" in notice, notice
    reply = await world.say("상담원", key=MerchantKey("web", "korean"))
    assert "월요일 09:00" in reply.messages[-1].text  # in the team's time zone, in Korean


# -- while people hold the thread ------------------------------------------------------------


async def test_the_bot_stays_quiet_and_relays_while_a_ticket_is_open(world: World) -> None:
    await world.say("talk to a person")
    reply = await world.say("How much is the security deposit?")
    assert reply.messages == ()  # people answer now, not the FAQ
    again = await world.press("human")
    assert "already" in texts(again)
    ticket = await world.ticket()
    actions = [e.action for e in await world.events(ticket.id)]
    assert actions == ["opened", "message"]


async def test_the_desk_flow_reply_wait_resolve_rate_and_reopen(world: World) -> None:
    mei = await world.add_staff(agent("mei", "shenzhen"))
    await world.say("talk to a person")
    ticket = await world.ticket()
    await world.desk.claim(mei, ticket.id)
    sent = await world.desk.reply(mei, ticket.id, "Hi, this is Mei. How can I help?")
    assert world.woken  # the delivery loop was told
    ticket = await world.ticket()
    assert (ticket.status, ticket.assignee) == ("waiting", "mei")
    assert ticket.first_response_at == world.clock.now
    async with world.store.uow() as uow:
        (item,) = await uow.outbox.for_ticket(ticket.id)
    assert (item.message_id, item.status, item.channel) == (sent.id, "pending", "web")

    await world.say("My store id is 12345")  # the merchant answers: back to the agent
    assert (await world.ticket()).status == "assigned"

    await world.desk.note(mei, ticket.id, "Checked the account, nothing frozen.")
    await world.desk.resolve(mei, ticket.id)
    ticket = await world.ticket()
    assert ticket.status == "resolved"
    async with world.store.uow() as uow:
        items = await uow.outbox.for_ticket(ticket.id)
        request = await uow.messages.get(items[-1].message_id)
    assert request is not None
    rates = [b.payload for b in request.buttons]
    assert rates == [f"rate:{ticket.id}:{n}" for n in range(1, 6)]

    thanks = await world.press(rates[3])
    assert "Thank" in texts(thanks)
    assert (await world.ticket()).rating == 4
    forged = await world.press(f"rate:{ticket.id + 99}:5")
    assert "no longer available" in texts(forged)

    answer = await world.say("How much is the security deposit?")  # the bot answers again
    assert "500" in texts(answer)

    world.clock.now += timedelta(days=6)
    await world.say("human")
    reopened = await world.ticket()
    assert (reopened.id, reopened.status, reopened.assignee) == (ticket.id, "assigned", "mei")
    actions = [e.action for e in await world.events(ticket.id)]
    assert actions == [
        "opened", "assigned", "replied", "message", "note", "resolved", "rated", "reopened"
    ]  # fmt: skip
    actors = {e.actor for e in await world.events(ticket.id)}
    assert actors == {"merchant", "mei"}


async def test_after_seven_days_a_new_ticket_opens(world: World) -> None:
    mei = await world.add_staff(agent())
    await world.say("talk to a person")
    first = await world.ticket()
    await world.desk.resolve(mei, first.id)
    world.clock.now += timedelta(days=8)
    await world.say("talk to a person")
    second = await world.ticket()
    assert second.id != first.id and second.status == "open"


# -- who may do what -------------------------------------------------------------------------


async def test_agents_see_only_their_teams_tickets_and_admins_see_all(world: World) -> None:
    mei = await world.add_staff(agent("mei", "shenzhen"))
    jin = await world.add_staff(agent("jin", "seoul"))
    await world.add_staff(ADMIN)
    await world.say("talk to a person")
    ticket = await world.ticket()
    assert [r.ticket.id for r in await world.desk.queue(mei, TicketFilter())] == [ticket.id]
    assert await world.desk.queue(jin, TicketFilter()) == []
    assert await world.desk.queue(jin, TicketFilter(teams=frozenset({"shenzhen"}))) == []
    assert len(await world.desk.queue(ADMIN, TicketFilter())) == 1
    for action in (
        world.desk.thread(jin, ticket.id),
        world.desk.claim(jin, ticket.id),
        world.desk.reply(jin, ticket.id, "hello"),
        world.desk.note(jin, ticket.id, "hello"),
        world.desk.resolve(jin, ticket.id),
        world.desk.thread(mei, ticket.id + 1000),
    ):
        with pytest.raises(NotFound):
            await action
    mei.disabled = True
    with pytest.raises(NotFound):
        await world.desk.thread(mei, ticket.id)


async def test_assign_transfer_and_resolved_tickets_are_checked(world: World) -> None:
    mei = await world.add_staff(agent("mei", "shenzhen"))
    await world.add_staff(agent("jin", "seoul"))
    await world.add_staff(ADMIN)
    await world.say("talk to a person")
    ticket = await world.ticket()
    with pytest.raises(Refused, match="only admins"):
        await world.desk.assign(mei, ticket.id, "root")
    with pytest.raises(Refused, match="cannot take"):
        await world.desk.assign(ADMIN, ticket.id, "jin")  # jin is not in the Shenzhen team
    with pytest.raises(Refused, match="no team"):
        await world.desk.transfer(mei, ticket.id, "atlantis")
    with pytest.raises(Refused, match="empty"):
        await world.desk.reply(mei, ticket.id, "   ")
    await world.desk.claim(mei, ticket.id)
    moved = await world.desk.transfer(mei, ticket.id, "seoul")
    assert (moved.team, moved.assignee, moved.status) == ("seoul", None, "open")
    with pytest.raises(NotFound):  # no longer Mei's team
        await world.desk.thread(mei, ticket.id)
    await world.desk.resolve(ADMIN, ticket.id)
    with pytest.raises(Refused, match="resolved"):
        await world.desk.reply(ADMIN, ticket.id, "one more thing")


async def test_the_queue_filters_and_shows_waiting_time(world: World) -> None:
    await world.add_staff(ADMIN)
    await world.say("talk to a person", key=MerchantKey("web", "a"))
    world.clock.now += timedelta(hours=3)
    await world.say("상담원", key=MerchantKey("web", "b"))
    world.clock.now += timedelta(minutes=30)
    rows = await world.desk.queue(ADMIN, TicketFilter())
    assert [r.ticket.team for r in rows] == ["shenzhen", "seoul"]  # oldest first
    assert [r.overdue for r in rows] == [True, False]
    assert rows[0].waiting == timedelta(hours=3, minutes=30)
    only_ko = await world.desk.queue(ADMIN, TicketFilter(locale="ko"))
    assert [r.ticket.team for r in only_ko] == ["seoul"]
    by_reason = await world.desk.queue(ADMIN, TicketFilter(reason="compliance"))
    assert by_reason == []
    resolved = await world.desk.queue(ADMIN, TicketFilter(statuses=frozenset({"resolved"})))
    assert resolved == []


async def test_a_repeated_reply_submission_is_sent_once(world: World) -> None:
    mei = await world.add_staff(agent())
    await world.say("talk to a person")
    ticket = await world.ticket()
    first = await world.desk.reply(mei, ticket.id, "Hello", delivery=("telegram-staff", "u:1"))
    again = await world.desk.reply(mei, ticket.id, "Hello", delivery=("telegram-staff", "u:1"))
    other = await world.desk.reply(mei, ticket.id, "More", delivery=("telegram-staff", "u:2"))
    assert again.id == first.id and other.id != first.id
    async with world.store.uow() as uow:
        items = await uow.outbox.for_ticket(ticket.id)
    assert [i.message_id for i in items] == [first.id, other.id]


async def test_the_channels_name_for_the_merchant_is_kept_for_staff(world: World) -> None:
    await world.chat.handle(Incoming(WEB, "text", text="human", display_name="Wang Xiaoming"))
    await world.add_staff(ADMIN)
    (row,) = await world.desk.queue(ADMIN, TicketFilter())
    view = await world.desk.thread(ADMIN, row.ticket.id)
    assert view.merchant.display_name == "Wang Xiaoming"
    await world.chat.handle(Incoming(WEB, "text", text="still there?", display_name="Wang X."))
    view = await world.desk.thread(ADMIN, row.ticket.id)
    assert view.merchant.display_name == "Wang X."  # the latest name the channel gave
