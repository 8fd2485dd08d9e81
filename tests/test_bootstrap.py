"""The composition root: health reflects the database and the FAQ; a broken FAQ keeps serving."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from bot import bootstrap
from bot.core.types import Incoming, MerchantKey
from bot.faq.loader import load_faq
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def settings(tmp_path: Path, faq: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        faq_dir=faq,
        snapshot_dir=tmp_path / "snapshots",
    )


async def test_health_and_a_broken_faq_edit(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    shutil.copytree(ROOT / "faq", faq)
    services = await bootstrap.build(settings(tmp_path, faq))
    try:
        health = await services.health()
        shipped, _ = load_faq(faq)  # whatever the shipped FAQ holds today
        assert shipped is not None and health["faq"]["entries"] == len(shipped) > 0
        assert health["ok"] and health["database"]["ok"]
        assert health["degraded"] == ["matcher"]  # the suite runs with MATCHER_ENCODER=none
        broken = faq / "fees-payments.yaml"
        broken.write_text(broken.read_text(encoding="utf-8") + "  - id: [oops\n", encoding="utf-8")
        st = broken.stat()
        os.utime(broken, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert services.faq.reload() is False
        health = await services.health()
        # Up, degraded: the last good FAQ answers, and the broken file is named.
        assert health["ok"] and not health["faq"]["ok"] and "faq" in health["degraded"]
        assert any("fees-payments.yaml:" in p for p in health["faq"]["problems"])
        reply = await services.conversation.handle(
            Incoming(MerchantKey("web", "x"), "text", text="How much is the security deposit?")
        )
        assert "500" in reply.messages[0].text  # the last good FAQ still answers
    finally:
        await services.store.close()


async def test_start_up_refuses_without_a_valid_faq(tmp_path: Path) -> None:
    with pytest.raises(bootstrap.StartupError, match="no valid FAQ"):
        await bootstrap.build(settings(tmp_path, tmp_path / "missing"))


async def test_a_restart_with_a_broken_file_starts_on_the_last_good_faq(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    shutil.copytree(ROOT / "faq", faq)
    services = await bootstrap.build(settings(tmp_path, faq))  # a good start keeps a snapshot
    await services.store.close()
    broken = faq / "fees-payments.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "  - id: [oops\n", encoding="utf-8")
    services = await bootstrap.build(settings(tmp_path, faq))
    try:
        health = await services.health()
        assert health["ok"] and health["faq"]["from_snapshot"] and "faq" in health["degraded"]
        problems = health["faq"]["problems"]
        # The root cause comes first; what only follows from it says so.
        assert problems[0].startswith(str(broken))
        assert all("did not load" in p for p in problems[1:] if "unknown id" in p)
        reply = await services.conversation.handle(
            Incoming(MerchantKey("web", "y"), "text", text="How much is the security deposit?")
        )
        assert "500" in reply.messages[0].text
    finally:
        await services.store.close()
    shutil.rmtree(tmp_path / "snapshots")
    with pytest.raises(bootstrap.StartupError, match=r"fees-payments\.yaml"):
        await bootstrap.build(settings(tmp_path, faq))  # no snapshot: refuse, naming the cause


async def test_channels_switch_on_with_their_settings(tmp_path: Path) -> None:
    base = settings(tmp_path, ROOT / "faq")
    services = await bootstrap.build(base)
    try:
        assert services.channels == [] and services.routes == []
        assert set(services.deliverer.outbounds) == {"web"}
    finally:
        await services.store.close()
    on = base.model_copy(update={"wechat_token": "tok", "wechat_app_id": "wx1",
                                 "wechat_app_secret": "s"})  # fmt: skip
    services = await bootstrap.build(on)
    try:
        assert services.channels == ["wechat"]
        assert {getattr(r, "path", "") for r in services.routes} == {"/wechat"}
        assert set(services.deliverer.outbounds) == {"web", "wechat"}
    finally:
        for close in services.closers:
            await close()
        await services.store.close()
    bad = base.model_copy(update={"wechat_token": "tok", "wechat_encoding_aes_key": "short"})
    with pytest.raises(bootstrap.StartupError, match="WECHAT_ENCODING_AES_KEY"):
        await bootstrap.build(bad)


async def test_telegram_unreachable_at_start_leaves_the_rest_serving(tmp_path: Path) -> None:
    unreachable = settings(tmp_path, ROOT / "faq").model_copy(
        update={
            "telegram_bot_token": "123456789:TEST-token_for-the-fake-api",
            "telegram_api_url": "http://127.0.0.1:9",  # nothing listens on the discard port
        }
    )
    services = await bootstrap.build(unreachable)
    try:
        assert services.channels == ["telegram"] and "telegram" in services.deliverer.outbounds
        health = await services.health()
        assert health["ok"] and "telegram" in health["degraded"]
        problem = health["channels"]["telegram"]["problem"]
        assert problem.startswith("TELEGRAM_API_URL:") and "TEST-token" not in problem
        reply = await services.conversation.handle(
            Incoming(MerchantKey("web", "y"), "text", text="How much is the security deposit?")
        )
        assert "500" in reply.messages[0].text  # the web chat answers meanwhile
    finally:
        for close in services.closers:
            await close()
        await services.store.close()


async def test_the_content_watchers_reload_the_staff_macros(tmp_path: Path) -> None:
    faq = tmp_path / "faq"
    shutil.copytree(ROOT / "faq", faq)
    fast = settings(tmp_path, faq).model_copy(update={"faq_reload_seconds": 0.02})
    services = await bootstrap.build(fast)
    # Each kind of content keeps its own last good copy for the next start.
    kept = sorted(p.name.split("-")[0] for p in (tmp_path / "snapshots").iterdir())
    assert kept == ["centres", "faq", "macros"]
    first = services.macros().items[0].id
    path = faq / "macros.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(f"id: {first}", "id: renamed-by-test", 1),
        encoding="utf-8",
    )
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    async with bootstrap.running(services):  # closes the store at the end
        for _ in range(500):
            await asyncio.sleep(0.02)
            if services.macros().items[0].id == "renamed-by-test":
                break
        assert services.macros().items[0].id == "renamed-by-test"
