"""The lexical index's hand lists can be replaced (the benchmark's ablation); by default they
are the shipped ones and nothing changes."""

from __future__ import annotations

from bot.faq.index import LexicalIndex, Lexicon
from bot.faq.lexical import LexicalRanker
from bot.faq.matcher import Matcher
from bot.faq.model import Faq
from bot.faq.stopwords import STOP_TOKENS
from bot.faq.thesaurus import Thesaurus


def test_default_lexicon_is_the_shipped_lists(shipped_faq: Faq) -> None:
    index = LexicalIndex(shipped_faq)
    assert index.lexicon == Lexicon.packaged()
    assert index.thesaurus is Thesaurus.packaged()
    assert index.lexicon.stopwords is STOP_TOKENS


def test_explicit_shipped_lexicon_decides_like_the_default(shipped_faq: Faq) -> None:
    default = Matcher(shipped_faq)
    explicit = Matcher(
        shipped_faq, lexical=LexicalRanker(shipped_faq, lexicon=Lexicon.packaged())
    )
    for text in ("when is the disbursement?", "보증금 얼마예요", "扣点多少", "hello"):
        assert default.ask(text) == explicit.ask(text)


def test_an_empty_thesaurus_rewrites_nothing(shipped_faq: Faq) -> None:
    shipped = LexicalIndex(shipped_faq)
    bare = LexicalIndex(shipped_faq, Lexicon(Thesaurus({}), STOP_TOKENS))
    assert "payout" in shipped.prepare("when is the disbursement").tokens
    assert "payout" not in bare.prepare("when is the disbursement").tokens


def test_empty_stopwords_make_every_known_token_a_topic(shipped_faq: Faq) -> None:
    shipped = LexicalIndex(shipped_faq)
    bare = LexicalIndex(shipped_faq, Lexicon(Thesaurus.packaged(), frozenset()))
    assert shipped.stop.any()
    assert not bare.stop.any()
    text = "how do i get my payout"
    assert len(bare.prepare(text).topic_ids) > len(shipped.prepare(text).topic_ids)
