"""Warnings about content that loads but would confuse the matcher."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.content.problems import Problem
from bot.faq.model import Faq
from bot.text.language import LANGS
from bot.text.normalize import normalize

TOO_CLOSE = 90  # rapidfuzz ratio between normalised phrasings of two different entries


def confusable_phrasings(faq: Faq) -> list[Problem]:
    """Phrasings of two different entries so alike that the matcher cannot tell them apart."""
    problems: list[Problem] = []
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
                a, b = faq.get(owners[i]), faq.get(owners[j])
                problems.append(
                    Problem(
                        a.source,
                        a.line,
                        f"{lang} phrasing \"{originals[i]}\" of '{a.id}' is almost the same as "
                        f"\"{originals[j]}\" of '{b.id}' ({b.source}:{b.line})",
                        "warning",
                    )
                )
    return problems
