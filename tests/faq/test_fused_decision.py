"""The fused decision's rules, with the probabilities pinned so each rule is seen alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.faq.loader import load_faq
from bot.faq.matcher import Matcher
from bot.faq.semantic.resources import Semantics
from tests.conftest import WriteFaq
from tests.faq.fake_encoder import HashingEncoder
from tests.faq.pinned import fused_matcher
from tests.faq.samples import SMALL


@pytest.fixture(scope="module")
def semantics() -> Semantics:
    return Semantics(HashingEncoder(), None)


@pytest.fixture
def build(write_faq: WriteFaq, semantics: Semantics):  # type: ignore[no-untyped-def]
    faq, problems = load_faq(write_faq(a__yaml=SMALL))
    assert faq is not None, problems
    base = Matcher(faq)

    def make(
        right: float = 0.1,
        in_scope: float = 0.1,
        compliance: float = 0.01,
        smalltalk: float = 0.01,
        vague: float = 0.01,
    ) -> Matcher:
        return fused_matcher(
            base, semantics, right=right, in_scope=in_scope, compliance=compliance,
            smalltalk=smalltalk, vague=vague,
        )  # fmt: skip

    return make


def test_a_confident_top_entry_is_answered_with_each_rankers_scores(build) -> None:  # type: ignore[no-untyped-def]
    d = build(right=0.9).ask("How much is the security deposit?")
    assert (d.action, d.faq_id, d.mode) == ("answer", "security-deposit", "fused")
    top = d.candidates[0]
    assert top.faq_id == "security-deposit" and top.lexical and top.semantic


def test_an_unsure_in_scope_message_offers_did_you_mean(build) -> None:  # type: ignore[no-untyped-def]
    d = build(right=0.3, in_scope=0.9).ask("How much is the security deposit?")
    assert d.action == "clarify" and d.faq_id is None
    assert 2 <= len(d.candidates) <= 3 and d.candidates[0].faq_id == "security-deposit"


def test_neither_sure_nor_in_scope_falls_back(build) -> None:  # type: ignore[no-untyped-def]
    assert build(right=0.3, in_scope=0.2).ask("How much is the security deposit?").action == (
        "fallback"
    )


def test_small_talk_gets_its_kind_when_no_entry_is_sure(build) -> None:  # type: ignore[no-untyped-def]
    d = build(smalltalk=0.99).ask("hello there")
    assert d.action == "smalltalk" and d.smalltalk in {"greeting", "thanks", "goodbye", "ack"}
    # An answer wins over small talk: "hi, how much is the deposit?" is a question.
    assert build(right=0.9, smalltalk=0.99).ask("hi, how much is the deposit?").action == "answer"


def test_compliance_hands_over_without_another_topics_answer(build) -> None:  # type: ignore[no-untyped-def]
    # The regex signal fires; the top entry (the deposit) is not about this matter; the
    # encoder sees some compliance in it too, so the regex stands.
    d = build(right=0.9, compliance=0.4).ask(
        "an agency will sell us 100 fake reviews, deposit first, ok?"
    )
    assert d.action == "escalate" and d.faq_id is None and d.compliance


def test_a_regex_hit_gives_way_to_a_sure_entry_the_encoder_sees_no_compliance_in(build) -> None:  # type: ignore[no-untyped-def]
    text = "an agency will sell us 100 fake reviews, deposit first, ok?"
    d = build(right=0.9, compliance=0.1).ask(text)
    assert (d.action, d.compliance) == ("answer", None)
    assert d.faq_id == d.candidates[0].faq_id
    # Unsure of the entry, the regex still hands over, whatever the encoder thinks.
    unsure = build(right=0.3, in_scope=0.9, compliance=0.1).ask(text)
    assert unsure.action == "escalate" and unsure.compliance


def test_the_encoders_compliance_sense_hands_over_unless_an_ordinary_entry_is_sure(build) -> None:  # type: ignore[no-untyped-def]
    d = build(right=0.3, compliance=0.9).ask("How much is the security deposit?")
    assert d.action == "escalate" and d.faq_id is None
    sure = build(right=0.9, compliance=0.9).ask("How much is the security deposit?")
    assert sure.action == "answer"


def test_a_sure_escalate_entry_hands_over_with_its_answer(build) -> None:  # type: ignore[no-untyped-def]
    d = build(right=0.9, in_scope=0.9).ask("my balance is frozen and I cannot withdraw")
    assert (d.action, d.faq_id) == ("escalate", "frozen-funds")


def test_an_unsure_message_nearest_a_compliance_entry_goes_to_a_person(build) -> None:  # type: ignore[no-untyped-def]
    d = build(right=0.3, in_scope=0.9).ask("my balance is frozen and I cannot withdraw")
    assert (d.action, d.faq_id, d.compliance) == ("escalate", None, "frozen-funds")
    ordinary = build(right=0.3, in_scope=0.9).ask("How much is the security deposit?")
    assert ordinary.action == "clarify"


def test_a_vague_cry_for_help_hands_over_with_no_specific_answer(build) -> None:  # type: ignore[no-untyped-def]
    d = build(vague=0.99).ask("help, something bad happened")
    assert (d.action, d.faq_id, d.compliance) == ("escalate", None, "unclear")


def test_without_an_encoder_the_lexical_decision_stays(build) -> None:  # type: ignore[no-untyped-def]
    fused = build(right=0.9)
    lexical = replace(fused.ask("How much is the security deposit?"), mode="lexical")
    plain = Matcher(fused.faq).ask("How much is the security deposit?")
    assert plain.mode == "lexical" and plain.action == lexical.action == "answer"
