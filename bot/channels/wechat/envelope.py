"""The protocol around each message: check signatures, decrypt pushes, seal passive replies.

Plaintext pushes are signed with ``signature`` over (token, timestamp, nonce); safe-mode pushes
with ``msg_signature``, which also covers the ciphertext, and are encrypted for our app id.
Everything is checked before the XML inside is parsed.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from bot.channels.wechat.config import WechatConfig
from bot.channels.wechat.crypto import CryptoError, MessageCrypto, WrongAppId
from bot.channels.wechat.signature import sign, valid
from bot.channels.wechat.xml import (
    WechatMessage,
    XmlError,
    encrypted_reply,
    parse_encrypted,
    parse_message,
    text_reply,
)

MAX_ECHOSTR = 128


class Refused(Exception):
    """A request we do not process: its HTTP status and a short reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class Envelope:
    """Opens pushes and seals replies for one Official Account (plaintext or safe mode)."""

    def __init__(self, config: WechatConfig) -> None:
        self._token = config.token
        self._crypto = (
            MessageCrypto(config.encoding_aes_key, config.app_id) if config.safe_mode else None
        )

    def echo(self, q: Mapping[str, str]) -> str:
        """The ``echostr`` of a genuine URL check (always plaintext, also in safe mode)."""
        echostr = q.get("echostr", "")
        if not echostr or len(echostr) > MAX_ECHOSTR or not _stamped(q):
            raise Refused(400, "signature, timestamp, nonce and echostr are required")
        if not valid(q.get("signature", ""), self._token, q["timestamp"], q["nonce"]):
            raise Refused(403, "bad signature")
        return echostr

    def open(self, q: Mapping[str, str], body: bytes) -> WechatMessage:
        """The message of an authentic push (decrypted in safe mode); Refused otherwise."""
        if not _stamped(q):
            raise Refused(400, "timestamp and nonce are required")
        token, timestamp, nonce = self._token, q["timestamp"], q["nonce"]
        try:
            if self._crypto is None:
                if not valid(q.get("signature", ""), token, timestamp, nonce):
                    raise Refused(403, "bad signature")
                return parse_message(body)
            encrypted = parse_encrypted(body)
            if not valid(q.get("msg_signature", ""), token, timestamp, nonce, encrypted):
                raise Refused(403, "bad msg_signature")
            return parse_message(self._crypto.decrypt(encrypted))
        except XmlError as exc:
            raise Refused(400, f"malformed XML: {exc}") from None
        except WrongAppId:
            raise Refused(403, "encrypted for another app id") from None
        except CryptoError as exc:
            raise Refused(400, f"cannot decrypt: {exc}") from None

    def seal(self, message: WechatMessage, text: str, now: int) -> str:
        """A passive text reply to ``message``: encrypted and signed in safe mode."""
        xml = text_reply(message.from_user, message.to_user, now, text)
        if self._crypto is None:
            return xml
        encrypted = self._crypto.encrypt(xml)
        timestamp, nonce = str(now), str(secrets.randbelow(10**10))
        return encrypted_reply(
            encrypted, sign(self._token, timestamp, nonce, encrypted), timestamp, nonce
        )


def _stamped(q: Mapping[str, str]) -> bool:
    return q.get("timestamp", "").isdigit() and bool(q.get("nonce"))
