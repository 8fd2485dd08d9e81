"""Settings from the environment and structured logs."""

from __future__ import annotations

import io
import json
import logging
import re
import sys

import pytest

from bot import logs
from bot.logs import JsonFormatter, TextFormatter
from bot.settings import SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "FAQ_DIR", "LOG_LEVEL", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert s.database_url.startswith("sqlite") and str(s.faq_dir) == "faq"
    assert s.log_level == "INFO" and s.log_format == "auto"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOG_LEVEL", "loud", "LOG_LEVEL:"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: Value error, must start with sqlite"),
        ("FAQ_RELOAD_SECONDS", "-1", "FAQ_RELOAD_SECONDS:"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT:"),
    ],
)
def test_bad_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_log_lines_are_json_with_extra_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "bot", "levelno": 20, "levelname": "INFO", "msg": "reply sent", "merchant": 7}
    )
    data = json.loads(JsonFormatter().format(record))
    assert data["event"] == "reply sent" and data["merchant"] == 7 and data["level"] == "info"


def _record(**extra: object) -> logging.LogRecord:
    fields = {"name": "bot.core", "levelno": 30, "levelname": "WARNING", "msg": "delivery failed"}
    return logging.makeLogRecord(fields | extra)


def test_text_lines_are_compact_with_key_value_extras() -> None:
    line = TextFormatter().format(_record(item=3, error="timed out", final=False))
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d\.\d{3} WARNING bot\.core: delivery failed "
        r'item=3 error="timed out" final=false',
        line,
    ), line


def test_text_lines_show_a_traceback_below() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = _record(exc_info=sys.exc_info())
    first, *rest = TextFormatter().format(record).splitlines()
    assert first.endswith("bot.core: delivery failed") and rest[-1] == "ValueError: boom"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("setting", "terminal", "json_lines"),
    [
        ("auto", True, False),
        ("auto", False, True),
        ("json", True, True),
        ("text", False, False),
    ],
)
def test_log_format_setting(
    monkeypatch: pytest.MonkeyPatch, setting: str, terminal: bool, json_lines: bool
) -> None:
    monkeypatch.setenv("LOG_FORMAT", setting.upper())
    fmt = load_settings().log_format
    stream = _Terminal() if terminal else io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logs.configure("INFO", fmt, stream)
        logging.getLogger("bot.test").info("reply sent", extra={"merchant": 7})
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    line = stream.getvalue().strip()
    if json_lines:
        assert json.loads(line)["merchant"] == 7
    else:
        assert line.endswith("INFO  bot.test: reply sent merchant=7"), line
