"""The web chat as its page drives it, shared by the flood benchmarks (crash, fleet)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Callable
from typing import Any, Protocol

import aiohttp


class Asked(Protocol):
    """A message the page sends, with what came back: answers, and replays of one."""

    id: str
    text: str
    answers: list[tuple[str, ...]]  # non-duplicate replies
    replays: list[tuple[str, ...]]  # replies marked duplicate


class ChatPage:
    """One browser's page: its own cookie, messages posted, staff replies polled."""

    def __init__(self) -> None:
        token = secrets.token_urlsafe(32)
        self.cookie = f"mb_chat={token}"
        self.user = hashlib.sha256(token.encode()).hexdigest()  # the web channel's user id
        self.cursor = 0  # the last message id /api/history has shown

    async def send(
        self, session: aiohttp.ClientSession, base: str, q: Asked, lang: str
    ) -> dict[str, Any] | None:
        """POST one text to /api/chat and keep the reply's texts; None when none came back."""
        body = {"type": "text", "text": q.text, "lang": lang, "id": q.id}
        try:
            async with session.post(
                f"{base}/api/chat", json=body, headers={"cookie": self.cookie}
            ) as response:
                if response.status != 200:
                    return None
                data: dict[str, Any] = await response.json()
        except (aiohttp.ClientError, TimeoutError):
            return None
        texts = tuple(str(m["text"]) for m in data.get("messages", []))
        (q.replays if data.get("duplicate") else q.answers).append(texts)
        return data

    async def poll(
        self,
        session: aiohttp.ClientSession,
        base: str,
        stop: asyncio.Event,
        shown: Callable[[str], None],
    ) -> None:
        """The page's poller: every new message's text to ``shown``, through
        /api/history?after=cursor every 0.3 s until ``stop`` (a failed poll is tried again)."""
        while not stop.is_set():
            try:
                async with session.get(
                    f"{base}/api/history",
                    params={"after": str(self.cursor)},
                    headers={"cookie": self.cookie},
                ) as response:
                    if response.status == 200:
                        data = await response.json()
                        for m in data["messages"]:
                            shown(m["text"])
                        self.cursor = int(data["cursor"])
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.3)
