"""Files both ways (issue 17) through the real composition root: the web chat's upload API,
the console's attachments, access checks and retention, over SQLite and a temporary FILES_DIR
(and once over a bucket on a real S3 server at 127.0.0.1: FILES_S3_BUCKET)."""

from __future__ import annotations

import asyncio
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from bot.bootstrap import LateApp
from bot.core.files import Files
from bot.core.images import strip_metadata
from bot.core.teams import DefaultTeamOnly
from bot.core.types import MerchantKey
from bot.settings import Settings
from bot.staff.accounts import Accounts
from bot.storage.files import LocalFileStore
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore
from tests.conftest import FAQ_DIR
from tests.s3server import REGION, Bucket, s3_bucket, s3_server
from tests.staff.conftest import FAST, PASSWORD, csrf_of, sign_in
from tests.uploads import keep_upload

__all__ = ["s3_bucket", "s3_server"]  # the fixtures, used by name

GPS_TAG = 0x8825


def png_with_gps() -> bytes:
    """A small PNG whose EXIF holds a GPS position and a camera maker."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_TAG)
    gps[1], gps[2] = "N", (37.0, 33.0, 59.0)
    out = io.BytesIO()
    Image.new("RGB", (32, 16), "teal").save(out, format="PNG", exif=exif.tobytes())
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows executable's first bytes


@dataclass
class Stack:
    client: TestClient
    late: LateApp
    files_dir: Path


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    yield from stack_on(tmp_path)


def stack_on(tmp_path: Path, bucket: Bucket | None = None, **extra: object) -> Iterator[Stack]:
    """The bot through ``LateApp``: its files in FILES_DIR, or in ``bucket`` when given."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    files_dir = tmp_path / "files"

    async def prepare() -> None:
        await upgrade(db_url)
        store = SqlStore(db_url)
        accounts = Accounts(store.uow, passwords=FAST)
        await accounts.add("ana", "agent", PASSWORD, ["default"])
        await accounts.add("sora", "agent", PASSWORD, ["seoul"])
        await store.close()

    asyncio.run(prepare())
    settings = Settings(
        database_url=db_url,
        faq_dir=FAQ_DIR,
        files_dir=files_dir,
        snapshot_dir=tmp_path / "snapshots",
        files_s3_bucket=bucket.name if bucket else "",
        files_s3_url=bucket.url if bucket else "",
        files_s3_prefix="merchant-bot/",
        files_s3_region=REGION,
        **{"file_max_bytes": 64 * 1024, **extra},  # type: ignore[arg-type]
    )
    late = LateApp(settings, store=SqlStore(db_url), teams=DefaultTeamOnly())
    with TestClient(late, base_url="http://testserver") as client:
        yield Stack(client, late, files_dir)


def chat(client: TestClient, text: str, n: int) -> dict[str, object]:
    response = client.post("/api/chat", json={"type": "text", "text": text, "id": f"msg-{n:06d}"})
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


def upload(client: TestClient, data: bytes, name: str, n: int, lang: str = "en") -> object:
    return client.post(
        f"/api/files?id=file-{n:05d}&name={name}&lang={lang}",
        content=data,
        headers={"content-type": "application/octet-stream"},
    )


def merchant_with_ticket(client: TestClient) -> None:
    client.get("/")  # the chat's cookie
    chat(client, "I want to talk to a person", 1)


