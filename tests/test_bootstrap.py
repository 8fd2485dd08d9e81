"""The composition root: health reflects the database and the FAQ; a broken FAQ keeps serving."""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.routing import Route

from bot import bootstrap
from bot.core.channel import ChannelConfigError, ChannelParts, Rendering
from bot.core.types import Incoming, MerchantKey
from bot.faq.loader import load_faq
from bot.settings import Settings
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore
from bot.web.outbound import WebOutbound

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


def names(services: bootstrap.Services) -> list[str]:
    return [channel.name for channel in services.channels]


async def test_channels_switch_on_with_their_settings(tmp_path: Path) -> None:
    base = settings(tmp_path, ROOT / "faq")
    services = await bootstrap.build(base)
    try:
        assert names(services) == ["web"] and services.routes == []
        assert set(services.deliverer.outbounds) == {"web"}
        assert (await services.health())["channels"] == {"web": {"ok": True}}
    finally:
        await services.store.close()
    on = base.model_copy(update={"wechat_token": "tok", "wechat_app_id": "wx1",
                                 "wechat_app_secret": "s"})  # fmt: skip
    services = await bootstrap.build(on)
    try:
        assert names(services) == ["web", "wechat"]
        assert {getattr(r, "path", "") for r in services.routes} == {"/wechat"}
        assert set(services.deliverer.outbounds) == {"web", "wechat"}
        (wechat,) = [c for c in services.channels if c.name == "wechat"]
        assert not wechat.renders.buttons  # numbered menus
    finally:
        for channel in services.channels:
            await channel.stop()
        await services.store.close()
    bad = base.model_copy(update={"wechat_token": "tok", "wechat_encoding_aes_key": "short"})
    with pytest.raises(bootstrap.StartupError, match="WECHAT_ENCODING_AES_KEY"):
        await bootstrap.build(bad)


class Recorded:
    """A channel of the test's own: what the root did with it."""

    name = "recorded"
    renders = Rendering(buttons=False, venue=False)
    listeners = ()

    def __init__(self, parts: ChannelParts, refuse: bool = False) -> None:
        self.parts, self.refuse = parts, refuse
        self.outbound = WebOutbound()
        self.calls: list[str] = []

    def routes(self) -> list[object]:
        return [Route("/recorded", lambda request: None)]

    def status(self) -> dict[str, object]:
        return {"ok": False, "problem": "testing"}

    async def start(self) -> None:
        self.calls.append("start")
        if self.refuse:
            raise ChannelConfigError("RECORDED_TOKEN: refused")

    async def stop(self) -> None:
        self.calls.append("stop")


async def test_the_root_takes_its_parts(tmp_path: Path) -> None:
    """A store, a clock, the channel list and outbounds handed in, as the tests do."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'own.db'}"
    await upgrade(url)
    store, at = SqlStore(url), datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    built: list[Recorded] = []

    def recorded(parts: ChannelParts) -> Recorded:
        built.append(Recorded(parts))
        return built[-1]

    flaky = WebOutbound()
    services = await bootstrap.build(
        settings(tmp_path, ROOT / "faq"),
        store=store,
        clock=lambda: at,
        channels=[recorded, None],
        outbounds={"web": flaky},
    )
    (channel,) = built
    assert services.store is store and services.channels == [channel]
    assert channel.parts.conversation is services.conversation and channel.calls == ["start"]
    assert services.deliverer.outbounds == {"recorded": channel.outbound, "web": flaky}
    health = await services.health()
    assert health["channels"] == {"recorded": {"ok": False, "problem": "testing"}}
    assert "recorded" in health["degraded"]
    key = MerchantKey("web", "z")
    await services.conversation.handle(Incoming(key, "text", text="I want a real person"))
    async with store.uow() as uow:
        merchant = await uow.merchants.get_or_create(key)
        ticket = await uow.tickets.active_for(merchant.id)
    assert ticket is not None and ticket.created_at.replace(tzinfo=UTC) == at
    app = bootstrap.app(services)
    paths = {getattr(r, "path", "") for r in app.routes}
    assert {"/", "/healthz", "/recorded", "/staff"} <= paths
    async with bootstrap.running(services):
        pass
    assert channel.calls == ["start", "stop"]


async def test_a_refused_channel_stops_start_up_and_the_started_ones(tmp_path: Path) -> None:
    built: list[Recorded] = []

    def recorded(parts: ChannelParts) -> Recorded:
        built.append(Recorded(parts, refuse=len(built) == 1))
        return built[-1]

    with pytest.raises(bootstrap.StartupError, match="RECORDED_TOKEN: refused"):
        await bootstrap.build(settings(tmp_path, ROOT / "faq"), channels=[recorded, recorded])
    assert [c.calls for c in built] == [["start", "stop"], ["start"]]


async def test_telegram_unreachable_at_start_leaves_the_rest_serving(tmp_path: Path) -> None:
    unreachable = settings(tmp_path, ROOT / "faq").model_copy(
        update={
            "telegram_bot_token": "123456789:TEST-token_for-the-fake-api",
            "telegram_api_url": "http://127.0.0.1:9",  # nothing listens on the discard port
        }
    )
    services = await bootstrap.build(unreachable)
    try:
        assert names(services) == ["web", "telegram"]
        assert "telegram" in services.deliverer.outbounds
        health = await services.health()
        assert health["ok"] and "telegram" in health["degraded"]
        problem = health["channels"]["telegram"]["problem"]
        assert problem.startswith("TELEGRAM_API_URL:") and "TEST-token" not in problem
        reply = await services.conversation.handle(
            Incoming(MerchantKey("web", "y"), "text", text="How much is the security deposit?")
        )
        assert "500" in reply.messages[0].text  # the web chat answers meanwhile
    finally:
        for channel in services.channels:
            await channel.stop()
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
