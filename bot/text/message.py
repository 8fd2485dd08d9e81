"""A merchant's message read once: its language, its Chinese script and its normalised form.

The responder reads a message here and hands the result on (the locale, the FAQ matcher), so
that no step on the way detects the language or normalises the text again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from bot.text.language import Lang, detect_language, is_traditional
from bot.text.normalize import normalize


@dataclass(frozen=True)
class Message:
    """A message's text and its language; the script and the normalised text on first use."""

    text: str
    lang: Lang

    @classmethod
    def read(cls, text: str, hint: Lang | None = None) -> Message:
        """Detect the message's language once (``hint`` breaks ties)."""
        return cls(text, detect_language(text, hint))

    @cached_property
    def traditional(self) -> bool:
        """Chinese written in Traditional characters (False for any other language)."""
        return self.lang == "zh" and is_traditional(self.text)

    @cached_property
    def normalized(self) -> str:
        """The text with width, case, accents and Traditional Chinese folded (``normalize``)."""
        return normalize(self.text)
