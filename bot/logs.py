"""Logs on stderr, with the merchant's id but never message text.

Two formats of the same records: JSON lines (one object per line, for log collectors) and a
compact text line for a person at a terminal (time, level, logger, message, ``key=value``
extras). ``LOG_FORMAT=auto`` (the default) picks text when stderr is a terminal, JSON otherwise.
"""

from __future__ import annotations

import json
import logging
import sys
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
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
