"""Signatures and safe-mode encryption against Tencent's published samples, an implementation
written from the spec in ``reference``, and OpenSSL."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess

import pytest

from bot.channels.wechat.crypto import CryptoError, MessageCrypto, WrongAppId, aes_key
from bot.channels.wechat.signature import sign, valid
from tests.wechat import reference

# Tencent's WXBizMsgCrypt Python sample (Sample.py, 2014): a message pushed in safe mode.
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_TOKEN, SAMPLE_APP_ID = "spamtest", "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP, SAMPLE_NONCE = "1409735669", "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8P"
    "GHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa"
    "+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X"
    "8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9F"
    "yJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
SAMPLE_PLAIN = (
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>\n"
    "<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>\n"
    "<CreateTime>1409735668</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[abcdteT]]></Content>\n<MsgId>6054768590064713728</MsgId>\n</xml>"
)
# Tencent's Java sample test (WXBizMsgCryptTest): a fixed "random" gives a fixed ciphertext.
JAVA_APP_ID, JAVA_RANDOM, JAVA_MSG = "wxb11529c136998cb6", b"aaaabbbbccccdddd", "我是中文abcd123"
JAVA_ENCRYPT = (
    "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
)
KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
APP_ID = "wx5823bf96d3bd56c7"


def test_tencent_sample_signature_and_decryption() -> None:
    assert sign(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT) == (
        SAMPLE_MSG_SIGNATURE
    )
    assert valid(SAMPLE_MSG_SIGNATURE, SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT)
    assert MessageCrypto(SAMPLE_KEY, SAMPLE_APP_ID).decrypt(SAMPLE_ENCRYPT) == SAMPLE_PLAIN


def test_tencent_sample_encryption_with_a_fixed_random() -> None:
    crypto = MessageCrypto(SAMPLE_KEY, JAVA_APP_ID, random=lambda n: JAVA_RANDOM[:n])
    assert crypto.encrypt(JAVA_MSG) == JAVA_ENCRYPT


def test_the_sample_fails_for_another_app_id_or_key() -> None:
    with pytest.raises(WrongAppId):
        MessageCrypto(SAMPLE_KEY, "wx0000000000000000").decrypt(SAMPLE_ENCRYPT)
    with pytest.raises(CryptoError):
        MessageCrypto(KEY, SAMPLE_APP_ID).decrypt(SAMPLE_ENCRYPT)


@pytest.mark.parametrize(
    "message",
    ["", "a", "x" * 11, "x" * 12, "x" * 13, "x" * 44, "保证金要交多少？" * 40, "<xml>]]></xml>"],
)
def test_ours_and_the_reference_read_each_other(message: str) -> None:
    # Lengths 11..13 with a 16+4+18 byte frame straddle a 32-byte boundary (a full pad block).
    ours = MessageCrypto(KEY, APP_ID)
    random16 = os.urandom(16)
    theirs = reference.encrypt(KEY, APP_ID, message, random16)
    assert ours.decrypt(theirs) == message
    assert reference.decrypt(KEY, ours.encrypt(message)) == (message, APP_ID)
    fixed = MessageCrypto(KEY, APP_ID, random=lambda n: random16)
    assert fixed.encrypt(message) == theirs


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_decrypts_what_we_encrypt() -> None:
    key = aes_key(KEY)
    encrypted = MessageCrypto(KEY, APP_ID).encrypt("保证金 deposit")
    done = subprocess.run(
        ["openssl", "enc", "-d", "-aes-256-cbc", "-nopad", "-K", key.hex(), "-iv", key[:16].hex()],
        input=base64.b64decode(encrypted), capture_output=True, check=True,
    )  # fmt: skip
    plain = done.stdout
    assert plain[-plain[-1] :] == bytes([plain[-1]]) * plain[-1]
    plain = plain[: -plain[-1]]
    assert int.from_bytes(plain[16:20], "big") == len("保证金 deposit".encode())
    assert plain[20:] == "保证金 deposit".encode() + APP_ID.encode()


def test_tampered_ciphertexts_are_refused() -> None:
    crypto = MessageCrypto(KEY, APP_ID)
    good = base64.b64decode(crypto.encrypt("hello"))
    flipped = base64.b64encode(good[:-1] + bytes([good[-1] ^ 1])).decode()  # breaks the padding
    for bad in ("not base64!", base64.b64encode(good[:-5]).decode(), "", flipped):
        with pytest.raises(CryptoError):
            crypto.decrypt(bad)


def test_a_length_field_past_the_end_is_refused() -> None:
    plain = os.urandom(16) + (10_000).to_bytes(4, "big") + b"short" + APP_ID.encode()
    pad = 32 - len(plain) % 32
    key = aes_key(KEY)
    forged = reference.cbc_encrypt(key, key[:16], plain + bytes([pad]) * pad)
    with pytest.raises(CryptoError):
        MessageCrypto(KEY, APP_ID).decrypt(base64.b64encode(forged).decode())


@pytest.mark.parametrize("bad", ["", KEY[:-1], KEY + "A", KEY[:-1] + "!", "é" * 43])
def test_a_malformed_encoding_aes_key_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        aes_key(bad)


def test_signature_is_sha1_of_the_sorted_parts_compared_safely() -> None:
    # sorted("token", "1409659813", "1372623149") joins as "13726231491409659813token"
    expected = reference.signature("token", "1409659813", "1372623149")
    assert sign("token", "1409659813", "1372623149") == expected
    assert valid(expected.upper(), "token", "1409659813", "1372623149")
    assert not valid(expected[:-1] + "0", "token", "1409659813", "1372623149")
    assert not valid("", "token", "1409659813", "1372623149")
    assert not valid("签名", "token", "1409659813", "1372623149")
