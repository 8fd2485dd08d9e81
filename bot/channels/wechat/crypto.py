"""Safe mode (WXBizMsgCrypt): AES-256-CBC with the EncodingAESKey, as WeChat publishes it.

The key is base64(EncodingAESKey + "="), 32 bytes; the IV is its first 16 bytes. The plaintext is
16 random bytes, the message length (4 bytes, big-endian), the message (UTF-8) and the app id,
padded PKCS#7 to a multiple of 32 bytes (not AES's 16), then base64-encoded.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import struct
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_CHARS = 43
BLOCK = 32  # WeChat pads to 32 bytes, a multiple of AES's block size
RANDOM_BYTES = 16


class CryptoError(Exception):
    """A ciphertext that cannot be ours: bad base64, padding, length or app id."""


class WrongAppId(CryptoError):
    """A well-formed message encrypted for another Official Account."""


class MessageCrypto:
    """Encrypts replies and decrypts messages for one Official Account."""

    def __init__(
        self,
        encoding_aes_key: str,
        app_id: str,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.key = aes_key(encoding_aes_key)
        self.app_id = app_id.encode("utf-8")
        self._random = random

    def encrypt(self, message: str) -> str:
        """The base64 ciphertext of a message (the ``Encrypt`` field of a reply)."""
        body = message.encode("utf-8")
        plain = self._random(RANDOM_BYTES) + struct.pack(">I", len(body)) + body + self.app_id
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The message inside a ciphertext; CryptoError unless it is well-formed and ours."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("ciphertext is not base64") from None
        if not data or len(data) % 16:
            raise CryptoError("ciphertext length is not a multiple of the AES block")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        plain = plain[:-pad]
        if len(plain) < RANDOM_BYTES + 4:
            raise CryptoError("too short")
        (length,) = struct.unpack(">I", plain[RANDOM_BYTES : RANDOM_BYTES + 4])
        body = plain[RANDOM_BYTES + 4 : RANDOM_BYTES + 4 + length]
        app_id = plain[RANDOM_BYTES + 4 + length :]
        if len(body) != length:
            raise CryptoError("length field exceeds the message")
        if not hmac.compare_digest(app_id, self.app_id):
            raise WrongAppId("the message is for another app id")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise CryptoError("message is not UTF-8") from None

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey; ValueError if it is not one."""
    if len(encoding_aes_key) != KEY_CHARS:
        raise ValueError(f"must be {KEY_CHARS} characters (it is {len(encoding_aes_key)})")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be letters and digits (base64)") from None
    if len(key) != 32:
        raise ValueError("must decode to 32 bytes")
    return key
