"""Gettext catalogs in ``locales/`` (Babel), one per UI locale, compiled on first use if needed."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

UiLocale = Literal["en", "ko", "zh_Hans", "zh_Hant"]
UI_LOCALES: tuple[UiLocale, ...] = ("en", "ko", "zh_Hans", "zh_Hant")
DOMAIN = "messages"
# The repository's locales/ (editable installs); images set LOCALES_DIR to where they copy it.
LOCALES_DIR = Path(
    os.environ.get("LOCALES_DIR", Path(__file__).resolve().parent.parent / "locales")
)

log = logging.getLogger(__name__)


def _(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@cache
def translations(locale: UiLocale, locales_dir: Path = LOCALES_DIR) -> NullTranslations:
    """The catalog for a locale: the compiled .mo, or the .po compiled in memory when stale."""
    folder = locales_dir / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if po.exists():
        log.warning("catalog %s is not compiled; compiling in memory (run pybabel compile)", po)
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return Translations(buf, domain=DOMAIN)
    log.warning("no catalog for %s in %s; showing English", locale, locales_dir)
    return NullTranslations()


def gettext(locale: UiLocale, message: str) -> str:
    """Translate one UI string into a locale."""
    return translations(locale).gettext(message)


def translate(locale: UiLocale, message: str, **values: object) -> str:
    """A marked UI string in a locale, with ``{name}`` values filled in after translation."""
    text = gettext(locale, message)
    return text.format(**values) if values else text


class LocalizedError(Exception):
    """An error whose message is a marked UI string with ``{name}`` values.

    ``str()`` is the English sentence (logs, the CLI's English); ``text(locale)`` translates it.
    """

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.template = message
        self.values = values

    def text(self, locale: UiLocale) -> str:
        """The message in a UI locale."""
        return translate(locale, self.template, **self.values)


def locale_from_accept_language(header: str | None) -> UiLocale | None:
    """The best UI locale an Accept-Language header asks for, by its q-values; None if none."""
    ranked: list[tuple[float, int, UiLocale]] = []
    for index, part in enumerate((header or "").split(",")[:20]):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found = _ui_locale_of_tag(tag.strip())
        if found is not None and quality > 0:
            ranked.append((-quality, index, found))
    return min(ranked)[2] if ranked else None


def _ui_locale_of_tag(tag: str) -> UiLocale | None:
    """A language tag's UI locale ("zh-TW" -> zh_Hant), None for languages we do not show."""
    t = tag.lower().replace("_", "-")
    if t == "zh" or t.startswith("zh-"):
        traditional = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")
        return "zh_Hant" if t.startswith(traditional) else "zh_Hans"
    if t == "ko" or t.startswith("ko-"):
        return "ko"
    if t == "en" or t.startswith("en-"):
        return "en"
    return None


def ui_locale(value: str | None) -> UiLocale | None:
    """A UI locale by its name ("zh_Hant") or a language tag ("zh-TW", "ko"); None if unknown."""
    if not value:
        return None
    exact = next((loc for loc in UI_LOCALES if loc == value), None)
    return exact or _ui_locale_of_tag(value.strip())


def locale_from_environment(environ: Mapping[str, str] | None = None) -> UiLocale:
    """The command line's UI locale, from LANGUAGE, LC_ALL, LC_MESSAGES or LANG as gettext reads
    them ("zh_TW.UTF-8" -> zh_Hant); C, POSIX and other languages are English."""
    env = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if value:
            tag = value.split(":")[0].split(".")[0].split("@")[0]
            return _ui_locale_of_tag(tag) or "en"
    return "en"
