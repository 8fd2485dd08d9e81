"""The conversation core for ``ask`` and ``chat``: the FAQ, the centres and a throwaway store.

The terminal is a channel like the others (``bot.channels.terminal``), so it answers through
the same conversation service; its messages go to a temporary SQLite database that is
removed afterwards, never to the bot's own.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from bot.centres.finder import CentreFinder
from bot.centres.loader import load_centres
from bot.channels.terminal import TerminalChannel
from bot.cli.centre import centres_path
from bot.core.conversation import ConversationService
from bot.faq.matcher import Matcher
from bot.storage.migrate import upgrade
from bot.storage.uow import SqlStore


@contextlib.asynccontextmanager
async def terminal(matcher: Matcher, args: argparse.Namespace) -> AsyncIterator[TerminalChannel]:
    """A terminal merchant talking to a conversation service over ``matcher``."""
    centres, _ = load_centres(centres_path(args))  # without a valid file: no centre replies
    finder = CentreFinder(centres) if centres is not None else None
    with tempfile.TemporaryDirectory(prefix="merchant-bot-terminal-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'terminal.db'}"
        await upgrade(url)
        store = SqlStore(url)
        try:
            service = ConversationService(
                lambda: matcher, store.uow, centres=(lambda: finder) if finder else None
            )
            yield TerminalChannel(service, lang=getattr(args, "lang", None))
        finally:
            await store.close()
