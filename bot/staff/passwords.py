"""Staff passwords: argon2id hashes, checked in constant-ish time, upgraded when params change."""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 takes anything; this only stops megabyte "passwords" wasting CPU


class PasswordRejected(ValueError):
    """A new password that is not acceptable; the message says why."""


def check_new(password: str) -> str:
    """The password if it is acceptable as a new one, else raise ``PasswordRejected``."""
    if not password.strip():
        raise PasswordRejected("the password is empty")
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"the password is shorter than {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"the password is longer than {MAX_LENGTH} characters")
    return password


class Passwords:
    """Hashes and verifies with argon2id (argon2-cffi's RFC 9106 defaults unless given)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()

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
