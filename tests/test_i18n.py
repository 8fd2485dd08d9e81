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


# -- Traditional Chinese: nothing a zh-Hant reader sees is still in Simplified (issue 17) -----


def _simplified_left(text: str) -> list[str]:
    """The characters of ``text`` that OpenCC would still convert from Simplified."""
    from bot.text.chinese import to_traditional

    return sorted({a for a, b in zip(text, to_traditional(text), strict=False) if a != b})


def test_zh_hant_catalog_has_no_simplified_characters() -> None:
    catalog = _catalog("zh_Hant")
    wrong = {m.id: _simplified_left(m.string) for m in catalog if m.id and m.string}
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"zh_Hant strings with Simplified characters: {wrong}"


def test_centre_and_team_names_read_traditional_to_a_zh_hant_reader() -> None:
    from bot.centres.describe import centre_address, centre_name
    from bot.centres.loader import load_centres
    from bot.core.centre_teams import team_of

    centres, problems = load_centres(ROOT / "faq" / "centres.yaml")
    assert centres is not None, problems
    shown = []
    for centre in centres.centres:
        team = team_of(centre)
        shown += [centre_name(centre, "zh_Hant"), centre_address(centre, "zh_Hant")]
        shown.append(team.display_name("zh_Hant"))
    assert shown
    wrong = {text: _simplified_left(text) for text in shown if _simplified_left(text)}
    assert not wrong, f"shown to zh-Hant readers with Simplified characters: {wrong}"


def test_faq_answers_read_traditional_to_a_zh_hant_reader() -> None:
    from bot.faq.loader import load_faq
    from bot.faq.replies import localise

    faq, problems = load_faq(ROOT / "faq")
    assert faq is not None, problems
    wrong = {}
    for entry in faq:
        shown = localise(entry.answer["zh"], "zh", traditional=True)
        if left := _simplified_left(shown):
            wrong[entry.id] = left
    assert faq.entries and not wrong, f"FAQ answers with Simplified characters: {wrong}"


def test_the_check_catches_a_simplified_character() -> None:
    assert _simplified_left("團隊會在這裡回覆您") == []
    assert _simplified_left("团隊") == ["团"]


@pytest.mark.parametrize("value", ["zh-TW,zh;q=0.9", "en;q=0.2, zh-Hant"])
def test_accept_language_picks_traditional(value: str) -> None:
    assert i18n.locale_from_accept_language(value) == "zh_Hant"


def test_accept_language_skips_languages_we_do_not_show() -> None:
    assert i18n.locale_from_accept_language("fr-FR, ko;q=0.5, en;q=0.3") == "ko"
    assert i18n.locale_from_accept_language("fr, de") is None
    assert i18n.locale_from_accept_language(None) is None
    assert i18n.locale_from_accept_language("zh-CN;q=0, en") == "en"


def test_the_command_line_locale_comes_from_the_environment() -> None:
    assert i18n.locale_from_environment({"LANG": "zh_TW.UTF-8"}) == "zh_Hant"
    assert i18n.locale_from_environment({"LC_ALL": "ko_KR.UTF-8", "LANG": "en_US"}) == "ko"
    assert i18n.locale_from_environment({"LANG": "C.UTF-8"}) == "en"
    assert i18n.locale_from_environment({}) == "en"
