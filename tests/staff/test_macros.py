"""Canned replies: the shipped file, per-locale texts, problems by file and line, reloading."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.faq.loader import load_faq
from bot.staff.macros import MacroHolder, Macros, load_macros
from bot.text.chinese import to_traditional
from bot.text.scripts import has_han, has_hangul
from tests.conftest import FAQ_DIR, WriteFaq, entry_yaml

SHIPPED = FAQ_DIR / "macros.yaml"
ONE = """\
macros:
  - id: hello
    title: {en: Hello, zh: 你好, ko: 안녕하세요}
    text:
      en: Hello, how can I help?
      zh: 您好，请问有什么可以帮您？
      ko: 안녕하세요, 무엇을 도와드릴까요?
"""


def shipped() -> Macros:
    macros, problems = load_macros(SHIPPED)
    assert problems == [] and macros is not None, problems
    return macros


def test_the_shipped_macros_load_in_every_language() -> None:
    macros = shipped()
    ids = [m.id for m in macros.items]
    assert len(ids) >= 6 and len(set(ids)) == len(ids)
    needed = {"taking-a-look", "ask-order-id", "ask-store-id", "escalated-to-specialists"}
    assert needed | {"appeal-documents", "closing"} <= set(ids)
    for m in macros.items:
        assert set(m.title) == set(m.text) == {"en", "zh", "ko"}
        assert has_hangul(m.text["ko"])
        assert has_han(m.text["zh"])


def test_each_locale_gets_its_own_text() -> None:
    macros = shipped()
    by_locale = {loc: macros.for_locale(loc)[0] for loc in ("en", "ko", "zh_Hans", "zh_Hant")}
    assert by_locale["en"].text.startswith("Hello")
    assert by_locale["ko"].title == "확인 중"
    assert by_locale["zh_Hans"].text.startswith("您好，感谢")
    # Traditional is converted from the Simplified text, never stored.
    assert by_locale["zh_Hant"].text == to_traditional(by_locale["zh_Hans"].text)
    assert "感謝" in by_locale["zh_Hant"].text and "感谢" not in by_locale["zh_Hant"].text
    assert macros.for_locale("fr")[0] == by_locale["en"]


def test_the_faq_loader_skips_the_macros_file(write_faq: WriteFaq) -> None:
    entry = entry_yaml("a", ["deposit?"], ["押金？"], ["보증금?"])
    folder = write_faq(a__yaml=f"entries:\n{entry}", macros__yaml=ONE)
    faq, problems = load_faq(folder)
    assert faq is not None and problems == []
    assert [e.id for e in faq.entries] == ["a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ONE.replace("      ko: 안녕하세요, 무엇을 도와드릴까요?\n", ""), ":5: 'text' has no 'ko'"),
        (ONE.replace("    title:", "    titel:"), ":3: unknown field 'titel'"),
        (ONE.replace("    title:", "    titel:"), ":2: missing field 'title'"),
        (ONE.replace("id: hello", "id: Hello There"), ":2: id must be lowercase"),
        (ONE.replace("ko: 안녕하세요}", "ko: ''}"), ":3: 'title.ko' must be non-empty text"),
        (ONE.replace("ko: 안녕하세요}", "fr: Bonjour}"), ":3: unknown language 'fr' in 'title'"),
        (ONE + ONE.removeprefix("macros:\n"), ":8: duplicate id 'hello' (first at line 2)"),
        (ONE + "extra: 1\n", ":8: unknown top-level field 'extra'"),
        ("macros: {}\n", ":1: 'macros' must be a list"),
        ("entries: []\n", ":1: 'macros' must be a list"),
        ("macros:\n  - just text\n", ":2: each macro must be a mapping"),
        ("macros: [\n", "YAML syntax error"),
        ("", ":1: expected a mapping with 'macros:'"),
    ],
)
def test_problems_are_reported_by_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "macros.yaml"
    path.write_text(text, encoding="utf-8")
    macros, problems = load_macros(path)
    assert macros is None
    shown = [str(p) for p in problems]
    assert any(s.startswith(str(path)) and expected in s for s in shown), shown


def test_an_overlong_text_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "macros.yaml"
    path.write_text(ONE.replace("Hello, how can I help?", "x" * 4001), encoding="utf-8")
    _, problems = load_macros(path)
    assert [p.message for p in problems] == ["'text.en' is longer than 4000 characters"]


def touch_later(path: Path, seconds: int) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def test_the_holder_reloads_changes_and_keeps_the_last_good_macros(tmp_path: Path) -> None:
    path = tmp_path / "macros.yaml"
    holder = MacroHolder(path)
    assert holder.reload() is True and holder().items == ()  # no file yet: none, no error
    assert holder.problems == []
    path.write_text(ONE, encoding="utf-8")
    assert holder.reload() is True
    assert [m.title["en"] for m in holder().items] == ["Hello"]
    path.write_text(ONE.replace("id: hello", "id: BAD"), encoding="utf-8")
    touch_later(path, 1)
    assert holder.reload() is False
    assert [m.id for m in holder().items] == ["hello"]  # broken file: the last good ones stay
    assert any("id must be lowercase" in str(p) for p in holder.problems)
    path.write_text(ONE.replace("title: {en: Hello,", "title: {en: Hi,"), encoding="utf-8")
    touch_later(path, 2)
    assert holder.reload() is True
    assert [m.title["en"] for m in holder().items] == ["Hi"]
    assert holder.problems == []


def test_the_watcher_picks_up_an_edit_and_keeps_the_last_good_macros_on_a_broken_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "macros.yaml"
    path.write_text(ONE, encoding="utf-8")
    holder = MacroHolder(path)
    holder.reload()

    async def until(done: Callable[[], bool]) -> bool:
        for _ in range(300):
            await asyncio.sleep(0.01)
            if done():
                return True
        return False

    async def scenario() -> None:
        task = asyncio.create_task(holder.watch(0.01))
        try:
            path.write_text(ONE.replace("title: {en: Hello,", "title: {en: Hi,"), encoding="utf-8")
            touch_later(path, 1)
            assert await until(lambda: holder().items[0].title["en"] == "Hi")
            path.write_text(ONE.replace("id: hello", "id: BAD"), encoding="utf-8")
            touch_later(path, 2)
            assert await until(lambda: bool(holder.problems))
            assert holder().items[0].title["en"] == "Hi"  # the last good macros stay
        finally:
            task.cancel()

    with caplog.at_level(logging.ERROR, logger="bot.content"):
        asyncio.run(scenario())
    assert "macros not reloaded; still serving the last good version" in caplog.messages
