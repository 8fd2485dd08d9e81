"""Per-chat order: one chat's updates one after another, different chats side by side."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")


def by_chat(items: Iterable[T], chat: Callable[[T], Hashable | None]) -> list[list[T]]:
    """Items grouped per chat, in their original order; items without a chat stand alone."""
    groups: dict[Hashable, list[T]] = {}
    for i, item in enumerate(items):
        key = chat(item)
        groups.setdefault(("alone", i) if key is None else key, []).append(item)
    return list(groups.values())


class ChatLocks:
    """One lock per chat, dropped when nobody holds or waits for it (chats come and go)."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat: Hashable) -> AsyncIterator[None]:
        """Hold the chat's lock; waiters get it in the order they asked (asyncio.Lock is FIFO)."""
        lock, users = self._locks.get(chat, (asyncio.Lock(), 0))
        self._locks[chat] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat]
            if users == 1:
                del self._locks[chat]
            else:
                self._locks[chat] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
