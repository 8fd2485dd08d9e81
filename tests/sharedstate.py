"""Shared state for replica tests: the real Redis at 127.0.0.1:6379, one key prefix per test.

Redis is required, never skipped (``.ci/run`` starts it): ``TEST_REDIS_URL`` names another.
Each test's keys start with a prefix of its own, so tests running side by side (xdist) never
see each other's keys, and are deleted when it ends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable

import pytest

from bot.shared.redis_store import RedisShared

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
MakeShared = Callable[..., RedisShared]


@pytest.fixture
async def make_redis() -> AsyncIterator[MakeShared]:
    """``make_redis(clock=None)``: a RedisShared client on this test's prefix (each call a
    client of its own: one per replica)."""
    prefix = f"test:{uuid.uuid4().hex}:"
    made: list[RedisShared] = []

    def make(clock: Callable[[], float] | None = None) -> RedisShared:
        shared = RedisShared.from_url(REDIS_URL, prefix=prefix, clock=clock)
        made.append(shared)
        return shared

    yield make
    if made:
        await made[0].clear()
    for shared in made:
        await shared.close()
