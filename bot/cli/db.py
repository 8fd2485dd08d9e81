"""``merchant-bot db upgrade``: migrate the database to the newest schema."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``db`` command and its actions."""
    db = sub.add_parser("db", help="manage the database")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="apply every pending migration")
    upgrade.add_argument(
        "--database-url",
        default=None,
        help="database URL (default: $DATABASE_URL, else an SQLite file under ./data/)",
    )
    upgrade.set_defaults(run=run_upgrade)


def database_url(given: str | None) -> str:
    """The URL from the option, else ``DATABASE_URL``, else the default SQLite file."""
    from bot.storage.database import DEFAULT_DATABASE_URL

    return given or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def run_upgrade(args: argparse.Namespace) -> int:
    """Upgrade the database and say what was done; exit 1 when it cannot be reached."""
    from bot.storage.database import StorageError
    from bot.storage.migrate import upgrade

    try:
        result = asyncio.run(upgrade(database_url(args.database_url)))
    except StorageError as exc:
        print(f"merchant-bot db upgrade: {exc}", file=sys.stderr)
        return 1
    before = ", ".join(result.before) or "an empty database"
    after = ", ".join(result.after)
    if result.changed:
        print(f"{result.url}: upgraded from {before} to {after}")
    else:
        print(f"{result.url}: already at {after}, nothing to do")
    return 0
