"""WeChat messages to core events, and core replies to WeChat text with numbered menus."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.channels import numbered
from bot.channels.wechat.xml import WechatMessage
from bot.core.files import JPEG, PNG
from bot.core.language import parse_locale
from bot.core.types import Incoming, Location, MerchantKey, Outgoing
from bot.i18n import UiLocale

CHANNEL = "wechat"
LANG_HINT = "zh"  # WeChat tells us no language; its merchants are Chinese-speaking by default
DEFAULT_LOCALE: UiLocale = "zh_Hans"
MAX_TEXT_CHARS = 2000
MAX_TEXT_BYTES = 2048  # WeChat cuts longer text messages (passive and customer-service alike)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Messages whose media the bot fetches and keeps for staff. An Official Account's documented
# messages carry files only as images; "file" (WeCom's shape: a MediaId, fetched the same way)
# is taken too, should WeChat push one. Voice and video stay unsupported.
FILE_MESSAGES = frozenset({"image", "file"})
# What staff can send: an Official Account's customer-service messages carry images (uploaded
# as temporary media: PNG, JPEG or GIF) but no documents, so PDFs and WebP stay on the web chat
# and Telegram; the desk says so.
STAFF_FILE_KINDS = frozenset({JPEG, PNG})
# The largest image media/upload takes as temporary media (type=image); the desk refuses a
# larger one when FILE_MAX_BYTES is above it, and the outbound never tries to upload one.
STAFF_IMAGE_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Media:
    """A file a merchant sent, still on WeChat's servers: what media/get needs, and the name
    staff see (WeChat gives none; the extension follows the sniffed kind)."""

    media_id: str
    name: str


def merchant_key(openid: str) -> MerchantKey:
    """The core's key for a WeChat user (their OpenID under this Official Account)."""
    return MerchantKey(CHANNEL, openid)


def delivery_key(message: WechatMessage) -> str:
    """What makes a delivery unique: MsgId for messages, sender and time for events."""
    if message.msg_id:
        return f"msg:{message.msg_id}"
    return f"evt:{message.from_user}:{message.create_time}"


def to_incoming(message: WechatMessage) -> Incoming | None:
    """The core event for a WeChat message; None for events the bot does not answer."""
    base = Incoming(
        merchant_key(message.from_user),
        "text",
        message_id=message.msg_id or None,
        delivery_key=delivery_key(message),
        lang_hint=LANG_HINT,
    )
    kind = message.msg_type
    if kind == "event":
        event = message.event.lower()
        if event == "subscribe":  # a QR-scene subscribe carries "qrscene_..."; still a welcome
            return replace(base, kind="command", text="start")
        if event == "click" and message.event_key:
            return replace(base, kind="button", payload=message.event_key)
        return None  # unsubscribe, VIEW (a link), LOCATION reports, SCAN...: nothing to say
    if kind == "text" or (kind == "voice" and message.recognition):
        text = message.content if kind == "text" else message.recognition
        return replace(base, text=_CONTROL.sub("", text).strip()[:MAX_TEXT_CHARS])
    if kind == "location" and message.latitude is not None and message.longitude is not None:
        return replace(
            base, kind="location", location=Location(message.latitude, message.longitude)
        )
    return replace(base, kind="unsupported", text=f"[{kind}]")


def media_of(message: WechatMessage) -> Media | None:
    """The media to fetch for an image (or file) message; None for any other message."""
    if message.msg_type not in FILE_MESSAGES or not message.media_id:
        return None
    number = message.msg_id or str(message.create_time)
    return Media(message.media_id, f"wechat-{message.msg_type}-{number}")


def render(messages: Sequence[Outgoing], locale: str) -> str:
    """One WeChat text for a reply: the messages, then their buttons as a numbered menu."""
    return numbered.render(messages, parse_locale(locale) or DEFAULT_LOCALE)


def chunks(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Split a text into pieces of at most ``limit`` UTF-8 bytes, at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode("utf-8")) > limit:  # one overlong line: cut it by characters
            head = _fit(line, limit)
            pieces += [current, head] if current else [head]
            current, line = "", line[len(head) :]
        if len((current + line).encode("utf-8")) > limit:
            pieces.append(current)
            current = ""
        current += line
    pieces.append(current)
    return [p.strip("\n") for p in pieces if p.strip()]


def _fit(text: str, limit: int) -> str:
    out, size = [], 0
    for ch in text:
        size += len(ch.encode("utf-8"))
        if size > limit:
            break
        out.append(ch)
    return "".join(out)
