"""bot.staff is application level: it may use the core, the FAQ helpers and argon2, never a web
or database library (the web console and the CLI are built on it, not the other way round)."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.staff

FORBIDDEN = ("starlette", "uvicorn", "jinja2", "sqlalchemy", "alembic", "aiosqlite", "asyncpg",
             "httpx", "bot.web", "bot.storage", "bot.cli", "bot.bootstrap")  # fmt: skip


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_bot_staff_imports_no_web_or_database_library() -> None:
    files = sorted(Path(bot.staff.__file__).parent.glob("*.py"))
    assert len(files) >= 4
    bad = {
        f"{path.name}: {name}"
        for path in files
        for name in imported(path)
        if any(name == f or name.startswith(f"{f}.") for f in FORBIDDEN)
    }
    assert bad == set()
