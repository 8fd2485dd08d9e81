"""The ``FileStore`` port, the same behaviour from both stores: a local folder (FILES_DIR) and an
S3-compatible bucket (FILES_S3_BUCKET) on a real S3 server at 127.0.0.1 (moto's).

Times are virtual (the service's one clock); the bucket's own listing carries the server's
times, which the sweep must not trust alone.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.files import FILE_ID_RE, JPEG, KINDS, PDF, PNG, Files, FileStore
from bot.core.images import strip_metadata
from bot.core.types import MerchantKey
from bot.settings import Settings
from bot.storage.files import LocalFileStore, file_store_from
from bot.storage.migrate import upgrade
from bot.storage.s3files import S3FileStore
from bot.storage.uow import SqlStore
from tests.s3server import REGION, Bucket, s3_bucket, s3_server
from tests.uploads import keep_upload

__all__ = ["s3_bucket", "s3_server"]  # the fixtures, used by name

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# a day after now: the bucket's server stamps objects with today, always before the cutoffs
START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)


class Clock:
    """The service's clock, moved by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Made:
    store: FileStore
    clock: Clock
    where: Callable[[], list[str]]  # what the store holds (file names or keys)


@pytest.fixture(params=["folder", "bucket"])
def made(request: pytest.FixtureRequest, tmp_path: Path) -> Made:
    clock = Clock(START)
    if request.param == "folder":
        root = tmp_path / "files"
        return Made(
            LocalFileStore(root, clock),
            clock,
            lambda: sorted(p.name for p in root.rglob("*") if p.is_file()),
        )
    bucket: Bucket = request.getfixturevalue("s3_bucket")
    store = S3FileStore(
        bucket.name, prefix="bot/", endpoint_url=bucket.url, region=REGION, clock=clock
    )
    return Made(store, clock, bucket.keys)


def test_each_kind_comes_back_as_it_went_in_under_a_new_unguessable_id(made: Made) -> None:
    async def scenario() -> None:
        ids = []
        for n, kind in enumerate(KINDS):
            data = bytes([n]) * (1000 + n)
            file_id = await made.store.put(data, kind)
            assert FILE_ID_RE.fullmatch(file_id) and len(file_id) >= 43  # 256 random bits
            assert await made.store.get(file_id) == (data, kind)
            ids.append(file_id)
        assert len(set(ids)) == len(KINDS)
        assert len(made.where()) == len(KINDS)

    asyncio.run(scenario())


def test_unknown_and_malformed_ids_are_nothing_and_deleting_them_is_harmless(made: Made) -> None:
    async def scenario() -> None:
        kept = await made.store.put(PDF_BYTES, PDF)
        for file_id in ("A" * 43, "../" + kept, kept[:10], kept + "/x", ""):
            assert await made.store.get(file_id) is None
            await made.store.delete(file_id)
        assert await made.store.get(kept) == (PDF_BYTES, PDF)

    asyncio.run(scenario())


def test_a_kind_that_is_not_a_file_kind_is_refused(made: Made) -> None:
    with pytest.raises(ValueError, match="not a file kind"):
        asyncio.run(made.store.put(b"MZ", "application/x-msdownload"))
    assert made.where() == []


def test_a_deleted_file_is_gone(made: Made) -> None:
    async def scenario() -> None:
        first = await made.store.put(b"\x89PNG\r\n\x1a\n...", PNG)
        second = await made.store.put(b"\xff\xd8\xff...", JPEG)
        await made.store.delete(first)
        await made.store.delete(first)  # twice: still fine
        assert await made.store.get(first) is None
        assert await made.store.get(second) == (b"\xff\xd8\xff...", JPEG)

    asyncio.run(scenario())
    assert len(made.where()) == 1


def test_the_sweep_deletes_what_was_written_before_the_cutoff_by_the_services_clock(
    made: Made,
) -> None:
    async def scenario() -> None:
        old = await made.store.put(PDF_BYTES, PDF)
        made.clock.now = START + timedelta(days=10)
        new = await made.store.put(PDF_BYTES, PDF)
        # the cutoff between the two, by the service's clock; both are "old" by the server's
        assert await made.store.delete_older_than(START + timedelta(days=5)) == 1
        assert await made.store.get(old) is None
        assert await made.store.get(new) == (PDF_BYTES, PDF)
        assert await made.store.delete_older_than(START) == 0  # nothing before the first
        assert await made.store.delete_older_than(START + timedelta(days=11)) == 1
        assert await made.store.get(new) is None

    asyncio.run(scenario())
    assert made.where() == []


def test_files_purge_deletes_an_old_file_row_and_bytes(made: Made, tmp_path: Path) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"

    async def scenario() -> None:
        await upgrade(db_url)
        store = SqlStore(db_url)
        files = Files(
            made.store, store.uow, retention_days=30, clean=strip_metadata, clock=made.clock
        )
        kept = await keep_upload(store, files, MerchantKey("web", "m1"), PDF_BYTES, "a.pdf")
        made.clock.now = START + timedelta(days=29)
        assert await files.purge() == 0  # a day before it is due: kept
        assert await files.read(kept) == PDF_BYTES
        made.clock.now = START + timedelta(days=31)
        assert await files.purge() == 1
        async with store.uow() as uow:
            assert await uow.files.get(kept.id) is None
        assert await files.read(kept) is None
        await store.close()

    asyncio.run(scenario())
    assert made.where() == []


