"""Files: the ``files`` table (``SqlFileRepository``) and the bytes in a local folder
(``LocalFileStore``, FILES_DIR) or, for several replicas, an S3-compatible bucket
(``bot.storage.s3files.S3FileStore``, FILES_S3_BUCKET): ``file_store_from`` picks one.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock, system_clock
from bot.core.files import EXTENSIONS, FILE_ID_RE, FileStore, StoredFile
from bot.storage.models import FileRow

if TYPE_CHECKING:
    from bot.settings import Settings

KIND_OF = {ext: kind for kind, ext in EXTENSIONS.items()}


def _record(row: FileRow) -> StoredFile:
    return StoredFile(
        id=row.id,
        merchant_id=row.merchant_id,
        message_id=row.message_id,
        kind=row.kind,
        size=row.size,
        name=row.name,
        ticket_id=row.ticket_id,
        created_at=row.created_at,
    )


class SqlFileRepository:
    """File metadata; flushes, never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: StoredFile) -> None:
        """Store a file's metadata."""
        self.session.add(
            FileRow(
                id=record.id,
                merchant_id=record.merchant_id,
                ticket_id=record.ticket_id,
                message_id=record.message_id,
                kind=record.kind,
                size=record.size,
                name=record.name,
                created_at=record.created_at,
            )
        )
        await self.session.flush()

    async def get(self, file_id: str) -> StoredFile | None:
        """One file's metadata (None for an id that is not one of ours)."""
        if not FILE_ID_RE.fullmatch(file_id):
            return None
        row = await self.session.get(FileRow, file_id)
        return _record(row) if row is not None else None

    async def for_messages(self, message_ids: Sequence[int]) -> dict[int, StoredFile]:
        """The file of each message that has one, by message id."""
        if not message_ids:
            return {}
        rows = await self.session.scalars(
            select(FileRow).where(FileRow.message_id.in_(list(message_ids)))
        )
        return {row.message_id: _record(row) for row in rows}

    async def older_than(self, cutoff: datetime, limit: int = 500) -> list[StoredFile]:
        """Files stored before ``cutoff``, oldest first."""
        rows = await self.session.scalars(
            select(FileRow)
            .where(FileRow.created_at < cutoff)
            .order_by(FileRow.created_at)
            .limit(limit)
        )
        return [_record(row) for row in rows]

    async def delete(self, file_ids: Sequence[str]) -> None:
        """Forget the rows."""
        if file_ids:
            await self.session.execute(delete(FileRow).where(FileRow.id.in_(list(file_ids))))


class LocalFileStore:
    """Files in a folder: ``<root>/<first two characters of the id>/<id>.<extension>``.

    A file's modification time is set from ``clock`` (the service's one clock) as it is
    written, so that the retention sweep compares times read from one clock.
    """

    def __init__(self, root: Path, clock: Clock = system_clock) -> None:
        self.root = root
        self._clock = clock

    def _path(self, file_id: str, kind: str) -> Path:
        return self.root / file_id[:2] / f"{file_id}.{EXTENSIONS[kind]}"

    async def put(self, data: bytes, kind: str) -> str:
        """Write the bytes under a new random id (256 bits)."""
        if kind not in EXTENSIONS:
            raise ValueError(f"not a file kind: {kind}")
        file_id = secrets.token_urlsafe(32)
        path = self._path(file_id, kind)
        written = self._clock().timestamp()

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            # stamped before it gets its name: the sweep never sees it with the disk's time
            os.utime(partial, (written, written))
            os.replace(partial, path)

        await asyncio.to_thread(write)
        return file_id

    async def get(self, file_id: str) -> tuple[bytes, str] | None:
        """The bytes and kind, None for an unknown (or malformed) id."""
        if not FILE_ID_RE.fullmatch(file_id):
            return None

        def read() -> tuple[bytes, str] | None:
            for kind in EXTENSIONS:
                path = self._path(file_id, kind)
                if path.is_file():
                    return path.read_bytes(), kind
            return None

        return await asyncio.to_thread(read)

    async def delete(self, file_id: str) -> None:
        """Remove a file, if it is there."""
        if not FILE_ID_RE.fullmatch(file_id):
            return

        def remove() -> None:
            for kind in EXTENSIONS:
                self._path(file_id, kind).unlink(missing_ok=True)

        await asyncio.to_thread(remove)

    async def delete_older_than(self, cutoff: datetime) -> int:
        """Remove files last written before ``cutoff`` (by the store's clock); how many."""
        limit = cutoff.timestamp()

        def sweep() -> int:
            removed = 0
            if not self.root.is_dir():
                return 0
            for path in self.root.glob("*/*"):
                if path.suffix.lstrip(".") in KIND_OF or path.suffix == ".part":
                    try:
                        if path.stat().st_mtime < limit:
                            path.unlink()
                            removed += 1
                    except FileNotFoundError:
                        continue
            return removed

        return await asyncio.to_thread(sweep)

    async def health(self) -> dict[str, object]:
        """``{"ok": True}`` while files can be written: the folder, or the nearest existing
        folder above it (the first file makes it), is a folder this process may write in."""

        def problem() -> str | None:
            folder = self.root
            while not folder.exists() and folder.parent != folder:
                folder = folder.parent
            if not folder.is_dir():
                return f"FILES_DIR: {folder} is not a folder"
            if not os.access(folder, os.W_OK | os.X_OK):
                return f"FILES_DIR: {folder} is not writable"
            return None

        try:
            found = await asyncio.to_thread(problem)
        except OSError as exc:  # a broken mount: reported, never raised into /healthz
            found = f"FILES_DIR: {type(exc).__name__}"
        return {"ok": True} if found is None else {"ok": False, "problem": found}


def file_store_from(settings: Settings, clock: Clock = system_clock) -> FileStore:
    """The bucket of FILES_S3_BUCKET when set (boto3 is imported only then), else FILES_DIR."""
    if not settings.files_s3_bucket:
        return LocalFileStore(settings.files_dir, clock)
    from bot.storage.s3files import S3FileStore

    return S3FileStore(
        settings.files_s3_bucket,
        prefix=settings.files_s3_prefix,
        endpoint_url=settings.files_s3_url,
        region=settings.files_s3_region,
        clock=clock,
    )
