"""Settings from the environment and structured logs."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import JsonFormatter
from bot.settings import SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "FAQ_DIR", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert s.database_url.startswith("sqlite") and str(s.faq_dir) == "faq"
    assert s.log_level == "INFO"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LOG_LEVEL", "loud", "LOG_LEVEL:"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: Value error, must start with sqlite"),
        ("FAQ_RELOAD_SECONDS", "-1", "FAQ_RELOAD_SECONDS:"),
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
