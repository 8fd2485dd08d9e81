"""Simplified Chinese merchants never load OpenCC's Simplified -> Traditional tables (issue 15):
telling Simplified from Traditional reads the tables scripts/build_simplified_chars.py ships,
not the ~42 MB converter, which only a Traditional reader's replies need."""

from __future__ import annotations

import pytest

from tests.serve_like import run_build

# Builds the app as `serve` does (tests/serve_like.py), with every OpenCC converter
# the process creates recorded by name; two Simplified merchants (one writing Cantonese) ask,
# then a Traditional one. Prints the converters created before and after the Traditional one.
BUILD = """
import asyncio, json, sys
from pathlib import Path

import opencc

created = []


class Recording(opencc.OpenCC):
    def __init__(self, config: str = "t2s", *args, **kwargs) -> None:
        created.append(config)
        super().__init__(config, *args, **kwargs)


opencc.OpenCC = Recording


async def main(folder: Path) -> None:
    from tests.serve_like import serving
    from tests.telegram import builders

    async with serving(folder) as served:
        api = served.api
        asked = {
            7001: ["保证金要交多少？", "什么时候回款？"],
            7002: ["点样发货？", "佢哋几时回款？"],
        }
        for user, texts in asked.items():
            for text in texts:
                await api.add_update(builders.text(user, text, lang="zh-hans"))
        await api.wait_until(
            lambda: all(len(api.delivered(u)) >= len(t) for u, t in asked.items()), 120
        )
        simplified = sorted(set(created))
        await api.add_update(builders.text(7003, "保證金可以退嗎？", lang="zh-hant"))
        await api.wait_until(lambda: len(api.delivered(7003)) >= 1, 120)
    print(json.dumps({"simplified": simplified, "all": sorted(set(created))}))

asyncio.run(main(Path(sys.argv[1])))
"""


@pytest.fixture(scope="module")
def converters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The OpenCC configs one `serve`-like process created, in a fresh interpreter."""
    result = run_build(BUILD, tmp_path_factory.mktemp("opencc"))
    assert isinstance(result, dict)
    return result


def test_simplified_merchants_do_not_load_the_simplified_to_traditional_converter(
    converters: dict[str, list[str]],
) -> None:
    # tw2sp (~4 MB) folds Traditional for the matcher and is read for every Chinese message;
    # tw2s (~0.6 MB, characters only) tells whether a message is written in Traditional.
    assert converters["simplified"] == ["tw2s", "tw2sp"]


def test_a_traditional_reader_still_gets_converted_replies(
    converters: dict[str, list[str]],
) -> None:
    assert "s2tw" in converters["all"]  # the positive case: the recording sees converters
