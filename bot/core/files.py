"""Files both ways (issue 17): what a file may be, where its bytes live, who may read it.

A channel hands in what a person sent (``Upload``); ``Files.check`` sniffs the type from the
content (never the name or a header), enforces the size limit and strips image metadata
(``bot.core.images``), giving an ``Attachment`` the conversation (or the desk) stores before it
acknowledges anything: the bytes behind the ``FileStore`` port (a local folder by default:
``bot/storage/files.py``; an S3-compatible bucket for replicas: ``bot/storage/s3files.py``), the
metadata as a ``StoredFile`` row next to the message. File ids are random tokens; every read
goes through an access check (the merchant's own chat, staff who may see the ticket).
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from bot.core.tickets import utcnow
from bot.core.types import Attachment
from bot.i18n import LocalizedError, _

if TYPE_CHECKING:
    from bot.core.ports import StoredMessage, UnitOfWork

log = logging.getLogger(__name__)

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
KINDS: tuple[str, ...] = (JPEG, PNG, WEBP, PDF)
IMAGE_KINDS = frozenset({JPEG, PNG, WEBP})
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}
KIND_NAMES = {JPEG: "JPEG", PNG: "PNG", WEBP: "WebP", PDF: "PDF"}  # for people, any language
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_RETENTION_DAYS = 90
PURGE_EVERY_SECONDS = 6 * 3600
MAX_NAME = 120
FILE_ID_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")

NOT_ACCEPTED = _(
    "This kind of file cannot be sent here. Please send a JPEG, PNG or WebP image or a PDF."
)
TOO_LARGE = _("This file is too large. Files can be at most {limit} MB.")
EMPTY = _("This file is empty.")
UNREADABLE = _("This image cannot be read. Please send it again, or as a JPEG or PNG.")


class FileRefused(LocalizedError):
    """A file that is not taken: ``status`` (413 too large, 415 not an accepted kind, 400 empty
    or unreadable) and ``code`` for an API; ``text(locale)`` says why in the person's language."""

    def __init__(self, status: int, code: str, message: str, **values: object) -> None:
        super().__init__(message, **values)
        self.status, self.code = status, code


class ImageError(Exception):
    """An image that cannot be decoded (raised by the metadata cleaner)."""


@dataclass(frozen=True)
class Upload:
    """What a person sent, as the channel received it: bytes and the name they gave it."""

    data: bytes
    name: str = ""


@dataclass(frozen=True)
class StoredFile:
    """A stored file's metadata (the ``files`` table); the bytes are in the ``FileStore``."""

    id: str
    merchant_id: int
    message_id: int
    kind: str
    size: int
    name: str
    ticket_id: int | None = None
    created_at: datetime = field(default_factory=utcnow)

    @property
    def image(self) -> bool:
        """Shown inline (a thumbnail) rather than as a link."""
        return self.kind in IMAGE_KINDS


class FileStore(Protocol):
    """Where the bytes of files live (``bot.storage.files.LocalFileStore``: a folder;
    ``bot.storage.s3files.S3FileStore``: a bucket)."""

    async def put(self, data: bytes, kind: str) -> str:
        """Keep the bytes; returns a new random, unguessable file id."""
        ...

    async def get(self, file_id: str) -> tuple[bytes, str] | None:
        """The bytes and kind of a file, None when there is no such file (or it expired)."""
        ...

    async def delete(self, file_id: str) -> None:
        """Forget a file (nothing happens for an unknown one)."""
        ...

    async def delete_older_than(self, cutoff: datetime) -> int:
        """Delete every file kept before ``cutoff`` (also one no row points to); how many."""
        ...

    async def health(self) -> Mapping[str, object]:
        """For /healthz, cheap and never raising: ``{"ok": True}``, or ``{"ok": False,
        "problem": why}`` when files cannot be kept or read (the bot still answers)."""
        ...


class FileRepository(Protocol):
    """The ``files`` table."""

    async def add(self, record: StoredFile) -> None:
        """Store a file's metadata."""
        ...

    async def get(self, file_id: str) -> StoredFile | None:
        """One file's metadata."""
        ...

    async def for_messages(self, message_ids: Sequence[int]) -> dict[int, StoredFile]:
        """The file of each message that has one, by message id."""
        ...

    async def older_than(self, cutoff: datetime, limit: int = 500) -> list[StoredFile]:
        """Files stored before ``cutoff``, oldest first."""
        ...

    async def delete(self, file_ids: Sequence[str]) -> None:
        """Forget the rows (the messages stay, without their file)."""
        ...


def sniff(data: bytes) -> str | None:
    """The kind of a file from its first bytes (magic numbers), None for any other."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def safe_name(name: str, kind: str) -> str:
    """A name to show: no folders or control characters, at most ``MAX_NAME`` characters, and
    the extension of the sniffed kind (so "invoice.exe" that is a PDF shows as a PDF)."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    ext = EXTENSIONS.get(kind, "bin")
    stem = stem[: MAX_NAME - len(ext) - 1].strip() or "file"
    return f"{stem}.{ext}"


def kind_names(kinds: frozenset[str]) -> str:
    """The kinds as people name them ("JPEG, PNG"), in a fixed order."""
    return ", ".join(KIND_NAMES[k] for k in KINDS if k in kinds)


def megabytes(limit: int) -> str:
    """A byte limit as people read it ("10", "2.5")."""
    return f"{limit / (1024 * 1024):.1f}".removesuffix(".0")


