"""The web chat's own labels (the ``STRINGS`` table in chat.js, outside the Babel catalogs):
every locale has every label, and a zh-Hant reader sees no Simplified character (issue 17)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.text.chinese import simplified_characters, to_traditional

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"
LOCALES = ("en", "zh_Hans", "zh_Hant", "ko")
TABLE_RE = re.compile(r"const STRINGS = \{\n(.*?)\n  \};", re.S)
LOCALE_RE = re.compile(r"^    (\w+): \{\n(.*?)\n    \},$", re.S | re.M)
ENTRY_RE = re.compile(r'(\w+):\s*("(?:[^"\\\n]|\\.)*")\s*,?')


def parse_strings(source: str) -> dict[str, dict[str, str]]:
    """The ``STRINGS`` table of chat.js as locale -> key -> label; raises on anything it cannot
    read, so a label written in a shape the parser skips fails the tests instead of hiding."""
    table = TABLE_RE.search(source)
    if table is None:
        raise ValueError("no `const STRINGS = {...};` in chat.js")
    parsed: dict[str, dict[str, str]] = {}
    for locale in LOCALE_RE.finditer(table.group(1)):
        body = locale.group(2)
        if leftover := ENTRY_RE.sub("", body).strip():
            raise ValueError(f"{locale.group(1)}: cannot read {leftover[:60]!r}")
        entries = [(k, json.loads(v)) for k, v in ENTRY_RE.findall(body)]
        keys = [k for k, _ in entries]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{locale.group(1)}: a key is given twice in {keys}")
        parsed[locale.group(1)] = dict(entries)
    if leftover := LOCALE_RE.sub("", table.group(1)).strip():
        raise ValueError(f"cannot read {leftover[:60]!r} in STRINGS")
    return parsed


@pytest.fixture(scope="module")
def strings() -> dict[str, dict[str, str]]:
    """The table as the page ships it."""
    return parse_strings((STATIC / "chat.js").read_text(encoding="utf-8"))


def test_every_locale_of_the_chat_has_every_label(strings: dict[str, dict[str, str]]) -> None:
    assert sorted(strings) == sorted(LOCALES)
    english = strings["en"]
    assert len(english) >= 10  # the table was read, not an empty match
    for locale in LOCALES:
        missing = sorted(set(english) - set(strings[locale]))
        extra = sorted(set(strings[locale]) - set(english))
        empty = sorted(k for k, v in strings[locale].items() if not v.strip())
        assert (missing, extra, empty) == ([], [], []), f"{locale}: missing, extra, empty"
        if locale != "en":  # a label left in English is a missing translation
            same = [k for k, v in strings[locale].items() if v == english[k] and v.isascii()]
            assert same == [], f"{locale} labels still in English: {same}"


def test_every_label_the_page_asks_for_is_in_the_table(strings: dict[str, dict[str, str]]) -> None:
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    asked = set(re.findall(r'\bt\("(\w+)"\)', script))
    asked |= set(re.findall(r'data-i18n(?:-\w+)?="(\w+)"', page))
    asked |= {"you", "bot", "staff"}  # the speakers, looked up as t(who)
    assert "title" in asked and "placeholder" in asked
    assert sorted(asked - set(strings["en"])) == []


def test_traditional_chinese_labels_have_no_simplified_character(
    strings: dict[str, dict[str, str]],
) -> None:
    wrong = {
        key: sorted({a for a, b in zip(text, to_traditional(text), strict=True) if a != b})
        for key, text in strings["zh_Hant"].items()
        if to_traditional(text) != text
    }
    assert wrong == {}, f"zh_Hant labels with Simplified characters: {wrong}"


def test_simplified_chinese_labels_have_no_traditional_character(
    strings: dict[str, dict[str, str]],
) -> None:
    wrong = [key for key, text in strings["zh_Hans"].items() if simplified_characters(text) != text]
    assert wrong == [], f"zh_Hans labels with Traditional characters: {wrong}"


def test_the_parser_refuses_what_it_cannot_read() -> None:
    good = 'const STRINGS = {\n    en: {\n      a: "A", b: "B\\u2026",\n    },\n  };'
    assert parse_strings(good) == {"en": {"a": "A", "b": "B…"}}
    with pytest.raises(ValueError, match="cannot read"):
        parse_strings(good.replace('b: "B', "b: 'B"))
    with pytest.raises(ValueError, match="twice"):
        parse_strings(good.replace('b: "B', 'a: "B'))
