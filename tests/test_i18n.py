"""Gettext catalogs: complete in every locale, compiled, and in step with the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n import UI_LOCALES, translations

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=locale)


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    catalog = _catalog(locale)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert not missing, f"{locale} lacks translations for: {missing}"


@pytest.mark.parametrize("locale", UI_LOCALES)
def test_compiled_catalog_is_not_older_than_its_source(locale: str) -> None:
    folder = LOCALES / locale / "LC_MESSAGES"
    mo, po = folder / "messages.mo", folder / "messages.po"
    assert mo.exists(), f"{mo} missing: run pybabel compile -d locales -D messages"
    assert mo.stat().st_mtime >= po.stat().st_mtime, f"{po} changed after compiling"


def test_catalogs_hold_every_string_the_code_marks(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run(
        [pybabel, "-q", "extract", "-F", "babel.cfg", "-k", "_", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as fp:
        marked = {m.id for m in read_po(fp) if m.id}
    assert marked, "extraction found no strings"
    for locale in UI_LOCALES:
        known = {m.id for m in _catalog(locale) if m.id}
        assert marked <= known, f"{locale}: run pybabel update; missing {marked - known}"


def test_translations_differ_per_locale_and_fall_back_to_source(tmp_path: Path) -> None:
    from bot.faq.replies import FALLBACK

    texts = {loc: translations(loc).gettext(FALLBACK) for loc in UI_LOCALES}
    assert texts["en"] == FALLBACK
    assert len(set(texts.values())) == 4
    assert "这个问题" in texts["zh_Hans"] and "這個問題" in texts["zh_Hant"]


def test_uncompiled_catalog_is_compiled_in_memory(tmp_path: Path) -> None:
    folder = tmp_path / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_bytes((LOCALES / "ko/LC_MESSAGES/messages.po").read_bytes())
    from bot.faq.replies import CLARIFY

    loaded = i18n.translations.__wrapped__("ko", tmp_path)
    assert loaded.gettext(CLARIFY) == translations("ko").gettext(CLARIFY) != CLARIFY
