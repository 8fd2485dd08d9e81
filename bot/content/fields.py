"""The checks every content entry (an FAQ entry, a centre, a macro) makes of its fields."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.content.problems import Problem
from bot.content.yamlnodes import Node, line_of, scalar_str

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # an entry's id: "kr-seoul", "refund-time"


def field_problems(
    fields: Mapping[str, Node],
    file: str,
    line: int,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> list[Problem]:
    """An entry's unknown fields (each at its own line) and its missing required ones (at the
    entry's ``line``)."""
    found = [
        Problem(file, line_of(fields[key]), f"unknown field '{key}'")
        for key in sorted(fields.keys() - set(required) - set(optional))
    ]
    found += [
        Problem(file, line, f"missing field '{key}'") for key in required if key not in fields
    ]
    return found


def ident(node: Node | None, file: str, what: str, problems: list[Problem]) -> str | None:
    """The identifier at ``node`` (``ID_RE``); None when there is no node, or when it is not one
    (a problem naming ``what``)."""
    if node is None:
        return None
    value = scalar_str(node)
    if value is None or not ID_RE.match(value):
        problems.append(
            Problem(file, line_of(node), f"{what} must be lowercase letters, digits and '-'")
        )
        return None
    return value
