"""``Shared`` (``bot/core/shared.py``) on Redis: what every replica of the bot sees.

The only module that imports redis (import-linter says so). Claims are ``SET NX PX``; values
``SET PX`` with ``PTTL``; renewals, fenced claims, conditional deletes and rate quotas are Lua
scripts, so each is one
atomic step on the server. A quota is a sorted set of tickets scored by time: a request in
flight is scored ``now + hold`` (it counts until it is done, or ``hold`` runs out when its
replica died), a finished one by when it finished. Time is the Redis server's own (``TIME``),
one clock for the fleet; a test hands in its virtual clock instead.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the client (~8 MB resident) is imported only when REDIS_URL is set
    import redis.asyncio as redis

from bot.core.shared import IN_FLIGHT_POLL, Held, Quota, Taken

_NOW = """
local function now()
  if ARGV[1] ~= '' then return tonumber(ARGV[1]) end
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

# KEYS: the quotas' sorted sets; ARGV: now ('' = the server's), hold, ticket, poll, then
# count and seconds per quota. Returns {ticket or '', wait as a string}.
_TAKE = (
    _NOW
    + """
local t = now()
local hold, ticket, poll = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local wait = 0
for i, key in ipairs(KEYS) do
  local count, seconds = tonumber(ARGV[3 + 2 * i]), tonumber(ARGV[4 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', t - seconds)
  if redis.call('ZCARD', key) >= count then
    local first = redis.call('ZRANGEBYSCORE', key, '-inf', t, 'WITHSCORES', 'LIMIT', 0, 1)
    local pause = poll
    if #first > 0 then pause = tonumber(first[2]) + seconds - t end
    if pause < 1e-9 then pause = 1e-9 end
    if pause > wait then wait = pause end
  end
end
if wait > 0 then return {'', tostring(wait)} end
for i, key in ipairs(KEYS) do
  local seconds = tonumber(ARGV[4 + 2 * i])
  redis.call('ZADD', key, t + hold, ticket)
  redis.call('PEXPIRE', key, math.ceil((seconds + hold) * 1000) + 1000)
end
return {ticket, '0'}
"""
)

# KEYS: the quotas' sorted sets; ARGV: now, ticket.
_DONE = (
    _NOW
    + """
local t = now()
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', t, ARGV[2])
end
return 1
"""
)

_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: the key; ARGV: the owner's value, ttl in ms. 1 when kept (or taken: it was unset).
_RENEW = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS: the key to claim, its fence; ARGV: value, ttl in ms, the fence's token.
_CLAIM_FENCED = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local owner = redis.call('GET', KEYS[2])
if owner and owner ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

_INCR = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


def _ms(seconds: float) -> int:
    return max(1, math.ceil(seconds * 1000))


class RedisShared:
    """``Shared`` on one Redis database; every key gets ``prefix`` (tests: one per test)."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = "merchant-bot:",
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._clock = clock
        self._take = client.register_script(_TAKE)
        self._done = client.register_script(_DONE)
        self._delete_if = client.register_script(_DELETE_IF)
        self._incr = client.register_script(_INCR)
        self._renew = client.register_script(_RENEW)
        self._claim_fenced = client.register_script(_CLAIM_FENCED)

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "merchant-bot:", clock: Callable[[], float] | None = None
    ) -> RedisShared:
        """A store on ``REDIS_URL`` (``redis://host:port/db``); it connects on first use."""
        import redis.asyncio as redis

        client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=5.0, socket_connect_timeout=5.0
        )
        return cls(client, prefix=prefix, clock=clock)

    def _key(self, key: str) -> str:
        return self._prefix + key

    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock())

    async def ping(self) -> bool:
        """Whether Redis answers (False, not an exception, when it does not)."""
        try:
            return bool(await self._redis.ping())
        except Exception:
            return False

    async def claim(self, key: str, ttl: float, value: str = "1") -> bool:
        return bool(await self._redis.set(self._key(key), value, nx=True, px=_ms(ttl)))

    async def renew(self, key: str, value: str, ttl: float) -> bool:
        return bool(await self._renew(keys=[self._key(key)], args=[value, _ms(ttl)]))

    async def claim_fenced(
        self, key: str, value: str, ttl: float, *, fence: str, token: str
    ) -> bool:
        keys = [self._key(key), self._key(fence)]
        return bool(await self._claim_fenced(keys=keys, args=[value, _ms(ttl), token]))

    async def get(self, key: str) -> Held | None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(self._key(key))
            pipe.pttl(self._key(key))
            value, left = await pipe.execute()
        if value is None:
            return None
        return Held(str(value), max(int(left), 0) / 1000 if int(left) >= 0 else math.inf)

    async def set(self, key: str, value: str, ttl: float) -> None:
        await self._redis.set(self._key(key), value, px=_ms(ttl))

    async def delete(self, key: str, value: str | None = None) -> bool:
        if value is None:
            return bool(await self._redis.delete(self._key(key)))
        return bool(await self._delete_if(keys=[self._key(key)], args=[value]))

    async def incr(self, key: str, ttl: float) -> int:
        return int(await self._incr(keys=[self._key(key)], args=[_ms(ttl)]))

    async def take(self, quotas: Sequence[Quota], hold: float) -> Taken:
        ticket = uuid.uuid4().hex
        args: list[str | float] = [self._now(), hold, ticket, IN_FLIGHT_POLL]
        for quota in quotas:
            args += [quota.count, quota.seconds]
        got, wait = await self._take(keys=[self._key(q.key) for q in quotas], args=args)
        return Taken(str(got) or None, float(wait))

    async def done(self, quotas: Sequence[Quota], ticket: str) -> None:
        await self._done(keys=[self._key(q.key) for q in quotas], args=[self._now(), ticket])

    async def clear(self) -> None:
        """Delete every key under the prefix (tests clean up after themselves)."""
        async for key in self._redis.scan_iter(match=self._prefix + "*", count=500):
            await self._redis.delete(key)

    async def close(self) -> None:
        await self._redis.aclose()


def shared_from(url: str) -> RedisShared | None:
    """The replicas' shared state on ``REDIS_URL``; None when it is not set (one replica)."""
    return RedisShared.from_url(url) if url else None
