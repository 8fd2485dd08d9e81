"""YAML with line numbers: syntax, encoding and size problems, and duplicate keys, by file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import yamlnodes
from bot.content.yamlnodes import (
    MappingNode,
    compose_file,
    line_of,
    mapping_items,
    scalar_bool,
    scalar_str,
)


def compose(tmp_path: Path, data: str | bytes) -> tuple[object, list[str]]:
    path = tmp_path / "a.yaml"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    node, problems = compose_file(path)
    return node, [str(p).removeprefix(f"{path}:") for p in problems]


def test_a_mapping_keeps_the_line_of_each_value(tmp_path: Path) -> None:
    node, problems = compose(tmp_path, "id: a\nok: true\nn: 3\n")
    assert problems == [] and isinstance(node, MappingNode)
    items, found = mapping_items(node, "a.yaml")
    assert found == []
    assert [(k, line_of(v)) for k, v in items.items()] == [("id", 1), ("ok", 2), ("n", 3)]
    assert scalar_str(items["id"]) == "a" and scalar_str(items["n"]) is None
    assert scalar_bool(items["ok"]) is True and scalar_bool(items["id"]) is None


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    node, problems = compose(tmp_path, "entries:\n  - id: x\n    questions: [unclosed\n")
    assert node is None
    (problem,) = problems
    assert problem.split(":")[0] in ("3", "4") and "YAML syntax error" in problem


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    _, problems = compose(tmp_path, b"entries:\n  - id: \xff\xfe\n")
    assert problems == ["2: file is not valid UTF-8"]


def test_an_oversized_or_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlnodes, "MAX_FILE_BYTES", 10)
    assert compose(tmp_path, "id: a-long-enough-value\n")[1] == [
        "0: file is larger than 10 bytes"
    ]
    node, problems = compose_file(tmp_path / "missing.yaml")
    assert node is None and "0: cannot read file" in str(problems[0])


def test_duplicate_and_non_name_keys_are_reported(tmp_path: Path) -> None:
    node, _ = compose(tmp_path, "id: a\ncategory: general\ncategory: x\n[1]: y\n")
    assert isinstance(node, MappingNode)
    items, problems = mapping_items(node, "a.yaml")
    assert [str(p) for p in problems] == [
        "a.yaml:3: duplicate key 'category'",
        "a.yaml:4: keys must be plain names",
    ]
    assert scalar_str(items["category"]) == "x"
