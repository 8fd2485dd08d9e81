"""What an admin should look at in a FAQ that loads: gaps, text in the wrong language, look-alikes.

The loader refuses what cannot work; this finds what works badly. A merchant who writes Korean
and gets an English "Korean" answer, an entry a language cannot reach (no phrasings in it), or
two entries whose phrasings the matcher cannot tell apart all load without an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.content.problems import Problem
from bot.faq.lint import confusable_pairs
from bot.faq.model import Faq, FaqEntry
from bot.i18n import _
from bot.text.chinese import to_simplified, to_traditional
from bot.text.language import LANGS, Lang, detect_language
from bot.text.scripts import han_chars

FEW_PHRASINGS = 2  # fewer phrasings than this in a language: the matcher has little to go on

FlagKind = Literal[
    "missing-answer", "missing-phrasings", "few-phrasings", "answer-language",
    "phrasing-language", "traditional-in-zh",
]  # fmt: skip


@dataclass(frozen=True)
class Flag:
    """One thing to look at in one entry, in one language."""

    kind: FlagKind
    lang: Lang
    text: str = ""  # the offending text, where there is one


@dataclass(frozen=True)
class EntryReview:
    """An entry with its flags, and the entries whose phrasings look like its own."""

    entry: FaqEntry
    flags: tuple[Flag, ...]
    confusable: tuple[str, ...]


def review_entry(entry: FaqEntry) -> tuple[Flag, ...]:
    """The flags of one entry, language by language."""
    flags: list[Flag] = []
    for lang in LANGS:
        answer = entry.answer.get(lang, "").strip()
        phrasings = entry.questions.get(lang, ())
        if not answer:
            flags.append(Flag("missing-answer", lang))
        elif _written_in(answer, lang) != lang:
            flags.append(Flag("answer-language", lang, answer))
        elif lang == "zh" and written_in_traditional(answer):
            # zh is the Simplified source: Traditional readers get it converted, Simplified
            # readers would get Traditional.
            flags.append(Flag("traditional-in-zh", lang, answer))
        if not phrasings:
            flags.append(Flag("missing-phrasings", lang))
        elif len(phrasings) < FEW_PHRASINGS:
            flags.append(Flag("few-phrasings", lang))
        flags.extend(
            Flag("phrasing-language", lang, q) for q in phrasings if _written_in(q, lang) != lang
        )
    return tuple(flags)


def review(faq: Faq) -> list[EntryReview]:
    """Every entry of ``faq`` with its flags and look-alike entries, in file order."""
    alike: dict[str, set[str]] = {e.id: set() for e in faq}
    for pair in confusable_pairs(faq):
        alike[pair.first].add(pair.second)
        alike[pair.second].add(pair.first)
    return [EntryReview(e, review_entry(e), tuple(sorted(alike[e.id]))) for e in faq]


# The one table of what each flag says: `faq check` prints it (English), the FAQ browser shows
# it in the admin's language (the msgids are in the Babel catalogs).
FLAG_TEXTS: dict[FlagKind, str] = {
    "missing-answer": _("no answer in this language"),
    "missing-phrasings": _("no phrasings in this language: questions in it cannot reach the entry"),
    "few-phrasings": _("only one phrasing in this language: add the ways merchants ask"),
    "answer-language": _("the answer is written in another language"),
    "phrasing-language": _("a phrasing is written in another language"),
    "traditional-in-zh": _(
        "the Chinese answer is in Traditional characters (write Simplified; Traditional "
        "readers get it converted)"
    ),
}  # fmt: skip


def review_problems(faq: Faq) -> list[Problem]:
    """The flags as ``faq check`` warnings, one per entry and language (``file:line``)."""
    problems: list[Problem] = []
    for entry in faq:
        for flag in review_entry(entry):
            quoted = f': "{flag.text[:60]}"' if flag.text else ""
            problems.append(
                Problem(
                    entry.source, entry.line,
                    f"'{entry.id}' {flag.lang}: {FLAG_TEXTS[flag.kind]}{quoted}", "warning",
                )
            )  # fmt: skip
    return problems


def _written_in(text: str, expected: Lang) -> Lang:
    # Ties (a product code, "OK") go to the language the text is filed under.
    return detect_language(text, expected)


def written_in_traditional(text: str) -> bool:
    """True when more of the text's Han characters are Traditional forms than Simplified ones.

    ``is_traditional`` fires on one character that OpenCC's phrase tables rewrite (文件 ->
    文档 in Taiwan usage), which Simplified answers are full of; counting both directions
    tells a Traditional text from a Simplified one with a few such phrases.
    """
    han = han_chars(text)
    return _changed(han, to_simplified(han)) > _changed(han, to_traditional(han))


def _changed(before: str, after: str) -> int:
    # A phrase table may change the length: the difference counts, then the common part.
    return abs(len(before) - len(after)) + sum(
        a != b for a, b in zip(before, after, strict=False)
    )
