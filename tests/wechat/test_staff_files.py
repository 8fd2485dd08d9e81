"""Files staff send to WeChat merchants, end to end: a merchant's real signed push opens the
ticket, the desk takes the reply with its file, the outbox's deliverer uploads the image to the
fake WeChat API server's media/upload and sends it as an image message with custom/send. An
Official Account's customer-service messages carry no documents: the desk refuses a PDF (and
WebP, which media/upload does not take) on a WeChat ticket, saying what the channel carries."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from bot.channels.wechat import WechatChannel
from bot.core.accounts import StaffAccount
from bot.core.delivery import Deliverer
from bot.core.desk import Refused
from bot.core.files import Upload
from bot.core.tickets import OutboxItem
from bot.i18n import translate
from tests.wechat import wire
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.test_files import (
    GPS_TAG,
    OPENID,
    PDF,
    MakeBot,
    Stack,
    make_bot,
    png_with_gps,
    stack,
)

__all__ = ["make_bot", "stack"]

AGENT = StaffAccount("ana", "agent", "x", ("default",))


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="WEBP")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 12), "orange").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
async def ticket(make_bot: MakeBot, stack: Stack) -> Deliverer:
    """A WeChat merchant's open ticket (#1), and the outbox's deliverer for WeChat, wired as
    the composition root wires them (the desk takes the kinds the channel's rendering names).
    The API client's own retries do not wait; the outbox retries at once."""
    bot = await make_bot()
    assert stack.files.shown("wechat") == frozenset()  # not before the channel says so
    stack.files.allow(bot.channel.name, WechatChannel.renders.file_kinds)
    await bot.content(wire.text(OPENID, "转人工"))
    api = bot.channel.outbound.api
    assert api is not None
    api._backoff = (0.0, 0.0, 0.0)
    outbounds = {bot.channel.name: bot.channel.outbound}
    return Deliverer(stack.store.uow, outbounds, files=stack.files, first_wait=timedelta(0))


async def outbox(stack: Stack) -> list[OutboxItem]:
    async with stack.store.uow() as uow:
        return await uow.outbox.for_ticket(1)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [(png_with_gps(), "label.png", "image/png"), (jpeg(), "scan.jpg", "image/jpeg")],
)
async def test_a_staff_image_reaches_the_merchant_as_a_wechat_image_after_the_text(
    ticket: Deliverer, stack: Stack, fake_api: FakeWechatApi, data: bytes, name: str, kind: str
) -> None:
    before = len(fake_api.sent)
    reply = await stack.desk.reply(AGENT, 1, "请按此格式填写", upload=Upload(data, name))
    assert reply.file is not None
    assert await ticket.deliver_due() == 1

    text, image = fake_api.sent[before:]
    assert (text.msgtype, text.touser, text.content) == ("text", OPENID, "请按此格式填写")
    assert (image.msgtype, image.touser) == ("image", OPENID)
    uploaded = fake_api.uploads[image.media_id]
    stored = (await stack.desk.file(AGENT, reply.file.id))[1]
    assert (uploaded.data, uploaded.filename, uploaded.content_type) == (stored, name, kind)
    assert GPS_TAG not in Image.open(io.BytesIO(uploaded.data)).getexif()
    assert [(i.status, i.attempts) for i in await outbox(stack)] == [("sent", 1)]


async def test_an_image_without_text_is_only_an_image(
    ticket: Deliverer, stack: Stack, fake_api: FakeWechatApi
) -> None:
    before = len(fake_api.sent)
    await stack.desk.reply(AGENT, 1, "", upload=Upload(png_with_gps(), "shot.png"))
    assert await ticket.deliver_due() == 1
    [image] = fake_api.sent[before:]
    assert image.msgtype == "image" and image.media_id in fake_api.uploads


async def test_a_failed_upload_is_retried_by_the_outbox_and_the_text_goes_out_once(
    ticket: Deliverer, stack: Stack, fake_api: FakeWechatApi
) -> None:
    before = len(fake_api.sent)
    # system busy on every try of the API client (1 + its 3 backoffs): the attempt fails
    fake_api.upload_script = [-1, -1, -1, -1]
    await stack.desk.reply(AGENT, 1, "见附件", upload=Upload(png_with_gps(), "a.png"))
    assert await ticket.deliver_due() == 0
    [item] = await outbox(stack)
    assert (item.status, item.attempts) == ("pending", 1)
    assert "media/upload" in item.error and "-1" in item.error  # staff see why
    assert fake_api.sent[before:] == []  # nothing sent before the image was up

    assert await ticket.deliver_due() == 1  # the next attempt (its wait is 0 here)
    assert [s.msgtype for s in fake_api.sent[before:]] == ["text", "image"]
    assert fake_api.upload_calls == 5 and len(fake_api.uploads) == 1
    [item] = await outbox(stack)
    assert (item.status, item.attempts) == ("sent", 2)


async def test_an_upload_wechat_refuses_fails_the_reply_for_staff_to_see(
    ticket: Deliverer, stack: Stack, fake_api: FakeWechatApi
) -> None:
    fake_api.upload_script = [40005]  # invalid file type: trying again cannot help
    await stack.desk.reply(AGENT, 1, "见附件", upload=Upload(png_with_gps(), "a.png"))
    assert await ticket.deliver_due() == 0
    [item] = await outbox(stack)
    assert (item.status, item.attempts) == ("failed", 1) and "40005" in item.error


async def test_an_expired_token_is_fetched_again_for_the_upload(
    ticket: Deliverer, stack: Stack, fake_api: FakeWechatApi
) -> None:
    await stack.desk.reply(AGENT, 1, "稍等")
    assert await ticket.deliver_due() == 1  # the client now holds a token
    fake_api.revoke_tokens()  # ... which media/upload refuses (40001): one new fetch, no failure
    tokens = len(fake_api.token_requests)
    await stack.desk.reply(AGENT, 1, "", upload=Upload(jpeg(), "b.jpg"))
    assert await ticket.deliver_due() == 1
    assert len(fake_api.token_requests) == tokens + 1 and fake_api.upload_calls == 2
    assert fake_api.sent[-1].msgtype == "image"


@pytest.mark.parametrize(("data", "name"), [(PDF, "form.pdf"), (webp(), "photo.webp")])
async def test_the_desk_refuses_what_wechat_cannot_carry_and_says_what_it_can(
    ticket: Deliverer, stack: Stack, fake_api: FakeWechatApi, data: bytes, name: str
) -> None:
    with pytest.raises(Refused) as refused:
        await stack.desk.reply(AGENT, 1, "表格见附件", upload=Upload(data, name))
    english, chinese = str(refused.value), refused.value.text("zh_Hans")
    assert "JPEG, PNG" in english and "JPEG, PNG" in chinese and chinese != english
    assert await outbox(stack) == [] and fake_api.upload_calls == 0
    assert stack.stored_files() == []


async def test_without_the_channels_rendering_the_desk_refuses_every_file(
    make_bot: MakeBot, stack: Stack
) -> None:
    bot = await make_bot()
    await bot.content(wire.text(OPENID, "转人工"))
    with pytest.raises(Refused) as refused:
        await stack.desk.reply(AGENT, 1, "", upload=Upload(png_with_gps(), "a.png"))
    template = "this merchant's channel cannot carry files; send text"
    assert refused.value.template == template
    assert refused.value.text("ko") == translate("ko", template) != template
