"""Parse YAML into nodes that keep line numbers, with safe loading only."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.content.problems import Problem

MAX_FILE_BYTES = 2_000_000

MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode
ScalarNode = yaml.ScalarNode
Node = yaml.Node


def line_of(node: Node) -> int:
    """1-based line where a node starts."""
    return int(node.start_mark.line) + 1


def compose_file(path: Path) -> tuple[Node | None, list[Problem]]:
    """Compose one YAML file; syntax errors become problems with their line."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, 0, f"cannot read file: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(name, 0, f"file is larger than {MAX_FILE_BYTES} bytes")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, "file is not valid UTF-8")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = int(mark.line) + 1 if mark is not None else 0
        what = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(name, line, f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:
        return None, [Problem(name, 0, f"YAML error: {exc}")]
    return node, []


def mapping_items(node: MappingNode, file: str) -> tuple[dict[str, Node], list[Problem]]:
    """A mapping's items by string key; duplicate or non-string keys are problems."""
    items: dict[str, Node] = {}
    problems: list[Problem] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            problems.append(Problem(file, line_of(key_node), "keys must be plain names"))
            continue
        key = str(key_node.value)
        if key in items:
            problems.append(Problem(file, line_of(key_node), f"duplicate key '{key}'"))
        items[key] = value_node
    return items, problems


def scalar_str(node: Node) -> str | None:
    """The text of a string scalar, or None when the node is not one."""
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        return str(node.value)
    return None


def scalar_bool(node: Node) -> bool | None:
    """The value of a YAML boolean scalar, or None when the node is not one."""
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return bool(yaml.SafeLoader.construct_yaml_bool(yaml.SafeLoader(""), node))
    return None
