"""``merchant-bot report unanswered``: what merchants asked that the FAQ could not answer."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.insights import InsightsQuery, InsightsRows, compute, format_stats
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
    register_stats(kinds)


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


def register_stats(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report stats``: the insights page's figures on the terminal (or as JSON)."""
    stats = kinds.add_parser(
        "stats", help="conversations, questions, deflection, tickets, response times, CSAT"
    )
    stats.add_argument("--database-url", default=None, help="default: $DATABASE_URL")
    stats.add_argument(
        "--since", type=_date, default=None, help="first day, YYYY-MM-DD (default: 30 days ago)"
    )
    stats.add_argument(
        "--until", type=_date, default=None, help="day after the last (default: now)"
    )
    stats.add_argument("--language", default=None, help="only this locale (en, zh_Hans, ...)")
    stats.add_argument("--channel", default=None, help="only this channel (web, wechat, ...)")
    stats.add_argument("--team", default=None, help="only this team's tickets")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(run=run_stats)


def _date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def run_stats(args: argparse.Namespace) -> int:
    """Print the period's figures (the same as the console's insights page)."""

    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    until = args.until or datetime.now(UTC)
    since = args.since or until - timedelta(days=30)
    query = InsightsQuery(since, until, args.language, args.channel, args.team)
    minutes = int(os.environ.get("FIRST_RESPONSE_MINUTES") or 120)
    # 0: serve builds no roll-ups, and neither does this (ones built here would go stale)
    build = int(os.environ.get("INSIGHTS_ROLLUP_MINUTES") or 10) != 0
    rows = asyncio.run(_stats_rows(url, query, build=build))
    insights = compute(query, rows, first_response=timedelta(minutes=minutes))
    if args.json:
        print(json.dumps(insights.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_stats(insights))
    return 0


async def _stats_rows(url: str, query: InsightsQuery, *, build: bool) -> InsightsRows:
    """The period's rows, after building the roll-ups of its closed days that are missing or
    stale (as serve's job does; safe while it runs), so that no stale day is read."""
    from bot.storage.insights import SqlInsights
    from bot.storage.rollups import SqlRollups
    from bot.storage.uow import SqlStore

    store = SqlStore(url)
    try:
        if build:
            await SqlRollups(store.engine).refresh(datetime.now(UTC), query.since, query.until)
        return await SqlInsights(store.engine).rows(query)
    finally:
        await store.close()


async def _questions(url: str) -> list[UnansweredQuestion]:
    from bot.storage.uow import SqlStore

    store = SqlStore(url)
    try:
        async with store.uow() as uow:
            return await uow.unanswered.all()
    finally:
        await store.close()
