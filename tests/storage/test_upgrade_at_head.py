"""A database at the newest revision is checked without Alembic; pending migrations can run in
a child process, so that the server never imports Alembic (issue 15: `serve`'s memory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.database import StorageError, create_engine
from bot.storage.migrate import (
    at_head,
    current_revisions,
    head_revisions,
    script_heads,
    upgrade,
    upgrade_apart,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_heads_read_from_the_files_are_alembics() -> None:
    assert script_heads() == head_revisions()


def test_a_merge_revision_has_one_head_and_a_branch_two(tmp_path: Path) -> None:
    revisions = {"a": None, "b": "'a'", "c": "'a'"}
    for name, down in revisions.items():
        body = f"revision: str = {name!r}\ndown_revision: str | None = {down}\n"
        (tmp_path / f"{name}.py").write_text(body, "utf-8")
    assert script_heads(tmp_path) == ("b", "c")
    (tmp_path / "d.py").write_text('revision = "d"\ndown_revision = ("b", "c")\n', "utf-8")
    assert script_heads(tmp_path) == ("d",)


async def test_upgrade_apart_migrates_a_new_database_then_has_nothing_to_do(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    assert not await at_head(url)
    assert await upgrade_apart(url) is True
    assert await at_head(url)
    assert await current_revisions(url) == head_revisions()
    assert await upgrade_apart(url) is False
    again = await upgrade(url)
    assert not again.changed and again.after == head_revisions()


async def test_a_failed_migration_in_the_child_is_one_storage_error(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade(url)
    engine = create_engine(url)
    async with engine.begin() as connection:  # a revision this code does not know
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    await engine.dispose()
    assert not await at_head(url)
    with pytest.raises(StorageError, match="9999"):
        await upgrade_apart(url)


def test_upgrade_at_head_does_not_import_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    code = (
        "import asyncio, sys\n"
        "from bot.storage.migrate import upgrade\n"
        f"result = asyncio.run(upgrade({url!r}))\n"
        "print(result.changed, any(m.startswith('alembic') for m in sys.modules))\n"
    )
    run = [sys.executable, "-c", code]
    first = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["True", "True"]  # a new database: Alembic migrates it
    second = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, check=True)
    assert second.stdout.split() == ["False", "False"]
