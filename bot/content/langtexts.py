"""A YAML mapping of one text per language ({en: ..., zh: ..., ko: ...}), checked by line.

Centres (names, addresses) and macros (titles, texts) use the same shape; problems are
reported the same way for both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from yaml.nodes import MappingNode, Node

from bot.content.problems import Problem
from bot.content.yamlnodes import line_of, mapping_items, scalar_str
from bot.text.language import LANGS, Lang, is_lang

T = TypeVar("T")


def lang_map(
    node: Node | None,
    file: str,
    what: str,
    convert: Callable[[Node, str, str, list[Problem]], T | None],
    problems: list[Problem],
    missing_at: int | None = None,
) -> dict[Lang, T]:
    """One value per language, each made by ``convert`` (which reports its own problems);
    an unknown or missing language is a problem (a missing one at ``missing_at``, else at the
    mapping's line)."""
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        problems.append(Problem(file, line_of(node), f"'{what}' must map en, zh and ko"))
        return {}
    items, found = mapping_items(node, file)
    problems.extend(found)
    out: dict[Lang, T] = {}
    for key, value in items.items():
        if not is_lang(key):
            problems.append(Problem(file, line_of(value), f"unknown language '{key}' in '{what}'"))
            continue
        converted = convert(value, file, f"{what}.{key}", problems)
        if converted is not None:
            out[key] = converted
    for lang in LANGS:
        if lang not in items:
            at = missing_at if missing_at is not None else line_of(node)
            problems.append(Problem(file, at, f"'{what}' has no '{lang}'"))
    return out


def lang_texts(
    node: Node | None, file: str, what: str, problems: list[Problem], max_len: int | None = None
) -> dict[Lang, str]:
    """The texts by language; each problem (unknown or missing language, empty or too long
    text, not a mapping) is added to ``problems`` with its line."""

    def text(value: Node, file: str, where: str, problems: list[Problem]) -> str | None:
        found = scalar_str(value)
        if found is None or not found.strip():
            problems.append(Problem(file, line_of(value), f"'{where}' must be non-empty text"))
            return None
        if max_len is not None and len(found.strip()) > max_len:
            message = f"'{where}' is longer than {max_len} characters"
            problems.append(Problem(file, line_of(value), message))
            return None
        return found.strip()

    return lang_map(node, file, what, text, problems)
