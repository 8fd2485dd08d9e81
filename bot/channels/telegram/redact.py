"""Keep the bot token out of the logs: it is part of every Bot API URL.

httpx (under python-telegram-bot) logs each request URL at INFO, and PTB logs its base URL at
DEBUG; a filter on those loggers replaces the token before any handler sees the record.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

HIDDEN = "<token>"


class RedactToken(logging.Filter):
    """Replaces one token in a record's message."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message when it holds the token; never drops a record."""
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, HIDDEN), None
        return True


def hide_token(token: str, loggers: Iterable[str]) -> None:
    """Add the filter to the named loggers (once per token)."""
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactToken) and f.token == token for f in logger.filters):
            logger.addFilter(RedactToken(token))
