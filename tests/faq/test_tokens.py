"""The index build's shortcuts give what the plain per-text path gives."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from bot.faq.loader import load_faq
from bot.faq.termcounts import TermCounter
from bot.faq.thesaurus import _POSSESSIVE, Thesaurus
from bot.faq.tokens import tokenize
from bot.text.normalize import normalize_many

FAQ_DIR = Path(__file__).resolve().parents[2] / "faq"
MIXED = [
    "vat 注册要多久 kc인증 필요해요 2024 deposit payouts",
    "保证金 保证金 保证金 보증금 보증금 a a a",
    "x 一 가 9",  # runs of one
    "㐀丽 保正金",  # a reading-less Han character
    "",
]


def _shipped_texts() -> list[str]:
    faq, problems = load_faq(FAQ_DIR)
    assert faq is not None, problems
    texts = [normalize_many([q for qs in e.questions.values() for q in qs]) for e in faq]
    return texts + [normalize_many(list(e.answer.values())) for e in faq]


@pytest.mark.parametrize(("with_pinyin", "with_chars"), [(True, True), (False, False)])
def test_term_counts_equal_the_tokens_of_whole_texts(with_pinyin: bool, with_chars: bool) -> None:
    terms = TermCounter()
    texts = MIXED + _shipped_texts()
    counted = [terms.count(t, with_pinyin=with_pinyin, with_chars=with_chars) for t in texts]
    names = {i: token for token, i in terms.vocab().items()}
    assert sorted(names) == list(range(len(names)))  # dense ids
    for text, (ids, counts) in zip(texts, counted, strict=True):
        assert list(ids) == sorted(ids)
        got = Counter({names[int(i)]: int(c) for i, c in zip(ids, counts, strict=True)})
        assert got == Counter(tokenize(text, with_pinyin=with_pinyin, with_chars=with_chars))


def _apply_words_plainly(thesaurus: Thesaurus, text: str) -> str:
    # The word pass as a plain loop over every word, as it was written first.
    words = text.split(" ")
    longest = thesaurus._longest
    starts = [i for i, w in enumerate(words) if w in longest or w in _POSSESSIVE]
    if not starts:
        return text
    words = ["my" if w in _POSSESSIVE else w for w in words]
    out: list[str] = []
    done = 0
    for i in starts:
        if i < done:
            continue
        for size in range(min(longest.get(words[i], 0), len(words) - i), 0, -1):
            canonical = thesaurus._phrases.get(tuple(words[i : i + size]))
            if canonical is not None:
                out += words[done:i]
                out.append(canonical)
                done = i + size
                break
    out += words[done:]
    return " ".join(out)


def test_thesaurus_word_pass_equals_the_plain_loop() -> None:
    thesaurus = Thesaurus(
        {
            "en": [
                ["payout", "disbursement", "pay out"],
                ["import my listings", "import our listings", "bulk import"],
                ["fee", "a fee", "a b c d"],
                ["store", "my store", "shop"],
            ]
        }
    )
    vocabulary = [
        "a",
        "b",
        "c",
        "d",
        "pay",
        "out",
        "import",
        "our",
        "my",
        "your",
        "listings",
        "bulk",
        "shop",
        "store",
        "fee",
        "x",
    ]
    rng = random.Random(11)
    for _ in range(2000):
        text = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 12)))
        assert thesaurus._apply_words(text) == _apply_words_plainly(thesaurus, text), text
    packaged = Thesaurus.packaged()
    for text in _shipped_texts():
        assert packaged._apply_words(text) == _apply_words_plainly(packaged, text)
