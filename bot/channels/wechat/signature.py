"""WeChat's request signatures: SHA-1 of the sorted token, timestamp, nonce (and ciphertext)."""

from __future__ import annotations

import hashlib
import hmac


def sign(token: str, timestamp: str, nonce: str, encrypted: str | None = None) -> str:
    """The hex signature WeChat computes: sort the parts as strings, join, SHA-1.

    Plain messages and URL checks sign (token, timestamp, nonce); safe-mode messages add the
    ``Encrypt`` text (``msg_signature``).
    """
    parts = [token, timestamp, nonce] + ([encrypted] if encrypted is not None else [])
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def valid(
    signature: str, token: str, timestamp: str, nonce: str, encrypted: str | None = None
) -> bool:
    """True when ``signature`` matches; compared in constant time, case-insensitively."""
    expected = sign(token, timestamp, nonce, encrypted)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().lower().encode("utf-8"))
