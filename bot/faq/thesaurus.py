"""Domain synonyms: variants are rewritten to one canonical form before matching.

Applied to the FAQ and to messages alike, so that 扣点 meets 佣金 and "disbursement" meets
"payout". Chinese and Korean items match as substrings, Latin items as whole words; the longest
variant wins. The shipped list is ``bot/faq/data/synonyms.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files

import yaml

_POSSESSIVE_RE = re.compile(r"\b(?:our|your|their|his|her)\b")


def _possessive(text: str) -> str:
    # "import our listings" and "import my listings" are one phrase to the thesaurus.
    return _POSSESSIVE_RE.sub("my", text)


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation shaped as a trie: fast in ``re``, longest match first."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:  # type: ignore[type-arg]
        branches = []
        ends = "" in node
        for ch in sorted(k for k in node if k):
            branches.append(re.escape(ch) + walk(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return walk(trie)


class Thesaurus:
    """Rewrites known variants to their canonical form."""

    def __init__(self, groups: Mapping[str, Iterable[Iterable[str]]]) -> None:
        mapping: dict[str, str] = {}
        # Latin items from the English list win over the same item in another language's list.
        for lang in sorted(groups, key=lambda lang: lang == "en"):
            for group in groups[lang]:
                items = [_possessive(str(i).strip().lower()) for i in group if str(i).strip()]
                if len(items) < 2:
                    continue
                for variant in items[1:]:
                    # Latin words inside a Chinese or Korean list would rewrite English text
                    # into another script ("review" -> 评论); English has its own list.
                    if variant.isascii() and lang != "en" and not items[0].isascii():
                        continue
                    if variant != items[0]:
                        mapping[variant] = items[0]
        self._mapping = mapping
        latin = [w for w in mapping if w.isascii()]
        other = [w for w in mapping if not w.isascii()]
        parts = []
        if latin:
            parts.append(f"(?<![a-z0-9])(?:{_trie_pattern(latin)})(?![a-z0-9])")
        if other:
            parts.append(f"(?:{_trie_pattern(other)})")
        self._pattern = re.compile("|".join(parts)) if parts else None

    @classmethod
    @cache
    def packaged(cls) -> Thesaurus:
        """The shipped thesaurus."""
        raw = files("bot.faq").joinpath("data/synonyms.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(raw) or {}
        return cls({lang: groups or [] for lang, groups in data.items()})

    def __len__(self) -> int:
        return len(self._mapping)

    def latin_words(self) -> set[str]:
        """Every Latin word the thesaurus knows (typo repair may aim at them too)."""
        return {w for item in self._mapping for w in item.split() if w.isascii() and w.isalpha()}

    def apply(self, normalized: str) -> str:
        """Normalised text with every known variant replaced by its canonical form."""
        if self._pattern is None:
            return normalized
        return self._pattern.sub(lambda m: self._mapping[m.group(0)], _possessive(normalized))
