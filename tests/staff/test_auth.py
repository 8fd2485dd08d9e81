"""Signing in: sessions kept as token hashes, expiry, disabled accounts, lock-out, equal costs."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from bot.core.accounts import StaffAccount
from bot.staff.accounts import Accounts
from bot.staff.auth import StaffAuth
from bot.staff.passwords import Passwords
from bot.staff.throttle import Busy, HashGate
from tests.fakes import FakeStore
from tests.staff.conftest import FAST, LEGACY, PASSWORD, Clock


class CountingPasswords(Passwords):
    """The real argon2id checks, noting which hashes were verified, and on which threads."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        super().__init__(hasher or PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        self.verified: list[str] = []
        self.threads: list[str] = []

    def hash(self, password: str) -> str:
        self.threads.append(threading.current_thread().name)
        return super().hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        self.threads.append(threading.current_thread().name)
        return super().verify(password_hash, password)


class BlockingPasswords(CountingPasswords):
    """Checks that hold their thread until released, counting how many run at once."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started = threading.Semaphore(0)
        self._lock = threading.Lock()
        self.running = self.most = 0

    def verify(self, password_hash: str, password: str) -> bool:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.started.release()
        try:
            assert self.release.wait(timeout=30), "never released"
            return super().verify(password_hash, password)
        finally:
            with self._lock:
                self.running -= 1


@dataclass
class World:
    store: FakeStore = field(default_factory=FakeStore)
    clock: Clock = field(default_factory=Clock)
    passwords: CountingPasswords = field(default_factory=CountingPasswords)
    slept: list[float] = field(default_factory=list)

    def auth(self, passwords: Passwords | None = None, gate: HashGate | None = None) -> StaffAuth:
        async def sleep(seconds: float) -> None:
            self.slept.append(seconds)

        return StaffAuth(
            self.store.uow,
            passwords=passwords or self.passwords,
            clock=self.clock,
            sleep=sleep,
            gate=gate,
        )

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.store.uow, passwords=self.passwords, clock=self.clock)

    async def account(self, username: str) -> StaffAccount:
        async with self.store.uow() as uow:
            found = await uow.staff.get(username)
        assert found is not None
        return found


@pytest.fixture
async def world() -> World:
    w = World()
    await w.accounts.add("alice", "agent", PASSWORD, ["default"])
    return w


async def test_a_session_keeps_only_the_hash_of_its_token(world: World) -> None:
    login = await world.auth().login("alice", PASSWORD)
    assert login is not None
    assert len(login.token) == 43 and len(login.session.csrf) == 43
    assert login.token != login.session.csrf
    stored = world.store.committed.sessions
    assert list(stored) == [hashlib.sha256(login.token.encode()).hexdigest()]
    assert login.token not in repr(stored)
    assert login.session.expires_at - world.clock() <= timedelta(hours=12)
    assert login.session.expires_at - world.clock() > timedelta(hours=11, minutes=59)
    assert world.slept == []  # no delay for the right password


async def test_the_token_authenticates_until_it_expires(world: World) -> None:
    auth = world.auth()
    login = await auth.login("alice", PASSWORD)
    assert login is not None
    signed = await auth.authenticate(login.token)
    assert signed is not None and signed.account.username == "alice"
    assert signed.session.csrf == login.session.csrf
    world.clock.advance(timedelta(hours=12, seconds=1))
    assert await auth.authenticate(login.token) is None
    assert world.store.committed.sessions == {}  # the expired session was removed


@pytest.mark.parametrize("token", [None, "", "short", "a" * 43, "é" * 43, "a" * 44])
async def test_unknown_or_malformed_tokens_authenticate_nobody(
    world: World, token: str | None
) -> None:
    assert await world.auth().login("alice", PASSWORD) is not None
    assert await world.auth().authenticate(token) is None


async def test_disabling_an_account_ends_its_sessions_at_once(world: World) -> None:
    auth = world.auth()
    login = await auth.login("alice", PASSWORD)
    assert login is not None
    await world.accounts.disable("alice")
    assert await auth.authenticate(login.token) is None
    assert await auth.login("alice", PASSWORD) is None  # and it cannot sign in again
    await world.accounts.enable("alice")
    assert await auth.authenticate(login.token) is None  # re-enabling revives no old session


async def test_a_new_password_ends_every_session_of_the_account(world: World) -> None:
    auth = world.auth()
    await world.accounts.add("bob", "agent", PASSWORD, ["default"])
    first, second = await auth.login("alice", PASSWORD), await auth.login("alice", PASSWORD)
    bobs = await auth.login("bob", PASSWORD)
    assert first is not None and second is not None and bobs is not None
    await world.accounts.set_password("alice", "a brand new secret")
    assert await auth.authenticate(first.token) is None
    assert await auth.authenticate(second.token) is None
    assert await auth.authenticate(bobs.token) is not None  # other accounts keep theirs


async def test_logout_ends_the_session(world: World) -> None:
    auth = world.auth()
    login = await auth.login("alice", PASSWORD)
    assert login is not None
    await auth.logout(login.token)
    assert await auth.authenticate(login.token) is None
    await auth.logout(login.token)  # twice is harmless
    await auth.logout("not a token")


async def test_usernames_are_trimmed_and_case_insensitive(world: World) -> None:
    assert await world.auth().login("  Alice ", PASSWORD) is not None


async def test_five_failures_lock_the_account_for_fifteen_minutes(world: World) -> None:
    auth = world.auth()
    for attempt in range(1, 5):
        assert await auth.login("alice", f"wrong password {attempt}") is None
        assert (await world.account("alice")).failed_logins == attempt
    assert await auth.login("alice", "wrong password 5") is None
    locked = await world.account("alice")
    assert locked.locked_until is not None
    assert locked.locked_until - world.clock() > timedelta(minutes=14, seconds=59)
    # While locked, even the right password is refused.
    assert await auth.login("alice", PASSWORD) is None
    world.clock.advance(timedelta(minutes=14))
    assert await auth.login("alice", PASSWORD) is None
    world.clock.advance(timedelta(minutes=1, seconds=1))
    assert await auth.login("alice", PASSWORD) is not None
    unlocked = await world.account("alice")
    assert (unlocked.failed_logins, unlocked.locked_until) == (0, None)


async def test_a_success_resets_the_failure_count(world: World) -> None:
    auth = world.auth()
    for _ in range(4):
        assert await auth.login("alice", "wrong password") is None
    assert await auth.login("alice", PASSWORD) is not None
    assert await auth.login("alice", "wrong password") is None
    assert (await world.account("alice")).failed_logins == 1


async def test_every_failure_costs_one_verification_and_the_delay(world: World) -> None:
    await world.accounts.add("bob", "agent", PASSWORD, ["default"])
    await world.accounts.disable("bob")
    auth = world.auth()
    alice = await world.account("alice")
    world.passwords.verified.clear()
    assert await auth.login("alice", "wrong password") is None
    assert await auth.login("nobody", PASSWORD) is None
    assert await auth.login("bob", PASSWORD) is None
    assert await auth.login("", "") is None
    # The wrong password is checked against alice's hash; the unknown, the disabled and the
    # empty name against the dummy: one argon2 verification each, so the timings match.
    dummy = world.passwords.dummy_hash
    assert world.passwords.verified == [alice.password_hash, dummy, dummy, dummy]
    assert world.slept == [0.5, 0.5, 0.5, 0.5]


async def test_a_hash_with_old_parameters_is_upgraded_at_sign_in(world: World) -> None:
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert await world.auth(stronger).login("alice", PASSWORD) is not None
    upgraded = (await world.account("alice")).password_hash
    assert upgraded.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    assert await world.auth(stronger).login("alice", PASSWORD) is not None


async def test_a_legacy_64_mib_hash_still_signs_in_and_is_rehashed_to_19_mib(world: World) -> None:
    alice = await world.account("alice")
    async with world.store.uow() as uow:
        alice.password_hash = LEGACY.hash(PASSWORD)
        await uow.staff.update(alice)
        await uow.commit()
    auth = world.auth(Passwords())  # the real parameters
    assert await auth.login("alice", "wrong password") is None
    assert (await world.account("alice")).password_hash.startswith("$argon2id$v=19$m=65536,")
    assert await auth.login("alice", PASSWORD) is not None
    upgraded = (await world.account("alice")).password_hash
    assert upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await auth.login("alice", PASSWORD) is not None  # the new hash works too


async def test_password_work_runs_only_on_the_gates_threads(world: World) -> None:
    passwords = CountingPasswords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    auth = world.auth(passwords)
    assert await auth.login("nobody", PASSWORD) is None  # makes the dummy hash, checks it
    assert await auth.login("alice", PASSWORD) is not None  # checks, then re-hashes
    assert len(passwords.threads) == 4
    assert all(name.startswith("argon2") for name in passwords.threads), passwords.threads


async def test_at_most_two_checks_run_at_once_and_a_full_gate_refuses_at_once(
    world: World,
) -> None:
    blocking = BlockingPasswords()
    gate = HashGate(running=2, waiting=1)
    auth = world.auth(blocking, gate=gate)
    tasks = [
        asyncio.create_task(auth.login(name, "wrong password"))
        for name in ("alice", "nobody", "alice")
    ]
    for _ in range(2):  # two checks have started on the gate's two threads...
        assert await asyncio.to_thread(blocking.started.acquire, timeout=30)
    while gate.admitted < 3:  # ...and the third is queued behind them
        await asyncio.sleep(0)
    with pytest.raises(Busy):  # a fourth is refused without waiting, even the right password
        await auth.login("alice", PASSWORD)
    assert blocking.running == 2
    blocking.release.set()
    assert await asyncio.gather(*tasks) == [None, None, None]
    assert blocking.most == 2 and gate.admitted == 0
    assert len(blocking.verified) == 3  # the refused attempt checked nothing...
    assert (await world.account("alice")).failed_logins == 2  # ...and counted no failure
    assert await auth.login("alice", PASSWORD) is not None  # room again once they are done


async def test_colleagues_are_the_accounts_that_can_sign_in(world: World) -> None:
    await world.accounts.add("bob", "admin", PASSWORD)
    await world.accounts.add("carol", "agent", PASSWORD, ["seoul"])
    await world.accounts.disable("carol")
    assert [a.username for a in await world.auth().colleagues()] == ["alice", "bob"]


def test_fast_test_hasher_is_still_argon2id() -> None:
    assert FAST.hash(PASSWORD).startswith("$argon2id$")
