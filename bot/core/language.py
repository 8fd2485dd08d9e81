"""Which UI locale a merchant gets: an explicit mapping of channel tags, then their messages."""

from __future__ import annotations

from bot.i18n import UI_LOCALES, UiLocale
from bot.text.chinese import has_simplified
from bot.text.language import Lang
from bot.text.message import Message
from bot.text.scripts import han_chars

_SIMPLIFIED_TAGS = ("zh", "zh-cn", "zh-sg", "zh-my", "zh-hans")
_TRADITIONAL_TAGS = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")


def locale_from_tag(tag: str | None) -> UiLocale | None:
    """Map a channel language tag explicitly (Babel's negotiation sends zh-CN to English)."""
    if not tag or not tag.strip():
        return None
    t = tag.strip().lower().replace("_", "-")
    if t in ("zh-hans", "zh-hant") or t.startswith(("zh-hans-", "zh-hant-")):
        return "zh_Hans" if t.startswith("zh-hans") else "zh_Hant"
    if t in _TRADITIONAL_TAGS or t.startswith(tuple(f"{p}-" for p in _TRADITIONAL_TAGS)):
        return "zh_Hant"
    if t in _SIMPLIFIED_TAGS or t.startswith("zh"):
        return "zh_Hans"
    if t == "ko" or t.startswith("ko-"):
        return "ko"
    return "en"


def parse_locale(value: str) -> UiLocale | None:
    """A UI locale name as used in payloads ("zh_Hant"), or None."""
    return next((loc for loc in UI_LOCALES if loc == value), None)


def content_lang(locale: UiLocale) -> Lang:
    """The FAQ content language behind a UI locale."""
    return "zh" if locale.startswith("zh") else locale  # type: ignore[return-value]


def locale_for_message(text: str, current: UiLocale | None, hint: UiLocale | None) -> UiLocale:
    """The locale of a message; text common to both Chinese scripts keeps the current one."""
    return locale_of(read_message(text, current, hint), current, hint)


def read_message(text: str, current: UiLocale | None, hint: UiLocale | None) -> Message:
    """Read a message once, ties going to the merchant's locale, else the channel's, else en."""
    return Message.read(text, content_lang(current or hint or "en"))


def locale_of(message: Message, current: UiLocale | None, hint: UiLocale | None) -> UiLocale:
    """The locale of a message already read; text common to both Chinese scripts keeps the
    current one."""
    if message.lang != "zh":
        return message.lang
    if message.traditional:
        return "zh_Hant"
    if has_simplified(han_chars(message.text)):
        return "zh_Hans"  # has characters or words that only Simplified writes this way
    for candidate in (current, hint):
        if candidate in ("zh_Hans", "zh_Hant"):
            return candidate
    return "zh_Hans"
