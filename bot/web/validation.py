"""Reading and checking a POST /api/chat body; every problem is an ApiError with a 4xx status.

Its message is a marked UI string: the app answers it in the merchant's language
(``ApiError.text``), which the chat page shows as it is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from starlette.requests import Request

from bot.core.files import TOO_LARGE as FILE_TOO_LARGE
from bot.core.files import FileRefused, megabytes
from bot.core.types import Location
from bot.i18n import LocalizedError, _

MAX_BODY_BYTES = 16 * 1024
MAX_TEXT_CHARS = 2000
MAX_PAYLOAD_BYTES = 64  # the core's (and Telegram's) limit for button payloads
RequestType = Literal["start", "text", "button", "location"]
TYPES: tuple[RequestType, ...] = ("start", "text", "button", "location")
_TZ_RE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]{0,40}(?:/[A-Za-z0-9_+\-]{1,40}){0,2}")
_CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_LANG_RE = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,4}")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t and \n
TOO_LARGE = _("The request is larger than {limit} bytes.")
TOO_LONG = _("Messages can be at most {limit} characters long.")


class ApiError(LocalizedError):
    """A request the API refuses: an HTTP status, a short code and a sentence for people
    (``message`` in English, ``text(locale)`` translated). ``lang`` is the body's language
    hint when the body got that far."""

    def __init__(self, status: int, code: str, message: str, **values: object) -> None:
        super().__init__(message, **values)
        self.status, self.code, self.message = status, code, str(self)
        self.lang: str | None = None


@dataclass(frozen=True)
class ChatRequest:
    """A checked chat request: what the merchant did, with the client's id for retries."""

    type: RequestType
    text: str = ""
    payload: str = ""
    client_id: str | None = None
    lang: str | None = None
    location: Location | None = None
    tz: str | None = None  # the browser's IANA time zone, for message times


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", TOO_LARGE, limit=limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "too_large", TOO_LARGE, limit=limit)
    return bytes(body)


async def read_upload(request: Request, limit: int) -> bytes:
    """A file's bytes (the raw body), refused (413, in the merchant's words) past ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise FileRefused(413, "too_large", FILE_TOO_LARGE, limit=megabytes(limit))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise FileRefused(413, "too_large", FILE_TOO_LARGE, limit=megabytes(limit))
    return bytes(body)


def file_params(query: Mapping[str, str]) -> tuple[str, str, str | None, str | None]:
    """An upload's query: the client's ``id`` (required, for retries), the file's ``name``,
    the page's ``lang`` and ``tz``."""
    lang = query.get("lang") or None
    if lang is not None and not _LANG_RE.fullmatch(lang):
        lang = None
    tz = query.get("tz") or None
    if tz is not None and not _TZ_RE.fullmatch(tz):
        tz = None
    client_id = query.get("id", "")
    if not _CLIENT_ID_RE.fullmatch(client_id):
        error = ApiError(400, "invalid_id", _("'id' must be 8 to 64 letters, digits, '-' or '_'."))
        error.lang = lang
        raise error
    name = _CONTROL_RE.sub("", query.get("name", ""))[:255]
    return client_id, name, lang, tz


def require_json(request: Request) -> None:
    """Refuse (415) a body that is not declared as JSON."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise ApiError(415, "unsupported_media_type", _("Send the request as application/json."))


def parse_chat(body: bytes) -> ChatRequest:
    """Check a chat request body and return what it asks for."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", _("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _("The request body must be a JSON object."))
    kind = data.get("type")
    if kind not in TYPES:
        raise ApiError(
            400, "unknown_type", _("'type' must be one of: {types}."), types=", ".join(TYPES)
        )
    client_id = _optional_str(data, "id")
    if client_id is not None and not _CLIENT_ID_RE.fullmatch(client_id):
        raise ApiError(400, "invalid_id", _("'id' must be 8 to 64 letters, digits, '-' or '_'."))
    lang = _optional_str(data, "lang")
    lang = lang if lang and _LANG_RE.fullmatch(lang) else None  # a hint: a bad one is ignored
    tz = _optional_str(data, "tz")
    tz = tz if tz and _TZ_RE.fullmatch(tz) else None  # unknown zones fall back to UTC later
    request = ChatRequest(kind, client_id=client_id, lang=lang, tz=tz)
    try:
        if kind == "text":
            return _with_text(request, data)
        if kind == "button":
            return _with_payload(request, data)
        if kind == "location":
            return _with_location(request, data)
    except ApiError as exc:
        exc.lang = lang  # the page's language hint, for answering in the merchant's language
        raise
    return request


def _optional_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"invalid_{name}", _("'{name}' must be a string."), name=name)
    if not _encodable(value):
        raise ApiError(400, f"invalid_{name}", _("'{name}' is not valid Unicode text."), name=name)
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, such as "\ud800" in the JSON
        return False
    return True


def _with_text(request: ChatRequest, data: dict[str, Any]) -> ChatRequest:
    text = _CONTROL_RE.sub("", _optional_str(data, "text") or "").strip()
    if not text:
        raise ApiError(400, "empty_text", _("Please type a message before sending."))
    if len(text) > MAX_TEXT_CHARS:
        raise ApiError(413, "text_too_long", TOO_LONG, limit=MAX_TEXT_CHARS)
    return replace(request, text=text)


def _with_payload(request: ChatRequest, data: dict[str, Any]) -> ChatRequest:
    payload = _optional_str(data, "payload") or ""
    if not payload:
        raise ApiError(400, "missing_payload", _("A button press needs its 'payload'."))
    if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES or _CONTROL_RE.search(payload):
        raise ApiError(400, "invalid_payload", _("That button payload is not valid."))
    return replace(request, payload=payload)


def _with_location(request: ChatRequest, data: dict[str, Any]) -> ChatRequest:
    lat, lon = _coordinate(data.get("lat"), 90), _coordinate(data.get("lon"), 180)
    if lat is None or lon is None:
        raise ApiError(400, "invalid_location", _("'lat' and 'lon' must be valid coordinates."))
    return replace(request, location=Location(lat, lon))


def _coordinate(value: object, bound: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and -bound <= number <= bound else None
