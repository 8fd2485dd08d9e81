"""Reading the console's form posts: URL-encoded, size-limited, one value per field."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.types import Message

from bot.core.files import TOO_LARGE as FILE_TOO_LARGE
from bot.core.files import Upload, megabytes
from bot.i18n import LocalizedError, _

MAX_BODY = 64 * 1024  # a reply is at most 4,000 characters; this leaves room for UTF-8 escapes
MAX_FIELDS = 20
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"  # what fetch() sends instead of the hidden field


class FormError(LocalizedError):
    """A post that cannot be read; ``status`` is the HTTP status to answer with.

    ``message`` is English; ``text(locale)`` is the sentence in the agent's language.
    """

    def __init__(self, status: int, message: str, **values: object) -> None:
        super().__init__(message, **values)
        self.status = status
        self.message = str(self)


@dataclass(frozen=True)
class Form:
    """A posted form's fields."""

    fields: Mapping[str, str] = field(default_factory=dict)
    upload: Upload | None = None  # a file posted with it (multipart; a reply's attachment)

    def get(self, name: str, default: str = "") -> str:
        """A field's value, or ``default``."""
        return self.fields.get(name, default)

    def required(self, name: str) -> str:
        """A field's value; ``FormError`` (400) when it is missing."""
        if name not in self.fields:
            raise FormError(400, _("the form has no '{name}' field"), name=name)
        return self.fields[name]

    def number(self, name: str) -> int:
        """A field's value as a positive integer; ``FormError`` (400) otherwise."""
        value = self.required(name)
        if not value.isascii() or not value.isdigit() or len(value) > 12:
            raise FormError(400, _("'{name}' must be a number"), name=name)
        return int(value)


async def read_form(request: Request, max_file: int = 0) -> Form:
    """The request's URL-encoded form; 415 for other types, 413 past ``MAX_BODY``.

    With ``max_file`` a multipart form with one file of at most that many bytes is read too.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data" and max_file > 0:
        return await _read_multipart(request, max_file)
    if kind != "application/x-www-form-urlencoded":
        raise FormError(415, _("send the form URL-encoded"))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise FormError(413, _("the form is too large"))
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise FormError(400, _("the form cannot be read")) from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value.replace("\x00", ""))  # no NUL in a database
    return Form(fields)


async def _read_multipart(request: Request, max_file: int) -> Form:
    limit = MAX_BODY + max_file
    declared = request.headers.get("content-length")
    too_large = FormError(413, FILE_TOO_LARGE, limit=megabytes(max_file))
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large

    async def replay() -> Message:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    try:
        parsed = await Request(request.scope, replay).form(max_files=1, max_fields=MAX_FIELDS)
    except Exception:  # Starlette's MultiPartException and malformed bodies alike
        raise FormError(400, _("the form cannot be read")) from None
    fields: dict[str, str] = {}
    upload: Upload | None = None
    try:
        for key, value in parsed.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if data and upload is None:
                    upload = Upload(data, value.filename or "")
            else:
                fields.setdefault(key, value.replace("\x00", ""))
    finally:
        await parsed.close()
    return Form(fields, upload)


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a posted CSRF token with the expected one."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def posted_csrf(request: Request, form: Form) -> str | None:
    """The CSRF token a post carries: the header from fetch(), else the hidden field."""
    return request.headers.get(CSRF_HEADER) or form.fields.get(CSRF_FIELD)
