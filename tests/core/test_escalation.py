"""Hand-over to people through the conversation core and the desk, on in-memory storage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core import texts as ui
from bot.core.accounts import StaffAccount
from bot.core.conversation import ConversationService
from bot.core.desk import Desk, NotFound, Refused
from bot.core.escalation import Escalation, Policy
from bot.core.ports import StoredMessage
from bot.core.teams import DEFAULT, Availability, Team
from bot.core.texts import t
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
class Heard:
    """A ticket listener (as the Telegram staff group is): what staff were told, in order."""

    changes: list[tuple[str, str, StoredMessage | None]] = field(default_factory=list)

    async def ticket_changed(
        self, ticket: Ticket, event: TicketEvent, message: StoredMessage | None
    ) -> None:
        self.changes.append((event.action, event.detail, message))


@dataclass
class World:
    store: FakeStore
    clock: Clock
    teams: Teams
    chat: ConversationService
    desk: Desk
    woken: list[int]
    heard: Heard

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
    store, clock, teams, woken, heard = FakeStore(), Clock(), Teams(), [], Heard()
    policy = Policy(ack_interval=ACK_INTERVAL)
    escalation = Escalation(lambda: teams, policy, clock=clock)
    chat = ConversationService(
        lambda: shipped_matcher, store.uow, escalation=escalation, listeners=[heard]
    )
    desk = Desk(store.uow, lambda: teams, clock=clock, wake=lambda: woken.append(1))
    return World(store, clock, teams, chat, desk, woken, heard)


ACK_INTERVAL = timedelta(minutes=5)


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


async def test_messages_are_relayed_while_a_ticket_is_open(world: World) -> None:
    await world.say("talk to a person")
    reply = await world.say("I still cannot log in to my account")
    assert "added this to your request" in texts(reply)  # not the FAQ's fallback
    again = await world.press("human")
    assert "already" in texts(again)
    ticket = await world.ticket()
    actions = [e.action for e in await world.events(ticket.id)]
    assert actions == ["opened", "message", "acknowledged"]


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
        "opened", "assigned", "replied", "message", "acknowledged", "note", "resolved", "rated",
        "reopened",
    ]  # fmt: skip
    actors = {e.actor for e in await world.events(ticket.id)}
    assert actors == {"merchant", "mei", "bot"}  # the bot told the merchant the team has it


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


# -- never silent while people hold the thread (issue 17) --------------------------------------


def buttons(reply: Reply) -> list[str]:
    return [b.payload for m in reply.messages for b in m.buttons]


async def test_the_first_message_after_the_hand_over_is_told_the_team_and_when(
    world: World,
) -> None:
    await world.say("I want to talk to a real person")
    ticket = await world.ticket()
    reply = await world.say("My store id is 12345", message_id="m-2")
    (ack,) = reply.messages
    assert ack.text.startswith("I've added this to your request.")
    assert "Shenzhen team" in ack.text and "2 hours" in ack.text
    assert buttons(reply) == [f"close:{ticket.id}"]
    # Stored before it is acknowledged: the merchant's message, then the bot's reply to it.
    inbound, stored = world.store.committed.messages[-2:]
    assert (inbound.direction, inbound.channel_message_id) == ("in", "m-2")
    assert (stored.direction, stored.reply_to, stored.text) == ("out", inbound.id, ack.text)
    events = await world.events(ticket.id)
    assert [(e.actor, e.action, e.detail) for e in events[1:]] == [
        ("merchant", "message", "open"), ("bot", "acknowledged", "first")
    ]  # fmt: skip
    # Staff hear of the message; the acknowledgement itself is no news to them.
    assert [a for a, _, _ in world.heard.changes] == ["opened", "message"]


async def test_a_burst_is_acknowledged_once_then_briefly_after_the_interval(
    world: World,
) -> None:
    await world.say("talk to a person")
    first = await world.say("My store id is 12345")
    assert "Shenzhen team" in texts(first)
    world.clock.now += ACK_INTERVAL - timedelta(seconds=1)
    burst = await world.say("the order number is 778899")
    assert burst.messages == ()  # relayed, but no wall of bot text
    world.clock.now += timedelta(seconds=1)
    later = await world.say("and the seller name is Sunrise Lighting")
    assert texts(later) == t("en", ui.ACK_ADDED)  # short, no team and time again
    assert buttons(later) == [f"close:{(await world.ticket()).id}"]
    world.clock.now += timedelta(minutes=1)
    assert (await world.say("hello?")).messages == ()
    ticket = await world.ticket()
    relayed = [e for e in await world.events(ticket.id) if e.action == "message"]
    assert len(relayed) == 4  # every message reached staff


async def test_outside_team_hours_the_acknowledgement_says_when_the_team_opens(
    world: World,
) -> None:
    world.clock.now = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)  # Saturday noon in Shenzhen
    await world.say("I need to talk to someone")
    first = texts(await world.say("My store id is 12345"))
    assert "added this to your request" in first
    assert "Monday 09:00" in first and "in 2 days" in first, first
    world.clock.now += ACK_INTERVAL
    short = texts(await world.say("the order number is 778899"))
    assert short.startswith("Added to your request.") and "Monday 09:00" in short, short
    korean = MerchantKey("web", "korean")
    await world.say("상담원", key=korean)
    ack = texts(await world.say("계정 문제예요", key=korean))
    assert "요청에" in ack and "월요일 09:00" in ack, ack  # in Korean, in Seoul's time


async def test_a_clear_faq_question_while_waiting_is_answered_and_staff_see_it(
    world: World,
) -> None:
    await world.add_staff(ADMIN)
    await world.say("talk to a person")
    ticket = await world.ticket()
    reply = await world.say("How much is the security deposit?")
    answer, ack = reply.messages
    assert "500" in answer.text and "added this to your request" in ack.text
    events = await world.events(ticket.id)
    answered = next(e for e in events if e.action == "answered")
    assert (answered.actor, answered.detail) == ("bot", "security-deposit")
    view = await world.desk.thread(ADMIN, ticket.id)  # the console's thread
    shown = next(m for m in view.messages if m.id == answered.message_id)
    assert shown.direction == "out" and "500" in shown.text
    assert [(a, d) for a, d, _ in world.heard.changes][1:] == [
        ("message", "open"), ("answered", "security-deposit")
    ]  # fmt: skip
    told = world.heard.changes[-1][2]  # the Telegram staff group gets the bot's answer
    assert told is not None and "500" in told.text
    # A compliance question is left to people: relayed, not answered.
    world.clock.now += ACK_INTERVAL
    frozen = await world.say("Amazon froze my funds, can you help me get the money released?")
    assert texts(frozen) == t("en", ui.ACK_ADDED)
    assert [e.action for e in await world.events(ticket.id)].count("answered") == 1


async def test_the_merchant_closes_their_request_and_staff_are_told(world: World) -> None:
    await world.say("talk to a person")
    ticket = await world.ticket()
    ack = await world.say("My store id is 12345")
    (close,) = buttons(ack)
    done = await world.press(close)
    assert texts(done) == t("en", ui.REQUEST_CLOSED)
    closed = await world.ticket()
    assert (closed.status, closed.resolved_at) == ("resolved", world.clock.now)
    last = (await world.events(ticket.id))[-1]
    assert (last.actor, last.action) == ("merchant", "closed")
    assert world.heard.changes[-1][0] == "closed"
    assert texts(await world.press(close)) == t("en", ui.ALREADY_CLOSED)  # a stale button
    assert "500" in texts(await world.say("How much is the security deposit?"))  # the bot again

    other = MerchantKey("web", "korean")
    await world.say("상담원 연결해 주세요", key=other)
    typed = await world.chat.handle(Incoming(other, "command", text="close"))
    assert texts(typed) == t("ko", ui.REQUEST_CLOSED)
    assert (await world.ticket(other)).status == "resolved"
    web = await world.say("/close", key=other)  # typed in the web chat: no request open now
    assert texts(web) == t("ko", ui.NO_OPEN_REQUEST)


@pytest.mark.parametrize("said", ["thanks", "謝謝", "감사합니다", "ok", "👍", "got it"])
async def test_small_talk_after_resolution_does_not_reopen(world: World, said: str) -> None:
    mei = await world.add_staff(agent())
    await world.say("talk to a person")
    ticket = await world.ticket()
    await world.desk.resolve(mei, ticket.id)
    before = await world.events(ticket.id)
    world.clock.now += timedelta(hours=1)
    reply = await world.say(said)
    assert t("en", ui.TICKET_REOPENED) not in texts(reply)
    assert (await world.ticket()).status == "resolved"
    assert await world.events(ticket.id) == before


async def test_a_real_question_after_resolution_reopens_and_says_so(world: World) -> None:
    mei = await world.add_staff(agent())
    await world.say("talk to a person")
    ticket = await world.ticket()
    await world.desk.claim(mei, ticket.id)
    await world.desk.resolve(mei, ticket.id)
    await world.say("thanks")
    world.clock.now += timedelta(days=2)
    reply = await world.say("I still cannot log in to my account")
    assert texts(reply) == t("en", ui.TICKET_REOPENED)
    reopened = await world.ticket()
    assert (reopened.id, reopened.status) == (ticket.id, "assigned")
    assert world.heard.changes[-1][0] == "reopened"
