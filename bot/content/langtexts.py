"""A YAML mapping of one text per language ({en: ..., zh: ..., ko: ...}), checked by line.

Centres (names, addresses) and macros (titles, texts) use the same shape; problems are
reported the same way for both.
"""

from __future__ import annotations

from yaml.nodes import MappingNode, Node

from bot.content.problems import Problem
from bot.content.yamlnodes import line_of, mapping_items, scalar_str
from bot.text.language import LANGS, Lang, is_lang


def lang_texts(
    node: Node | None, file: str, what: str, problems: list[Problem], max_len: int | None = None
) -> dict[Lang, str]:
    """The texts by language; each problem (unknown or missing language, empty or too long
    text, not a mapping) is added to ``problems`` with its line."""
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        problems.append(Problem(file, line_of(node), f"'{what}' must map en, zh and ko"))
        return {}
    items, found = mapping_items(node, file)
    problems.extend(found)
    out: dict[Lang, str] = {}
    for key, value in items.items():
        text = scalar_str(value)
        line = line_of(value)
        if not is_lang(key):
            problems.append(Problem(file, line, f"unknown language '{key}' in '{what}'"))
        elif text is None or not text.strip():
            problems.append(Problem(file, line, f"'{what}.{key}' must be non-empty text"))
        elif max_len is not None and len(text.strip()) > max_len:
            problems.append(
                Problem(file, line, f"'{what}.{key}' is longer than {max_len} characters")
            )
        else:
            out[key] = text.strip()
    for lang in LANGS:
        if lang not in items:
            problems.append(Problem(file, line_of(node), f"'{what}' has no '{lang}'"))
    return out
