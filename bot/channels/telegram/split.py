"""Long texts become several messages, cut at paragraph boundaries where possible."""

from __future__ import annotations

import re

from bot.channels.telegram.sends import MAX_TEXT

# From the best place to cut to the worst: paragraphs, lines, sentences, words.
_LEVELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n[ \t]*\n\s*"), "\n\n"),
    (re.compile(r"\n"), "\n"),
    (re.compile(r"(?<=[.!?。！？])"), ""),
    (re.compile(r"(?<=\s)"), ""),
)


def size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """The text in pieces of at most ``limit``; nothing for a blank text."""
    text = text.strip()
    if not text:
        return []
    return [p.strip() for p in _pack(text, limit, 0) if p.strip()]


def _pack(text: str, limit: int, level: int) -> list[str]:
    if size(text) <= limit:
        return [text]
    if level == len(_LEVELS):
        return _cut(text, limit)
    pattern, joiner = _LEVELS[level]
    chunks: list[str] = []
    current = ""
    for piece in pattern.split(text):
        for part in _pack(piece, limit, level + 1) if piece.strip() else []:
            joined = f"{current}{joiner}{part}" if current else part
            if size(joined) <= limit:
                current = joined
            else:
                chunks.append(current)
                current = part
    return [*chunks, current] if current else chunks


def _cut(text: str, limit: int) -> list[str]:
    """A word longer than a message: cut between characters, never inside a surrogate pair."""
    chunks, current, used = [], "", 0
    for char in text:
        width = size(char)
        if used + width > limit:
            chunks.append(current)
            current, used = "", 0
        current += char
        used += width
    return [*chunks, current] if current else chunks
