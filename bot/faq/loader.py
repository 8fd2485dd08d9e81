"""Load and validate ``faq/*.yaml`` into a :class:`Faq`, reporting every problem by line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.content.fields import field_problems, ident
from bot.content.langtexts import lang_map
from bot.content.problems import Problem, errors
from bot.content.yamlnodes import (
    MappingNode,
    Node,
    SequenceNode,
    compose_file,
    line_of,
    mapping_items,
    scalar_bool,
    scalar_str,
)
from bot.faq.model import Faq, FaqEntry

REQUIRED = ("id", "category", "escalate", "questions", "answer")
OPTIONAL = ("related",)
# Top-level keys of the other content files that live beside the FAQ (not FAQ files).
OTHER_CONTENT_KEYS = frozenset({"centres", "macros"})


def faq_files(folder: Path) -> list[Path]:
    """The YAML files of a content folder, in a stable order."""
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_faq(folder: Path) -> tuple[Faq | None, list[Problem]]:
    """Load every FAQ file in ``folder``; the Faq is None when any error was found."""
    if not folder.is_dir():
        return None, [Problem(str(folder), 0, "FAQ folder not found")]
    entries: list[FaqEntry] = []
    problems: list[Problem] = []
    unreadable: list[str] = []  # files that could not be read at all (YAML syntax, encoding)
    for path in faq_files(folder):
        found, file_problems = _load_file(path)
        entries.extend(found)
        problems.extend(file_problems)
        if errors(file_problems) and not found:
            unreadable.append(path.name)
    if not entries and not problems:
        problems.append(Problem(str(folder), 0, "no FAQ entries found (files need 'entries:')"))
    # Root causes first: an id "missing" because its file did not load is a knock-on error.
    later = _cross_checks(entries)
    if unreadable:
        note = f" (may only follow from {', '.join(unreadable)}, which did not load)"
        later = [
            replace(p, message=p.message + note) if "unknown id" in p.message else p for p in later
        ]
    ordered = sorted(problems) + sorted(later)
    if errors(ordered):
        return None, ordered
    return Faq(tuple(entries)), ordered


def _load_file(path: Path) -> tuple[list[FaqEntry], list[Problem]]:
    name = str(path)
    root, problems = compose_file(path)
    if problems:
        return [], problems
    if root is None:
        return [], [Problem(name, 1, "file is empty")]
    if not isinstance(root, MappingNode):
        return [], [Problem(name, line_of(root), "expected a mapping with 'entries:'")]
    top, problems = mapping_items(root, name)
    if "entries" not in top:
        if OTHER_CONTENT_KEYS & top.keys():
            return [], problems
        return [], [*problems, Problem(name, line_of(root), "missing top-level 'entries:' list")]
    for key in top.keys() - {"entries"}:
        problems.append(Problem(name, line_of(top[key]), f"unknown top-level field '{key}'"))
    seq = top["entries"]
    if not isinstance(seq, SequenceNode):
        return [], [*problems, Problem(name, line_of(seq), "'entries' must be a list")]
    entries: list[FaqEntry] = []
    for item in seq.value:
        entry, entry_problems = _entry(item, name)
        problems.extend(entry_problems)
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _entry(node: Node, file: str) -> tuple[FaqEntry | None, list[Problem]]:
    line = line_of(node)
    if not isinstance(node, MappingNode):
        return None, [Problem(file, line, "each entry must be a mapping")]
    fields, problems = mapping_items(node, file)
    problems += field_problems(fields, file, line, REQUIRED, OPTIONAL)
    entry_id = ident(fields.get("id"), file, "id", problems)
    category = scalar_str(fields["category"]) if "category" in fields else None
    if "category" in fields and not (category or "").strip():
        problems.append(Problem(file, line_of(fields["category"]), "category must be text"))
    escalate = scalar_bool(fields["escalate"]) if "escalate" in fields else None
    if "escalate" in fields and escalate is None:
        problems.append(
            Problem(file, line_of(fields["escalate"]), "escalate must be true or false")
        )
    key_lines = {str(k.value): line_of(k) for k, _ in node.value}
    questions = lang_map(
        fields.get("questions"), file, "questions", _phrasings, problems, key_lines.get("questions")
    )
    answer = lang_map(
        fields.get("answer"), file, "answer", _text, problems, key_lines.get("answer")
    )
    related = _related(fields.get("related"), file, problems)
    if problems or entry_id is None or category is None or escalate is None:
        return None, problems
    entry = FaqEntry(
        id=entry_id,
        category=category.strip(),
        escalate=escalate,
        questions=questions,
        answer=answer,
        related=related,
        source=file,
        line=line,
    )
    return entry, problems


def _text(node: Node, file: str, what: str, problems: list[Problem]) -> str | None:
    value = scalar_str(node)
    if value is None or not value.strip():
        problems.append(Problem(file, line_of(node), f"'{what}' must be non-empty text"))
        return None
    return value.strip()


def _phrasings(node: Node, file: str, what: str, problems: list[Problem]) -> tuple[str, ...] | None:
    if not isinstance(node, SequenceNode) or not node.value:
        problems.append(Problem(file, line_of(node), f"'{what}' must be a non-empty list"))
        return None
    out = [_text(item, file, what, problems) for item in node.value]
    return tuple(p for p in out if p is not None)


def _related(node: Node | None, file: str, problems: list[Problem]) -> tuple[str, ...]:
    if node is None:
        return ()
    if not isinstance(node, SequenceNode):
        problems.append(Problem(file, line_of(node), "'related' must be a list of ids"))
        return ()
    ids = [scalar_str(item) for item in node.value]
    if any(i is None for i in ids):
        problems.append(Problem(file, line_of(node), "'related' must be a list of ids"))
    return tuple(i for i in ids if i is not None)


def _cross_checks(entries: list[FaqEntry]) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, FaqEntry] = {}
    for entry in entries:
        if entry.id in first:
            seen = first[entry.id]
            problems.append(
                Problem(
                    entry.source,
                    entry.line,
                    f"duplicate id '{entry.id}' (first at {seen.source}:{seen.line})",
                )
            )
        else:
            first[entry.id] = entry
    for entry in entries:
        for rel in entry.related:
            if rel not in first:
                problems.append(
                    Problem(entry.source, entry.line, f"'{entry.id}' relates to unknown id '{rel}'")
                )
            elif rel == entry.id:
                problems.append(
                    Problem(entry.source, entry.line, f"'{entry.id}' relates to itself")
                )
    return problems
