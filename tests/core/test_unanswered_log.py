"""What the admins' unanswered list gets: fallbacks, did-you-means and answers close to the
cut-off of the matcher that decided (lexical or with the encoder), never a message sent while a
person held the thread."""

from __future__ import annotations

import pytest

from bot.core.conversation import ConversationService
from bot.core.escalation import Escalation
from bot.core.ports import UnansweredQuestion
from bot.core.report import still_open
from bot.core.teams import DefaultTeamOnly
from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher, Thresholds
from bot.faq.model import Faq
from bot.faq.semantic.resources import Semantics
from tests.conftest import WriteFaq
from tests.conversing import say
from tests.fakes import FakeStore
from tests.faq.fake_encoder import HashingEncoder
from tests.faq.pinned import RIGHT_CUTOFF, fused_matcher
from tests.faq.samples import SMALL

DEPOSIT = "How much is the security deposit?"
ODD = "Could my parrot run the shop while I travel?"
CUTOFF = RIGHT_CUTOFF


def chat(matcher: Matcher, store: FakeStore) -> ConversationService:
    return ConversationService(lambda: matcher, store.uow, escalation=Escalation(DefaultTeamOnly))


@pytest.fixture(scope="module")
def semantics() -> Semantics:
    return Semantics(HashingEncoder(), None)


@pytest.fixture
def small(write_faq: WriteFaq) -> Faq:
    faq, problems = load_faq(write_faq(a__yaml=SMALL))
    assert faq is not None, problems
    return faq


def fused(faq: Faq, semantics: Semantics, right: float) -> Matcher:
    """The matcher with the encoder, sure of its top entry with probability ``right``."""
    return fused_matcher(Matcher(faq), semantics, right=right, in_scope=0.9)


def test_an_answer_just_past_the_encoders_cut_off_is_logged(
    small: Faq, semantics: Semantics
) -> None:
    store = FakeStore()
    near = chat(fused(small, semantics, right=CUTOFF + 0.05), store)
    assert "deposit" in say(near, DEPOSIT).messages[0].text.lower()  # answered, but unsure
    (logged,) = store.committed.unanswered
    assert (logged.action, logged.text, logged.score) == ("answer", DEPOSIT, CUTOFF + 0.05)
    sure = FakeStore()
    say(chat(fused(small, semantics, right=0.9), sure), DEPOSIT)
    assert sure.committed.unanswered == []


def test_an_answer_just_past_the_lexical_cut_off_is_logged(shipped_faq: Faq) -> None:
    store = FakeStore()
    score = Matcher(shipped_faq).ask(DEPOSIT).score
    assert score >= Thresholds().answer + 0.1  # sure with the shipped cut-offs: not logged
    say(chat(Matcher(shipped_faq), store), DEPOSIT)
    assert store.committed.unanswered == []
    near = Matcher(shipped_faq, thresholds=Thresholds(answer=score - 0.05, clarify=0.1))
    say(chat(near, store), DEPOSIT)
    (logged,) = store.committed.unanswered
    assert (logged.action, logged.text) == ("answer", DEPOSIT)


def test_nothing_sent_while_a_person_holds_the_thread_is_unanswered(
    shipped_faq: Faq, small: Faq, semantics: Semantics
) -> None:
    store = FakeStore()
    service = chat(Matcher(shipped_faq), store)
    say(service, "I want to talk to a person")
    assert say(service, ODD).messages  # told the team has it, not "I did not understand"
    assert store.committed.unanswered == []
    say(service, "/close")
    say(service, ODD)
    assert [q.text for q in store.committed.unanswered] == [ODD]  # the same, with no one there

    unsure = FakeStore()  # an unsure answer waits for the people instead, and is not logged
    held = chat(fused(small, semantics, right=CUTOFF + 0.05), unsure)
    say(held, "I want to talk to a person")
    reply = say(held, DEPOSIT)
    assert not any("Answer security-deposit" in m.text for m in reply.messages)
    assert unsure.committed.unanswered == []


def test_an_unsure_answer_stays_listed_until_the_faq_answers_it_surely(shipped_faq: Faq) -> None:
    matcher = Matcher(shipped_faq)
    unsure = UnansweredQuestion(1, "refund", "en", "answer", 0.43)
    assert matcher.ask("refund").action == "answer"  # answered today, but still unsure
    assert still_open([unsure], matcher) == [unsure]
    fixed = UnansweredQuestion(2, DEPOSIT, "en", "fallback", 0.2)  # answered surely today
    assert still_open([fixed, unsure], matcher) == [unsure]
