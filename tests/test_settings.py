"""Settings that hold more than one value are checked when read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_file_limits_per_channel_come_as_json_and_unknown_channels_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FILE_MAX_BYTES_BY_CHANNEL", '{"telegram": 5242880, "wechat": 2097152}')
    assert Settings().file_max_bytes_by_channel == {"telegram": 5242880, "wechat": 2097152}
    monkeypatch.setenv("FILE_MAX_BYTES_BY_CHANNEL", '{"whatsapp": 5242880}')
    with pytest.raises(ValidationError, match="unknown channel whatsapp"):
        Settings()
    monkeypatch.setenv("FILE_MAX_BYTES_BY_CHANNEL", '{"web": 10}')
    with pytest.raises(ValidationError, match="between 1024"):
        Settings()
