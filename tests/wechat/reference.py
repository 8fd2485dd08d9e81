"""WeChat's published message-encryption algorithm, written again from the spec for the tests.

Independent of ``bot.channels.wechat.crypto``: only the AES block function comes from a library
(one block at a time, ECB); CBC chaining, the 32-byte PKCS#7 padding and the
random/length/message/app-id framing are done here by hand.
"""

from __future__ import annotations

import base64
import hashlib
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def signature(*parts: str) -> str:
    """SHA-1 (hex) of the parts sorted as strings and joined."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def key_of(encoding_aes_key: str) -> bytes:
    """AESKey = Base64_Decode(EncodingAESKey + "=")."""
    return base64.b64decode(encoding_aes_key + "=")


def _blocks(data: bytes) -> list[bytes]:
    return [data[i : i + 16] for i in range(0, len(data), 16)]


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-CBC by hand over the single-block cipher."""
    block = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    out, previous = b"", iv
    for chunk in _blocks(data):
        previous = block.update(_xor(chunk, previous))
        out += previous
    return out


def cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """The inverse of ``cbc_encrypt``."""
    block = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    out, previous = b"", iv
    for chunk in _blocks(data):
        out += _xor(block.update(chunk), previous)
        previous = chunk
    return out


def encrypt(encoding_aes_key: str, app_id: str, message: str, random16: bytes) -> str:
    """Base64(AES_CBC(random16 + len(msg) + msg + appid, padded to 32-byte blocks))."""
    key = key_of(encoding_aes_key)
    msg = message.encode()
    plain = random16 + struct.pack("!I", len(msg)) + msg + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad] * pad)
    return base64.b64encode(cbc_encrypt(key, key[:16], plain)).decode()


def decrypt(encoding_aes_key: str, encrypted: str) -> tuple[str, str]:
    """(message, app id) of a ciphertext."""
    key = key_of(encoding_aes_key)
    plain = cbc_decrypt(key, key[:16], base64.b64decode(encrypted))
    plain = plain[: -plain[-1]]
    (length,) = struct.unpack("!I", plain[16:20])
    return plain[20 : 20 + length].decode(), plain[20 + length :].decode()
