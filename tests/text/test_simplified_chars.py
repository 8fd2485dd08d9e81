"""The Simplified tables shipped in bot/text/data, and what they tell apart."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from bot.text.chinese import has_simplified

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "build_simplified_chars.py"


def _script() -> ModuleType:
    pytest.importorskip("opencc")
    spec = importlib.util.spec_from_file_location("build_simplified_chars", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not (module.OPENCC / "bin" / "opencc_dict").exists():
        pytest.skip("this OpenCC has no opencc_dict to list its phrases")
    return module


def test_the_shipped_tables_are_what_the_installed_opencc_gives() -> None:
    script = _script()
    shipped = tuple(path.read_text(encoding="utf-8") for path in script.FILES)
    assert shipped == script.tables(), "run scripts/build_simplified_chars.py"


def test_the_character_table_is_one_sorted_line_of_han() -> None:
    text = (ROOT / "bot" / "text" / "data" / "simplified_chars.txt").read_text(encoding="utf-8")
    chars = text.removesuffix("\n")
    assert "\n" not in chars and list(chars) == sorted(set(chars))
    assert {"发", "这", "们", "么"} & set(chars) == {"发", "这", "们"}  # 么 is 幺么 in Traditional


@pytest.mark.parametrize(
    "han",
    [
        "保证金要交多少",  # 证
        "怎么发货",  # 发
        "什么时候回款",  # only the word 什么 (什麼) says it
        "回款周期是多久",  # only the word 周期 (週期)
        "佢哋几时回款",  # Cantonese: 几 (幾)
        "公里数怎么算",  # 数 outside the shared word 公里
    ],
)
def test_simplified_text_is_recognised(han: str) -> None:
    assert has_simplified(han)


@pytest.mark.parametrize(
    "han",
    [
        "",
        "你好",  # common to both scripts
        "保證金可以退嗎",  # Traditional
        "佣金比例是多少",  # 佣 in 佣金 is written so in Traditional too
        "若干公里",  # 干 and 里 inside words both scripts write alike
    ],
)
def test_text_without_simplified_forms_is_not(han: str) -> None:
    assert not has_simplified(han)
