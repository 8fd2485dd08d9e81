"""``merchant-bot report unanswered``: what merchants asked that the FAQ could not answer."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from bot.core.ports import UnansweredQuestion
from bot.core.report import Embed, format_report, group_questions, still_open
from bot.faq.engine import build_matcher, cli_semantics
from bot.faq.loader import load_faq
from bot.settings import DEFAULT_DATABASE_URL


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` command."""
    report = sub.add_parser("report", help="reports for admins")
    kinds = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    unanswered = kinds.add_parser(
        "unanswered", help="unanswered and low-confidence questions, grouped, most frequent first"
    )
    unanswered.add_argument("--database-url", default=None, help="default: $DATABASE_URL")
    unanswered.add_argument(
        "--faq-dir", type=Path, default=None,
        help="leave out what this FAQ answers now (default: $FAQ_DIR, else faq/)",
    )  # fmt: skip
    unanswered.add_argument(
        "--all", action="store_true", help="also the questions today's FAQ answers"
    )
    unanswered.set_defaults(run=run_unanswered)


def run_unanswered(args: argparse.Namespace) -> int:
    """Print the grouped report: by meaning with the encoder, without what is fixed."""
    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    questions = asyncio.run(_questions(url))
    faq, _ = load_faq(args.faq_dir or Path(os.environ.get("FAQ_DIR", "faq")))
    semantics, _ = cli_semantics()
    embed: Embed | None = semantics.encoder.encode if semantics is not None else None
    if faq is not None and not args.all:
        questions = still_open(questions, build_matcher(faq, semantics))
    print(format_report(group_questions(questions, embed)))
    return 0


async def _questions(url: str) -> list[UnansweredQuestion]:
    from bot.storage.uow import SqlStore

    store = SqlStore(url)
    try:
        async with store.uow() as uow:
            return await uow.unanswered.all()
    finally:
        await store.close()
