"""Files both ways on Telegram (issue 17), on both frameworks against the fake Bot API.

Merchants' photos and documents are downloaded (getFile and the file URL), checked by the
core and stored (SQLite and a temporary FILES_DIR), then shown in the ticket's topic; staff
attachments (the console's, or a photo posted in the topic) reach the merchant as sendPhoto or
sendDocument through the outbox, retried without being sent twice.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PIL import Image

from bot.channels.telegram.downloads import NOT_RECEIVED
from bot.channels.telegram.mapping import merchant_key
from bot.channels.telegram.staff_input import NO_LOGIN
from bot.channels.telegram.topics import SYSTEM
from bot.core.accounts import StaffAccount
from bot.core.files import NOT_ACCEPTED, TOO_LARGE, Files, StoredFile, Upload
from bot.core.images import strip_metadata
from bot.i18n import translate
from bot.storage.files import LocalFileStore
from bot.storage.uow import SqlStore
from tests.telegram import builders as b
from tests.telegram.conftest import FAST_RETRY, STAFF_CHAT, Harness, Staffed
from tests.telegram.fake_api import Uploaded

pytestmark = pytest.mark.slow

T = TypeVar("T")
MERCHANT = 8101
STAFF = 7101
LIMIT = 64 * 1024  # FILE_MAX_BYTES in these tests
GPS_TAG = 0x8825
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
AGENT = StaffAccount("ana", "admin", NO_LOGIN)


def png_with_gps(colour: str = "teal") -> bytes:
    """A small PNG whose EXIF holds a GPS position."""
    exif = Image.Exif()
    exif.get_ifd(GPS_TAG)[1] = "N"
    out = io.BytesIO()
    Image.new("RGB", (32, 16), colour).save(out, format="PNG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
async def sql(sqlite_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore(sqlite_url)
    yield store
    await store.close()


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path / "files"


@pytest.fixture
async def staffed(harness: Harness, sql: SqlStore, files_dir: Path) -> AsyncIterator[Staffed]:
    """The channel with the staff chat and files on, as the bot wires them, on SQLite."""
    harness.files = Files(LocalFileStore(files_dir), sql.uow, max_bytes=LIMIT, clean=strip_metadata)
    harness.fake.members[STAFF] = "member"
    yield await harness.staffed(uow=sql.uow, first_wait=timedelta(milliseconds=50))
    await harness.close()  # before the store closes: the delivery loop uses it to the end


async def until(probe: Callable[[], Awaitable[T | None]], timeout: float = 30.0) -> T:
    """Poll an async probe until it gives something (the timeout only ends a broken test)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await probe()
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def stored_files(sql: SqlStore) -> list[StoredFile]:
    async with sql.uow() as uow:
        return await uow.files.older_than(datetime(2999, 1, 1, tzinfo=UTC))


async def escalate(h: Harness, sql: SqlStore, lang: str = "zh-hans") -> int:
    """The merchant asks for a person; the new ticket's topic, once its header is posted."""
    await h.fake.add_update(b.command(MERCHANT, "human", lang))

    async def topic() -> int | None:
        async with sql.uow() as uow:
            ref = await uow.ticket_refs.get(1, SYSTEM)
        return int(ref.rsplit(":", 1)[1]) if ref else None

    thread = await until(topic)
    await h.fake.wait_until(lambda: len(h.fake.in_topic(STAFF_CHAT, thread)) >= 1)
    return thread


def topic_uploads(h: Harness, thread: int) -> list[tuple[str, Uploaded]]:
    return [
        (kind, up)
        for kind, up in h.fake.uploaded(STAFF_CHAT)
        if any(
            c.params.get(kind) is up and int(c.params.get("message_thread_id") or 0) == thread
            for c in h.fake.delivered(STAFF_CHAT)
        )
    ]