def check(
    upload: Upload, max_bytes: int, clean: Callable[[bytes, str], bytes] | None = None
) -> Attachment:
    """The upload as an ``Attachment``, or ``FileRefused`` saying why not."""
    data = upload.data
    if len(data) > max_bytes:
        raise FileRefused(413, "too_large", TOO_LARGE, limit=megabytes(max_bytes))
    if not data:
        raise FileRefused(400, "empty", EMPTY)
    kind = sniff(data)
    if kind is None:
        raise FileRefused(415, "unsupported_file", NOT_ACCEPTED)
    if kind in IMAGE_KINDS and clean is not None:
        try:
            data = clean(data, kind)
        except ImageError:
            raise FileRefused(400, "unreadable", UNREADABLE) from None
    return Attachment(kind, data, safe_name(upload.name, kind))


class Files:
    """The files service the conversation and the desk share."""

    def __init__(
        self,
        store: FileStore,
        uow: Callable[[], UnitOfWork],
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        clean: Callable[[bytes, str], bytes] | None = None,
        clock: Callable[[], datetime] = utcnow,
        channels: frozenset[str] = frozenset({"web"}),
        per_channel: Mapping[str, int] | None = None,
    ) -> None:
        self.store = store
        self.per_channel = dict(per_channel or {})  # FILE_MAX_BYTES_BY_CHANNEL: lower limits
        self._uow = uow
        self.max_bytes = max_bytes
        self.retention_days = retention_days
        self._clean = clean
        self._clock = clock
        # the kinds of file each channel can show when staff send one: web's, and those of the
        # channels whose ``Rendering`` says so (added by the composition root as it starts them)
        self.kinds: dict[str, frozenset[str]] = dict.fromkeys(channels, frozenset(KINDS))
        self.caps: dict[str, int] = {}  # a channel's own, lower limit for the files staff send

    @property
    def channels(self) -> frozenset[str]:
        """The channels that can show at least some file staff send."""
        return frozenset(c for c, kinds in self.kinds.items() if kinds)

    @channels.setter
    def channels(self, names: frozenset[str]) -> None:
        for name in names - self.kinds.keys():
            self.kinds[name] = frozenset(KINDS)
        for name in self.kinds.keys() - names:
            del self.kinds[name]

    def allow(self, channel: str, kinds: frozenset[str], max_bytes: int | None = None) -> None:
        """Let staff send files of ``kinds`` on ``channel``'s tickets (none: no files), each at
        most ``max_bytes`` (None: FILE_MAX_BYTES)."""
        self.kinds[channel] = frozenset(kinds) & frozenset(KINDS)
        if max_bytes is None:
            self.caps.pop(channel, None)
        else:
            self.caps[channel] = max_bytes

    def sendable(self, channel: str) -> int:
        """The largest file staff may send on the channel's tickets."""
        return self.limit_for(channel, self.caps.get(channel))

    def shown(self, channel: str) -> frozenset[str]:
        """The kinds of file staff may send on the channel's tickets (empty: none)."""
        return self.kinds.get(channel, frozenset())

    def check(self, upload: Upload, max_bytes: int | None = None) -> Attachment:
        """Check an upload (type, size, image metadata); ``FileRefused`` when not taken.
        ``max_bytes``: a channel's own, lower limit (Telegram's bots download up to 20 MB)."""
        return check(upload, self.limit(max_bytes), self._clean)

    def limit(self, channel_max: int | None = None) -> int:
        """The size limit of a channel whose own limit is ``channel_max`` (None: none)."""
        return self.max_bytes if channel_max is None else min(channel_max, self.max_bytes)

    def limit_for(self, channel: str, platform_max: int | None = None) -> int:
        """The size limit on ``channel``: FILE_MAX_BYTES, the channel's own setting and what
        its platform carries (``platform_max``), whichever is lowest."""
        limits = [self.max_bytes, self.per_channel.get(channel), platform_max]
        return min(x for x in limits if x is not None)

    async def keep(
        self,
        uow: UnitOfWork,
        attachment: Attachment,
        merchant_id: int,
        message_id: int,
        ticket_id: int | None,
    ) -> StoredFile:
        """Store the bytes and the row (in ``uow``: committed with the message)."""
        file_id = await self.store.put(attachment.data, attachment.kind)
        record = StoredFile(
            id=file_id,
            merchant_id=merchant_id,
            message_id=message_id,
            kind=attachment.kind,
            size=len(attachment.data),
            name=attachment.name,
            ticket_id=ticket_id,
            created_at=self._clock(),
        )
        await uow.files.add(record)
        return record

    async def attach(self, uow: UnitOfWork, messages: list[StoredMessage]) -> list[StoredMessage]:
        """The messages with their files (``StoredMessage.file``) filled in."""
        found = await uow.files.for_messages([m.id for m in messages]) if messages else {}
        return [replace(m, file=found[m.id]) if m.id in found else m for m in messages]

    async def read(self, record: StoredFile) -> bytes | None:
        """A file's bytes (None when they are gone)."""
        got = await self.store.get(record.id)
        return got[0] if got is not None else None

    async def purge(self) -> int:
        """Delete files older than the retention period (rows and bytes); how many rows."""
        if self.retention_days <= 0:
            return 0
        cutoff = self._clock() - timedelta(days=self.retention_days)
        removed = 0
        while True:
            async with self._uow() as uow:
                old = await uow.files.older_than(cutoff)
                if not old:
                    break
                await uow.files.delete([f.id for f in old])
                await uow.commit()
            for f in old:
                await self.store.delete(f.id)
            removed += len(old)
        await self.store.delete_older_than(cutoff)  # bytes no row points to (a failed commit)
        if removed:
            log.info("old files deleted", extra={"files": removed, "days": self.retention_days})
        return removed

    async def run(self, every: float = PURGE_EVERY_SECONDS) -> None:
        """Purge now and then, until cancelled (started by ``bot.bootstrap.running``)."""
        while True:
            try:
                await self.purge()
            except Exception:
                log.exception("deleting old files failed; trying again later")
            await asyncio.sleep(every)
