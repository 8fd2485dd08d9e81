"""``merchant-bot merchant export|erase REF``: one merchant's data out, or gone (PIPL, GDPR)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.core.files import FileStore


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``merchant`` command."""
    merchant = sub.add_parser("merchant", help="one merchant's data: export or erase")
    actions = merchant.add_subparsers(dest="merchant", required=True, metavar="ACTION")
    for name, help_text in (
        ("export", "print everything stored about one merchant as JSON"),
        ("erase", "delete one merchant: messages, tickets, feedback and files"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("ref", help="the merchant's id, or CHANNEL:USER_ID (web:abc123)")
        action.add_argument("--database-url", default=None, help="default: $DATABASE_URL")
        action.add_argument(
            "--files-dir", type=Path, default=None,
            help="where file bytes are kept (default: the bucket of $FILES_S3_BUCKET, "
            "else $FILES_DIR, else data/files)",
        )  # fmt: skip
    actions.choices["export"].add_argument(
        "--with-files", type=Path, default=None, metavar="DIR",
        help="also copy the merchant's files into DIR",
    )  # fmt: skip
    actions.choices["erase"].add_argument(
        "--yes", action="store_true", help="do it (without it, only say what would go)"
    )
    merchant.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Export or erase; exit 1 when no such merchant."""
    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        files = _file_store(args)
    except SettingsError as exc:
        print(f"merchant-bot merchant: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_run(args, url, files))


def _file_store(args: argparse.Namespace) -> FileStore:
    """Where the bot keeps the bytes: --files-dir, else its bucket (FILES_S3_BUCKET and the
    other FILES_S3_* settings), else FILES_DIR, else data/files."""
    from bot.storage.files import LocalFileStore, file_store_from

    if args.files_dir is None and os.environ.get("FILES_S3_BUCKET"):
        return file_store_from(load_settings())
    return LocalFileStore(args.files_dir or Path(os.environ.get("FILES_DIR") or "data/files"))


async def _run(args: argparse.Namespace, url: str, files: FileStore) -> int:
    from bot.storage.privacy import erase_merchant, export_merchant, find_merchant
    from bot.storage.uow import SqlStore

    store = SqlStore(url)
    try:
        merchant_id = await find_merchant(store.sessions, args.ref)
        if merchant_id is None:
            print(f"merchant-bot merchant: no merchant {args.ref!r}", file=sys.stderr)
            return 1
        data = await export_merchant(store.sessions, merchant_id)
        if args.merchant == "export":
            if args.with_files is not None:
                await _copy_files(files, data["files"], args.with_files)
            print(json.dumps(data, ensure_ascii=False, indent=2))
            return 0
        summary = (
            f"merchant {merchant_id} ({data['merchant']['channel']}): "
            f"{len(data['messages'])} messages, {len(data['tickets'])} tickets, "
            f"{len(data['files'])} files"
        )
        if not args.yes:
            print(f"would erase {summary}; run again with --yes to erase")
            return 0
        erased = await erase_merchant(store.sessions, merchant_id)
        for file_id in erased.files:  # after the commit: a failed erase keeps the bytes
            await files.delete(file_id)
        print(f"erased {summary}")
        return 0
    finally:
        await store.close()


async def _copy_files(files: Any, records: list[dict[str, Any]], folder: Path) -> None:
    """Write each file's bytes as ``<id>-<name>`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        found = await files.get(record["id"])
        if found is not None:
            data, _kind = found
            name = Path(record["name"] or "file").name
            (folder / f"{record['id']}-{name}").write_bytes(data)