def ticket_id(client: TestClient) -> int:
    queue = client.get("/staff/")
    found = re.search(r"/staff/tickets/(\d+)", queue.text)
    assert found is not None, "no ticket in the queue"
    return int(found.group(1))


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_png_with_gps_is_stored_once_and_staff_see_it_without_the_gps_tag(stack: Stack) -> None:
    merchant = stack.client
    merchant_with_ticket(merchant)
    original = png_with_gps()
    assert GPS_TAG in Image.open(io.BytesIO(original)).getexif()
    sent = upload(merchant, original, "shop.png", 1)
    assert sent.status_code == 200, sent.text
    body = sent.json()
    url = body["file"]["url"]
    assert body["file"]["image"] and body["file"]["name"] == "shop.png"
    assert any("request" in m["text"].lower() for m in body["messages"])  # relayed: ticket open
    assert len(stored_files(stack.files_dir)) == 1
    again = upload(merchant, original, "shop.png", 1)  # the page retrying the same upload
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert len(stored_files(stack.files_dir)) == 1  # stored once
    own = merchant.get(url)
    assert own.status_code == 200 and own.headers["content-type"] == "image/png"
    history = merchant.get("/api/history").json()["messages"]
    assert [m["file"]["url"] for m in history if "file" in m] == [url]

    staff = TestClient(stack.late, base_url="http://testserver", follow_redirects=False)
    sign_in(staff, "ana")
    number = ticket_id(staff)
    page = staff.get(f"/staff/tickets/{number}")
    file_id = url.rsplit("/", 1)[1]
    assert f"/staff/files/{file_id}" in page.text
    seen = staff.get(f"/staff/files/{file_id}")
    assert seen.status_code == 200 and seen.headers["content-type"] == "image/png"
    assert "sandbox" in seen.headers["content-security-policy"]
    exif = Image.open(io.BytesIO(seen.content)).getexif()
    assert GPS_TAG not in exif and b"PhoneMaker" not in seen.content
    assert Image.open(io.BytesIO(seen.content)).size == (32, 16)


def test_an_upload_kept_in_a_bucket_is_shown_to_staff_from_the_console(
    tmp_path: Path, s3_bucket: Bucket
) -> None:
    for stack in stack_on(tmp_path, s3_bucket):
        merchant_with_ticket(stack.client)
        sent = upload(stack.client, png_with_gps(), "shop.png", 1)
        assert sent.status_code == 200, sent.text
        file_id = sent.json()["file"]["url"].rsplit("/", 1)[1]
        assert s3_bucket.keys() == [f"merchant-bot/{file_id}"]  # the bucket, not the folder
        assert stored_files(stack.files_dir) == []
        kept = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key=f"merchant-bot/{file_id}")
        assert kept["ContentType"] == "image/png"

        staff = TestClient(stack.late, base_url="http://testserver", follow_redirects=False)
        sign_in(staff, "ana")
        page = staff.get(f"/staff/tickets/{ticket_id(staff)}")
        assert f"/staff/files/{file_id}" in page.text
        seen = staff.get(f"/staff/files/{file_id}")
        assert seen.status_code == 200 and seen.headers["content-type"] == "image/png"
        assert seen.content == kept["Body"].read()
        assert GPS_TAG not in Image.open(io.BytesIO(seen.content)).getexif()
        outsider = TestClient(stack.late, base_url="http://testserver", follow_redirects=False)
        sign_in(outsider, "sora")  # another team's agent
        assert outsider.get(f"/staff/files/{file_id}").status_code == 404
        assert TestClient(stack.late).get(f"/staff/files/{file_id}").status_code != 200


def test_an_executable_named_png_is_refused_in_the_merchants_language(stack: Stack) -> None:
    client = stack.client
    client.get("/")
    refused = upload(client, EXE, "photo.png", 2, lang="ko")
    assert refused.status_code == 415
    assert refused.json()["error"] == "unsupported_file"
    assert "JPEG, PNG, WebP" in refused.json()["message"]
    assert "보낼 수 없습니다" in refused.json()["message"]  # Korean, as the page asked
    assert stored_files(stack.files_dir) == []


def test_an_oversize_file_is_refused_in_chinese(stack: Stack) -> None:
    client = stack.client
    client.get("/")
    big = b"%PDF-1.4\n" + b"0" * (64 * 1024)
    refused = upload(client, big, "big.pdf", 3, lang="zh-CN")
    assert refused.status_code == 413
    assert refused.json()["message"] == "文件太大。文件最大为 0.1 MB。"
    assert stored_files(stack.files_dir) == []


@pytest.fixture
def web_capped(tmp_path: Path) -> Iterator[Stack]:
    """The bot with 10 MB files in general and 1 MB on the web chat."""
    yield from stack_on(
        tmp_path, file_max_bytes=10 * 1024 * 1024, file_max_bytes_by_channel={"web": 1024 * 1024}
    )


