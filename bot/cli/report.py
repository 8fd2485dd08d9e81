"""``merchant-bot report unanswered``: what merchants asked that the FAQ could not answer."""

from __future__ import annotations

import argparse
import asyncio
import os

from bot.core.report import format_report, group_questions
from bot.settings import DEFAULT_DATABASE_URL


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` command."""
    report = sub.add_parser("report", help="reports for admins")
    kinds = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    unanswered = kinds.add_parser(
        "unanswered", help="unanswered and low-confidence questions, grouped, most frequent first"
    )
    unanswered.add_argument("--database-url", default=None, help="default: $DATABASE_URL")
    unanswered.set_defaults(run=run_unanswered)


def run_unanswered(args: argparse.Namespace) -> int:
    """Print the grouped report."""
    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    print(asyncio.run(_report(url)))
    return 0


async def _report(url: str) -> str:
    from bot.storage.uow import SqlStore

    store = SqlStore(url)
    try:
        async with store.uow() as uow:
            questions = await uow.unanswered.all()
    finally:
        await store.close()
    return format_report(group_questions(questions))
