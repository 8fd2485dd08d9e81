"""The customer-service window: WeChat lets the bot write first only after the merchant wrote.

Each message or menu click from a merchant opens a window of 48 hours in which at most five
customer-service messages may be sent; the API answers 45015 once it has closed. Kept in
memory (``Window``), or, with REDIS_URL, in Redis for every replica (``SharedWindow``); after a
restart the window is seeded from the merchant's last stored message, and the API's own answer
settles anything we cannot know.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.shared import Shared

WINDOW_SECONDS = 48 * 3600
MAX_SENDS = 5


@dataclass
class _Open:
    since: float
    sent: int = 0
    closed: bool = False


class Window:
    """Per-merchant window state, keyed by OpenID, on a wall clock (it spans restarts)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._state: dict[str, _Open] = {}

    def known(self, openid: str) -> bool:
        """Whether this process has seen the merchant write (or was told when they did)."""
        return openid in self._state

    def opened(self, openid: str, at: float | None = None) -> None:
        """The merchant wrote (now, or at ``at``): a fresh window with no sends yet."""
        since = self._clock() if at is None else at
        current = self._state.get(openid)
        if current is None or since >= current.since:
            self._state[openid] = _Open(since)
        self._prune()

    def close(self, openid: str) -> None:
        """The API said the window is gone (45015) or the merchant unsubscribed."""
        current = self._state.setdefault(openid, _Open(self._clock()))
        current.closed = True

    def sent(self, openid: str) -> None:
        """Count one customer-service message."""
        current = self._state.setdefault(openid, _Open(self._clock()))
        current.sent += 1

    def closed_reason(self, openid: str) -> str | None:
        """Why nothing can be sent now, or None when the window is open (or unknown)."""
        current = self._state.get(openid)
        if current is None:
            return None
        if current.closed:
            return "the customer-service window is closed"
        if self._clock() - current.since >= WINDOW_SECONDS:
            return "48 hours have passed since the merchant last wrote"
        if current.sent >= MAX_SENDS:
            return f"{MAX_SENDS} messages were sent since the merchant last wrote"
        return None

    def _prune(self) -> None:
        # Windows closed for days need no memory: such a merchant is seeded from history again.
        cutoff = self._clock() - 2 * WINDOW_SECONDS
        if len(self._state) > 10_000:
            self._state = {k: v for k, v in self._state.items() if v.since >= cutoff}


class SharedWindow:
    """The same window on ``Shared`` (Redis with REDIS_URL): every replica counts the sends.

    Per merchant: when they last wrote (``wechat:window:<openid>``), and, for that window, the
    sends made and whether the API closed it (keys named after the window's start, so a new
    message starts from zero without a reset that could race with a send)."""

    def __init__(self, shared: Shared, clock: Callable[[], float] = time.time) -> None:
        self._shared = shared
        self._clock = clock

    @staticmethod
    def _since_key(openid: str) -> str:
        return f"wechat:window:{openid}"

    async def _since(self, openid: str, default: bool = False) -> float | None:
        held = await self._shared.get(self._since_key(openid))
        if held is not None:
            return float(held.value)
        if not default:
            return None
        now = self._clock()
        await self._shared.set(self._since_key(openid), repr(now), 2 * WINDOW_SECONDS)
        return now

    async def known(self, openid: str) -> bool:
        return await self._since(openid) is not None

    async def opened(self, openid: str, at: float | None = None) -> None:
        since = self._clock() if at is None else at
        current = await self._since(openid)
        if current is None or since >= current:
            await self._shared.set(self._since_key(openid), repr(since), 2 * WINDOW_SECONDS)

    async def close(self, openid: str) -> None:
        since = await self._since(openid, default=True)
        key = f"{self._since_key(openid)}:{since!r}:closed"
        await self._shared.set(key, "1", WINDOW_SECONDS)

    async def sent(self, openid: str) -> None:
        since = await self._since(openid, default=True)
        await self._shared.incr(f"{self._since_key(openid)}:{since!r}:sent", WINDOW_SECONDS)

    async def closed_reason(self, openid: str) -> str | None:
        since = await self._since(openid)
        if since is None:
            return None
        prefix = f"{self._since_key(openid)}:{since!r}"
        if await self._shared.get(f"{prefix}:closed") is not None:
            return "the customer-service window is closed"
        if self._clock() - since >= WINDOW_SECONDS:
            return "48 hours have passed since the merchant last wrote"
        sent = await self._shared.get(f"{prefix}:sent")
        if sent is not None and int(sent.value) >= MAX_SENDS:
            return f"{MAX_SENDS} messages were sent since the merchant last wrote"
        return None


class LocalWindow:
    """``Window`` behind the async face of ``SharedWindow`` (one replica, no REDIS_URL)."""

    def __init__(self, window: Window) -> None:
        self.window = window

    async def known(self, openid: str) -> bool:
        return self.window.known(openid)

    async def opened(self, openid: str, at: float | None = None) -> None:
        self.window.opened(openid, at)

    async def close(self, openid: str) -> None:
        self.window.close(openid)

    async def sent(self, openid: str) -> None:
        self.window.sent(openid)

    async def closed_reason(self, openid: str) -> str | None:
        return self.window.closed_reason(openid)