async def test_merchant_photo_and_pdf_are_stored_clean_and_shown_to_staff(
    harness: Harness, staffed: Staffed, sql: SqlStore
) -> None:
    thread = await escalate(harness, sql)
    original = png_with_gps()
    harness.fake.add_file(original, "big-photo")
    harness.fake.add_file(PDF, "the-pdf")
    await harness.fake.add_update(b.photo(MERCHANT, "zh-hans", "店铺截图", file_id="big-photo"))
    await harness.fake.add_update(b.document(MERCHANT, "the-pdf", "notice.pdf", "zh-hans"))

    kept = await until(lambda: _at_least(stored_files(sql), 2))
    photo, pdf = sorted(kept, key=lambda f: f.message_id)
    assert (photo.kind, pdf.kind, pdf.name) == ("image/png", "application/pdf", "notice.pdf")
    assert photo.ticket_id == pdf.ticket_id == 1
    # the largest size was fetched, never the thumbnail
    assert harness.fake.downloads == ["documents/big-photo.bin", "documents/the-pdf.bin"]
    # staff read them through the desk (the console's file endpoint), without the GPS tag
    record, data = await staffed.desk.file(AGENT, photo.id)
    assert record.id == photo.id and GPS_TAG not in Image.open(io.BytesIO(data)).getexif()
    assert (await staffed.desk.file(AGENT, pdf.id))[1] == PDF
    async with sql.uow() as uow:
        message = await uow.messages.get(photo.message_id)
    assert message is not None and (message.kind, message.text) == ("file", "店铺截图")

    # the topic shows each file after a line saying who sent it: the stored, cleaned bytes
    await harness.fake.wait_until(lambda: len(topic_uploads(harness, thread)) == 2)
    (k1, up1), (k2, up2) = topic_uploads(harness, thread)
    assert (k1, up1.data) == ("photo", data)
    assert (k2, up2.data, up2.name) == ("document", PDF, "notice.pdf")
    texts = harness.fake.in_topic(STAFF_CHAT, thread)
    assert "S**: 📎 店铺截图" in texts and "S**: 📎 notice.pdf" in texts


async def _at_least(found: Awaitable[list[StoredFile]], n: int) -> list[StoredFile] | None:
    got = await found
    return got if len(got) >= n else None


@pytest.mark.parametrize(
    ("lang", "locale"), [("zh-hans", "zh_Hans"), ("ko", "ko"), ("zh-tw", "zh_Hant")]
)
async def test_too_large_and_wrong_type_files_are_refused_in_the_merchants_language(
    harness: Harness, staffed: Staffed, sql: SqlStore, files_dir: Path, lang: str, locale: Any
) -> None:
    too_large = translate(locale, TOO_LARGE, limit="0.1")
    harness.fake.add_file(b"\xff\xd8\xff" + b"\x00" * LIMIT, "declared-big")
    harness.fake.add_file(PDF + b"\x00" * LIMIT, "undeclared-big")
    harness.fake.add_file(EXE, "program")
    # Telegram says the size: refused before any download
    await harness.ask(b.document(MERCHANT, "declared-big", "scan.jpg", lang, size=LIMIT + 3))
    assert harness.fake.texts(MERCHANT)[-1] == too_large
    assert harness.fake.downloads == []
    # the update does not say: getFile does, still before the download
    await harness.ask(b.document(MERCHANT, "undeclared-big", "contract.pdf", lang))
    assert harness.fake.texts(MERCHANT)[-1] == too_large
    assert harness.fake.downloads == []
    # the type is sniffed from the bytes, whatever the name and the MIME type say
    await harness.ask(b.document(MERCHANT, "program", "invoice.pdf", lang))
    assert harness.fake.texts(MERCHANT)[-1] == translate(locale, NOT_ACCEPTED)
    # a file Telegram no longer has
    await harness.ask(b.document(MERCHANT, "gone", "lost.pdf", lang))
    assert harness.fake.texts(MERCHANT)[-1] == translate(locale, NOT_RECEIVED)
    assert await stored_files(sql) == []
    assert not files_dir.exists() or not any(p.is_file() for p in files_dir.rglob("*"))
    assert await staffed.conversation.history(merchant_key(MERCHANT)) == []  # nothing stored