def test_a_lower_limit_for_the_web_chat_alone_is_said_in_the_merchants_language(
    web_capped: Stack,
) -> None:
    client = web_capped.client
    client.get("/")
    big = b"%PDF-1.4\n" + b"0" * (1536 * 1024)
    refused = upload(client, big, "big.pdf", 1, lang="ko")
    assert refused.status_code == 413, refused.text
    message = refused.json()["message"]
    assert "1MB" in message and "파일" in message, message
    assert stored_files(web_capped.files_dir) == []
    small = b"%PDF-1.4\n" + b"0" * (512 * 1024)
    assert upload(client, small, "small.pdf", 2).status_code == 200
    files = web_capped.late.services.files if web_capped.late.services else None
    assert files is not None and files.limit_for("telegram") == 10 * 1024 * 1024


def test_a_staff_reply_with_a_pdf_appears_in_the_merchants_history(stack: Stack) -> None:
    merchant = stack.client
    merchant_with_ticket(merchant)
    staff = TestClient(stack.late, base_url="http://testserver", follow_redirects=False)
    csrf = sign_in(staff, "ana")
    number = ticket_id(staff)
    sent = staff.post(
        f"/staff/tickets/{number}/reply",
        data={"text": "Here is the form", "csrf": csrf},
        files={"file": ("form.exe", PDF, "application/x-msdownload")},
        headers={"accept": "application/json"},
    )
    assert sent.status_code == 200, sent.text
    history = merchant.get("/api/history").json()["messages"]
    reply = next(m for m in history if m.get("from") == "staff")
    assert reply["text"] == "Here is the form"
    assert reply["file"]["kind"] == "application/pdf" and not reply["file"]["image"]
    assert reply["file"]["name"] == "form.pdf"  # named after what it is, not what it says
    got = merchant.get(reply["file"]["url"])
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment")

    # another merchant's session, a browser without a session, an agent of another team: 404
    other = TestClient(stack.late, base_url="http://testserver", follow_redirects=False)
    other.get("/")
    assert other.get(reply["file"]["url"]).status_code == 404
    assert TestClient(stack.late).get(reply["file"]["url"]).status_code == 404
    file_id = reply["file"]["url"].rsplit("/", 1)[1]
    assert staff.get(f"/staff/files/{file_id}").status_code == 200
    outsider = TestClient(stack.late, base_url="http://testserver", follow_redirects=False)
    sign_in(outsider, "sora")
    assert outsider.get(f"/staff/files/{file_id}").status_code == 404
    assert outsider.get(f"/staff/tickets/{number}").status_code == 404
    assert outsider.get("/staff/files/" + "x" * 43).status_code == 404


def test_a_file_outside_a_ticket_is_kept_and_answered(stack: Stack) -> None:
    client = stack.client
    client.get("/")
    chat(client, "hello", 5)
    sent = upload(client, PDF, "invoice.pdf", 6)
    assert sent.status_code == 200
    assert "kept your file" in sent.json()["messages"][0]["text"]
    assert csrf_of('name="csrf" value="x"') == "x"  # (the helper the console tests share)


def test_retention_deletes_an_old_file(tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    later = {"now": timedelta(0)}

    async def scenario() -> tuple[int, int, object, object]:
        await upgrade(db_url)
        store = SqlStore(db_url)
        from bot.core.tickets import utcnow

        files = Files(
            LocalFileStore(tmp_path / "files"),
            store.uow,
            retention_days=30,
            clean=strip_metadata,
            clock=lambda: utcnow() + later["now"],
        )
        kept = await keep_upload(store, files, MerchantKey("web", "m1"), PDF, "a.pdf")
        path = next((tmp_path / "files").rglob("*.pdf"))
        first = await files.purge()  # nothing is old yet
        later["now"] = timedelta(days=31)
        old = (utcnow() - timedelta(days=31)).timestamp()
        os.utime(path, (old, old))
        second = await files.purge()
        async with store.uow() as uow:
            row = await uow.files.get(kept.id)
        gone = await files.store.get(kept.id)
        await store.close()
        return first, second, row, gone

    first, second, row, gone = asyncio.run(scenario())
    assert (first, second) == (0, 1)
    assert row is None and gone is None
    assert not list((tmp_path / "files").rglob("*.pdf"))
