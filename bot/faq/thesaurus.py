"""Domain synonyms: variants are rewritten to one canonical form before matching.

Applied to the FAQ and to messages alike, so that 扣点 meets 佣金 and "disbursement" meets
"payout". Chinese and Korean items match as substrings, Latin items as whole words; the longest
variant wins. The shipped list is ``bot/faq/data/synonyms.yaml``. Substring search uses
ahocorasick-rs: a regex alternation of ~1,500 items cost 5 s per 3,000-entry FAQ build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from itertools import compress, count

import yaml
from ahocorasick_rs import AhoCorasick, MatchKind

from bot.text.scripts import has_hangul

# "import our listings" and "import my listings" are one phrase to the thesaurus.
_POSSESSIVE = frozenset({"our", "your", "their", "his", "her"})
_WORD_RE = re.compile(r"[a-z0-9]+")


def _fold(item: str) -> str:
    return " ".join("my" if w in _POSSESSIVE else w for w in item.strip().lower().split())


class Thesaurus:
    """Rewrites known variants to their canonical form."""

    def __init__(self, groups: Mapping[str, Iterable[Iterable[str]]]) -> None:
        mapping: dict[str, str] = {}
        # Latin items from the English list win over the same item in another language's list.
        for lang in sorted(groups, key=lambda lang: lang == "en"):
            for group in groups[lang]:
                items = [_fold(str(i)) for i in group if str(i).strip()]
                if len(items) < 2:
                    continue
                for variant in items[1:]:
                    # Latin words inside a Chinese or Korean list would rewrite English text
                    # into another script ("review" -> 评论); English has its own list.
                    if variant.isascii() and lang != "en" and not items[0].isascii():
                        continue
                    if variant != items[0]:
                        mapping[variant] = items[0]
        # Korean is often typed without spaces (정산계좌 for 정산 계좌): every spaced Hangul
        # item also matches run together, unless that form is listed or canonical already.
        canonical = set(mapping.values())
        for variant, target in list(mapping.items()) + [(c, c) for c in canonical]:
            joined = variant.replace(" ", "")
            if joined != variant and has_hangul(joined) and joined not in canonical:
                mapping.setdefault(joined, target)
        self._mapping = mapping
        # Latin items match whole words: a phrase table keyed by its first word.
        self._phrases = {tuple(v.split()): c for v, c in mapping.items() if v.isascii()}
        self._longest: dict[str, int] = {}
        for words in self._phrases:
            self._longest[words[0]] = max(self._longest.get(words[0], 0), len(words))
        self._starts = frozenset(self._longest) | _POSSESSIVE
        # The first two words of every longer phrase: most starts ("a", "my") begin none.
        self._pairs = frozenset(words[:2] for words in self._phrases if len(words) > 1)
        # Chinese and Korean items match as substrings, leftmost-longest, in one pass (Rust).
        other = [v for v in mapping if not v.isascii()]
        self._cjk = [mapping[v] for v in other]
        self._automaton = AhoCorasick(other, matchkind=MatchKind.LeftmostLongest) if other else None

    @classmethod
    @cache
    def packaged(cls) -> Thesaurus:
        """The shipped thesaurus."""
        raw = files("bot.faq").joinpath("data/synonyms.yaml").read_text(encoding="utf-8")
        # libyaml's parser (in PyYAML's wheels) reads the 30 KB list 8x faster than pure Python.
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        return cls({lang: groups or [] for lang, groups in data.items()})

    def __len__(self) -> int:
        return len(self._mapping)

    def latin_words(self) -> set[str]:
        """Every Latin word the thesaurus knows (typo repair may aim at them too)."""
        return {w for item in self._mapping for w in item.split() if w.isascii() and w.isalpha()}

    def apply(self, normalized: str) -> str:
        """Normalised text with every known variant replaced by its canonical form."""
        text = normalized
        if self._automaton is not None:
            matches = self._automaton.find_matches_as_indexes(text)
            if matches:
                out: list[str] = []
                last = 0
                for index, start, end in matches:
                    out += (text[last:start], self._cjk[index])
                    last = end
                out.append(text[last:])
                text = "".join(out)
        if self._longest and _WORD_RE.search(text):
            text = self._apply_words(text)
        return text

    def _apply_words(self, text: str) -> str:
        words = text.split(" ")
        longest = self._longest
        # Positions of possible phrase starts, found without a Python loop over every word
        # (an FAQ entry's phrasings are hundreds of words, few of them starts).
        starts = list(compress(count(), map(self._starts.__contains__, words)))
        if not starts:
            return text
        for i in starts:
            if words[i] in _POSSESSIVE:
                words[i] = "my"
        out: list[str] = []
        done = 0
        for i in starts:
            if i < done:
                continue
            longest_here = min(longest.get(words[i], 0), len(words) - i)
            if longest_here > 1 and (words[i], words[i + 1]) not in self._pairs:
                longest_here = 1
            for size in range(longest_here, 0, -1):
                canonical = self._phrases.get(tuple(words[i : i + size]))
                if canonical is not None:
                    out += words[done:i]
                    out.append(canonical)
                    done = i + size
                    break
        out += words[done:]
        return " ".join(out)
