"""WeChat's side of the wire for the tests: real-format pushes, signed (and encrypted), and
passive replies read back (decrypted and their signature checked) with ``reference``."""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

from tests.wechat import reference

TOKEN = "merchantbotToken2024"
APP_ID = "wx5823bf96d3bd56c7"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
SECRET = "s3cr3t-app-secret"
ACCOUNT = "gh_7f083739789a"
_ids = itertools.count(6054768590064713728)


def next_msg_id() -> str:
    """A fresh 64-bit MsgId, as WeChat numbers them."""
    return str(next(_ids))


def _xml(openid: str, msg_type: str, at: int | None, fields: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{at or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>{fields}</xml>"
    )


def text(openid: str, content: str, msg_id: str | None = None, at: int | None = None) -> str:
    """A text message."""
    body = f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id or next_msg_id()}</MsgId>"
    return _xml(openid, "text", at, body)


def event(openid: str, name: str, key: str = "", at: int | None = None) -> str:
    """An event push (subscribe, unsubscribe, CLICK, VIEW, ...)."""
    fields = f"<Event><![CDATA[{name}]]></Event>"
    if key:
        fields += f"<EventKey><![CDATA[{key}]]></EventKey>"
    return _xml(openid, "event", at, fields)


def location(openid: str, lat: float, lon: float, msg_id: str | None = None) -> str:
    """A shared location (Location_X is the latitude)."""
    fields = (
        f"<Location_X>{lat}</Location_X><Location_Y>{lon}</Location_Y><Scale>15</Scale>"
        f"<Label><![CDATA[Shenzhen]]></Label><MsgId>{msg_id or next_msg_id()}</MsgId>"
    )
    return _xml(openid, "location", None, fields)


def media(
    openid: str,
    kind: str,
    extra: str = "",
    msg_id: str | None = None,
    media_id: str = "media_id_1",
) -> str:
    """An image, voice, video... message (``extra``: more fields, such as Recognition)."""
    fields = (
        f"<PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl>"
        f"<MediaId><![CDATA[{media_id}]]></MediaId>{extra}"
        f"<MsgId>{msg_id or next_msg_id()}</MsgId>"
    )
    return _xml(openid, kind, None, fields)


@dataclass(frozen=True)
class Wire:
    """How WeChat signs and encrypts what it pushes to one endpoint."""

    token: str = TOKEN
    aes_key: str | None = None  # set: safe mode
    app_id: str = APP_ID

    def push(self, xml: str, openid: str = "") -> tuple[dict[str, str], bytes]:
        """The query parameters and body WeChat would POST for a message."""
        timestamp, nonce = str(int(time.time())), str(int.from_bytes(os.urandom(4), "big"))
        params = {
            "signature": reference.signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": openid,
        }
        if self.aes_key is None:
            return params, xml.encode()
        encrypted = reference.encrypt(self.aes_key, self.app_id, xml, os.urandom(16))
        params |= {
            "encrypt_type": "aes",
            "msg_signature": reference.signature(self.token, timestamp, nonce, encrypted),
        }
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )
        return params, body.encode()

    def verification(self, echostr: str) -> dict[str, str]:
        """The GET parameters of WeChat's URL check."""
        timestamp, nonce = str(int(time.time())), "1372623149"
        return {
            "signature": reference.signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": echostr,
        }

    def read(self, body: bytes | str) -> dict[str, Any] | None:
        """A passive reply's fields (None for "success"); in safe mode it must be signed right."""
        raw = body.decode() if isinstance(body, bytes) else body
        if raw in ("success", ""):
            return None
        root = ET.fromstring(raw)
        if self.aes_key is not None:
            encrypted = root.findtext("Encrypt") or ""
            stamp, nonce = root.findtext("TimeStamp") or "", root.findtext("Nonce") or ""
            expected = reference.signature(self.token, stamp, nonce, encrypted)
            assert root.findtext("MsgSignature") == expected, "reply msg_signature is wrong"
            inner, app_id = reference.decrypt(self.aes_key, encrypted)
            assert app_id == self.app_id
            root = ET.fromstring(inner)
        return {child.tag: child.text for child in root}
