"""Update bodies in the Bot API's JSON, as Telegram sends them (the fake adds update_id)."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

from bot.channels.telegram.updates import TgMessage, TgUpdate, TgUser
from tests.telegram.fake_api import BOT_USER, chat_json

Json = dict[str, Any]
_message_ids = itertools.count(1)


def user(user_id: int, lang: str | None = "en") -> Json:
    """A merchant's User object."""
    data: Json = {"id": user_id, "is_bot": False, "first_name": f"Seller {user_id}"}
    if lang is not None:
        data["language_code"] = lang
    return data


def private_update(
    update_id: int, message_id: int, user_id: int, lang: str | None, **fields: Any
) -> TgUpdate:
    """Our update for a merchant's private message as ``user(user_id, lang)`` sends it, with
    the message's other ``fields`` (text, command, ...)."""
    sender = TgUser(user_id, False, lang, f"Seller {user_id}")
    return TgUpdate(update_id, message=TgMessage(message_id, user_id, "private", sender, **fields))


def _message(user_id: int, lang: str | None, chat_id: int | None = None, **content: Any) -> Json:
    return {
        "message": {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": chat_json(user_id if chat_id is None else chat_id),
            "from": user(user_id, lang),
            **content,
        }
    }


def text(user_id: int, body: str, lang: str | None = "en") -> Json:
    """A text message in the merchant's private chat."""
    return _message(user_id, lang, text=body)


def command(user_id: int, name: str, lang: str | None = "en", suffix: str = "") -> Json:
    """/name (with a bot_command entity, as Telegram marks it); ``suffix``: "@bot arg"..."""
    body = f"/{name}{suffix}"
    length = len(body.split()[0])
    entities = [{"type": "bot_command", "offset": 0, "length": length}]
    return _message(user_id, lang, text=body, entities=entities)


def location(user_id: int, lat: float, lon: float, lang: str | None = "en") -> Json:
    """A shared location."""
    return _message(user_id, lang, location={"latitude": lat, "longitude": lon})


def sticker(user_id: int, lang: str | None = "en") -> Json:
    """A sticker."""
    data = {
        "file_id": "CAAC-sticker",
        "file_unique_id": "AgAD",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return _message(user_id, lang, sticker=data)


def photo(
    user_id: int,
    lang: str | None = "en",
    caption: str | None = None,
    file_id: str = "AgAC-photo",
    chat_id: int | None = None,
) -> Json:
    """A photo, optionally with a caption: a thumbnail and ``file_id`` as its largest size
    (listed first, so that "the largest" is picked by size, not position)."""
    big = {"file_id": file_id, "file_unique_id": "AQAD", "width": 1280, "height": 960}
    small = {"file_id": "AgAC-thumb", "file_unique_id": "AQAE", "width": 90, "height": 90}
    extra = {"caption": caption} if caption else {}
    return _message(user_id, lang, chat_id, photo=[big, small], **extra)


def document(
    user_id: int,
    file_id: str,
    name: str,
    lang: str | None = "en",
    caption: str | None = None,
    size: int | None = None,
    mime: str = "application/pdf",
    chat_id: int | None = None,
) -> Json:
    """A document (a file sent "as a file"); ``size`` is what Telegram says of it, if anything."""
    data: Json = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name}
    data["mime_type"] = mime
    if size is not None:
        data["file_size"] = size
    extra = {"caption": caption} if caption else {}
    return _message(user_id, lang, chat_id, document=data, **extra)


def in_topic(body: Json, thread_id: int) -> Json:
    """A message of ``body`` (from a staff member) posted in a forum topic of the staff chat."""
    body["message"] |= {"message_thread_id": thread_id, "is_topic_message": True}
    body["message"]["from"]["first_name"] = f"Staff {body['message']['from']['id']}"
    return body


def voice(user_id: int, lang: str | None = "en") -> Json:
    """A voice message."""
    data = {"file_id": "AwAC-voice", "file_unique_id": "AgAD-v", "duration": 3}
    return _message(user_id, lang, voice=data)


def group_text(chat_id: int, user_id: int, body: str) -> Json:
    """A text message in a group or supergroup (``chat_id`` negative)."""
    return _message(user_id, "en", chat_id=chat_id, text=body)


def staff_text(chat_id: int, thread_id: int, user_id: int, body: str) -> Json:
    """A staff member's message in a forum topic of the staff chat (a command when "/...")."""
    content: Json = {"text": body, "message_thread_id": thread_id, "is_topic_message": True}
    if body.startswith("/"):
        length = len(body.split()[0])
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    message = _message(user_id, "en", chat_id=chat_id, **content)
    message["message"]["from"]["first_name"] = f"Staff {user_id}"
    return message


def callback(user_id: int, data: str, lang: str | None = "en", message_id: int = 1) -> Json:
    """A press on an inline button under one of the bot's messages."""
    bot_message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat_json(user_id),
        "from": BOT_USER,
        "text": "…",
    }
    return {
        "callback_query": {
            "id": uuid.uuid4().hex[:16],
            "from": user(user_id, lang),
            "chat_instance": f"ci{user_id}",
            "message": bot_message,
            "data": data,
        }
    }


def edited(user_id: int, body: str) -> Json:
    """An edited message (not among the update types the channel handles)."""
    message = _message(user_id, "en", text=body)["message"]
    return {"edited_message": message | {"edit_date": int(time.time())}}
