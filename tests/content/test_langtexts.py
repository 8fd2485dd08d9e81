"""One text per language ({en, zh, ko}), each problem at its line."""

from __future__ import annotations

from pathlib import Path

from bot.content.langtexts import lang_texts
from bot.content.problems import Problem
from bot.content.yamlnodes import MappingNode, compose_file, mapping_items


def texts(
    tmp_path: Path, yaml: str, max_len: int | None = None
) -> tuple[dict[str, str], list[str]]:
    path = tmp_path / "a.yaml"
    path.write_text(yaml, encoding="utf-8")
    root, _ = compose_file(path)
    assert isinstance(root, MappingNode)
    items, _ = mapping_items(root, "a.yaml")
    problems: list[Problem] = []
    found = lang_texts(items.get("title"), "a.yaml", "title", problems, max_len=max_len)
    return dict(found), [str(p) for p in problems]


def test_every_language_is_stripped_and_kept(tmp_path: Path) -> None:
    found, problems = texts(tmp_path, "title: {en: ' Hi ', zh: 你好, ko: 안녕}\n")
    assert found == {"en": "Hi", "zh": "你好", "ko": "안녕"} and problems == []


def test_each_problem_is_reported_at_its_line(tmp_path: Path) -> None:
    yaml = "title:\n  en: ''\n  zh: 你好你好\n  fr: Salut\n"
    found, problems = texts(tmp_path, yaml, max_len=3)
    assert found == {}
    assert problems == [
        "a.yaml:2: 'title.en' must be non-empty text",
        "a.yaml:3: 'title.zh' is longer than 3 characters",
        "a.yaml:4: unknown language 'fr' in 'title'",
        "a.yaml:2: 'title' has no 'ko'",
    ]
    assert texts(tmp_path, "title: just text\n")[1] == ["a.yaml:1: 'title' must map en, zh and ko"]
    assert texts(tmp_path, "other: 1\n") == ({}, [])  # absent: the caller says it is missing
