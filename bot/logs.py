"""Logs on stderr, with the merchant's id but never message text.

Two formats of the same records: JSON lines (one object per line, for log collectors) and a
compact text line for a person at a terminal (time, level, logger, message, ``key=value``
extras). ``LOG_FORMAT=auto`` (the default) picks text when stderr is a terminal, JSON otherwise.

Every record logged while a request is handled carries its ``request_id``: one per inbound
HTTP request (taken from ``X-Request-ID`` when the caller sends a sane one) or Telegram update,
held in a ``ContextVar`` (so tasks started for the request inherit it) and added to each record
by ``RequestIdFilter``, from the channel through the core to storage.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal, TextIO

LogFormat = Literal["auto", "json", "text"]

# Attributes every LogRecord has; anything else was passed in ``extra=`` and is logged as a field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
}


# The id of the request (or Telegram update) being handled; "" outside one.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
# What is taken from a caller's X-Request-ID: short, printable, no spaces or quotes.
_GIVEN_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


def new_request_id() -> str:
    """A fresh id: 32 hex digits."""
    return uuid.uuid4().hex


def request_id_from(given: str | None) -> str:
    """The caller's id when it is sane (``X-Request-ID`` from a proxy), else a fresh one."""
    if given and _GIVEN_ID.fullmatch(given):
        return given
    return new_request_id()


def current_request_id() -> str:
    """The id of the request being handled, or "" outside one."""
    return REQUEST_ID.get()


@contextlib.contextmanager
def request_scope(request_id: str | None = None) -> Iterator[str]:
    """Log everything inside under ``request_id`` (a fresh one by default); yields the id."""
    value = request_id or new_request_id()
    token = REQUEST_ID.set(value)
    try:
        yield value
    finally:
        REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record logged inside a request (a field in both formats)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Never drops a record; only tags it."""
        value = REQUEST_ID.get()
        if value and not hasattr(record, "request_id"):
            record.request_id = value
        return True


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, event and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line for one record."""
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        data.update(_extras(record))
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """One readable line: ``12:00:01.234 INFO  bot.core.conversation: reply sent merchant=7``.

    The time is local; a value with spaces, quotes or ``=`` is quoted; a traceback follows on
    its own lines.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The text line for one record."""
        moment = datetime.fromtimestamp(record.created).astimezone()
        stamp = moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
        parts = [stamp, f"{record.levelname:<5}", f"{record.name}:", record.getMessage()]
        parts += [f"{k}={_value(v)}" for k, v in _extras(record).items()]
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _value(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if text == "" or any(c.isspace() or c in '"=' for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def formatter(fmt: LogFormat, stream: TextIO) -> logging.Formatter:
    """The formatter for ``fmt``; ``auto`` is text on a terminal and JSON otherwise."""
    if fmt == "auto":
        isatty = getattr(stream, "isatty", None)
        fmt = "text" if isatty is not None and isatty() else "json"
    return TextFormatter() if fmt == "text" else JsonFormatter()


def configure(level: str = "INFO", fmt: LogFormat = "auto", stream: TextIO | None = None) -> None:
    """Send every log record to stderr (or ``stream``) in the chosen format."""
    out = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter(fmt, out))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
