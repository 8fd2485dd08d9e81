"""WeChat's XML: parsed safely into our dataclasses, and replies built with escaped CDATA.

Parsing refuses any DOCTYPE (so no external entities and no entity-expansion bombs) and bodies
over ``MAX_XML_BYTES``; anything else malformed is an ``XmlError``.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

MAX_XML_BYTES = 32 * 1024  # WeChat's messages are a few KiB; anything larger is not from it
# Characters XML 1.0 cannot carry at all, even in CDATA.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class XmlError(ValueError):
    """The body is not a WeChat XML message we accept."""


@dataclass(frozen=True)
class WechatMessage:
    """One message or event pushed by WeChat (only the fields the bot uses)."""

    to_user: str  # the Official Account's id (gh_...)
    from_user: str  # the merchant's OpenID
    create_time: int
    msg_type: str  # text, image, voice, video, shortvideo, location, link, event, ...
    msg_id: str = ""  # messages have one, events do not
    content: str = ""
    event: str = ""  # subscribe, unsubscribe, CLICK, VIEW, LOCATION, SCAN, ...
    event_key: str = ""
    latitude: float | None = None
    longitude: float | None = None
    label: str = ""
    recognition: str = ""  # speech recognition of a voice message, when enabled
    # An image's (voice's, video's) temporary media, fetched with media/get: the original
    # bytes, where PicUrl would give a recompressed copy.
    media_id: str = ""


def parse_message(body: bytes | str) -> WechatMessage:
    """A plaintext message (or a decrypted safe-mode one)."""
    root = _root(body)
    try:
        create_time = int(_text(root, "CreateTime"))
    except ValueError:
        raise XmlError("CreateTime is not a number") from None
    for required in ("ToUserName", "FromUserName", "MsgType"):
        if not _text(root, required):
            raise XmlError(f"{required} is missing")
    return WechatMessage(
        to_user=_text(root, "ToUserName"),
        from_user=_text(root, "FromUserName"),
        create_time=create_time,
        msg_type=_text(root, "MsgType").lower(),
        msg_id=_text(root, "MsgId"),
        content=_text(root, "Content"),
        event=_text(root, "Event"),
        event_key=_text(root, "EventKey"),
        latitude=_coordinate(_text(root, "Location_X"), 90),
        longitude=_coordinate(_text(root, "Location_Y"), 180),
        label=_text(root, "Label"),
        recognition=_text(root, "Recognition"),
        media_id=_text(root, "MediaId"),
    )


def parse_encrypted(body: bytes | str) -> str:
    """The ``Encrypt`` field of a safe-mode envelope."""
    encrypted = _text(_root(body), "Encrypt")
    if not encrypted:
        raise XmlError("Encrypt is missing")
    return encrypted


def text_reply(to_user: str, from_user: str, create_time: int, content: str) -> str:
    """A passive text reply (``to_user`` is the merchant, ``from_user`` the account)."""
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content>{cdata(content)}</Content></xml>"
    )


def encrypted_reply(encrypted: str, signature: str, timestamp: str, nonce: str) -> str:
    """A safe-mode reply envelope: the ciphertext, its msg_signature, timestamp and nonce."""
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{int(timestamp)}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )


def cdata(text: str) -> str:
    """Text as CDATA: a "]]>" inside is split across two sections, illegal characters dropped."""
    clean = _NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[{clean}]]>"


def _root(body: bytes | str) -> ET.Element:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_XML_BYTES:
        raise XmlError(f"larger than {MAX_XML_BYTES} bytes")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise XmlError(f"not accepted XML: {type(exc).__name__}") from None
    if not isinstance(root, ET.Element) or root.tag != "xml":
        raise XmlError("the root element is not <xml>")
    return root


def _text(root: ET.Element, tag: str) -> str:
    node = root.find(tag)
    return (node.text or "").strip() if node is not None else ""


def _coordinate(value: str, bound: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and -bound <= number <= bound else None
