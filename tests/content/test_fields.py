"""The field checks every content entry makes (``bot.content.fields``), on composed YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.fields import field_problems, ident
from bot.content.problems import Problem
from bot.content.yamlnodes import MappingNode, mapping_items
from tests.content.test_yamlnodes import compose


def test_unknown_and_missing_fields_at_their_lines(tmp_path: Path) -> None:
    node, _ = compose(tmp_path, "zeta: 1\nid: a\nalpha: 2\nrelated: []\n")
    assert isinstance(node, MappingNode)
    fields, _ = mapping_items(node, "a.yaml")
    got = field_problems(fields, "a.yaml", 1, ("id", "answer", "category"), ("related",))
    assert [str(p) for p in got] == [
        "a.yaml:3: unknown field 'alpha'",  # sorted by name, each at its own line
        "a.yaml:1: unknown field 'zeta'",
        "a.yaml:1: missing field 'answer'",  # at the entry's line, in the order required
        "a.yaml:1: missing field 'category'",
    ]
    assert field_problems(fields, "a.yaml", 1, ("id", "zeta", "alpha", "related")) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("kr-seoul", "kr-seoul"),
        ("a1", "a1"),
        ("Kr", None),
        ("a--b", None),
        ("-a", None),
        ("5", None),
        ("'5'", "5"),
        ("[a]", None),
    ],
)
def test_an_ident_is_lowercase_words_joined_by_hyphens(
    tmp_path: Path, value: str, expected: str | None
) -> None:
    node, _ = compose(tmp_path, f"x: 0\nteam: {value}\n")
    assert isinstance(node, MappingNode)
    fields, _ = mapping_items(node, "a.yaml")
    problems: list[Problem] = []
    assert ident(fields["team"], "a.yaml", "team", problems) == expected
    wanted = [] if expected else ["a.yaml:2: team must be lowercase letters, digits and '-'"]
    assert [str(p) for p in problems] == wanted
    assert ident(None, "a.yaml", "team", problems) is None and len(problems) == len(wanted)
