"""How far an answer went out (issue 15): recorded send by send beside the delivery key, so
that a repeat delivery after a crash says how many of the channel's sends went out
(``Reply.parts_sent``) and the channel sends only the rest."""

from __future__ import annotations

import pytest

from bot.core.conversation import MAX_KEY, ConversationService, part_marks, sent_marks
from bot.core.types import Incoming, MerchantKey
from bot.faq.matcher import Matcher
from tests.conversing import run
from tests.fakes import FakeStore

TG = MerchantKey("telegram", "4242")
PERSON = "talk to a person"  # answered with two messages (the hand-over, then the ticket notice)


@pytest.fixture
def service(shipped_matcher: Matcher, store: FakeStore) -> ConversationService:
    return ConversationService(lambda: shipped_matcher, store.uow)


def event(key: str = "bot:1001", text: str = PERSON) -> Incoming:
    return Incoming(TG, "text", text=text, delivery_key=key)


def test_a_repeat_says_how_many_sends_went_out(service: ConversationService) -> None:
    first = run(service.handle(event()))
    assert len(first.messages) == 2 and first.parts_sent == 0
    repeat = run(service.handle(event()))
    assert (repeat.duplicate, repeat.sent, repeat.parts_sent) == (True, False, 0)

    run(service.sent(event(), 1))  # the first message went out, then the process died
    repeat = run(service.handle(event()))
    assert (repeat.duplicate, repeat.sent, repeat.parts_sent) == (True, False, 1)
    assert repeat.messages == first.messages  # the whole stored answer, the channel skips

    run(service.sent(event()))  # then all of it
    repeat = run(service.handle(event()))
    assert (repeat.duplicate, repeat.sent) == (True, True)


def test_progress_is_a_mark_beside_the_delivery_key(
    service: ConversationService, store: FakeStore
) -> None:
    run(service.handle(event()))
    question = store.committed.deliveries[("telegram", "bot:1001")]
    run(service.sent(event(), 1))
    run(service.sent(event(), 1))  # recorded once, a second record is a no-op
    assert store.committed.deliveries[(part_marks("telegram"), "bot:1001#1")] == question
    assert (sent_marks("telegram"), "bot:1001") not in store.committed.deliveries
    assert run(service.handle(event())).parts_sent == 1


def test_a_gap_in_the_marks_counts_as_not_sent(service: ConversationService) -> None:
    """A mark whose record failed, with a later one recorded: the run from the first counts,
    so what follows the gap is sent again (never lost)."""
    run(service.handle(event()))
    run(service.sent(event(), 2))
    assert run(service.handle(event())).parts_sent == 0
    run(service.sent(event(), 1))
    assert run(service.handle(event())).parts_sent == 2


def test_the_recorder_opens_before_the_send_and_records_after(
    service: ConversationService, store: FakeStore
) -> None:
    async def scenario() -> None:
        await service.handle(event())
        recorder = service.recorder(event())
        await recorder.open()  # before the send: the unit of work and the stored message
        await recorder.open()  # idempotent
        commits = store.commits
        await recorder.record(1)  # after it: one mark, committed
        assert store.commits == commits + 1
        failed = service.recorder(event())
        await failed.open()
        await failed.close()  # the send failed: nothing recorded, nothing committed
        assert store.commits == commits + 1
        await service.recorder(event()).record()  # no open first: it opens itself

    run(scenario())
    repeat = run(service.handle(event()))
    assert (repeat.sent, repeat.parts_sent) == (True, 0)


def test_progress_of_an_unknown_or_keyless_delivery_records_nothing(
    service: ConversationService, store: FakeStore
) -> None:
    run(service.sent(event(key="never-stored"), 1))
    run(service.sent(Incoming(TG, "text", text=PERSON), 1))  # no delivery key
    assert store.committed.deliveries == {}


def test_a_key_too_long_for_a_part_mark_keeps_the_whole_answer(
    service: ConversationService,
) -> None:
    long_key = "k" * (MAX_KEY - 1)  # fits as a delivery key, not with "#1" after it
    run(service.handle(event(key=long_key)))
    run(service.sent(event(key=long_key), 1))
    repeat = run(service.handle(event(key=long_key)))
    assert (repeat.sent, repeat.parts_sent) == (False, 0)  # all of it is sent again
    run(service.sent(event(key=long_key)))
    assert run(service.handle(event(key=long_key))).sent


def test_web_replays_are_unchanged(service: ConversationService) -> None:
    web = Incoming(MerchantKey("web", "token-1"), "text", text=PERSON, delivery_key="m1")
    first = run(service.handle(web))
    repeat = run(service.handle(web))
    assert repeat.messages == first.messages
    assert (repeat.duplicate, repeat.sent, repeat.parts_sent) == (True, False, 0)
