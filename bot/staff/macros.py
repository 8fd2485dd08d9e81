"""Canned replies ("macros") for the staff console, per language, from ``faq/macros.yaml``.

Problems are reported as ``file:line: message`` like the FAQ's. Traditional Chinese is not
stored: merchants who read it get the Simplified text converted (OpenCC, Taiwan conventions).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.content.fields import field_problems, ident
from bot.content.holder import ContentHolder
from bot.content.langtexts import lang_texts
from bot.content.problems import Problem, errors
from bot.content.yamlnodes import (
    MappingNode,
    Node,
    SequenceNode,
    compose_file,
    line_of,
    mapping_items,
)
from bot.text.chinese import to_traditional
from bot.text.language import Lang

log = logging.getLogger(__name__)

FIELDS = ("id", "title", "text")
MAX_TEXT = 4000  # what the desk accepts as one reply
MACROS_FILE = "macros.yaml"  # beside the FAQ files, in the FAQ folder


@dataclass(frozen=True)
class Macro:
    """One canned reply: a short title and the text, each in en, zh (Simplified) and ko."""

    id: str
    title: Mapping[Lang, str]
    text: Mapping[Lang, str]
    line: int = 0


@dataclass(frozen=True)
class LocalMacro:
    """A canned reply in one merchant locale, as the console offers it."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Macros:
    """Every canned reply, in file order."""

    items: tuple[Macro, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    def for_locale(self, locale: str) -> list[LocalMacro]:
        """The replies in a UI locale (en, ko, zh_Hans, zh_Hant); unknown locales get English."""
        return [_localise(m, locale) for m in self.items]


def _localise(macro: Macro, locale: str) -> LocalMacro:
    if locale == "zh_Hant":
        return LocalMacro(macro.id, _traditional(macro.title["zh"]), _traditional(macro.text["zh"]))
    lang: Lang = "zh" if locale.startswith("zh") else "ko" if locale == "ko" else "en"
    return LocalMacro(macro.id, macro.title[lang], macro.text[lang])


@cache
def _traditional(text: str) -> str:
    return to_traditional(text)


def load_macros(path: Path) -> tuple[Macros | None, list[Problem]]:
    """Read a macros file; the Macros is None when any error was found."""
    name = str(path)
    root, problems = compose_file(path)
    if problems:
        return None, problems
    if not isinstance(root, MappingNode):
        at = 1 if root is None else line_of(root)
        return None, [Problem(name, at, "expected a mapping with 'macros:'")]
    top, problems = mapping_items(root, name)
    for key in top.keys() - {"macros"}:
        problems.append(Problem(name, line_of(top[key]), f"unknown top-level field '{key}'"))
    seq = top.get("macros")
    if not isinstance(seq, SequenceNode):
        at = line_of(seq) if seq is not None else line_of(root)
        return None, [*problems, Problem(name, at, "'macros' must be a list")]
    found: list[Macro] = []
    first: dict[str, int] = {}
    for item in seq.value:
        macro = _macro(item, name, problems)
        if macro is None:
            continue
        if macro.id in first:
            problems.append(
                Problem(
                    name, macro.line, f"duplicate id '{macro.id}' (first at line {first[macro.id]})"
                )
            )
        first.setdefault(macro.id, macro.line)
        found.append(macro)
    if errors(problems):
        return None, sorted(problems)
    return Macros(tuple(found)), sorted(problems)


def _macro(node: Node, file: str, problems: list[Problem]) -> Macro | None:
    line = line_of(node)
    if not isinstance(node, MappingNode):
        problems.append(Problem(file, line, "each macro must be a mapping"))
        return None
    fields, found = mapping_items(node, file)
    before = len(problems) + len(found)
    problems.extend(found)
    problems += field_problems(fields, file, line, FIELDS)
    macro_id = ident(fields.get("id"), file, "id", problems)
    title = lang_texts(fields.get("title"), file, "title", problems, max_len=80)
    text = lang_texts(fields.get("text"), file, "text", problems, max_len=MAX_TEXT)
    if len(problems) > before or macro_id is None:
        return None
    return Macro(macro_id, title, text, line)


def load_macros_if_any(path: Path) -> tuple[Macros | None, list[Problem]]:
    """Like ``load_macros``, but a missing file is no canned replies rather than a problem."""
    if not path.exists():
        return Macros(), []
    return load_macros(path)


class MacroHolder:
    """The macros in use, on the content holder: the watcher reloads them when the file
    changes (``reload``, ``watch``), and a broken edit keeps the last good ones."""

    def __init__(self, path: Path, snapshot: Path | None = None) -> None:
        self.path = path
        self.content: ContentHolder[Macros] = ContentHolder(
            path, load_macros_if_any, "macros", count=len, snapshot=snapshot
        )

    def __call__(self) -> Macros:
        """The current macros (none before the first good load)."""
        macros = self.content.value
        return Macros() if macros is None else macros

    @property
    def problems(self) -> list[Problem]:
        """The problems of the newest file, empty when it is the one in use."""
        return self.content.state.problems

    def reload(self) -> bool:
        """Load the file if it changed; True when new macros are now in use."""
        return self.content.reload()

    async def watch(self, every: float) -> None:
        """Poll for changes forever; loads run in a thread so pages are not blocked."""
        await self.content.watch(every)
