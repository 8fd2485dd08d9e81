"""A file's size limit on a channel: the lowest of FILE_MAX_BYTES, the channel's own setting
(FILE_MAX_BYTES_BY_CHANNEL) and what the platform carries."""

from __future__ import annotations

from typing import Any, cast

from bot.core.files import Files

MB = 1024 * 1024


def test_the_lowest_limit_wins_per_channel() -> None:
    files = Files(
        cast(Any, None), cast(Any, None), max_bytes=10 * MB, per_channel={"telegram": 5 * MB}
    )
    assert files.limit_for("web") == 10 * MB
    assert files.limit_for("telegram", 20 * MB) == 5 * MB  # the setting under Telegram's 20 MB
    assert files.limit_for("wechat", 2 * MB) == 2 * MB  # the platform under the global limit
    files.allow("telegram", frozenset({"image"}), 20 * MB)
    assert files.sendable("telegram") == 5 * MB  # what staff may send to its tickets, too
