"""Staff passwords: argon2id hashes, checked in constant-ish time, upgraded when params change.

The parameters are OWASP's first argon2id option (Password Storage Cheat Sheet: m=19 MiB, t=2,
p=1), an RFC 9106 argon2id configuration sized for a server that must not run out of memory.
argon2-cffi's default (RFC 9106's "low memory" profile: m=64 MiB, t=3, p=4) reserves 64 MiB per
check, so six wrong sign-ins at once added 400 MB to the process. Measured on the 2-vCPU build
machine (argon2-cffi 25.1): m=19 MiB t=2 p=1 verifies in 18 ms and adds 19 MB of peak RSS per
hash; OWASP's m=12 MiB t=3 p=1 takes 15 ms and 12 MB; the old default took 147 ms and 64 MB.
OWASP rates its options as equally strong; the 19 MiB one is kept because memory is what makes
guessing on GPUs expensive, and 3 ms more per sign-in is nothing. ``bot.staff.throttle.HashGate``
caps how many hashes run at once (2 x 19 MiB at most), so the memory a flood can take no longer
grows with the number of requests. Hashes made with the old parameters still verify and are
re-hashed at their owner's next successful sign-in.
"""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.i18n import LocalizedError, _

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 takes anything; this only stops megabyte "passwords" wasting CPU
MEMORY_COST = 19 * 1024  # KiB: 19 MiB per hash (see above)
TIME_COST = 2  # passes over that memory
PARALLELISM = 1  # lanes: one thread per hash, so the gate's bound is also a CPU bound


def default_hasher() -> PasswordHasher:
    """The argon2id hasher new staff passwords are made with."""
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST, parallelism=PARALLELISM)


class PasswordRejected(LocalizedError, ValueError):
    """A new password that is not acceptable; the message says why."""


def check_new(password: str) -> str:
    """The password if it is acceptable as a new one, else raise ``PasswordRejected``."""
    if not password.strip():
        raise PasswordRejected(_("the password is empty"))
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(_("the password is shorter than {n} characters"), n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(_("the password is longer than {n} characters"), n=MAX_LENGTH)
    return password


class Passwords:
    """Hashes and verifies with argon2id (the parameters above unless a hasher is given)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or default_hasher()

    def hash(self, password: str) -> str:
        """A new salted argon2id hash of the password."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether the password matches; a malformed hash never matches."""
        if len(password) > MAX_LENGTH:  # no stored password is this long; spend the same time
            password_hash, password = self.dummy_hash, password[:MAX_LENGTH]
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """True when the hash was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True

    @cached_property
    def dummy_hash(self) -> str:
        """A hash nobody's password matches: unknown users cost the same time as wrong ones."""
        return self.hash("no account has this password: it only spends the verification time")
