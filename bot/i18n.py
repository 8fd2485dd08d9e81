"""Gettext catalogs in ``locales/`` (Babel), one per UI locale, compiled on first use if needed."""

from __future__ import annotations

import io
import logging
import os
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
