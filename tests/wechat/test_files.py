"""Images merchants send on WeChat, end to end: real signed (and encrypted) pushes to the real
app and conversation service over SQLite and a temporary files folder; the bytes fetched from
the fake WeChat API server's media/get; staff read them through the desk."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from PIL import Image

from bot.channels.wechat import WechatConfig, build_channel
from bot.channels.wechat import texts as wechat_texts
from bot.core import texts
from bot.core.accounts import StaffAccount
from bot.core.conversation import ConversationService
from bot.core.desk import Desk, NotFound
from bot.core.files import NOT_ACCEPTED, TOO_LARGE, Files
from bot.core.images import strip_metadata
from bot.core.ports import StoredMessage
from bot.core.shared import Shared
from bot.core.teams import DefaultTeamOnly
from bot.core.texts import t
from bot.core.types import MerchantKey
from bot.faq.matcher import Matcher
from bot.i18n import translate
from bot.storage.files import LocalFileStore
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore
from bot.web import create_app
from tests.sharedstate import MakeShared, make_redis
from tests.wechat import wire
from tests.wechat.conftest import Bot, healthy
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.wire import AES_KEY, APP_ID, SECRET, TOKEN, Wire

__all__ = ["make_redis"]

OPENID = "oFileMerchant00000000000000"
ME = MerchantKey("wechat", OPENID)
MAX_BYTES = 1024 * 1024
GPS_TAG = 0x8825
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def png_with_gps() -> bytes:
    """A small PNG whose EXIF holds a GPS position."""
    exif = Image.Exif()
    exif.get_ifd(GPS_TAG)[1] = "N"
    exif.get_ifd(GPS_TAG)[2] = (37.0, 33.0, 59.0)
    out = io.BytesIO()
    Image.new("RGB", (32, 16), "teal").save(out, format="PNG", exif=exif.tobytes())
    return out.getvalue()


class Stack:
    """The store, the files service, the conversation and the desk one test talks to."""

    def __init__(self, store: SqlStore, files_dir: Path, matcher: Matcher) -> None:
        self.store, self.files_dir, self.matcher = store, files_dir, matcher
        self.files = self.replica_files()
        self.service = ConversationService(lambda: matcher, store.uow, files=self.files)
        self.desk = Desk(store.uow, DefaultTeamOnly, files=self.files)

    def replica_files(self) -> Files:
        """A files service of its own on the shared folder and database (another replica's)."""
        folder = LocalFileStore(self.files_dir)
        return Files(folder, self.store.uow, max_bytes=MAX_BYTES, clean=strip_metadata)

    def stored_files(self) -> list[Path]:
        return [p for p in self.files_dir.rglob("*") if p.is_file()]

    async def messages(self) -> list[StoredMessage]:
        return await self.service.history(ME)


@pytest.fixture
async def stack(tmp_path: Path, shipped_matcher: Matcher) -> AsyncIterator[Stack]:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade(db_url)
    store = SqlStore(db_url)
    yield Stack(store, tmp_path / "files", shipped_matcher)
    await store.close()


MakeBot = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def make_bot(stack: Stack, fake_api: FakeWechatApi) -> AsyncIterator[MakeBot]:
    made: list[Bot] = []

    async def make(*, safe: bool = True, budget: float = 30.0, shared: Shared | None = None) -> Bot:
        # A budget far above any answer here (so nothing depends on timing), unless the test
        # holds the download back to see WeChat's 5 seconds run out. ``shared``: a replica
        # (with a conversation and files service of its own, on the same store and folder).
        config = WechatConfig(
            TOKEN, APP_ID, SECRET, AES_KEY if safe else "", fake_api.url, passive_budget=budget
        )
        service, files = stack.service, stack.files
        if shared is not None:
            files = stack.replica_files()
            service = ConversationService(lambda: stack.matcher, stack.store.uow, files=files)
        channel = build_channel(service, config, files=files, shared=shared)
        app = create_app(service, healthy, routes=channel.routes())  # type: ignore[arg-type]
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://w")
        bot = Bot(client, Wire(aes_key=AES_KEY if safe else None), channel)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        await bot.client.aclose()
        await bot.channel.stop()


def image(media_id: str, msg_id: str | None = None) -> str:
    return wire.media(OPENID, "image", media_id=media_id, msg_id=msg_id)


async def test_an_image_is_the_merchants_file_and_staff_who_may_see_the_ticket_read_it(
    make_bot: MakeBot, stack: Stack, fake_api: FakeWechatApi
) -> None:
    bot = await make_bot()
    await bot.content(wire.text(OPENID, "转人工"))  # a ticket for the default team
    original = png_with_gps()
    assert GPS_TAG in Image.open(io.BytesIO(original)).getexif()
    fake_api.media["MEDIA_shop"] = (original, "image/png")
    msg_id = wire.next_msg_id()

    reply = await bot.content(image("MEDIA_shop", msg_id))

    history = await stack.messages()
    [*_, sent] = [m for m in history if m.direction == "in"]
    [ack] = [m for m in history if m.reply_to == sent.id]  # relayed to the ticket, and said so
    assert reply.startswith(ack.text) and ack.text != t("zh_Hans", texts.UNSUPPORTED)
    assert sent.kind == "file" and sent.file is not None
    assert (sent.file.kind, sent.file.name) == ("image/png", f"wechat-image-{msg_id}.png")
    assert sent.file.ticket_id is not None
    assert len(stack.stored_files()) == 1

    agent = StaffAccount("ana", "agent", "x", ("default",))
    record, data = await stack.desk.file(agent, sent.file.id)
    assert record.id == sent.file.id
    seen = Image.open(io.BytesIO(data))
    assert seen.size == (32, 16) and GPS_TAG not in seen.getexif()  # location stripped
    other_team = StaffAccount("sora", "agent", "x", ("seoul",))
    with pytest.raises(NotFound):
        await stack.desk.file(other_team, sent.file.id)


async def test_a_pdf_sent_as_a_file_message_is_kept_too(
    make_bot: MakeBot, stack: Stack, fake_api: FakeWechatApi
) -> None:
    bot = await make_bot(safe=False)
    fake_api.media["MEDIA_pdf"] = (PDF, "application/pdf")
    reply = await bot.content(wire.media(OPENID, "file", media_id="MEDIA_pdf"))
    assert t("zh_Hans", texts.FILE_KEPT) in reply  # no ticket: kept, and the menu
    [sent] = [m for m in await stack.messages() if m.direction == "in"]
    assert sent.file is not None and sent.file.kind == "application/pdf"


async def test_a_slow_download_retried_by_wechat_is_stored_once_and_answered_once(
    make_bot: MakeBot, stack: Stack, fake_api: FakeWechatApi
) -> None:
    bot = await make_bot(budget=0.2)
    fake_api.media["MEDIA_slow"] = (png_with_gps(), "image/png")
    fake_api.media_gate = asyncio.Event()  # the download hangs until the test lets it go
    xml = image("MEDIA_slow")

    first = await bot.post(xml)
    assert (first.status_code, first.text) == (200, "success")  # WeChat is not kept waiting
    retries = await asyncio.gather(*(bot.post(xml) for _ in range(3)))
    assert [r.text for r in retries] == ["success"] * 3

    fake_api.media_gate.set()
    [answer] = await fake_api.wait_sent(1)  # the answer follows through custom/send
    assert answer.touser == OPENID and t("zh_Hans", texts.FILE_KEPT) in answer.content
    assert (await bot.post(xml)).text == "success"  # a retry after it went out
    await bot.channel.endpoint.aclose()

    assert fake_api.media_calls == ["MEDIA_slow"]  # fetched once
    assert len(fake_api.sent) == 1
    inbound = [m for m in await stack.messages() if m.direction == "in"]
    assert len(inbound) == 1 and inbound[0].file is not None
    assert len(stack.stored_files()) == 1


async def test_a_retry_on_another_replica_during_a_slow_download_stores_the_file_once(
    make_bot: MakeBot, stack: Stack, fake_api: FakeWechatApi, make_redis: MakeShared
) -> None:
    a = await make_bot(budget=0.2, shared=make_redis())
    b = await make_bot(budget=0.2, shared=make_redis())
    fake_api.media["MEDIA_slow"] = (png_with_gps(), "image/png")
    fake_api.media_gate = asyncio.Event()
    xml = image("MEDIA_slow")
    assert (await a.post(xml)).text == "success"  # replica a claimed it; its download hangs
    retries = await asyncio.gather(b.post(xml), b.post(xml), a.post(xml))  # WeChat's retries
    assert [r.text for r in retries] == ["success"] * 3
    fake_api.media_gate.set()
    await fake_api.wait_sent(1)
    await a.channel.endpoint.aclose()
    await b.channel.endpoint.aclose()
    assert fake_api.media_calls == ["MEDIA_slow"] and len(fake_api.sent) == 1
    assert len([m for m in await stack.messages() if m.direction == "in"]) == 1
    assert len(stack.stored_files()) == 1


async def test_a_media_that_cannot_be_fetched_is_refused_in_the_merchants_language(
    make_bot: MakeBot, stack: Stack, fake_api: FakeWechatApi
) -> None:
    bot = await make_bot()
    first = await bot.content(image("MEDIA_expired"))  # 40007: unknown or expired media id
    assert first == t("zh_Hans", wechat_texts.FILE_NOT_RECEIVED)  # WeChat's default language

    await bot.content(wire.text(OPENID, "보증금은 얼마인가요?"))  # the merchant writes Korean
    fake_api.media_script = [40007]
    assert await bot.content(image("MEDIA_again")) == t("ko", wechat_texts.FILE_NOT_RECEIVED)

    assert [m.text for m in await stack.messages() if m.direction == "in"] == [
        "보증금은 얼마인가요?"
    ]  # nothing stored for the refused files
    assert stack.stored_files() == []


async def test_an_oversized_file_is_refused_with_the_limit_and_nothing_is_stored(
    make_bot: MakeBot, stack: Stack, fake_api: FakeWechatApi
) -> None:
    bot = await make_bot()
    fake_api.media["MEDIA_big"] = (b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_BYTES, "image/png")
    reply = await bot.content(image("MEDIA_big"))
    assert reply == translate("zh_Hans", TOO_LARGE, limit="1")
    assert await stack.messages() == [] and stack.stored_files() == []


async def test_a_file_that_is_not_an_image_or_pdf_is_refused(
    make_bot: MakeBot, stack: Stack, fake_api: FakeWechatApi
) -> None:
    bot = await make_bot()
    fake_api.media["MEDIA_exe"] = (EXE, "image/jpeg")  # the header lies; the bytes do not
    assert await bot.content(image("MEDIA_exe")) == t("zh_Hans", NOT_ACCEPTED)
    assert await stack.messages() == [] and stack.stored_files() == []


async def test_voice_and_video_stay_unsupported(
    make_bot: MakeBot, stack: Stack, fake_api: FakeWechatApi
) -> None:
    bot = await make_bot()
    for kind in ("voice", "video"):
        reply = await bot.content(wire.media(OPENID, kind, media_id="MEDIA_av"))
        assert reply.startswith(t("zh_Hans", texts.UNSUPPORTED))
    assert fake_api.media_calls == [] and stack.stored_files() == []
