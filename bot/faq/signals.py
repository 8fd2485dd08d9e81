"""Signal detectors: compliance matters and out-of-scope messages, beyond the FAQ's phrasings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml

from bot.text.scripts import HAN_RE, KOREAN_RE


@dataclass(frozen=True)
class SignalHit:
    """Which category a message falls under, and the words that showed it."""

    category: str
    evidence: str


# A language's signals only run on text in its script: a Korean message never pays for the
# English and Chinese lists (half the query time went to these searches).
_SCRIPTS = {
    "en": re.compile(r"[a-z]"),
    "zh": HAN_RE,
    "ko": KOREAN_RE,
}


class SignalDetector:
    """Regular-expression signals per category, per language, run on text of that script."""

    def __init__(self, patterns: dict[str, dict[str, list[str]]]) -> None:
        self._patterns = [
            (
                category,
                [
                    (lang, re.compile("|".join(f"(?:{p})" for p in pats)))
                    for lang, pats in by_lang.items()
                    if pats
                ],
            )
            for category, by_lang in patterns.items()
        ]

    @classmethod
    @cache
    def packaged(cls, name: str) -> SignalDetector:
        """A detector built from a signal list shipped in ``bot/faq/data/NAME.yaml``."""
        raw = files("bot.faq").joinpath(f"data/{name}.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(raw)
        patterns = {
            category: {lang: list(pats) for lang, pats in by_lang.items()}
            for category, by_lang in data["categories"].items()
        }
        return cls(patterns)

    def detect(self, *texts: str) -> SignalHit | None:
        """The first category whose signal occurs in any of the normalised texts, if any."""
        scripts = [_scripts(text) for text in texts]
        for category, by_lang in self._patterns:
            for text, present in zip(texts, scripts, strict=True):
                found = [
                    m
                    for lang, pattern in by_lang
                    if lang in present and (m := pattern.search(text)) is not None
                ]
                if found:  # the leftmost, as one pattern over all languages would find
                    first = min(found, key=lambda m: m.start())
                    return SignalHit(category, first.group(0))
        return None


def _scripts(text: str) -> frozenset[str]:
    """The languages whose script occurs in the text (all of them for text with none)."""
    found = frozenset(lang for lang, script in _SCRIPTS.items() if script.search(text))
    return found or frozenset(_SCRIPTS)
