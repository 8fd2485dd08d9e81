"""Splitting long answers: paragraph boundaries first, never over the limit, nothing lost."""

from __future__ import annotations

import re

import pytest

from bot.channels.telegram.split import size, split_text


def _same_words(pieces: list[str], text: str) -> bool:
    return re.sub(r"\s+", "", "".join(pieces)) == re.sub(r"\s+", "", text)


def test_short_and_blank_texts() -> None:
    assert split_text("  Hello  ") == ["Hello"]
    assert split_text(" \n\n ") == []


def test_paragraphs_are_packed_and_never_cut_when_they_fit() -> None:
    paragraphs = ["a" * 40, "b" * 40, "c" * 40, "d" * 10]
    pieces = split_text("\n\n".join(paragraphs), limit=100)
    assert pieces == ["a" * 40 + "\n\n" + "b" * 40, "c" * 40 + "\n\n" + "d" * 10]


def test_a_long_paragraph_is_cut_at_lines_then_sentences_then_words() -> None:
    lines = "\n".join(["x" * 30] * 5)  # 154 characters, no blank line
    assert split_text(lines, limit=70) == ["x" * 30 + "\n" + "x" * 30] * 2 + ["x" * 30]
    sentences = "One two three. Four five six. Seven eight nine."
    assert split_text(sentences, limit=30) == ["One two three. Four five six.", "Seven eight nine."]
    words = "alpha beta gamma delta epsilon"
    assert split_text(words, limit=12) == ["alpha beta", "gamma delta", "epsilon"]


def test_chinese_sentences_are_cut_after_the_full_stop() -> None:
    text = "保证金是多少。" * 3
    assert split_text(text, limit=15) == ["保证金是多少。保证金是多少。", "保证金是多少。"]


def test_a_word_longer_than_a_message_is_cut_between_characters() -> None:
    assert split_text("y" * 25, limit=10) == ["y" * 10, "y" * 10, "y" * 5]


def test_emoji_count_twice_and_are_never_split() -> None:
    assert size("👍") == 2
    pieces = split_text("👍" * 7, limit=4)
    assert pieces == ["👍👍", "👍👍", "👍👍", "👍"]


@pytest.mark.parametrize("limit", [50, 333, 4096])
def test_every_piece_fits_and_nothing_is_lost(limit: int) -> None:
    text = "\n\n".join(
        f"第{i}段。" + "Some words here, 그리고 한국어도. " * (i * 7 % 40) + "🚚" * (i % 5)
        for i in range(60)
    )
    pieces = split_text(text, limit)
    assert all(0 < size(p) <= limit for p in pieces)
    assert _same_words(pieces, text)