@pytest.mark.parametrize(
    ("data", "name", "method"),
    [(PDF, "form.pdf", "document"), (png_with_gps("navy"), "label.png", "photo")],
)
async def test_a_staff_attachment_reaches_the_merchant_natively(
    harness: Harness, staffed: Staffed, sql: SqlStore, data: bytes, name: str, method: str
) -> None:
    thread = await escalate(harness, sql)
    reply = await staffed.desk.reply(AGENT, 1, "请填写此表格", upload=Upload(data, name))
    assert reply.file is not None
    await harness.fake.wait_until(lambda: len(harness.fake.uploaded(MERCHANT)) == 1)
    ((kind, upload),) = harness.fake.uploaded(MERCHANT)
    stored = (await staffed.desk.file(AGENT, reply.file.id))[1]
    assert (kind, upload.data, upload.name) == (method, stored, name)
    call = harness.fake.delivered(MERCHANT)[-1]
    assert call.params["caption"] == "请填写此表格"
    if method == "photo":
        assert GPS_TAG not in Image.open(io.BytesIO(upload.data)).getexif()
    await until(lambda: _outbox_sent(sql))
    # the console's reply is mirrored in the ticket's topic, its file too
    await harness.fake.wait_until(lambda: len(topic_uploads(harness, thread)) == 1)
    assert [(k, u.data) for k, u in topic_uploads(harness, thread)] == [(method, stored)]
    assert "↪ ana: 📎 请填写此表格" in harness.fake.in_topic(STAFF_CHAT, thread)


async def _outbox_sent(sql: SqlStore) -> bool:
    async with sql.uow() as uow:
        items = await uow.outbox.for_ticket(1)
    return bool(items) and all(i.status == "sent" for i in items)


async def test_a_failed_file_send_is_retried_by_the_outbox_and_sent_once(
    harness: Harness, staffed: Staffed, sql: SqlStore
) -> None:
    await escalate(harness, sql)
    # every try of the channel's sender fails: the outbox keeps the reply and tries again
    harness.fake.fail("sendDocument", 500, times=FAST_RETRY.attempts, chat_id=MERCHANT)
    await staffed.desk.reply(AGENT, 1, "", upload=Upload(PDF, "form.pdf"))
    await until(lambda: _outbox_sent(sql))
    assert [(k, u.data) for k, u in harness.fake.uploaded(MERCHANT)] == [("document", PDF)]
    tries = [c for c in harness.fake.called("sendDocument") if int(c.params["chat_id"]) == MERCHANT]
    assert len(tries) == FAST_RETRY.attempts + 1
    async with sql.uow() as uow:
        (item,) = await uow.outbox.for_ticket(1)
    assert (item.status, item.attempts) == ("sent", 2)
    await asyncio.sleep(0.2)  # a later delivery pass sends nothing more
    assert len(harness.fake.uploaded(MERCHANT)) == 1


async def test_a_staff_photo_posted_in_the_topic_becomes_the_replys_attachment(
    harness: Harness, staffed: Staffed, sql: SqlStore
) -> None:
    thread = await escalate(harness, sql)
    original = png_with_gps("olive")
    harness.fake.add_file(original, "staff-photo")
    harness.fake.add_file(EXE, "staff-exe")
    body = b.photo(STAFF, caption="这是您的标签", file_id="staff-photo", chat_id=STAFF_CHAT)
    await harness.fake.add_update(b.in_topic(body, thread))
    await harness.fake.wait_until(lambda: len(harness.fake.uploaded(MERCHANT)) == 1)
    ((kind, upload),) = harness.fake.uploaded(MERCHANT)
    assert kind == "photo" and GPS_TAG not in Image.open(io.BytesIO(upload.data)).getexif()
    assert harness.fake.delivered(MERCHANT)[-1].params["caption"] == "这是您的标签"
    (kept,) = await stored_files(sql)
    assert kept.ticket_id == 1 and (await staffed.desk.file(AGENT, kept.id))[1] == upload.data
    # a file that is not an image or a PDF is refused in the topic, and nothing is sent
    exe = b.document(STAFF, "staff-exe", "tool.pdf", chat_id=STAFF_CHAT)
    await harness.fake.add_update(b.in_topic(exe, thread))
    refusal = "⛔ " + translate("en", NOT_ACCEPTED)
    await harness.fake.wait_until(lambda: refusal in harness.fake.in_topic(STAFF_CHAT, thread))
    assert len(harness.fake.uploaded(MERCHANT)) == 1
