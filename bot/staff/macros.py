"""Canned replies ("macros") for the staff console, per language, from ``faq/macros.yaml``.

Problems are reported as ``file:line: message`` like the FAQ's. Traditional Chinese is not
stored: merchants who read it get the Simplified text converted (OpenCC, Taiwan conventions).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bot.faq.langtexts import lang_texts
from bot.faq.problems import Problem, errors
from bot.faq.yamlnodes import (
    MappingNode,
    Node,
    SequenceNode,
    compose_file,
    line_of,
    mapping_items,
    scalar_str,
)
from bot.text.chinese import to_traditional
from bot.text.language import Lang

log = logging.getLogger(__name__)

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELDS = ("id", "title", "text")
MAX_TEXT = 4000  # what the desk accepts as one reply


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
    for key in fields.keys() - set(FIELDS):
        problems.append(Problem(file, line_of(fields[key]), f"unknown field '{key}'"))
    for key in FIELDS:
        if key not in fields:
            problems.append(Problem(file, line, f"missing field '{key}'"))
    macro_id = scalar_str(fields["id"]) if "id" in fields else None
    if "id" in fields and (macro_id is None or not ID_RE.match(macro_id)):
        problems.append(
            Problem(file, line_of(fields["id"]), "id must be lowercase letters, digits and '-'")
        )
    title = lang_texts(fields.get("title"), file, "title", problems, max_len=80)
    text = lang_texts(fields.get("text"), file, "text", problems, max_len=MAX_TEXT)
    if len(problems) > before or macro_id is None:
        return None
    return Macro(macro_id, title, text, line)


@dataclass
class MacroHolder:
    """The macros in use; re-read when the file changes, keeping the last good ones."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    _macros: Macros = field(default_factory=Macros)
    _seen: tuple[int, int] | None = None

    def __call__(self) -> Macros:
        """The current macros (none while the file is missing)."""
        try:
            stat = self.path.stat()
        except OSError:
            return self._macros
        signature = (stat.st_mtime_ns, stat.st_size)
        if signature != self._seen:
            self._seen = signature
            loaded, self.problems = load_macros(self.path)
            if loaded is None:
                shown = [str(p) for p in errors(self.problems)]
                log.error("macros not reloaded", extra={"problems": shown})
            else:
                self._macros = loaded
        return self._macros
