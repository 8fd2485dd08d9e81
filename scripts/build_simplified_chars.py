"""Regenerate bot/text/data/{simplified_chars,simplified_words,shared_words}.txt (has_simplified).

`locale_of` tells a Simplified message from one common to both scripts by whether OpenCC's
Simplified -> Traditional (Taiwan) converter changes it. That converter's phrase tables cost
~42 MB of RSS in `serve`, loaded by the first Simplified message for a yes/no answer, so the
answer is precomputed here per character: every ideograph of the basic blocks (U+3400-4DBF,
U+4E00-9FFF, U+F900-FAFF) goes through `s2tw` on its own, and the ones it rewrites are kept,
less those that Traditional -> Simplified (`tw2sp`) rewrites too (the compatibility ideographs
and Traditional variants such as 僞 or 裏: Traditional text, which `is_traditional` catches
first). `s2tw` rather than plain `s2t` because the bot asked `s2tw`: plain `s2t` also rewrites
吃, 床, 群, 秘, which Taiwan writes as they are.

Characters alone miss words that `s2tw` rewrites by its phrase tables although each of their
characters is common to both scripts: 什么 -> 什麼, 周期 -> 週期, 了解 -> 瞭解. So the phrase
keys of the dictionaries `s2tw` segments and converts with (listed with `opencc_dict`, shipped in
the opencc wheel) go through `s2tw` too; the ones it rewrites without changing a character of
the first table make the second table (~1,400 words: 什么). Words it leaves with their
characters of the first table as they are make the third (~1,200: 佣金, 公里, 若干), whose
characters say nothing there. `has_simplified` finds these words anywhere in a text, not by
OpenCC's segmentation: it agrees with `s2tw` on all but 220 of its 49,804 phrases taken alone.

Run it after upgrading OpenCC (tests/text/test_simplified_chars.py says when):

    .venv/bin/python scripts/build_simplified_chars.py [--check]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.text.chinese import to_simplified, to_traditional  # noqa: E402

DATA = ROOT / "bot" / "text" / "data"
CHARS = DATA / "simplified_chars.txt"
WORDS = DATA / "simplified_words.txt"
SHARED = DATA / "shared_words.txt"
FILES = (CHARS, WORDS, SHARED)
OPENCC = Path(opencc.__file__).resolve().parent / "clib"
# The blocks of bot.text.scripts.HAN, as code point ranges.
BLOCKS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def simplified_chars() -> str:
    """The characters `s2tw` rewrites on their own and `tw2sp` leaves alone, sorted."""
    chars = (chr(code) for start, end in BLOCKS for code in range(start, end + 1))
    return "".join(c for c in chars if to_traditional(c) != c and to_simplified(c) == c)


def _files(node: object) -> Iterator[str]:
    # Every dictionary file a config names, at any depth.
    if isinstance(node, dict):
        if isinstance(node.get("file"), str):
            yield node["file"]
        for value in node.values():
            yield from _files(value)
    elif isinstance(node, list):
        for value in node:
            yield from _files(value)


def phrase_keys(config: str = "s2tw") -> set[str]:
    """The keys of the phrase dictionaries an OpenCC config uses, read with `opencc_dict`."""
    share = OPENCC / "share" / "opencc"
    spec = json.loads((share / f"{config}.json").read_text(encoding="utf-8"))
    keys: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted({f for f in _files(spec) if "Phrases" in f}):
            out = Path(tmp) / f"{name}.txt"
            subprocess.run(
                [OPENCC / "bin" / "opencc_dict", "-i", share / name, "-o", out,
                 "-f", "ocd2", "-t", "text"],
                check=True, capture_output=True,
            )  # fmt: skip
            text = out.read_text(encoding="utf-8")
            keys.update(line.partition("\t")[0] for line in text.splitlines() if line)
    return keys


def word_tables(chars: str) -> tuple[list[str], list[str]]:
    """(Simplified words, shared words) from the phrase keys `s2tw` uses, both sorted.

    A Simplified word is one `s2tw` rewrites and `tw2sp` does not, without help from a
    character of ``chars`` (it has none, or keeps all it has: 什么, 周期). A shared word keeps
    every character of ``chars`` it has (佣金, 公里, 若干): those characters say nothing there.
    A word that holds shorter listed words doing its work is left out.
    """
    single = set(chars)
    simplified: set[str] = set()
    shared: set[str] = set()
    for w in phrase_keys():
        if len(w) < 2 or to_simplified(w) != w:
            continue
        converted = to_traditional(w)
        marked = [i for i, c in enumerate(w) if c in single]
        keeps = len(converted) == len(w) and all(converted[i] == w[i] for i in marked)
        if marked and keeps:
            shared.add(w)
        if converted != w and (not marked or keeps):
            simplified.add(w)
    return (
        sorted(w for w in simplified if not any(v in simplified for v in _parts(w))),
        sorted(w for w in shared if not _covered(w, shared, single)),
    )


def _parts(word: str) -> Iterator[str]:
    # Every shorter substring of two characters or more.
    n = len(word)
    return (word[i:j] for i in range(n) for j in range(i + 2, n + 1) if j - i < n)


def _covered(word: str, shared: set[str], single: set[str]) -> bool:
    # Each character of ``single`` in the word is inside a shorter shared word already.
    n = len(word)
    inside = {
        k
        for i in range(n)
        for j in range(i + 2, n + 1)
        if j - i < n and word[i:j] in shared
        for k in range(i, j)
    }
    return all(i in inside for i, c in enumerate(word) if c in single)


def tables() -> tuple[str, str, str]:
    """The three files' contents: the characters on one line, then the words one a line."""
    chars = simplified_chars()
    simplified, shared = word_tables(chars)
    return chars + "\n", "".join(w + "\n" for w in simplified), "".join(w + "\n" for w in shared)


def main() -> int:
    """Write the tables, or with --check say whether the shipped ones are current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    contents = tables()
    if args.check:
        current = all(
            f.read_text(encoding="utf-8") == c for f, c in zip(FILES, contents, strict=True)
        )
        print(f"the tables are {'current' if current else 'out of date'}", file=sys.stderr)
        return 0 if current else 1
    for path, content in zip(FILES, contents, strict=True):
        path.write_text(content, encoding="utf-8")
        size = len(content.split()) if path != CHARS else len(content) - 1
        print(
            f"wrote {path} ({size} {'words' if path != CHARS else 'characters'})", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