def test_two_prefixes_in_one_bucket_keep_apart_and_other_objects_are_left_alone(
    s3_bucket: Bucket,
) -> None:
    clock = Clock(START)
    one, two = (
        S3FileStore(
            s3_bucket.name, prefix=p, endpoint_url=s3_bucket.url, region=REGION, clock=clock
        )
        for p in ("one/", "two/")
    )
    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="one/readme.txt", Body=b"hello")

    async def scenario() -> str:
        mine = await one.put(PDF_BYTES, PDF)
        theirs = await two.put(PDF_BYTES, PDF)
        assert await one.get(theirs) is None and await two.get(mine) is None
        assert await one.delete_older_than(START + timedelta(days=1)) == 1
        assert await two.get(theirs) == (PDF_BYTES, PDF)
        return theirs

    theirs = asyncio.run(scenario())
    assert sorted(s3_bucket.keys()) == ["one/readme.txt", f"two/{theirs}"]


def test_the_settings_choose_the_bucket_when_one_is_named(
    s3_bucket: Bucket, tmp_path: Path
) -> None:
    settings = Settings(
        files_dir=tmp_path / "files",
        files_s3_bucket=s3_bucket.name,
        files_s3_url=s3_bucket.url,
        files_s3_prefix="/merchant-bot",
        files_s3_region=REGION,
    )
    store = file_store_from(settings)
    assert isinstance(store, S3FileStore) and store.prefix == "merchant-bot/"
    file_id = asyncio.run(store.put(PDF_BYTES, PDF))
    assert s3_bucket.keys() == [f"merchant-bot/{file_id}"]  # the key is the random id, no name
    assert not (tmp_path / "files").exists()
    assert isinstance(file_store_from(Settings(files_dir=tmp_path)), LocalFileStore)


def test_the_command_line_exports_and_erases_a_merchants_files_in_the_bucket(
    s3_bucket: Bucket,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    bucket = S3FileStore(s3_bucket.name, prefix="mb/", endpoint_url=s3_bucket.url, region=REGION)

    async def keep() -> str:
        await upgrade(db_url)
        store = SqlStore(db_url)
        files = Files(bucket, store.uow)
        kept = await keep_upload(store, files, MerchantKey("web", "alice"), PDF_BYTES, "n.pdf")
        await store.close()
        return kept.id

    file_id = asyncio.run(keep())
    for name, value in (("BUCKET", s3_bucket.name), ("URL", s3_bucket.url),
                        ("PREFIX", "mb"), ("REGION", REGION)):  # fmt: skip
        monkeypatch.setenv(f"FILES_S3_{name}", value)
    monkeypatch.setenv("FILES_DIR", str(tmp_path / "files"))
    base = ["--database-url", db_url]
    out = tmp_path / "out"
    assert main(["merchant", "export", "web:alice", *base, "--with-files", str(out)]) == 0
    assert (out / f"{file_id}-n.pdf").read_bytes() == PDF_BYTES
    assert main(["merchant", "erase", "web:alice", *base, "--yes"]) == 0
    assert "erased" in capsys.readouterr().out
    assert s3_bucket.keys() == []  # the bytes went with the rows


def test_a_malformed_bucket_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("FILES_S3_BUCKET", "files")
    monkeypatch.setenv("FILES_S3_URL", "s3.example.com")  # no scheme
    db = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    assert main(["merchant", "erase", "web:alice", "--database-url", db]) == 2
    assert "FILES_S3_URL" in capsys.readouterr().err
    with pytest.raises(ValueError):
        Settings(files_s3_bucket="Not_A_Bucket")


class Ticks:
    """A monotonic clock moved by hand: how long a health answer is reused."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_store_is_healthy_while_it_can_keep_files(made: Made) -> None:
    async def scenario() -> None:
        assert await made.store.health() == {"ok": True}
        await made.store.put(PDF_BYTES, PDF)  # and still after use (the folder now exists)
        assert await made.store.health() == {"ok": True}

    asyncio.run(scenario())


def test_a_files_dir_that_is_not_a_folder_is_reported(tmp_path: Path) -> None:
    blocked = tmp_path / "files"
    blocked.write_text("not a folder")
    for root in (blocked, blocked / "deeper"):  # the folder itself, or where it would be made
        health = asyncio.run(LocalFileStore(root).health())
        assert health["ok"] is False
        assert health["problem"] == f"FILES_DIR: {blocked} is not a folder"


def test_a_missing_bucket_is_reported_and_the_answer_is_reused_for_a_while(
    s3_bucket: Bucket,
) -> None:
    ticks = Ticks()
    store = S3FileStore(
        s3_bucket.name, endpoint_url=s3_bucket.url, region=REGION, health_ttl=30, monotonic=ticks
    )

    async def scenario() -> None:
        assert await store.health() == {"ok": True}
        s3_bucket.client.delete_bucket(Bucket=s3_bucket.name)
        ticks.now += 29
        assert await store.health() == {"ok": True}  # reused: no request within the TTL
        ticks.now += 1
        health = await store.health()
        assert health == {
            "ok": False,
            "problem": f"no bucket {s3_bucket.name!r} on the server (FILES_S3_BUCKET)",
        }
        s3_bucket.client.create_bucket(
            Bucket=s3_bucket.name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        ticks.now += 10
        assert await store.health() == health  # the failure is reused too
        ticks.now += 20
        assert await store.health() == {"ok": True}  # back once the bucket is

    asyncio.run(scenario())


def test_a_bucket_server_that_cannot_be_reached_is_reported(s3_bucket: Bucket) -> None:
    with socket.socket() as probe:  # a port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = S3FileStore(s3_bucket.name, endpoint_url=f"http://127.0.0.1:{port}", region=REGION)
    health = asyncio.run(store.health())
    assert health["ok"] is False
    assert str(health["problem"]).startswith(
        "the bucket's server cannot be reached (FILES_S3_URL): EndpointConnectionError"
    )
