"""Signal detectors: compliance matters and out-of-scope messages, beyond the FAQ's phrasings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml


@dataclass(frozen=True)
class SignalHit:
    """Which category a message falls under, and the words that showed it."""

    category: str
    evidence: str


class SignalDetector:
    """Regular-expression signals per category, in all three languages at once."""

    def __init__(self, patterns: dict[str, list[str]]) -> None:
        self._patterns = [
            (category, re.compile("|".join(f"(?:{p})" for p in pats)))
            for category, pats in patterns.items()
        ]

    @classmethod
    @cache
    def packaged(cls, name: str) -> SignalDetector:
        """A detector built from a signal list shipped in ``bot/faq/data/NAME.yaml``."""
        raw = files("bot.faq").joinpath(f"data/{name}.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(raw)
        patterns = {
            category: [p for pats in by_lang.values() for p in pats]
            for category, by_lang in data["categories"].items()
        }
        return cls(patterns)

    def detect(self, *texts: str) -> SignalHit | None:
        """The first category whose signal occurs in any of the normalised texts, if any."""
        for category, pattern in self._patterns:
            for text in texts:
                match = pattern.search(text)
                if match:
                    return SignalHit(category, match.group(0))
        return None
