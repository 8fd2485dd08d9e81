"""A WeChat image through the real composition root (``LateApp``: settings, SQLite, FILES_DIR,
the WeChat channel in safe mode) to the staff console: the agent who may see the ticket opens
it, an agent of another team gets 404; and back: an image the agent attaches reaches the
merchant, a PDF is refused. The fake WeChat API server runs on a loop of its own,
since the console's test client runs the app on another."""

from __future__ import annotations

import asyncio
import io
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from starlette.testclient import TestClient

from bot.bootstrap import LateApp
from tests.staff.conftest import late_app_with_agents, sign_in
from tests.wechat import wire
from tests.wechat.fake_api import FakeWechatApi
from tests.wechat.test_files import GPS_TAG, PDF, png_with_gps
from tests.wechat.wire import AES_KEY, APP_ID, SECRET, TOKEN, Wire

OPENID = "oConsoleMerchant00000000000"


@pytest.fixture
def api_on_its_own_loop() -> Iterator[FakeWechatApi]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    api = FakeWechatApi()
    asyncio.run_coroutine_threadsafe(api.start(), loop).result(timeout=30)
    yield api
    asyncio.run_coroutine_threadsafe(api.stop(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=30)
    loop.close()


@pytest.fixture
def app(tmp_path: Path, api_on_its_own_loop: FakeWechatApi) -> Iterator[LateApp]:
    yield late_app(tmp_path, api_on_its_own_loop)


def late_app(tmp_path: Path, api: FakeWechatApi, file_max_bytes: int = 10 * 1024 * 1024) -> LateApp:
    """The bot with WeChat on ``api``, two agents (ana: default team, sora: Seoul)."""
    return late_app_with_agents(
        tmp_path,
        {"ana": ["default"], "sora": ["seoul"]},
        file_max_bytes=file_max_bytes,
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        wechat_app_secret=SECRET,
        wechat_encoding_aes_key=AES_KEY,
        wechat_api_url=api.url,
    )


def push(client: TestClient, xml: str) -> dict[str, object]:
    """POST one signed, encrypted push as WeChat does; the passive reply's fields."""
    channel = Wire(aes_key=AES_KEY)
    params, body = channel.push(xml)
    response = client.post("/wechat", params=params, content=body)
    assert response.status_code == 200, response.text
    reply = channel.read(response.content)
    assert reply is not None, "expected a passive reply"
    return reply


def test_staff_who_may_see_the_ticket_open_a_wechat_image_in_the_console(
    app: LateApp, api_on_its_own_loop: FakeWechatApi
) -> None:
    api_on_its_own_loop.media["MEDIA_notice"] = (png_with_gps(), "image/png")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as staff:
        push(staff, wire.text(OPENID, "转人工"))  # a ticket for the default team
        push(staff, wire.media(OPENID, "image", media_id="MEDIA_notice"))

        sign_in(staff, "ana")
        found = re.search(r"/staff/tickets/(\d+)", staff.get("/staff/").text)
        assert found is not None, "no ticket in the queue"
        page = staff.get(f"/staff/tickets/{found.group(1)}")
        link = re.search(r"/staff/files/([A-Za-z0-9_-]{20,64})", page.text)
        assert link is not None, "no file in the thread"
        seen = staff.get(link.group(0))
        assert seen.status_code == 200 and seen.headers["content-type"] == "image/png"
        picture = Image.open(io.BytesIO(seen.content))
        assert picture.size == (32, 16) and GPS_TAG not in picture.getexif()

        sign_in(staff, "sora")  # another team's agent: as if there were no such file
        assert staff.get(link.group(0)).status_code == 404
    assert api_on_its_own_loop.media_calls == ["MEDIA_notice"]


def test_an_agent_attaches_an_image_to_a_wechat_reply_and_a_pdf_is_refused(
    app: LateApp, api_on_its_own_loop: FakeWechatApi
) -> None:
    """Through the composition root: the WeChat channel's rendering sets what the console
    offers and the desk takes; the running deliverer uploads and sends the image."""
    api = api_on_its_own_loop
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as staff:
        push(staff, wire.text(OPENID, "转人工"))
        csrf = sign_in(staff, "ana")
        found = re.search(r"/staff/tickets/(\d+)", staff.get("/staff/").text)
        assert found is not None, "no ticket in the queue"
        number = found.group(1)
        page = staff.get(f"/staff/tickets/{number}").text
        assert 'accept="image/jpeg,image/png"' in page and "(JPEG, PNG)" in page

        def reply(data: bytes, name: str, kind: str) -> httpx.Response:
            return staff.post(
                f"/staff/tickets/{number}/reply",
                data={"text": "请看附件", "csrf": csrf},
                files={"file": (name, data, kind)},
                headers={"accept": "application/json"},
            )

        refused = reply(PDF, "form.pdf", "application/pdf")
        assert refused.status_code == 409, refused.text
        assert "JPEG, PNG" in refused.json()["message"]
        sent = reply(png_with_gps(), "label.png", "image/png")
        assert sent.status_code == 200, sent.text
        deadline = time.monotonic() + 30  # only ends a broken test
        while not any(s.msgtype == "image" for s in api.sent):
            assert time.monotonic() < deadline, "the image was not sent"
            time.sleep(0.02)
    text, image = [s for s in api.sent if s.touser == OPENID][-2:]
    assert (text.msgtype, text.content, image.msgtype) == ("text", "请看附件", "image")
    uploaded = api.uploads[image.media_id]
    assert uploaded.filename == "label.png" and uploaded.content_type == "image/png"
    assert GPS_TAG not in Image.open(io.BytesIO(uploaded.data)).getexif()
    assert len(api.uploads) == 1  # the PDF never left


def noise_png(side: int) -> bytes:
    """A PNG of random pixels: it compresses to about 3 bytes a pixel, metadata cleaned or not."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def test_an_image_over_wechats_10_mb_is_refused_when_file_max_bytes_allows_it(
    tmp_path: Path, api_on_its_own_loop: FakeWechatApi
) -> None:
    """FILE_MAX_BYTES at 16 MB (the web chat and Telegram take such a file): WeChat's temporary
    media take at most 10 MB, so the desk refuses a larger image on a WeChat ticket, saying the
    limit, and nothing is uploaded; an image within it still goes."""
    big = noise_png(1900)  # ~10.8 MB
    assert 10 * 1024 * 1024 < len(big) < 16 * 1024 * 1024
    app = late_app(tmp_path, api_on_its_own_loop, file_max_bytes=16 * 1024 * 1024)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as staff:
        push(staff, wire.text(OPENID, "转人工"))
        csrf = sign_in(staff, "ana")
        found = re.search(r"/staff/tickets/(\d+)", staff.get("/staff/").text)
        assert found is not None, "no ticket in the queue"

        def reply(data: bytes) -> httpx.Response:
            return staff.post(
                f"/staff/tickets/{found.group(1)}/reply",
                data={"text": "请看附件", "csrf": csrf},
                files={"file": ("label.png", data, "image/png")},
                headers={"accept": "application/json"},
            )

        refused = reply(big)
        assert refused.status_code == 409, refused.text
        assert "10 MB" in refused.json()["message"]
        sent = reply(png_with_gps())
        assert sent.status_code == 200, sent.text
        deadline = time.monotonic() + 30  # only ends a broken test
        while not any(s.msgtype == "image" for s in api_on_its_own_loop.sent):
            assert time.monotonic() < deadline, "the image was not sent"
            time.sleep(0.02)
    assert [len(u.data) < 1024 * 1024 for u in api_on_its_own_loop.uploads.values()] == [True]
