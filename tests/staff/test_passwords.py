"""Staff passwords: argon2id hashes, verification, re-hashing, and what a new one must be."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters

from bot.staff.passwords import MIN_LENGTH, PasswordRejected, Passwords, check_new
from tests.staff.conftest import FAST, LEGACY

# argon2-cffi's own default, which the first staff hashes were made with: 64 MiB per check


def test_the_default_hash_is_argon2id_with_owasp_parameters() -> None:
    passwords = Passwords()
    hashed = passwords.hash("correct horse battery")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify(hashed, "correct horse battery")
    assert not passwords.verify(hashed, "correct horse batterY")
    assert not passwords.needs_rehash(hashed)


def test_a_check_reserves_at_most_19_mib_one_lane() -> None:
    made = extract_parameters(Passwords().hash("correct horse battery"))
    assert made.memory_cost <= 19 * 1024 and made.parallelism == 1
    assert extract_parameters(Passwords().dummy_hash) == made  # unknown users cost the same


def test_a_hash_made_with_the_old_64_mib_default_still_verifies_and_needs_rehashing() -> None:
    old = LEGACY.hash("correct horse battery")
    passwords = Passwords()
    assert passwords.verify(old, "correct horse battery")
    assert not passwords.verify(old, "correct horse batterY")
    assert passwords.needs_rehash(old)


def test_each_hash_is_salted() -> None:
    assert FAST.hash("same password!") != FAST.hash("same password!")


@pytest.mark.parametrize("stored", ["", "plain text", "$argon2id$v=19$m=8,t=1,p=1$broken"])
def test_a_malformed_stored_hash_never_matches(stored: str) -> None:
    assert FAST.verify(stored, "anything at all") is False
    assert FAST.needs_rehash(stored) is True


def test_hashes_made_with_other_parameters_need_rehashing() -> None:
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    old = FAST.hash("correct horse battery")
    assert stronger.verify(old, "correct horse battery")  # still accepted...
    assert stronger.needs_rehash(old)  # ...and upgraded at the next sign-in


def test_the_dummy_hash_matches_no_ordinary_password() -> None:
    assert FAST.dummy_hash.startswith("$argon2id$")
    assert FAST.dummy_hash is FAST.dummy_hash  # computed once
    assert not FAST.verify(FAST.dummy_hash, "")
    assert not FAST.verify(FAST.dummy_hash, "correct horse battery")


def test_an_overlong_password_never_matches() -> None:
    hashed = FAST.hash("x" * 1024)
    assert FAST.verify(hashed, "x" * 1024) is True
    assert FAST.verify(hashed, "x" * 1025) is False


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "empty"),
        ("          ", "empty"),
        ("short", f"shorter than {MIN_LENGTH}"),
        ("123456789", f"shorter than {MIN_LENGTH}"),
        ("x" * 1025, "longer than 1024"),
    ],
)
def test_new_passwords_must_be_long_enough(password: str, reason: str) -> None:
    with pytest.raises(PasswordRejected, match=reason):
        check_new(password)


def test_ten_characters_are_enough() -> None:
    assert check_new("0123456789") == "0123456789"
