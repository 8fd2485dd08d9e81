"""Warnings about content that loads but would confuse the matcher."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.problems import Problem
from bot.faq.model import Faq
from bot.text.language import LANGS, Lang
from bot.text.normalize import normalize

TOO_CLOSE = 90  # rapidfuzz ratio between normalised phrasings of two different entries


@dataclass(frozen=True)
class Confusable:
    """Two phrasings of different entries, in one language, that the matcher cannot tell apart."""

    lang: Lang
    first: str  # entry id
    first_text: str
    second: str  # entry id
    second_text: str


def confusable_pairs(faq: Faq) -> list[Confusable]:
    """Every pair of near-identical phrasings that belong to two different entries."""
    pairs: list[Confusable] = []
    for lang in LANGS:
        owners: list[str] = []
        texts: list[str] = []
        originals: list[str] = []
        for entry in faq:
            for q in entry.questions.get(lang, ()):
                owners.append(entry.id)
                texts.append(normalize(q))
                originals.append(q)
        if not texts:
            continue
        scores = process.cdist(
            texts, texts, scorer=fuzz.ratio, score_cutoff=TOO_CLOSE, dtype="uint8", workers=-1
        )
        for i, j in zip(*scores.nonzero(), strict=True):
            if i < j and owners[i] != owners[j]:
                pairs.append(Confusable(lang, owners[i], originals[i], owners[j], originals[j]))
    return pairs


def confusable_phrasings(faq: Faq) -> list[Problem]:
    """Phrasings of two different entries so alike that the matcher cannot tell them apart."""
    problems: list[Problem] = []
    for pair in confusable_pairs(faq):
        a, b = faq.get(pair.first), faq.get(pair.second)
        problems.append(
            Problem(
                a.source,
                a.line,
                f"{pair.lang} phrasing \"{pair.first_text}\" of '{a.id}' is almost the same as "
                f"\"{pair.second_text}\" of '{b.id}' ({b.source}:{b.line})",
                "warning",
            )
        )
    return problems
